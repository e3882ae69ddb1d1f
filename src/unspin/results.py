"""Result types: frozen dataclasses with spans into the input (code-point offsets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .errors import InputError

RISK_LEVELS = ("clean", "low", "suspicious", "high")


@dataclass(frozen=True, slots=True)
class Replacement:
    """A candidate original wording for a finding, with its confidence in [0, 1]."""

    value: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Finding:
    """A span the engine believes a spinner wrote.

    ``start``/``end`` are code-point offsets into the checked text; ``replacements`` are
    ranked, best first; ``evidence`` says in words why the span was flagged.
    """

    start: int
    end: int
    text: str
    replacements: tuple[Replacement, ...]
    confidence: float
    rule: str
    evidence: str
    sentence_start: int = 0
    sentence_end: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Edit:
    """One change a restoration made: ``text[start:end]`` (== ``old``) became ``new``.

    ``source`` says where the new wording came from: ``"lexicon+lm"``, ``"lexicon"``,
    ``"lm-proposal"``, ``"user-list"``, or ``"source:<document id>"`` for trace-aided restoration.
    """

    start: int
    end: int
    old: str
    new: str
    confidence: float
    source: str
    evidence: str = ""


@dataclass(frozen=True)
class Report:
    """The result of :func:`unspin.check`: findings plus a document-level spin score."""

    text: str
    findings: tuple[Finding, ...]
    score: float
    risk: str
    words: int
    mode: str
    model: str
    data_version: str
    incomplete: bool = False
    reason: str | None = None
    # Fast mode: P(a clean text of this length scores at least this high), the figure that
    # ranks documents whose ``score`` rounds to 0 (see engine.screen.Calibration.clean_tail).
    clean_p: float | None = None
    # Engine v3 (deep mode): the estimated share of spun slots with its 90% interval
    # (estimate, low, high), and the p-value of the test "nothing here is spun" against clean text.
    spin_share: tuple[float, float, float] | None = None
    null_p_value: float | None = None

    @property
    def flagged(self) -> int:
        return len(self.findings)


@dataclass(frozen=True)
class Restoration:
    """The result of :func:`unspin.restore_and_explain`.

    Applying ``edits`` to ``input`` reproduces ``text`` exactly (see :func:`apply_edits`).
    """

    input: str
    text: str
    edits: tuple[Edit, ...]
    report: Report
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.extra, MappingProxyType):
            object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to ``text``; they may come in any order.

    >>> apply_edits("in line with him", [Edit(0, 12, "in line with", "according to", 0.9, "lexicon")])
    'according to him'
    """
    return replace_spans(text, ((e.start, e.end, e.old, e.new) for e in edits))


def replace_spans(text: str, spans: Iterable[tuple[int, int, str, str]], what: str = "edit") -> str:
    """The one rule for replaying changes: each ``(start, end, old, new)`` must lie inside
    ``text``, not overlap another, and find ``old`` at its place; ``new`` replaces it.

    >>> replace_spans("a b c", [(4, 5, "c", "C"), (0, 1, "a", "A")])
    'A b C'
    """
    out: list[str] = []
    pos = 0
    for start, end, old, new in sorted(spans, key=lambda x: x[0]):
        if start < pos or end < start or end > len(text):
            raise InputError(f"{what} {start}:{end} overlaps another or lies outside the text")
        if text[start:end] != old:
            raise InputError(f"{what} {start}:{end} expects {old!r} but the text has {text[start:end]!r}")
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)
