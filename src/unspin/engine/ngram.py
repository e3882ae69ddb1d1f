"""The fast scorer: bigram statistics with back-off, no neural model.

Scores a hypothesis (the words that fill a slot) by how well it fits its neighbours:
log P(first | previous word) + inner bigrams + log P(next word | last). Counts come from the
lexicon's unigram and bigram tables (symspellpy's, derived from Google Books n-grams).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

from ..lexicon import Lexicon

BACKOFF = 0.4  # "stupid back-off" weight when a bigram is unseen


@lru_cache(maxsize=4)  # a few lexicons (user-pair variants are built per check)
def _shared_tables(lexicon: Lexicon) -> tuple[Callable[[str], float], Callable[[str, str], float]]:
    """Bounded, cached ``log P(w)`` and ``log P(b | a)`` for one lexicon (keyed by identity)."""
    total = float(max(1, lexicon.total_unigrams))
    # symspellpy's unigram and bigram counts come from different totals: normalise each by
    # its own total (P(b | a) = P(a b) / P(a)).
    bi_scale = total / float(max(1, lexicon.total_bigrams))
    unigram, bigram = lexicon.unigram, lexicon.bigram

    @lru_cache(maxsize=500_000)
    def logp_uni(w: str) -> float:
        # Unknown words get the probability of a word seen ~ 10,000 times in 10^11.
        return math.log((unigram(w) + 1e4) / total)

    @lru_cache(maxsize=1_000_000)
    def logp_bi(a: str, b: str) -> float:
        if a:
            cab = bigram(a, b)
            if cab:
                ca = unigram(a)
                if ca:
                    return min(0.0, math.log(cab * bi_scale / ca))
        return math.log(BACKOFF) + logp_uni(b)

    return logp_uni, logp_bi


class NgramScorer:
    """Log-probabilities of word sequences from a lexicon's n-gram tables."""

    name = "ngram.v1"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # The log-probability caches are shared by every scorer of the same lexicon, so a
        # stream of documents (fast mode builds one scorer per check) reuses them.
        self._logp_uni, self._logp_bi = _shared_tables(lexicon)

    def association(self, prev: str, words: tuple[str, ...], nxt: str, unigram_weight: float = 0.2) -> float:
        """How well ``words`` fit their neighbours, mostly regardless of how common they are.

        Sum over the bigrams touching the hypothesis of log P(b | a) - log P(b) (pointwise
        association; an unseen bigram costs the back-off weight), plus ``unigram_weight``
        times the hypothesis' own unigram log-probability. A plain bigram score would let
        frequency dominate and "restore" every rare word to a common synonym.
        """
        total = 0.0
        a = prev
        seq = list(words) + ([nxt] if nxt else [])
        for k, b in enumerate(seq):
            if a:
                total += self._logp_bi(a, b) - self._logp_uni(b)
            a = b
        for w in words:
            total += unigram_weight * self._logp_uni(w)
        return total

    def score(self, prev: str, words: tuple[str, ...], nxt: str) -> float:
        """log P(words, nxt | prev) under the bigram model (lower-cased words)."""
        total = 0.0
        a = prev
        for w in words:
            total += self._logp_bi(a, w)
            a = w
        if nxt:
            total += self._logp_bi(a, nxt)
        return total
