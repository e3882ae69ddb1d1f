"""EM over a batch: the spinner's swap table and each document's spin rate.

The model, for a slot ``i`` of document ``d`` whose text is the wording ``w``::

    y_i = clean          with probability (1 - pi_d) + pi_d * theta_w(none)
    y_i = original c     with probability pi_d * theta_w(c)
    P(evidence_i | y_i = c) / P(evidence_i | clean) = exp(lm_weight * margin_ic)

``pi_d`` is the document's spin rate (the share of its slots the spinner rewrote),
``theta_w`` the swap table row of the spun wording ``w``: a distribution over the originals
the spinner wrote ``w`` for, plus ``none`` (``w`` is the author's own word even where the
spinner is active). The LM margin (candidate minus text, nats) is the likelihood ratio of
the context. Clean documents get a small ``pi_d``, so their slots carry almost no weight in
the table: they contribute no swaps. A spinner with one favourite per word concentrates
``theta_w`` on one original, and repeated evidence over documents makes it confident.

Responsibilities are computed over all (slot, candidate) entries at once with numpy; a batch
of 500 documents fits in a few seconds.

>>> from unspin.learn.evidence import DocEvidence, SlotEvidence
>>> def doc(i, m):
...     return DocEvidence(f"{i:064x}", "k", f"d{i}", 50, False, (
...         SlotEvidence(0, 8, "numerous", "", " people", (("many", m, 0.3),)),))
>>> fit = fit_batch([doc(i, 4.0) for i in range(5)])
>>> [(s.spun, s.original, s.documents) for s in fit.swaps]
[('numerous', 'many', 5)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from ..text import phrase_key
from .evidence import DocEvidence

MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Settings:
    """The batch model's settings (they go into the output header).

    lm_weight:      scale of the LM margin as a log-likelihood ratio.
    rate_prior:     Beta(a, b) pseudo-counts on each document's spin rate (mean a / (a + b)).
    none_prior:     pseudo-count of "not spun" in every table row.
    swap_prior:     pseudo-count of each candidate original in its row.
    max_iter, tol:  EM stops after ``max_iter`` rounds or when no parameter moves more than ``tol``.
    decided:        an occurrence counts for a swap (documents, occurrences, examples) when its
                    posterior is at least this.
    min_confidence: the default of :meth:`BatchFit.select` (a swap's theta_w(original)).
    """

    lm_weight: float = 1.0
    rate_prior: tuple[float, float] = (1.0, 4.0)
    none_prior: float = 1.0
    swap_prior: float = 0.1
    max_iter: int = 200
    tol: float = 1e-5
    decided: float = 0.5
    min_confidence: float = 0.5

    def as_header(self) -> str:
        a, b = self.rate_prior
        return (f"lm_weight={self.lm_weight} rate_prior={a},{b} none_prior={self.none_prior} "
                f"swap_prior={self.swap_prior} decided={self.decided}")


@dataclass(frozen=True, slots=True)
class Example:
    """Where a swap was seen: document name, offsets of the spun wording, its context."""

    doc: str
    start: int
    end: int
    left: str
    text: str
    right: str

    def render(self) -> str:
        """``name@start-end: left[text]right`` on one line, tab-free."""
        s = f"{self.doc}@{self.start}-{self.end}: {self.left}[{self.text}]{self.right}"
        return " ".join(s.replace("|", "/").split())


@dataclass(frozen=True, slots=True)
class LearnedSwap:
    """One entry of a learned dictionary."""

    spun: str
    original: str
    confidence: float  # theta_w(original): P(original | the spinner wrote w)
    documents: int  # documents with at least one decided occurrence
    occurrences: int  # decided occurrences over the batch
    expected: float  # summed posterior over all occurrences
    examples: tuple[Example, ...]


class ModelSettings(Protocol):
    """What every batch model's settings offer (:class:`Settings`, :class:`unspin.learn.pooled.NullSettings`)."""

    @property
    def min_confidence(self) -> float: ...

    def as_header(self) -> str: ...


@dataclass(frozen=True)
class BatchFit:
    """The fitted batch model: every swap with any support, best first, and each document's rate."""

    swaps: tuple[LearnedSwap, ...]
    doc_names: tuple[str, ...]
    doc_rates: tuple[float, ...]
    iterations: int
    converged: bool
    settings: ModelSettings

    def select(self, min_docs: int = 3, min_confidence: float | None = None) -> tuple[LearnedSwap, ...]:
        """The swaps seen in at least ``min_docs`` documents with confidence >= ``min_confidence``
        (None: the batch model's own default, ``settings.min_confidence``)."""
        if min_confidence is None:
            min_confidence = self.settings.min_confidence
        return tuple(s for s in self.swaps if s.documents >= min_docs and s.confidence >= min_confidence)


def fit_batch(docs: Sequence[DocEvidence], settings: Settings | None = None) -> BatchFit:
    """Fit the swap table and the documents' spin rates by EM (see the module docstring)."""
    st = settings or Settings()
    word_ix: dict[str, int] = {}
    pair_ix: dict[tuple[str, str], int] = {}
    pair_word: list[int] = []
    slot_doc: list[int] = []
    slot_word: list[int] = []
    cand_slot: list[int] = []
    cand_pair: list[int] = []
    cand_margin: list[float] = []
    slot_ref: list[tuple[int, int]] = []  # (doc index, slot index in doc)
    for d, ev in enumerate(docs):
        for k, s in enumerate(ev.slots):
            w = word_ix.setdefault(phrase_key(s.text), len(word_ix))
            i = len(slot_doc)
            slot_doc.append(d)
            slot_word.append(w)
            slot_ref.append((d, k))
            seen: set[int] = set()
            for cand, margin, _prior in s.cands:
                key = (phrase_key(s.text), phrase_key(cand))
                p = pair_ix.get(key)
                if p is None:
                    p = pair_ix[key] = len(pair_word)
                    pair_word.append(w)
                if p in seen:
                    continue
                seen.add(p)
                cand_slot.append(i)
                cand_pair.append(p)
                cand_margin.append(margin)
    n_docs, n_slots, n_pairs, n_words = len(docs), len(slot_doc), len(pair_word), len(word_ix)
    names = tuple(ev.name for ev in docs)
    if n_slots == 0 or not cand_slot:
        return BatchFit((), names, tuple(0.0 for _ in docs), 0, True, st)
    sd = np.asarray(slot_doc)
    sw = np.asarray(slot_word)
    cs = np.asarray(cand_slot)
    cp = np.asarray(cand_pair)
    pw = np.asarray(pair_word)
    lik = np.exp(np.clip(st.lm_weight * np.asarray(cand_margin, dtype=float), -30.0, 30.0))
    slots_per_doc = np.bincount(sd, minlength=n_docs).astype(float)
    a, b = st.rate_prior
    pi = np.full(n_docs, a / (a + b))
    theta_none = np.full(n_words, 0.5)
    cands_per_word = np.bincount(pw, minlength=n_words).astype(float)
    theta_pair = 0.5 / cands_per_word[pw]
    converged = False
    it = 0
    r_cand = np.zeros(len(cs))
    for it in range(1, st.max_iter + 1):
        pi_s = pi[sd]
        s_clean = 1.0 - pi_s
        s_none = pi_s * theta_none[sw]
        s_cand = pi_s[cs] * theta_pair[cp] * lik
        z = s_clean + s_none + np.bincount(cs, weights=s_cand, minlength=n_slots)
        r_none = s_none / z
        r_cand = s_cand / z[cs]
        active = r_none + np.bincount(cs, weights=r_cand, minlength=n_slots)
        new_pi = (np.bincount(sd, weights=active, minlength=n_docs) + a) / (slots_per_doc + a + b)
        count_pair = np.bincount(cp, weights=r_cand, minlength=n_pairs) + st.swap_prior
        count_none = np.bincount(sw, weights=r_none, minlength=n_words) + st.none_prior
        norm = count_none + np.bincount(pw, weights=count_pair, minlength=n_words)
        new_tp = count_pair / norm[pw]
        new_tn = count_none / norm
        delta = max(float(np.abs(new_pi - pi).max()), float(np.abs(new_tp - theta_pair).max()))
        pi, theta_pair, theta_none = new_pi, new_tp, new_tn
        if delta < st.tol:
            converged = True
            break
    return BatchFit(_swaps(docs, pair_ix, theta_pair, cs, cp, r_cand, slot_ref, st), names,
                    tuple(round(float(x), 4) for x in pi), it, converged, st)


def _swaps(docs: Sequence[DocEvidence], pair_ix: dict[tuple[str, str], int], theta_pair: np.ndarray,
           cs: np.ndarray, cp: np.ndarray, r_cand: np.ndarray, slot_ref: list[tuple[int, int]],
           st: Settings) -> tuple[LearnedSwap, ...]:
    expected = np.bincount(cp, weights=r_cand, minlength=len(theta_pair))
    decided: dict[int, list[tuple[float, int, int]]] = {}
    for j in np.nonzero(r_cand >= st.decided)[0]:
        d, k = slot_ref[int(cs[j])]
        decided.setdefault(int(cp[j]), []).append((float(r_cand[j]), d, k))
    out: list[LearnedSwap] = []
    for (spun, orig), p in pair_ix.items():
        hits = decided.get(p, [])
        if not hits and expected[p] < 0.5:
            continue
        hits.sort(key=lambda h: (-h[0], h[1], h[2]))
        out.append(LearnedSwap(spun, orig, round(float(theta_pair[p]), 4), len({d for _r, d, _k in hits}),
                               len(hits), round(float(expected[p]), 3), examples(docs, [(d, k) for _r, d, k in hits])))
    out.sort(key=swap_order)
    return tuple(out)


def examples(docs: Sequence[DocEvidence], hits: Sequence[tuple[int, int]]) -> tuple[Example, ...]:
    """The first :data:`MAX_EXAMPLES` of ``hits`` ((document, slot) pairs, best first), one per document."""
    out: list[Example] = []
    used: set[int] = set()
    for d, k in hits:
        if d in used:
            continue
        used.add(d)
        s = docs[d].slots[k]
        out.append(Example(docs[d].name, s.start, s.end, s.left, s.text, s.right))
        if len(out) >= MAX_EXAMPLES:
            break
    return tuple(out)


def swap_order(s: LearnedSwap) -> tuple:
    """A dictionary's order: the most documents times confidence first, then confidence, then by name."""
    return (-s.documents * s.confidence, -s.confidence, s.spun, s.original)
