"""Where gold swaps get lost: the restoration funnel of one spinner profile.

For every gold span of spun documents (a :class:`~unspin.spinner.SpunText`), using only the
engine's public stages (:func:`unspin.engine.pipeline.score` and ``finish``):

``slot_overlap``  some scored slot overlaps the span;
``slot``          a scored slot covers exactly the span (needed for an exact restoration);
``candidate``     the original wording is among that slot's candidates (exact text);
``scored``        its candidate score is a real score (not the scorer's UNSCORED sentinel,
                  e.g. dropped by pruning in deep mode);
``preferred``     its score beats the slot's keep score (the text itself);
``restored``      the engine's edits contain exactly this span with the original wording.

The first five are nested; ``restored`` is counted on its own (a learned decision may restore
an original the raw scores did not prefer), and ``restored_of_preferred`` counts both.

>>> FunnelCounts("p", "fast", 1, 10, 9, 8, 6, 6, 4, 3, 3).shares()["candidate"]
0.6
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Sequence

from ..config import Config
from ..spinner import SpunText
from ..tuning import is_scored

STAGES = ("slot_overlap", "slot", "candidate", "scored", "preferred", "restored")


@dataclass(frozen=True)
class FunnelCounts:
    """Counts of gold spans reaching each stage (see the module docstring)."""

    profile: str
    mode: str
    docs: int
    gold: int
    slot_overlap: int
    slot: int
    candidate: int
    scored: int
    preferred: int
    restored: int
    restored_of_preferred: int

    def shares(self) -> dict[str, float | None]:
        """Each stage as a share of all gold spans."""
        return {s: (round(getattr(self, s) / self.gold, 4) if self.gold else None) for s in STAGES}

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "shares": self.shares()}

    def __add__(self, other: "FunnelCounts") -> "FunnelCounts":
        fields = ("docs", "gold", *STAGES, "restored_of_preferred")
        return FunnelCounts(self.profile or other.profile, self.mode or other.mode,
                            **{f: getattr(self, f) + getattr(other, f) for f in fields})  # type: ignore[arg-type]


def funnel_one(st: SpunText, config: Config, scorer: object | None = None) -> FunnelCounts:
    """The funnel of one spun document (its engine run scored once, decided once)."""
    from ..engine.pipeline import finish, score

    scored = score(st.spun, config, scorer) if scorer is not None else score(st.spun, config)  # type: ignore[arg-type]
    gold = [(g.spun_start, g.spun_end, g.original_text) for g in st.edits]
    return funnel_of_run(scored, finish(scored, config), gold, st.profile)


def funnel_of_run(scored: object, analysis: object, gold: Sequence[tuple[int, int, str]], profile: str) -> FunnelCounts:
    """The funnel of one engine run (``pipeline.score`` then ``finish``) against gold spans
    ``(start, end, original)`` of its text (also used on cached scores by scripts/train_decision.py)."""
    by_span: dict[tuple[int, int], object] = {}
    spans: list[tuple[int, int]] = []
    for segment in scored.segments:  # type: ignore[attr-defined]
        for x in segment:
            by_span[(x.slot.start, x.slot.end)] = x
            spans.append((x.slot.start, x.slot.end))
    edits = {(e.start, e.end): e.new for e in analysis.edits}  # type: ignore[attr-defined]
    c = dict.fromkeys(("gold", *STAGES, "restored_of_preferred"), 0)
    for start, end, original in gold:
        c["gold"] += 1
        span = (start, end)
        restored = edits.get(span) == original
        c["restored"] += restored
        if any(a < end and start < b for a, b in spans):
            c["slot_overlap"] += 1
        x = by_span.get(span)
        if x is None:
            continue
        c["slot"] += 1
        texts = [cand.text for cand in x.slot.candidates]  # type: ignore[attr-defined]
        if original not in texts:
            continue
        c["candidate"] += 1
        sc = x.cands[texts.index(original)]  # type: ignore[attr-defined]
        if not is_scored(sc):
            continue
        c["scored"] += 1
        if sc > x.keep:  # type: ignore[attr-defined]
            c["preferred"] += 1
            c["restored_of_preferred"] += restored
    return FunnelCounts(profile, scored.mode, 1, **c)  # type: ignore[attr-defined]


def funnel(
    spun: Iterable[SpunText],
    mode: str = "fast",
    config: Config | None = None,
    progress: Callable[[str], None] | None = None,
) -> FunnelCounts:
    """The funnel summed over documents; ``config`` defaults to ``Config(mode=mode)``."""
    config = config or Config(mode=mode)
    total = FunnelCounts("", config.mode, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    for i, st in enumerate(spun):
        total = total + funnel_one(st, config)
        if progress:
            progress(f"{st.profile} {config.mode}: document {i + 1}")
    return total


def funnel_table(rows: Sequence[FunnelCounts]) -> str:
    """A fixed-width table: counts and shares of gold spans per stage."""
    head = ("profile", "mode", "docs", "gold", *(s.replace("_", " ") for s in STAGES))
    lines = [head]
    for r in rows:
        sh = r.shares()
        cells = [f"{getattr(r, s)} ({100 * sh[s]:.0f}%)" if sh[s] is not None else "-" for s in STAGES]
        lines.append((r.profile, r.mode, str(r.docs), str(r.gold), *cells))
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(x)) for x in lines)
