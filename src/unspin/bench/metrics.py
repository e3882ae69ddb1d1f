"""Benchmark metrics, as pure functions over spans and edits.

Spans are ``(start, end)`` pairs of code-point offsets. Edits are anything with ``start``,
``end`` and ``new`` attributes (:class:`unspin.Edit`), offsets into the text they change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from ..text import tokenize


class EditLike(Protocol):
    start: int
    end: int
    new: str


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans share at least one character.

    >>> overlaps((0, 5), (4, 9)), overlaps((0, 5), (5, 9))
    (True, False)
    """
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class SpanCounts:
    """Span-detection counts for one or many documents (add them up with ``+``)."""

    findings: int = 0
    correct_findings: int = 0
    gold: int = 0
    found_gold: int = 0

    def __add__(self, other: "SpanCounts") -> "SpanCounts":
        return SpanCounts(
            self.findings + other.findings,
            self.correct_findings + other.correct_findings,
            self.gold + other.gold,
            self.found_gold + other.found_gold,
        )

    @property
    def precision(self) -> float | None:
        """Share of findings that overlap a gold span; None without findings."""
        return self.correct_findings / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        """Share of gold spans overlapped by some finding; None without gold spans."""
        return self.found_gold / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if r is None:
            return None
        if p is None or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)


def span_counts(findings: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> SpanCounts:
    """Count correct findings and found gold spans (any overlap counts).

    >>> c = span_counts([(0, 3), (10, 12)], [(1, 2), (5, 8)])
    >>> c.precision, c.recall, c.f1
    (0.5, 0.5, 0.5)
    """
    gold_sorted = sorted(gold)
    correct = sum(1 for f in findings if any(overlaps(f, g) for g in gold_sorted))
    found = sum(1 for g in gold_sorted if any(overlaps(f, g) for f in findings))
    return SpanCounts(len(findings), correct, len(gold), found)


def map_span(start: int, end: int, edits: Iterable[EditLike]) -> tuple[int, int] | None:
    """Map a region of the input through edits to the output text.

    Returns None when a boundary falls strictly inside an edit. An insertion exactly at
    ``start`` counts as inside the region; one exactly at ``end`` as outside.

    >>> from unspin.results import Edit
    >>> e = [Edit(0, 2, "ab", "xyz", 1.0, "t"), Edit(5, 9, "spun", "orig!", 1.0, "t")]
    >>> map_span(5, 9, e), map_span(6, 9, e), map_span(2, 5, e)
    ((6, 11), None, (3, 6))
    """
    shift_start = shift_end = 0
    for e in edits:
        if e.start < start < e.end or e.start < end < e.end:
            return None
        delta = len(e.new) - (e.end - e.start)
        zero = e.start == e.end
        if e.end <= start and not (zero and e.start == start):
            shift_start += delta
        if e.end <= end and not (zero and e.start == end):
            shift_end += delta
    return start + shift_start, end + shift_end


def exact_restorations(
    gold: Iterable[tuple[int, int, str]], edits: Sequence[EditLike], restored: str
) -> list[bool]:
    """For each gold span ``(start, end, original)`` of the spun text: restored exactly?

    >>> from unspin.results import Edit
    >>> spun = "He purchased it."
    >>> edits = [Edit(3, 12, "purchased", "bought", 1.0, "t")]
    >>> exact_restorations([(3, 12, "bought")], edits, "He bought it.")
    [True]
    >>> exact_restorations([(3, 12, "bought")], [], spun)
    [False]
    """
    out: list[bool] = []
    for start, end, original in gold:
        mapped = map_span(start, end, edits)
        out.append(mapped is not None and restored[mapped[0] : mapped[1]] == original)
    return out


def changed_words(text: str, edits: Iterable[EditLike]) -> int:
    """Words of ``text`` that edits changed (an insertion counts as one word).

    >>> from unspin.results import Edit
    >>> changed_words("in line with it", [Edit(0, 12, "in line with", "according to", 1.0, "t")])
    3
    """
    total = 0
    for e in edits:
        n = tokenize(text[e.start : e.end]).word_count
        total += max(n, 1)
    return total


def never_spun_words(text: str, edits: Iterable[EditLike], gold: Sequence[tuple[int, int]]) -> int:
    """Words of ``text`` that edits changed outside every gold span (an insertion counts as one).

    On spun text: the restoration's changes to words the spinner never touched.

    >>> from unspin.results import Edit
    >>> never_spun_words("a big dog ran", [Edit(2, 5, "big", "large", 1.0, "t"), Edit(10, 13, "ran", "ran off", 1.0, "t")], [(2, 5)])
    1
    """
    return sum(
        max(1, tokenize(text[e.start : e.end]).word_count)
        for e in edits
        if not any(overlaps((e.start, max(e.end, e.start + 1)), g) for g in gold)
    )


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    """Area under the ROC curve: P(score_pos > score_neg), ties counted half.

    Computed from average ranks (Mann-Whitney U). None when a class is empty.

    >>> roc_auc([0.9, 0.8], [0.1, 0.2])
    1.0
    >>> roc_auc([0.5, 0.5], [0.5, 0.5])
    0.5
    >>> roc_auc([0.9, 0.4], [0.4, 0.1])
    0.875
    """
    import numpy as np

    pos = np.asarray(positive, dtype=float)
    neg = np.asarray(negative, dtype=float)
    if pos.size == 0 or neg.size == 0:
        return None
    values = np.concatenate([pos, neg])
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)  # 1-based rank of the last member of each tie group
    avg_rank = upper - (counts - 1) / 2.0
    ranks = avg_rank[inverse]
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))
