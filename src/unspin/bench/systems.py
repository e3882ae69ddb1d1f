"""The systems a benchmark compares: the engine and two baselines.

A *runner* is a function ``text -> SystemOutput``; the harness only ever calls runners, so
tests can run it with the baselines alone and other engines can be plugged in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

from ..results import Edit, apply_edits
from ..text import apply_case, phrase_key, tokenize


@dataclass(frozen=True)
class SystemOutput:
    """What a system did to one text: restored text, its edits, flagged spans and a score."""

    text: str
    edits: tuple[Edit, ...]
    findings: tuple[tuple[int, int], ...]
    score: float


Runner = Callable[[str], SystemOutput]


@dataclass(frozen=True)
class System:
    """A named runner. ``skipped`` says why it cannot run (the row is then reported as such)."""

    name: str
    mode: str  # "fast" | "deep" | "-" for baselines
    run: Runner | None
    skipped: str | None = None


def change_nothing(text: str) -> SystemOutput:
    """The baseline that flags and changes nothing (score 0 everywhere)."""
    return SystemOutput(text, (), (), 0.0)


@dataclass(frozen=True)
class PhraseList:
    """Exact, case-insensitive matching of listed tortured phrases, as simple finders do.

    Each match is replaced by the listed expected phrase, cased like the match.

    >>> pl = PhraseList.from_pairs([("profound learning", "deep learning")])
    >>> out = pl("Profound learning works.")
    >>> out.text, out.findings
    ('Deep learning works.', ((0, 17),))
    """

    pattern: re.Pattern[str] | None
    table: dict[str, str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]]) -> "PhraseList":
        table: dict[str, str] = {}
        for tortured, expected in pairs:
            key = phrase_key(tortured)
            if key and key not in table:
                table[key] = expected.strip()
        if not table:
            return cls(None, {})
        alternation = "|".join(re.escape(k).replace("\\ ", r"\s+") for k in sorted(table, key=len, reverse=True))
        return cls(re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), table)

    def __call__(self, text: str) -> SystemOutput:
        if self.pattern is None:
            return change_nothing(text)
        edits = []
        for m in self.pattern.finditer(text):
            expected = self.table[phrase_key(m.group())]
            new = apply_case(m.group(), expected)
            if new != m.group():
                edits.append(Edit(m.start(), m.end(), m.group(), new, 1.0, "phrase-list"))
        words = max(tokenize(text).word_count, 1)
        return SystemOutput(
            apply_edits(text, edits),
            tuple(edits),
            tuple((e.start, e.end) for e in edits),
            min(1.0, len(edits) / words * 100),
        )


def read_phrase_list(path: Path | str) -> PhraseList:
    """The phrase-list baseline over a ``tortured<TAB>expected`` file.

    Read by :func:`unspin.readers.read_pairs`, the same reader as ``--pairs``, so both see
    the same phrases (header and comments skipped, ``\\"`` unescaped).
    """
    from ..readers import read_pairs

    return PhraseList.from_pairs(list(read_pairs(path)))


def default_phrase_list_path() -> Path | None:
    """``../shared/data/pps-train.tsv`` next to the checkout, if it exists."""
    from .corpus import repo_root

    path = repo_root().parent / "shared" / "data" / "pps-train.tsv"
    return path if path.is_file() else None


def engine_runner(mode: str) -> Runner:
    """The unspin engine: one ``restore_and_explain`` call per text (its report has the check)."""
    import unspin

    config = unspin.Config(mode=mode)

    def run(text: str) -> SystemOutput:
        r = unspin.restore_and_explain(text, config)
        findings = tuple((f.start, f.end) for f in r.report.findings)
        return SystemOutput(r.text, tuple(r.edits), findings, float(r.report.score))

    return run


@cache
def engine_available() -> str | None:
    """None when ``unspin.restore_and_explain`` exists, else why not."""
    try:
        import unspin

        unspin.restore_and_explain  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"engine not available ({exc})"
    return None
