"""Features of each (slot, candidate) pair for the learned decision (deep mode).

For a slot with text ``s`` and a candidate original ``c`` (natural-log scores):

========================  =====================================================================
``lo_full``               LM log-odds c vs s with the right context to the sentence end
                          (imputed from ``lo_first`` when ``c`` was not rescored)
``lo_first``              first-sub-token log-odds, left context only
``unscored``              1 when ``c`` was not rescored with the right context
``lo_pmi``                ``lo_full`` minus the unigram log-odds: the LM's taste for common
                          words discounted (contextual fit relative to base frequency)
``fit_text``/``fit_cand`` first-sub-token LM log-prob minus the unigram log-prob of the first
                          word, for the text and for the candidate
``logf_text``/``logf_cand``  unigram log-frequency of the phrase (mean over its words)
``log_prior``             channel prior (floored), ``prior_rank`` log(1 + rank by prior)
``score_rank``            log(1 + rank by ``lo_full`` within the slot)
``n_text``/``n_cand``     words on each side minus one
``two_step``/``func``/``rule``/``head``/``user``/``channel``   candidate source flags
                          (``Candidate.source``/``steps``/``channel``; 0 when absent): two-step
                          link, function word, connective rule, phrasal head, the user's list,
                          the learned spinner dictionary's confidence
``capital``               capitalised word mid-sentence (names)
``rate``                  logit of the document's estimated spin rate (see ``engine/infer.py``)
``pool_mean``/``pool_n``  the same swap (same text -> same candidate) elsewhere in the
                          document: mean ``lo_full`` there (0 when alone), log(1 + count)
``text_repeats``          log(1 + other occurrences of the same text among the slots)
``neighbours``            spin posterior of the nearby slots (previous round; 0 at first)
========================  =====================================================================

Pure functions over the pipeline's scored slots; no I/O. The same code builds the training
matrix (``scripts/train_decision.py``) and the features at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..english import FUNCTION_WORDS
from ..lexicon import Lexicon
from ..tuning import is_scored, log_prior

FEATURES = (
    "lo_full",
    "lo_first",
    "unscored",
    "lo_pmi",
    "fit_text",
    "fit_cand",
    "logf_text",
    "logf_cand",
    "log_prior",
    "prior_rank",
    "score_rank",
    "n_text",
    "n_cand",
    "two_step",
    "func",
    "rule",
    "head",
    "user",
    "channel",
    "capital",
    "rate",
    "pool_mean",
    "pool_n",
    "text_repeats",
    "neighbours",
)
CLIP = 15.0  # log-odds are clipped to +-CLIP (an unscored or absurd value must not dominate)
_IDX = {name: i for i, name in enumerate(FEATURES)}


def _clip(x: float) -> float:
    return max(-CLIP, min(CLIP, x))


@dataclass(frozen=True)
class SlotFeatures:
    """Per-slot feature matrix (one row per candidate, columns :data:`FEATURES`)."""

    x: np.ndarray
    best_lo: float  # best lo_full over the candidates (for neighbours and the EM start)


class Unigrams:
    """Unigram log-probabilities from the lexicon's shipped n-gram counts (cached per word)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.log_total = math.log(max(lexicon.total_unigrams, 1))
        self._memo: dict[str, float] = {}

    def word(self, w: str) -> float:
        v = self._memo.get(w)
        if v is None:
            v = math.log(self.lexicon.unigram(w) + 1) - self.log_total
            if len(self._memo) < 500_000:
                self._memo[w] = v
        return v

    def phrase_mean(self, phrase: str) -> float:
        ws = phrase.lower().split()
        return sum(self.word(w) for w in ws) / len(ws) if ws else 0.0

    def phrase_sum(self, phrase: str) -> float:
        return sum(self.word(w) for w in phrase.lower().split())

    def first(self, phrase: str) -> float:
        ws = phrase.lower().split()
        return self.word(ws[0]) if ws else 0.0


def lo_full(x, i: int) -> float:  # type: ignore[no-untyped-def]
    """Full-context log-odds of candidate ``i`` vs the text, imputed from the first sub-token."""
    sc = x.cands[i]
    if is_scored(sc):
        return _clip(sc - x.keep)
    f = x.cands_first[i] if x.cands_first else sc
    if is_scored(f):
        return _clip(f - x.keep_first)
    return -CLIP


def swap_key(x, i: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The swap a candidate stands for: (text, candidate), lower-cased."""
    return x.slot.text.lower(), x.slot.candidates[i].text.lower()


def pooled(slots: Sequence, clip: bool = True) -> dict[tuple[str, str], tuple[float, int]]:
    """The same swap elsewhere in the document: sum and count of the language model's log-odds
    (candidate vs text) per swap (:func:`swap_key`), over the scored candidates of ``slots``.

    Spinners reuse one favourite synonym per word, so the same swap recurs through a document;
    each occurrence's context is evidence about the others (:func:`others_mean`). The one
    home of that evidence, for both deciders. ``clip``: each value clipped to +-:data:`CLIP`,
    i.e. ``lo_full`` (the learned decision's ``pool_mean``/``pool_n`` features); the noisy
    channel's ``pool_weight`` (``engine/decode.py``) was tuned on the unclipped log-odds, so
    it passes ``clip=False`` (the two differ only where a log-odds exceeds +-CLIP).

    >>> from unspin.engine.candidates import Candidate, Slot
    >>> from unspin.engine.scored import ScoredSlot
    >>> def at(k, lo):
    ...     return ScoredSlot(Slot(k, k + 1, 5 * k, 5 * k + 4, "Firm", (Candidate("company", "company", 0.5),)),
    ...                       -10.0, (-10.0 + lo,), False)
    >>> pooled([at(0, 20.0), at(1, 2.0)])
    {('firm', 'company'): (17.0, 2)}
    >>> pooled([at(0, 20.0), at(1, 2.0)], clip=False)
    {('firm', 'company'): (22.0, 2)}
    """
    acc: dict[tuple[str, str], list[float]] = {}
    for x in slots:
        for i in range(len(x.slot.candidates)):
            sc = x.cands[i]
            if is_scored(sc):
                lo = sc - x.keep
                acc.setdefault(swap_key(x, i), []).append(_clip(lo) if clip else lo)
    return {k: (sum(v), len(v)) for k, v in acc.items()}


def others_mean(pool: dict[tuple[str, str], tuple[float, int]], key: tuple[str, str], own: float) -> float | None:
    """Mean evidence for swap ``key`` at the document's other places: this occurrence's own
    value ``own`` left out (it is evidence about the others, not about itself); None when the
    swap occurs only here.

    >>> others_mean({("firm", "company"): (6.0, 3)}, ("firm", "company"), 2.0)
    2.0
    >>> others_mean({("firm", "company"): (2.0, 1)}, ("firm", "company"), 2.0) is None
    True
    """
    total, n = pool.get(key, (0.0, 0))
    return (total - own) / (n - 1) if n > 1 else None


def slot_features(
    x,  # type: ignore[no-untyped-def]
    uni: Unigrams,
    rate_logit: float,
    pool: dict[tuple[str, str], tuple[float, int]],
    text_counts: dict[str, int],
    neighbours: float,
) -> SlotFeatures:
    """The feature matrix of one scored slot (rows: its candidates)."""
    s = x.slot
    n = len(s.candidates)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return SlotFeatures(out, -CLIP)
    text = s.text
    logf_text = uni.phrase_mean(text)
    sum_text = uni.phrase_sum(text)
    fit_text = _clip(x.keep_first - uni.first(text)) if x.cands_first else 0.0
    los = [lo_full(x, i) for i in range(n)]
    order = sorted(range(n), key=lambda i: -los[i])
    score_rank = [0] * n
    for r, i in enumerate(order):
        score_rank[i] = r
    others = text_counts.get(text.lower(), 1) - 1
    n_text = len(text.split()) - 1
    text_is_func = text.lower() in FUNCTION_WORDS
    for i, c in enumerate(s.candidates):
        row = out[i]
        first = x.cands_first[i] if x.cands_first else x.cands[i]
        scored = is_scored(x.cands[i])
        row[_IDX["lo_full"]] = los[i]
        row[_IDX["lo_first"]] = _clip(first - x.keep_first) if is_scored(first) else -CLIP
        row[_IDX["unscored"]] = 0.0 if scored else 1.0
        row[_IDX["lo_pmi"]] = _clip(los[i] - (uni.phrase_sum(c.text) - sum_text))
        row[_IDX["fit_text"]] = fit_text
        row[_IDX["fit_cand"]] = _clip(first - uni.first(c.text)) if is_scored(first) else -CLIP
        row[_IDX["logf_text"]] = logf_text
        row[_IDX["logf_cand"]] = uni.phrase_mean(c.text)
        row[_IDX["log_prior"]] = log_prior(c.prior)
        row[_IDX["prior_rank"]] = math.log1p(i)  # candidates come best prior first
        row[_IDX["score_rank"]] = math.log1p(score_rank[i])
        row[_IDX["n_text"]] = n_text
        row[_IDX["n_cand"]] = len(c.text.split()) - 1
        source = getattr(c, "source", "lexicon")
        row[_IDX["two_step"]] = float(getattr(c, "steps", 1) >= 2 or source == "two_step")
        row[_IDX["func"]] = float(source == "function" or text_is_func or c.text.lower() in FUNCTION_WORDS)
        row[_IDX["rule"]] = float(source == "rule")
        row[_IDX["head"]] = float(source == "head")
        row[_IDX["user"]] = float(bool(c.user))
        row[_IDX["channel"]] = float(getattr(c, "channel", 0.0) or 0.0)
        row[_IDX["capital"]] = float(x.mid_sentence_capital)
        row[_IDX["rate"]] = rate_logit
        key = swap_key(x, i)
        total, cnt = pool.get(key, (0.0, 0))
        if scored and cnt > 1:
            row[_IDX["pool_mean"]] = others_mean(pool, key, los[i])
            row[_IDX["pool_n"]] = math.log(cnt)
        elif not scored and cnt > 0:
            row[_IDX["pool_mean"]] = total / cnt
            row[_IDX["pool_n"]] = math.log1p(cnt)
        row[_IDX["text_repeats"]] = math.log1p(others)
        row[_IDX["neighbours"]] = neighbours
    return SlotFeatures(out, los[order[0]])


def text_counts(slots: Sequence) -> dict[str, int]:
    """How many slots of the document have each (lower-cased) text."""
    counts: dict[str, int] = {}
    for x in slots:
        k = x.slot.text.lower()
        counts[k] = counts.get(k, 0) + 1
    return counts
