"""Statistics of a spinner profile, measured from its gold alignments (no language model).

For a set of :class:`~unspin.spinner.SpunText` records:

``swap_rate``          share of the original words that were replaced;
``zipf_gap``           median Zipf frequency of the spun word minus that of the original word,
                       over single-word swaps whose two words both have a count
                       (symspellpy unigram counts of ``ngrams.v1.tsv.gz``; Zipf = log10 of
                       occurrences per billion words);
``multiword_share``    share of swaps with more than one word on either side;
``function_share``     share of swaps whose original consists only of closed-class words
                       (:data:`unspin.english.GRAMMAR_WORDS`: prepositions, conjunctions, determiners,
                       pronouns, auxiliaries, connective adverbs);
``consistency``        share of originals swapped at least twice in a document that were
                       swapped the same way every time (case-insensitive), over documents;
``repeat_share``       share of swaps whose (original, spun) pair occurs more than once in its document;
``off_slot_exact``     share of gold spans that no slot of the engine's
                       ``CandidateGenerator.find_slots`` matches exactly;
``off_slot_any``       share of gold spans that no slot even overlaps.

>>> from unspin.spinner import spin
>>> st = spin("The doctors bought many houses because of the rain.", profile="contentfarm", rate=0.5, seed=0)
>>> s = profile_stats([st], slots=False)
>>> s.docs, 0 < s.swap_rate <= 1
(1, True)
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from functools import cache
from typing import Iterable, Sequence

from ..english import GRAMMAR_WORDS
from ..spinner import SpunText
from ..text import tokenize



@dataclass(frozen=True)
class ProfileStats:
    """Measured statistics of one profile over ``docs`` documents (see the module docstring)."""

    profile: str
    docs: int
    words: int
    swaps: int
    swap_rate: float | None
    zipf_gap: float | None
    zipf_pairs: int
    multiword_share: float | None
    function_share: float | None
    consistency: float | None
    consistency_originals: int
    repeat_share: float | None
    off_slot_exact: float | None
    off_slot_any: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@cache
def _lexicon():  # type: ignore[no-untyped-def]
    from ..lexicon import load_lexicon

    return load_lexicon("thesaurus.v1")


def zipf(word: str) -> float | None:
    """Zipf frequency of a word from the shipped unigram counts (None when unknown).

    >>> round(zipf("the"), 1), zipf("qwzxv")
    (7.6, None)
    """
    lex = _lexicon()
    count = lex.unigram(word.lower())
    return math.log10(count * 1e9 / lex.total_unigrams) if count else None


def _words(text: str) -> list[str]:
    return [t.lower for t in tokenize(text).tokens if t.is_word]


def _is_function(original: str) -> bool:
    words = _words(original)
    return bool(words) and all(w in GRAMMAR_WORDS for w in words)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def off_slot(spun: Sequence[SpunText]) -> tuple[int, int, int]:
    """(gold spans, spans without an exactly matching slot, spans without any overlapping slot)."""
    from ..engine.candidates import CandidateGenerator

    gen = CandidateGenerator(_lexicon(), 12)
    total = no_exact = no_overlap = 0
    for st in spun:
        slots = gen.find_slots(tokenize(st.spun))
        exact = {(s.start, s.end) for s in slots}
        spans = sorted((s.start, s.end) for s in slots)
        for e in st.edits:
            total += 1
            if (e.spun_start, e.spun_end) not in exact:
                no_exact += 1
            if not any(a < e.spun_end and e.spun_start < b for a, b in spans):
                no_overlap += 1
    return total, no_exact, no_overlap


def profile_stats(spun: Iterable[SpunText], profile: str = "", slots: bool = True) -> ProfileStats:
    """Statistics of spun documents with gold alignments; ``slots=False`` skips the off-slot shares."""
    docs = list(spun)
    words = swapped_words = n_swaps = multi = function = 0
    gaps: list[float] = []
    consistent = multi_orig = repeats = 0
    for st in docs:
        words += tokenize(st.original).word_count
        forms: dict[str, set[str]] = defaultdict(set)
        counts: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for e in st.edits:
            n_swaps += 1
            ow, sw = _words(e.original_text), _words(e.spun_text)
            swapped_words += len(ow) if ow else 1
            if len(ow) > 1 or len(sw) > 1:
                multi += 1
            if _is_function(e.original_text):
                function += 1
            if len(ow) == 1 and len(sw) == 1:
                zo, zs = zipf(ow[0]), zipf(sw[0])
                if zo is not None and zs is not None:
                    gaps.append(zs - zo)
            key = e.original_text.lower()
            forms[key].add(e.spun_text.lower())
            counts[key] += 1
            pairs[(key, e.spun_text.lower())] += 1
        for key, n in counts.items():
            if n > 1:
                multi_orig += 1
                consistent += len(forms[key]) == 1
        repeats += sum(n for n in pairs.values() if n > 1)
    off = off_slot(docs) if slots and docs else None
    return ProfileStats(
        profile=profile or (docs[0].profile if docs else ""),
        docs=len(docs),
        words=words,
        swaps=n_swaps,
        swap_rate=_r(swapped_words / words if words else None),
        zipf_gap=_r(statistics.median(gaps) if gaps else None),
        zipf_pairs=len(gaps),
        multiword_share=_r(multi / n_swaps if n_swaps else None),
        function_share=_r(function / n_swaps if n_swaps else None),
        consistency=_r(consistent / multi_orig if multi_orig else None),
        consistency_originals=multi_orig,
        repeat_share=_r(repeats / n_swaps if n_swaps else None),
        off_slot_exact=_r(off[1] / off[0] if off and off[0] else None),
        off_slot_any=_r(off[2] / off[0] if off and off[0] else None),
    )


def stats_table(rows: Sequence[ProfileStats]) -> str:
    """A fixed-width table of profile statistics (shares in %)."""
    head = ("profile", "docs", "words", "swaps", "rate%", "zipf gap", "multi%", "function%", "consist%", "repeat%", "off-slot%", "no-overlap%")

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}"

    lines = [head]
    for s in rows:
        lines.append((s.profile, str(s.docs), str(s.words), str(s.swaps), pct(s.swap_rate),
                      "-" if s.zipf_gap is None else f"{s.zipf_gap:+.2f}", pct(s.multiword_share),
                      pct(s.function_share), pct(s.consistency), pct(s.repeat_share),
                      pct(s.off_slot_exact), pct(s.off_slot_any)))
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in lines)
