"""The deep scorer: a neural LM prices every candidate in context, with sentence-wide evidence.

Per segment:

1. one pass over the segment gives log P(token | left context) at every position, and the
   log-probability of each candidate's *first* sub-token at its slot (free: same rows);
2. the spun text's own score for a slot is read off the pass: its tokens plus the right
   context, which runs to the end of the sentence (at least ``right_min`` tokens, at most
   ``right_max``; see :mod:`unspin.tuning`);
3. candidates are ranked by first-sub-token score plus the channel prior (no log-odds cut:
   the original is not pruned away because the spun text looks fluent) and the best
   ``rescore_first`` are rescored with the same right context, as parallel sequences sharing
   the prefix's KV cache (the scores say which were rescored: the others stay
   :data:`UNSCORED` and the decision imputes them from the first sub-token). The same text
   always gets the same scores, however fast or loaded the machine.

Each slot's result is :class:`SlotScores`: full-context scores (text and candidates) and the
first-sub-token scores (text and every candidate). Slots whose boundaries do not fall on token
boundaries are left unscored (kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..config import Config
from ..text import Document
from ..tuning import UNSCORED, ModeDefaults, log_prior, mode_defaults
from .candidates import Slot
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

    def __init__(self, lm: LanguageModel, settings: ModeDefaults | None = None) -> None:
        self.lm = lm
        self.name = lm.name
        self.settings = settings or mode_defaults("deep")

    @classmethod
    def for_config(cls, config: Config) -> "NeuralScorer":
        return cls(load_model(config.model, config.n_threads))

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
        actual, gathered = lm.pass_logprobs(ids, wanted_lists)

        keeps: list[float] = []
        keep_firsts: list[float] = []
        scores: list[list[float]] = []
        firsts_all: list[list[float]] = []
        rights: list[int] = []
        # (rank, slot k, cand i, prefix_len, tokens): rank 0 = best bound within the slot
        jobs: list[tuple[int, int, int, int, list[int]]] = []
        for k, (s, plan) in enumerate(zip(slots, plans)):
            n = len(s.candidates)
            if plan is None:
                keeps.append(0.0)
                keep_firsts.append(0.0)
                scores.append([UNSCORED] * n)
                firsts_all.append([UNSCORED] * n)
                rights.append(0)
                continue
            tj, tk, end, cand_ids = plan
            right = ids[tk:end]
            keeps.append(float(actual[tj:tk].sum() + actual[tk:end].sum()))
            keep_firsts.append(float(actual[tj]))
            rights.append(len(right))
            idx = {tok: i for i, tok in enumerate(wanted_lists[tj])}
            row = gathered[tj]
            firsts = [float(row[idx[c[0]]]) if c else UNSCORED for c in cand_ids]
            firsts_all.append(firsts)
            scores.append([UNSCORED] * n)
            bound = [f + PRIOR_WEIGHT_IN_RANK * log_prior(c.prior) for f, c in zip(firsts, s.candidates)]
            order = sorted((i for i in range(n) if cand_ids[i]), key=lambda i: -bound[i])
            for rank, i in enumerate(order[: cfg.rescore_top]):
                jobs.append((rank, k, i, tj, list(cand_ids[i]) + list(right)))
        # The first ``rescore_first`` candidates of every slot, nothing more: the output must not
        # depend on how fast the machine is (an earlier wall-clock budget for further candidates
        # made the same text restore differently on a fast and a loaded machine).
        self._run([j for j in jobs if j[0] < cfg.rescore_first], firsts_all, scores)
        return [
            SlotScores(keeps[k], tuple(scores[k]), keep_firsts[k], tuple(firsts_all[k]), rights[k])
            for k in range(len(slots))
        ]

    def _run(self, jobs: Sequence[tuple[int, int, int, int, list[int]]], firsts: list[list[float]],
             scores: list[list[float]]) -> None:
        """Rescore ``jobs``: first sub-token from the pass plus continuation tokens after it."""
        by_prefix: dict[int, list[tuple[int, int, list[int]]]] = {}
        for _rank, k, i, tj, toks in jobs:
            by_prefix.setdefault(tj, []).append((k, i, toks))
        for tj in sorted(by_prefix, reverse=True):
            group = by_prefix[tj]
            outs = self.lm.continuations(tj, [g[2] for g in group])
            for (k, i, _toks), vals in zip(group, outs):
                scores[k][i] = firsts[k][i] + float(vals.sum())
