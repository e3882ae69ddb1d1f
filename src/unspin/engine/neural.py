"""The deep scorer: a neural LM prices every candidate in context.

Per segment:

1. one pass over the segment gives log P(token | left context) at every position, and the
   log-probability of each candidate's *first* sub-token at its slot (free: same rows);
2. the spun text's own score for a slot is read off the pass: its tokens plus ``RIGHT``
   tokens of right context;
3. candidates whose first-sub-token bound cannot compete are pruned; the rest are rescored
   with the same right context as parallel sequences sharing the prefix's KV cache.

Slots whose boundaries do not fall on token boundaries are left unscored (kept).
"""

from __future__ import annotations

import math
from typing import Sequence

from ..config import Config
from ..text import Document
from .candidates import Slot
from .lm import LanguageModel, load_model

RIGHT = 2  # tokens of right context in every hypothesis score
PRUNE_LOGODDS = -4.0  # optimistic log-odds (candidate vs keep) below which a candidate is dropped
PRUNE_RHO = 0.1  # spin prior used only for pruning (the decision uses its own Tuning)
PRUNE_PRIOR_WEIGHT = 0.5  # the channel prior counts half in the bound (tuned decisions weigh it <= 1)
MAX_RESCORE = 3  # candidates per slot rescored with right context
UNSCORED = -1e9


class NeuralScorer:
    """Deep-mode scorer over a :class:`~unspin.engine.lm.LanguageModel`."""

    def __init__(self, lm: LanguageModel) -> None:
        self.lm = lm
        self.name = lm.name

    @classmethod
    def for_config(cls, config: Config) -> "NeuralScorer":
        return cls(load_model(config.model, config.n_threads))

    def score_segment(self, doc: Document, slots: Sequence[Slot]) -> list[tuple[float, list[float]]]:
        if not slots:
            return []
        lm = self.lm
        seg_start = min(s.start for s in slots)
        # Start the segment at the beginning of its first sentence for left context.
        sent = next((x for x in doc.sentences if x.start <= seg_start < x.end + 1), None)
        base = sent.start if sent else seg_start
        seg_end = max(s.end for s in slots)
        # Right context: up to the end of the sentence holding the last slot (+ a little).
        last_sent = next((x for x in doc.sentences if x.start <= seg_end <= x.end), None)
        stop = min(len(doc.text), (last_sent.end if last_sent else seg_end) + 40)
        text = doc.text[base:stop]
        ids, starts = lm.tokens_with_offsets(text)
        start_index = {c: i for i, c in enumerate(starts) if i > 0}

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
            plans.append((tj, tk, cand_ids))
            wanted.setdefault(tj, set()).update(c[0] for c in cand_ids if c)
        wanted_lists = {t: sorted(v) for t, v in wanted.items()}
        actual, gathered = lm.pass_logprobs(ids, wanted_lists)

        results: list[tuple[float, list[float]]] = []
        jobs: list[tuple[int, int, int, list[int]]] = []  # (slot k, cand c, prefix_len, tokens)
        partial: list[list[float]] = []
        for k, (s, plan) in enumerate(zip(slots, plans)):
            if plan is None:
                results.append((0.0, [UNSCORED] * len(s.candidates)))
                partial.append([])
                continue
            tj, tk, cand_ids = plan
            right = ids[tk : tk + RIGHT]
            keep = float(actual[tj:tk].sum() + actual[tk : tk + len(right)].sum())
            right_keep = float(actual[tk : tk + len(right)].sum())
            idx = {tok: i for i, tok in enumerate(wanted_lists[tj])}
            row = gathered[tj]
            firsts = [float(row[idx[c[0]]]) if c else UNSCORED for c in cand_ids]
            # Optimistic bound: first sub-token only, right context as good as the spun text's,
            # weighed by the channel prior. Only candidates that could win are rescored.
            bounds = [
                f + right_keep + math.log(PRUNE_RHO / (1 - PRUNE_RHO)) + PRUNE_PRIOR_WEIGHT * math.log(max(c.prior, 1e-6))
                for f, c in zip(firsts, s.candidates)
            ]
            order = sorted(range(len(bounds)), key=lambda i: -bounds[i])
            scores = [UNSCORED] * len(cand_ids)
            kept = [i for i in order[:MAX_RESCORE] if bounds[i] - keep > PRUNE_LOGODDS]
            for i in kept:
                jobs.append((k, i, tj, list(cand_ids[i]) + list(right)))
                scores[i] = firsts[i]
            results.append((keep, scores))
            partial.append(scores)
        # Rescore: continuation tokens after the first, sharing the prefix ids[:tj].
        by_prefix: dict[int, list[tuple[int, int, list[int]]]] = {}
        for k, i, tj, toks in jobs:
            by_prefix.setdefault(tj, []).append((k, i, toks))
        for tj in sorted(by_prefix, reverse=True):
            group = by_prefix[tj]
            outs = lm.continuations(tj, [g[2] for g in group])
            for (k, i, _toks), vals in zip(group, outs):
                results[k][1][i] += float(vals.sum())
        return results
