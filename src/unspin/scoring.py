"""One function builds a Report's score, risk and rule ids, for every path.

Paths: the engine in deep mode (score from the findings), the engine in fast mode (score from
the fast screening model over the whole document, computed by ``engine/screen.py``), the
source-aided restoration (``api.restore_from_index``: engine findings outside the aligned
passages plus source-aligned findings), a check with an allow list
(``engine.pipeline.allow_listed``: the findings left once the allowed phrases are left out,
each mode's document statistic never more suspicious than without the allow list), and later
learned dictionaries.

The rule::

    deep:  score = 1 - exp(-density / score_scale), density = summed finding confidence per word
    fast:  score = the screening score (independent of the findings; source-aligned findings
           do not change it)
    risk:  the first cut the score reaches (tuning file: high / suspicious / low), else clean;
           in deep mode fewer than ``min_findings`` findings never rate above "low".

>>> from unspin.results import Finding
>>> f = Finding(0, 4, "firm", (), 0.9, rule_id(1), "")
>>> document_verdict([f] * 5, 100, "deep")
(0.6753, 'high')
>>> document_verdict([f], 100, "deep")[1]
'low'
>>> document_verdict([], 100, "fast", screen_score=0.7)
(0.7, 'high')
"""

from __future__ import annotations

import math
from typing import Sequence

from .results import Finding
from .tuning import TuningData, load_tuning

RULE_SYNONYM = "UNSPIN_SYNONYM_SWAP"
RULE_PHRASE = "UNSPIN_PHRASE_SWAP"
RULE_SOURCE = "UNSPIN_SOURCE_ALIGNED"
RULE_IDS = (RULE_SYNONYM, RULE_PHRASE, RULE_SOURCE)


def rule_id(n_words: int, source_aligned: bool = False) -> str:
    """The rule id of a finding: a source-aligned difference, a one-word or a multi-word swap."""
    if source_aligned:
        return RULE_SOURCE
    return RULE_SYNONYM if n_words == 1 else RULE_PHRASE


def findings_score(findings: Sequence[Finding], words: int, tuning: TuningData | None = None) -> float:
    """Deep-mode document score in [0, 1] from the findings' summed confidence per word.

    >>> findings_score([], 100)
    0.0
    """
    if words <= 0 or not findings:
        return 0.0
    density = sum(f.confidence for f in findings) / words
    return round(1.0 - math.exp(-density / (tuning or load_tuning()).risk.score_scale), 4)


def risk_level(score: float, n_findings: int | None = None, tuning: TuningData | None = None) -> str:
    """Risk level from a document score; ``n_findings`` (deep mode) caps sparse evidence at "low".

    >>> risk_level(0.7, 10), risk_level(0.7, 2), risk_level(0.05, 1), risk_level(0.35)
    ('high', 'low', 'clean', 'suspicious')
    """
    risk = (tuning or load_tuning()).risk
    level = "clean"
    for cut, name in risk.cuts:
        if score >= cut:
            level = name
            break
    if n_findings is not None and n_findings < risk.min_findings and level in ("suspicious", "high"):
        level = "low"
    return level


def null_test_risk(p_value: float, tuning: TuningData | None = None) -> str:
    """Engine v3's risk level: how strongly the test against clean text rejects "nothing is spun".

    >>> null_test_risk(1e-9), null_test_risk(1e-4), null_test_risk(0.01), null_test_risk(0.5)
    ('high', 'suspicious', 'low', 'clean')
    """
    for cut, name in (tuning or load_tuning()).risk.p_cuts:
        if p_value < cut:
            return name
    return "clean"


def document_verdict(
    findings: Sequence[Finding], words: int, mode: str, screen_score: float | None = None,
    null_p_value: float | None = None, tuning: TuningData | None = None,
) -> tuple[float, str]:
    """(score, risk) of a document: THE rule for every path (see the module docstring).

    ``screen_score`` is required in fast mode (the fast screening model's document score).
    ``null_p_value`` (deep mode, engine v3): the document's test against clean text, which sets
    the risk; the score stays the findings' density (it ranks documents). ``tuning``: the
    settings to read (default: the shipped tuning file).
    """
    if mode == "fast":
        if screen_score is None:
            raise ValueError("fast mode scores documents with the screening model: pass screen_score")
        value = round(float(screen_score), 4)
        return value, risk_level(value, tuning=tuning)
    value = findings_score(findings, words, tuning)
    if null_p_value is not None:
        return value, null_test_risk(null_p_value, tuning)
    return value, risk_level(value, len(findings), tuning)
