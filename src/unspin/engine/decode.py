"""The noisy-channel decision.

For a slot whose text is ``s`` and candidate originals ``c``::

    log P(keep)  = lm_weight * log P_LM(s | context) + log(1 - rho)
    log P(c)     = lm_weight * log P_LM(c | context) + log(rho) + prior_weight * log prior(c)

normalised over {keep} + candidates. ``1 - P(keep)`` is the probability the span is spun;
the best candidate is the restoration. Overlapping slots (one word inside a longer phrase)
are resolved jointly per segment by weighted interval scheduling on the log-odds gain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..tuning import PRIOR_FLOOR, Tuning
from .candidates import Slot

__all__ = ["Decision", "Tuning", "choose", "decide", "p_spun"]


@dataclass(frozen=True, slots=True)
class Decision:
    slot: Slot
    p_spun: float
    ranked: tuple[tuple[str, float], ...]  # (candidate text, posterior), best first
    gain: float  # log-odds of best candidate vs keep
    evidence: str


def _logsumexp(xs: Sequence[float]) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def _log_scores(
    slot: Slot,
    keep_score: float,
    cand_scores: Sequence[float],
    tuning: Tuning,
    mid_sentence_capital: bool,
    pooled_bonus: Sequence[float] | None,
) -> tuple[float, list[float]]:
    """Unnormalised log posteriors of keeping the text and of each candidate."""
    priors = [max(c.prior, PRIOR_FLOOR) for c in slot.candidates]
    total = sum(priors)
    if total > 1.0:
        priors = [p / total for p in priors]
    log_keep = tuning.lm_weight * keep_score + math.log1p(-tuning.rho)
    extra = math.log(tuning.rho) + tuning.multiword_bonus * (slot.n_words - 1)
    if mid_sentence_capital:
        extra -= tuning.name_penalty
    logs = []
    for k, (c, p, sc) in enumerate(zip(slot.candidates, priors, cand_scores)):
        bonus = pooled_bonus[k] if pooled_bonus else 0.0
        if c.user:  # the user's list is explicit knowledge: a high spin prior, no penalties
            logs.append(tuning.lm_weight * sc + math.log(tuning.user_rho) + bonus)
        else:
            logs.append(tuning.lm_weight * sc + extra + tuning.prior_weight * math.log(p) + bonus)
    return log_keep, logs


def p_spun(
    slot: Slot,
    keep_score: float,
    cand_scores: Sequence[float],
    tuning: Tuning,
    mid_sentence_capital: bool = False,
) -> float:
    """``decide(...).p_spun`` without ranking or explaining (fast mode's screen calls it per slot)."""
    log_keep, logs = _log_scores(slot, keep_score, cand_scores, tuning, mid_sentence_capital, None)
    if not logs:
        return 0.0
    return 1.0 - math.exp(log_keep - _logsumexp([log_keep, *logs]))


def decide(
    slot: Slot,
    keep_score: float,
    cand_scores: Sequence[float],
    tuning: Tuning,
    mid_sentence_capital: bool = False,
    pooled_bonus: Sequence[float] | None = None,
) -> Decision:
    """Posterior over keep vs each candidate for one slot."""
    log_keep, logs = _log_scores(slot, keep_score, cand_scores, tuning, mid_sentence_capital, pooled_bonus)
    z = _logsumexp([log_keep, *logs])
    p_keep = math.exp(log_keep - z)
    order = sorted(range(len(logs)), key=lambda k: -logs[k])
    ranked = tuple((slot.candidates[k].text, math.exp(logs[k] - z)) for k in order)
    best = order[0]
    gain = logs[best] - log_keep
    evidence = (
        f"context fits {slot.candidates[best].text!r} better than {slot.text!r} "
        f"(language-model log-odds {tuning.lm_weight * (cand_scores[best] - keep_score):+.2f}, "
        f"channel prior {slot.candidates[best].prior:.2f})"
    )
    return Decision(slot, 1.0 - p_keep, ranked, gain, evidence)


def choose(decisions: Sequence[Decision], threshold: float) -> list[Decision]:
    """Non-overlapping decisions with p_spun >= threshold maximising the total gain."""
    eligible = sorted((d for d in decisions if d.p_spun >= threshold), key=lambda d: d.slot.end)
    if not eligible:
        return []
    # Weighted interval scheduling over [slot.first, slot.last) token ranges.
    ends = [d.slot.last for d in eligible]
    best = [0.0] * (len(eligible) + 1)
    take = [False] * (len(eligible) + 1)
    prev_idx = []
    import bisect

    for k, d in enumerate(eligible):
        # last decision ending at or before this one's first token
        prev_idx.append(bisect.bisect_right(ends, d.slot.first, 0, k))
    # Weight of an eligible span: its gain (best candidate vs keep) when positive, plus a
    # small positive term from its spin log-odds above the threshold's, so a span whose total
    # spin probability clears the threshold is reported even when no single candidate beats
    # keeping the text.
    floor = math.log(threshold / (1.0 - threshold)) if 0.0 < threshold < 1.0 else 0.0

    def weight(d: Decision) -> float:
        p = min(max(d.p_spun, 1e-12), 1.0 - 1e-12)
        return max(d.gain, 0.0) + 1e-3 * (math.log(p / (1.0 - p)) - floor) + 1e-6

    for k, d in enumerate(eligible, start=1):
        with_it = best[prev_idx[k - 1]] + weight(d)
        if with_it > best[k - 1]:
            best[k] = with_it
            take[k] = True
        else:
            best[k] = best[k - 1]
    chosen: list[Decision] = []
    k = len(eligible)
    while k > 0:
        if take[k]:
            chosen.append(eligible[k - 1])
            k = prev_idx[k - 1]
        else:
            k -= 1
    chosen.reverse()
    return chosen
