"""One rule for a Report's score, risk and rule ids (unspin.scoring), on every path."""

from __future__ import annotations

from pathlib import Path

import pytest

import unspin
from unspin import Config
from unspin.results import Finding
from unspin.scoring import RULE_IDS, document_verdict, risk_level, rule_id
from unspin.serialize import RULES
from unspin.tuning import PRIOR_FLOOR, UNSCORED, is_scored, load_tuning, mode_defaults

FAST = Config(mode="fast")


def _f(conf: float) -> Finding:
    return Finding(0, 4, "firm", (), conf, rule_id(1), "")


def test_rule_ids_are_the_serialiser_rules() -> None:
    assert set(RULE_IDS) == set(RULES)
    assert rule_id(1) != rule_id(2) and rule_id(3, source_aligned=True) == "UNSPIN_SOURCE_ALIGNED"


def test_deep_score_grows_with_confident_findings_and_sparse_evidence_is_capped() -> None:
    few = document_verdict([_f(0.99)] * 2, 20, "deep")
    many = document_verdict([_f(0.99)] * 20, 200, "deep")
    assert few[0] > 0.6 and few[1] == "low"  # two findings never rate above "low"
    assert many[1] == "high"
    assert document_verdict([], 500, "deep") == (0.0, "clean")


def test_fast_verdict_is_the_screen_score_whatever_the_findings() -> None:
    assert document_verdict([_f(0.99)] * 30, 100, "fast", screen_score=0.05) == (0.05, "clean")
    with pytest.raises(ValueError):
        document_verdict([], 100, "fast")


def test_risk_levels_are_ordered() -> None:
    levels = [risk_level(s / 100) for s in range(101)]
    order = {"clean": 0, "low": 1, "suspicious": 2, "high": 3}
    assert all(order[a] <= order[b] for a, b in zip(levels, levels[1:]))


def test_tuning_file_loads_with_provenance_and_sentinels() -> None:
    t = load_tuning()
    assert t.header["magic"] == "unspin-tuning"
    assert not is_scored(UNSCORED) and is_scored(-50.0) and 0 < PRIOR_FLOOR < 1e-3
    assert mode_defaults("deep").max_words < mode_defaults("fast").max_words
    for block in ("fast", "deep"):
        assert t.noisy_channel[block].rho > 0


def test_restore_fast_with_index_keeps_fast_scoring(tmp_path: Path) -> None:
    """Regression: restore --fast --index re-scored with the deep rule under the fast label."""
    from test_trace import ORIGINALS, _spin
    from unspin.trace import TraceIndex

    path = tmp_path / "sources.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(f"orig/{i:02d}.txt", t) for i, t in enumerate(ORIGINALS)])
    spun = _spin(ORIGINALS[2], 5)
    plain = unspin.check(spun, FAST)
    from unspin.api import restore_from_index

    r = restore_from_index(spun, str(path), FAST)
    assert r.extra["source"] is not None
    assert any(f.rule == "UNSPIN_SOURCE_ALIGNED" for f in r.report.findings)
    assert r.report.mode == "fast"
    assert (r.report.score, r.report.risk) == (plain.score, plain.risk)
    assert (r.report.score, r.report.risk) == document_verdict(r.report.findings, r.report.words, "fast", plain.score)
