"""The deep scorer: a neural LM prices every candidate in context, with sentence-wide evidence.

Per segment:

1. one pass over the segment gives log P(token | left context) at every position, and the
   log-probability of each candidate's *first* sub-token at its slot (free: same rows);
2. the spun text's own score for a slot is read off the pass: its tokens plus the right
   context, which runs to the end of the sentence (at least ``right_min`` tokens, at most
   ``right_max``; see :mod:`unspin.tuning`);
3. only candidates that could change a decision are rescored with the same right context:
   every candidate gets a *cheap utility*, the learned decision's utility
   (:mod:`unspin.engine.infer`) with its right-context score imputed from the first sub-token,
   at the training base rate and without document evidence; the best ``rescore_first`` of a
   slot whose utility clears ``rescore_gate`` are rescored (a slot whose candidates all fall
   below the gate gets none). Without a gate (or without a learned decision) the best
   ``rescore_first`` by first-sub-token score plus channel prior are rescored, as before.
   The hypotheses of a whole segment run together, as parallel sequences sharing the
   pass's KV cache (:meth:`~unspin.engine.lm.LanguageModel.score_hypotheses`). Candidates
   not rescored stay :data:`UNSCORED` and the decision imputes them from the first sub-token.
   The amount of work depends on the text only, never on the clock: the same text always gets
   the same scores, however fast or loaded the machine.

Each slot's result is :class:`SlotScores`: full-context scores (text and candidates) and the
first-sub-token scores (text and every candidate). Slots whose boundaries do not fall on token
boundaries are left unscored (kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

from ..config import Config
from ..text import Document
from ..tuning import UNSCORED, ModeDefaults, log_prior, mode_defaults
from .candidates import Slot
from .decision import DecisionModel, load_decision
from .lm import LanguageModel, load_model

PRIOR_WEIGHT_IN_RANK = 0.5  # the channel prior's weight when ranking candidates for rescoring


@dataclass(frozen=True)
class SlotScores:
    """LM scores of one slot (natural-log probabilities).

    ``keep``/``cands``: the text's / each candidate's tokens plus the shared right context
    (:data:`UNSCORED` for a candidate not rescored); ``keep_first``/``cands_first``: the first
    sub-token only, from the left context; ``right``: tokens of right context used.
    """

    keep: float
    cands: tuple[float, ...]
    keep_first: float
    cands_first: tuple[float, ...]
    right: int = 0


class NeuralScorer:
    """Deep-mode scorer over a :class:`~unspin.engine.lm.LanguageModel`."""

    def __init__(self, lm: LanguageModel, settings: ModeDefaults | None = None, lexicon: str | None = None,
                 decision: DecisionModel | None | bool = True) -> None:
        self.lm = lm
        self.name = lm.name
        self.settings = settings or mode_defaults("deep")
        self.lexicon = lexicon or Config().lexicon
        # The learned decision that prices candidates for the gate (True: the shipped one).
        self.decision = load_decision().ranker if decision is True else (decision or None)
        # The tuned head (settings.head), unless UNSPIN_LM_HEAD asks for one (e.g. "exact").
        self.head = os.environ.get("UNSPIN_LM_HEAD") or self.settings.head or None

    @classmethod
    def for_config(cls, config: Config) -> "NeuralScorer":
        return cls(load_model(config.model, config.n_threads), lexicon=config.lexicon)

    def score_segment(self, doc: Document, slots: Sequence[Slot]) -> list[SlotScores]:
        """Score ``slots`` (one segment) in one pass over their sentences.

        Segments are cut by word count; text dense in symbols (code, tables, JSON) can hold
        more tokens than one pass takes (:attr:`LanguageModel.max_pass_tokens`). Such a
        segment is split in two by its slots, again until each part fits; a single slot whose
        sentence alone is too long keeps a shorter left context. Prose that fits is scored
        exactly as before: the same text always gets the same scores.
        """
        if not slots:
            return []
        window = self._window(doc, slots)
        if window is None:
            if len(slots) > 1:
                half = len(slots) // 2
                return self.score_segment(doc, slots[:half]) + self.score_segment(doc, slots[half:])
            window = self._clipped_window(doc, slots[0])
            if window is None:  # not even the slot and a few characters around it fit: leave it unscored
                n = len(slots[0].candidates)
                return [SlotScores(0.0, (UNSCORED,) * n, 0.0, (UNSCORED,) * n, 0)]
        return self._score_window(doc, slots, *window)

    def _budget(self) -> int:
        """Tokens one pass may hold (BOS included); room is left for the continuations."""
        return int(getattr(self.lm, "max_pass_tokens", 1 << 30))

    def _window(self, doc: Document, slots: Sequence[Slot]) -> tuple[int, int, str, list[int], list[int]] | None:
        """(base, stop, text, ids, starts) of the pass over ``slots``, or None when it has too many tokens."""
        cfg = self.settings
        seg_start = min(s.start for s in slots)
        # Start the segment at the beginning of its first sentence for left context.
        sent = next((x for x in doc.sentences if x.start <= seg_start < x.end + 1), None)
        base = sent.start if sent else seg_start
        seg_end = max(s.end for s in slots)
        # Right context: past the end of the sentence holding the last slot, so that the
        # last slot still gets right_min tokens (about 4 characters per token, generous).
        last_sent = next((x for x in doc.sentences if x.start <= seg_end <= x.end), None)
        stop = min(len(doc.text), (last_sent.end if last_sent else seg_end) + 8 * max(cfg.right_min, 2))
        text = doc.text[base:stop]
        ids, starts = self.lm.tokens_with_offsets(text)
        if len(ids) > self._budget():
            return None
        return base, stop, text, ids, starts

    def _clipped_window(self, doc: Document, slot: Slot) -> tuple[int, int, str, list[int], list[int]] | None:
        """The window of one slot whose sentence is too long for a pass: left context cut
        (at a space) to at most 1,000 characters, halved until it fits; right context to
        ``40 * right_max`` characters (the scorer reads at most ``right_max`` tokens of it)."""
        sent = next((x for x in doc.sentences if x.start <= slot.start < x.end + 1), None)
        lo = sent.start if sent else slot.start
        stop = min(len(doc.text), slot.end + 40 * max(self.settings.right_max, 2))
        left = 1000
        while True:
            base = max(lo, slot.start - left)
            if base > lo:
                gap = doc.text.find(" ", base, slot.start)
                base = gap + 1 if gap >= 0 else slot.start
            text = doc.text[base:stop]
            ids, starts = self.lm.tokens_with_offsets(text)
            if len(ids) <= self._budget():
                return base, stop, text, ids, starts
            if left == 0:
                return None
            left //= 2

    def _score_window(self, doc: Document, slots: Sequence[Slot], base: int, stop: int, text: str,
                      ids: list[int], starts: list[int]) -> list[SlotScores]:
        lm = self.lm
        cfg = self.settings
        start_index = {c: i for i, c in enumerate(starts) if i > 0}
        # Token index where each sentence ends (first token at or after its end offset).
        sent_ends = sorted(x.end - base for x in doc.sentences if base < x.end <= stop)

        def sentence_end_token(char_end: int, tk: int) -> int:
            import bisect

            k = bisect.bisect_left(sent_ends, char_end)
            if k == len(sent_ends):
                return len(ids)
            target = sent_ends[k]
            j = bisect.bisect_left(starts, target, lo=tk)
            return min(j, len(ids))

        plans = []
        wanted: dict[int, set[int]] = {}
        for s in slots:
            rs, re_ = s.start - base, s.end - base
            lead = " " if rs > 0 and text[rs - 1] == " " else ""
            tj = start_index.get(rs - 1) if lead else start_index.get(rs)
            tk = start_index.get(re_, len(ids) if re_ == len(text) else None)
            if tj is None or tk is None or tk <= tj:
                plans.append(None)
                continue
            cand_ids = [lm.tokenize(lead + c.text) for c in s.candidates]
            end = sentence_end_token(re_, tk)
            end = max(end, tk + cfg.right_min)
            end = min(end, tk + cfg.right_max, len(ids))
            plans.append((tj, tk, end, cand_ids))
            wanted.setdefault(tj, set()).update(c[0] for c in cand_ids if c)
        wanted_lists = {t: sorted(v) for t, v in wanted.items()}
        actual, gathered = lm.pass_logprobs(ids, wanted_lists, head=self.head)

        keeps: list[float] = []
        keep_firsts: list[float] = []
        firsts_all: list[list[float]] = []
        rights: list[int] = []
        for k, (s, plan) in enumerate(zip(slots, plans)):
            n = len(s.candidates)
            if plan is None:
                keeps.append(0.0)
                keep_firsts.append(0.0)
                firsts_all.append([UNSCORED] * n)
                rights.append(0)
                continue
            tj, tk, end, cand_ids = plan
            keeps.append(float(actual[tj:tk].sum() + actual[tk:end].sum()))
            keep_firsts.append(float(actual[tj]))
            rights.append(end - tk)
            idx = {tok: i for i, tok in enumerate(wanted_lists[tj])}
            row = gathered[tj]
            firsts_all.append([float(row[idx[c[0]]]) if c else UNSCORED for c in cand_ids])
        cheap = [
            SlotScores(keeps[k], (UNSCORED,) * len(s.candidates), keep_firsts[k], tuple(firsts_all[k]), rights[k])
            for k, s in enumerate(slots)
        ]
        picked = self.choose(doc, slots, cheap, [p is not None for p in plans])
        scores: list[list[float]] = [[UNSCORED] * len(s.candidates) for s in slots]
        # (slot k, cand i, prefix_len, tokens): candidate tokens then the slot's right context
        jobs: list[tuple[int, int, int, list[int]]] = []
        for k, plan in enumerate(plans):
            if plan is None:
                continue
            tj, tk, end, cand_ids = plan
            right = list(ids[tk:end])
            for i in picked[k]:
                if cand_ids[i]:
                    jobs.append((k, i, tj, list(cand_ids[i]) + right))
        self._run(jobs, firsts_all, scores)
        return [
            SlotScores(keeps[k], tuple(scores[k]), keep_firsts[k], tuple(firsts_all[k]), rights[k])
            for k in range(len(slots))
        ]

    def choose(self, doc: Document, slots: Sequence[Slot], cheap: Sequence[SlotScores],
               scorable: Sequence[bool] | None = None) -> list[list[int]]:
        """Which candidates of each slot get the right context (indices, best first).

        ``cheap``: the slots' scores before rescoring (no candidate rescored). See the module
        docstring; :func:`cheap_utilities` with the gate, else first sub-token plus prior.
        """
        cfg = self.settings
        out: list[list[int]] = []
        if cfg.rescore_gate is not None and self.decision is not None:
            from .scored import mid_sentence_capital, unigrams

            uni = unigrams(self.lexicon)
            caps = [mid_sentence_capital(doc, s) for s in slots]
            utils = cheap_utilities(cheap, slots, caps, self.decision, uni)
            for k, (s, u) in enumerate(zip(slots, utils)):
                ok = scorable is None or scorable[k]
                order = sorted((i for i in range(len(s.candidates)) if u[i] >= cfg.rescore_gate), key=lambda i: (-u[i], i))
                out.append(order[: cfg.rescore_first] if ok else [])
            return out
        for k, (s, sc) in enumerate(zip(slots, cheap)):
            ok = scorable is None or scorable[k]
            bound = [f + PRIOR_WEIGHT_IN_RANK * log_prior(c.prior) for f, c in zip(sc.cands_first, s.candidates)]
            order = sorted((i for i in range(len(s.candidates)) if bound[i] > UNSCORED / 2), key=lambda i: (-bound[i], i))
            out.append(order[: cfg.rescore_first] if ok else [])
        return out

    def _run(self, jobs: Sequence[tuple[int, int, int, list[int]]], firsts: list[list[float]],
             scores: list[list[float]]) -> None:
        """Rescore ``jobs``: first sub-token from the pass plus continuation tokens after it.

        All of a segment's hypotheses go to the model together (sequences of several slots
        share a batch), in a fixed order, so the same text gives the same numbers.
        """
        if not jobs:
            return
        if self.lm.out_head is not None:
            outs = self.lm.score_hypotheses([(tj, toks) for _k, _i, tj, toks in jobs], head=self.head)
            for (k, i, _tj, _toks), vals in zip(jobs, outs):
                scores[k][i] = firsts[k][i] + float(vals[1:].sum())
            return
        by_prefix: dict[int, list[tuple[int, int, list[int]]]] = {}
        for k, i, tj, toks in jobs:
            by_prefix.setdefault(tj, []).append((k, i, toks))
        for tj in sorted(by_prefix, reverse=True):
            group = by_prefix[tj]
            outs = self.lm.continuations(tj, [g[2] for g in group], head=self.head)
            for (k, i, _toks), vals in zip(group, outs):
                scores[k][i] = firsts[k][i] + float(vals.sum())


def cheap_utilities(cheap: Sequence[SlotScores], slots: Sequence[Slot], capitals: Sequence[bool],
                    model: DecisionModel, uni: object) -> list[list[float]]:
    """The learned decision's utility of every candidate before any rescoring.

    Right-context scores are imputed from the first sub-token (as for any unrescored
    candidate), the document's spin rate is the training base rate, and there is no document
    evidence yet (no pooling, no neighbours): only the slot's own cheap evidence.
    """
    import numpy as np

    from .features import slot_features
    from .infer import _logit, model_arrays
    from .scored import ScoredSlot

    mean, scale, w, bias = model_arrays(model)
    rate = _logit(float(model.provenance.get("base_rate", 0.1)))
    out: list[list[float]] = []
    for s, sc, cap in zip(slots, cheap, capitals):
        if not s.candidates:
            out.append([])
            continue
        x = ScoredSlot(s, sc.keep, sc.cands, cap, sc.keep_first, sc.cands_first)
        f = slot_features(x, uni, rate, {}, {}, 0.0).x  # type: ignore[arg-type]
        out.append([float(v) for v in ((f - mean) / scale) @ np.asarray(w) + bias])
    return out
