"""Document-level inference: the learned decision applied to a whole document at once.

Each slot's choice is a conditional logit over {keep the text} + its candidates: candidate ``c``
has utility ``u_c = w . standardise(features(c))`` (:mod:`unspin.engine.features`), keeping the
text has utility 0, so ``P(c) = exp(u_c) / (1 + sum exp(u))`` and ``P(spun) = 1 - P(keep)``.

Some features are about the document rather than the slot, and depend on the decisions:

* the document's spin **rate**, estimated from its own evidence by EM: start from the
  training base rate, compute every slot's P(spun), set the rate to their mean (shrunk
  towards the base rate by ``rate_strength`` pseudo-slots), repeat;
* **neighbours**: the mean P(spun) of the nearest slots on each side (spinners swap densely);
* **pooling** of the same swap across the document (``pool_mean``/``pool_n``) is computed once
  from the LM scores: a spinner writes the same favourite word for the same original again.

The loop runs until no posterior moves by more than ``tol`` (at most ``rounds`` rounds), on
fixed LM scores: rescoring the undecided slots in the partly restored text (issue 7, step 2)
is not built yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Mapping, Protocol, Sequence

import numpy as np

from .features import FEATURES, Unigrams, pooled, slot_features, text_counts


class Ranker(Protocol):
    """What inference reads of the learned ranker (:class:`unspin.engine.decision.DecisionModel`;
    that module imports this one, so the ranker is typed here by its fields)."""

    @property
    def features(self) -> tuple[str, ...]: ...
    @property
    def mean(self) -> tuple[float, ...]: ...
    @property
    def scale(self) -> tuple[float, ...]: ...
    @property
    def weights(self) -> tuple[float, ...]: ...
    @property
    def bias(self) -> float: ...
    @property
    def provenance(self) -> Mapping[str, Any]: ...

NEIGHBOUR_SLOTS = 2  # non-overlapping slots on each side whose posteriors are averaged


@dataclass(frozen=True)
class SlotPosterior:
    """P(spun) of a slot and P(each candidate) (same order as ``slot.candidates``)."""

    p_spun: float
    probs: tuple[float, ...]
    utilities: tuple[float, ...]


@dataclass(frozen=True)
class DocumentPosterior:
    posteriors: tuple[SlotPosterior, ...]
    rate: float  # estimated share of slots spun
    rounds: int


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def model_arrays(model: Ranker) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, bias) as arrays aligned with :data:`FEATURES`."""
    if tuple(model.features) != FEATURES:
        from ..errors import DataError

        raise DataError(
            f"the decision model lists features {list(model.features)}, this unspin computes {list(FEATURES)}; "
            "retrain it with scripts/train_decision.py"
        )
    return np.array(model.mean), np.array(model.scale), np.array(model.weights), float(model.bias)


def utilities(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, w: np.ndarray, bias: float) -> np.ndarray:
    return ((x - mean) / scale) @ w + bias


def posterior_from_utilities(u: np.ndarray) -> SlotPosterior:
    if len(u) == 0:
        return SlotPosterior(0.0, (), ())
    m = max(0.0, float(u.max()))
    e = np.exp(u - m)
    z = math.exp(-m) + float(e.sum())
    probs = e / z
    return SlotPosterior(float(probs.sum()), tuple(float(p) for p in probs), tuple(float(v) for v in u))


def neighbour_means(slots: Sequence, p: Sequence[float]) -> list[float]:
    """Mean P(spun) of up to NEIGHBOUR_SLOTS non-overlapping slots on each side of each slot."""
    order = sorted(range(len(slots)), key=lambda k: (slots[k].slot.first, slots[k].slot.last))
    out = [0.0] * len(slots)
    for pos, k in enumerate(order):
        s = slots[k].slot
        vals: list[float] = []
        j = pos - 1
        got = 0
        while j >= 0 and got < NEIGHBOUR_SLOTS:
            o = slots[order[j]].slot
            if o.last <= s.first:
                vals.append(p[order[j]])
                got += 1
            j -= 1
        j = pos + 1
        got = 0
        while j < len(order) and got < NEIGHBOUR_SLOTS:
            o = slots[order[j]].slot
            if o.first >= s.last:
                vals.append(p[order[j]])
                got += 1
            j += 1
        out[k] = sum(vals) / len(vals) if vals else 0.0
    return out


def infer_document(
    slots: Sequence,
    model: Ranker,
    uni: Unigrams,
    rounds: int,
    rate_strength: float = 0.0,
    tol: float = 1e-3,
    fixed: dict[int, float] | None = None,
) -> DocumentPosterior:
    """Posteriors for every scored slot of one document (see the module docstring).

    ``rounds`` and ``rate_strength`` (needed from the second round on) are the tuning file's
    ``infer`` settings, used in training for the ranker's document features; engine v3 ranks
    candidates in one round.
    ``fixed`` maps slot positions to a P(spun) decided in an earlier pass (used for the
    neighbours and the rate, not re-decided).
    """
    mean, scale, w, bias = model_arrays(model)
    base = float(model.provenance.get("base_rate", 0.1))
    tc = text_counts(slots)
    pool = pooled(slots)
    rate = base
    nb = [0.0] * len(slots)
    p_prev: list[float] | None = None
    posts: list[SlotPosterior] = []
    done = 0
    for r in range(max(1, rounds)):
        done = r + 1
        rl = _logit(rate)
        posts = [
            posterior_from_utilities(utilities(slot_features(x, uni, rl, pool, tc, nb[k]).x, mean, scale, w, bias))
            for k, x in enumerate(slots)
        ]
        p = [post.p_spun for post in posts]
        if fixed:
            for k, v in fixed.items():
                p[k] = v
        if slots:
            rate = (sum(p) + rate_strength * base) / (len(p) + rate_strength)
        nb = neighbour_means(slots, p)
        if p_prev is not None and max((abs(a - b) for a, b in zip(p, p_prev)), default=0.0) < tol:
            break
        p_prev = p
    return DocumentPosterior(tuple(posts), rate, done)


def feature_matrix(slots: Sequence, uni: Unigrams, rate: float, neighbours: Sequence[float]) -> list[np.ndarray]:
    """Feature matrices of a document's slots at a given rate and neighbour posteriors (training)."""
    tc = text_counts(slots)
    pool = pooled(slots)
    rl = _logit(rate)
    return [slot_features(x, uni, rl, pool, tc, neighbours[k]).x for k, x in enumerate(slots)]


# -- engine v3: the two-group model over null p-values (no positive feedback) -------------------

#: Storey's lambda: p-values above it are taken to come (almost) only from unspun slots.
STOREY_LAMBDA = 0.5
#: The spun share used in the two-group model is at most this (a document in which every slot
#: looks spun would otherwise leave no room for the null, and its log-odds no finite value).
MAX_SHARE = 1.0 - 1e-6
#: Grid of the alternative's Beta(a, 1) shape (the spun slots' p-value density a p^(a-1)).
ALT_SHAPES = tuple(round(0.02 * k, 2) for k in range(1, 50))


@dataclass(frozen=True)
class SpinShare:
    """The document's estimated share of spun slots, from its null p-values alone.

    ``share`` = 1 - pi0 (Storey), with a 90% interval (``low``, ``high``) from the Wilson
    interval of the share of p-values above lambda (with an alternative: the larger of that and
    the mixture share, and of their intervals' ends, the mixture's by profile likelihood);
    ``shape`` is the alternative's Beta(a, 1) shape fitted by maximum likelihood with pi0
    fixed; ``slots`` the p-values used.
    """

    share: float
    low: float
    high: float
    shape: float
    slots: int


def _wilson(k: int, n: int, z: float = 1.645) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def spin_share(p: Sequence[float], lam: float = STOREY_LAMBDA, floor: float = 0.5, alpha: float = 0.05,
               alternative: Sequence[float] = ()) -> SpinShare:
    """Storey's estimate of the spun share (at least the excess of p-values <= ``alpha``) and the
    alternative's shape (see :class:`SpinShare`).

    A closed form of the p-values: there is no loop, so no start value and no feedback. The
    spun share used for the local fdr is at least ``floor`` / m, so that one overwhelming slot
    can still be reported in a document that is otherwise clean.

    ``alternative`` (likelihood ratios per bin, :func:`fit_alternative`): the share is also at
    least the mixture's maximum-likelihood share with that alternative (:func:`mixture_share`).
    Storey's estimate reads only how many p-values are large, and with the few dozen slots of a
    short text it often reads 0 when a dozen slots are spun; the mixture share reads how small
    the small ones are. Each errs low where it fails (Storey's always; the mixture's when the
    text's spinner leaves weaker traces than the alternative's, as in densely spun text), so
    the larger of the two is taken.

    >>> s = spin_share([0.9, 0.7, 0.6, 0.3, 0.8, 0.55])
    >>> s.share
    0.0
    """
    m = len(p)
    if m == 0:
        return SpinShare(0.0, 0.0, 0.0, 1.0, 0)
    above = sum(1 for v in p if v > lam)
    pi0 = min(1.0, above / ((1 - lam) * m))
    lo_frac, hi_frac = _wilson(above, m)
    # Storey's estimate can read 0 on a few hundred slots when the unspun slots' p-values are not
    # quite uniform above lambda; the excess of small p-values is a lower bound of the share that
    # agrees with the document test (:func:`document_test`), so the estimate is never below it.
    small = sum(1 for v in p if v <= alpha)
    share = max(1.0 - pi0, (small - alpha * m) / ((1 - alpha) * m))
    low, high = 1.0 - min(1.0, hi_frac / (1 - lam)), max(share, 1.0 - min(1.0, lo_frac / (1 - lam)))
    if len(alternative):
        # 90%: the log likelihood within 2.706 / 2 of its best
        mix, mix_low, mix_high = mixture_share(p, alternative, drop=1.353)
        share, low, high = max(share, mix), max(low, mix_low), max(high, mix_high)
    pi1 = min(max(share, floor / m), MAX_SHARE)
    arr = np.clip(np.asarray(p, dtype=float), 1e-12, 1.0)
    logp = np.log(arr)
    best, best_ll = 1.0, -math.inf
    for a in ALT_SHAPES:
        ll = float(np.log((1 - pi1) + pi1 * a * np.exp((a - 1) * logp)).sum())
        if ll > best_ll + 1e-12:
            best, best_ll = a, ll
    return SpinShare(round(share, 4), round(max(0.0, low), 4), round(max(0.0, high), 4), best, m)


def local_fdr(p: float, share: SpinShare, floor: float = 0.5) -> float:
    """Efron's local false discovery rate of one slot: P(not spun | its p-value)."""
    if share.slots == 0:
        return 1.0
    pi1 = min(max(share.share, floor / share.slots), MAX_SHARE)
    a = share.shape
    f1 = a * max(p, 1e-12) ** (a - 1)
    return float((1 - pi1) / ((1 - pi1) + pi1 * f1))


def pooled_local_fdr(ps: Sequence[float], share: SpinShare, floor: float = 0.5) -> float:
    """Local fdr of one swap seen at several places of a document (step 6 of engine v3).

    The occurrences of one swap (the same spun word, the same best original) are taken to be
    spun or not together, as a spinner reuses its favourite synonym: their alternative
    densities multiply, the null (uniform p-values) stays as it is. One occurrence gives
    :func:`local_fdr`; an occurrence that looks clean (p near 1) weakens the others.
    """
    if share.slots == 0 or not ps:
        return 1.0
    pi1 = min(max(share.share, floor / share.slots), MAX_SHARE)
    a = share.shape
    log_f1 = sum(math.log(a) + (a - 1) * math.log(max(p, 1e-12)) for p in ps)
    log_odds = math.log(pi1) - math.log(1 - pi1) + log_f1
    return float(1.0 / (1.0 + math.exp(min(700.0, log_odds))))


def pool_by_swap(keys: Sequence[Hashable | None], p: Sequence[float | None], fdrs: Sequence[float | None],
                 share: SpinShare) -> list[float | None]:
    """Each slot's local fdr pooled over the document's other slots with the same swap ``key``
    (:func:`pooled_local_fdr`); a slot seen once, or with key None, keeps its own.

    >>> s = SpinShare(0.1, 0.0, 0.2, 0.3, 200)
    >>> one = local_fdr(0.004, s)
    >>> pooled = pool_by_swap([("a", "b"), ("a", "b"), None], [0.004, 0.01, 0.5], [one, local_fdr(0.01, s), 0.9], s)
    >>> pooled[0] == pooled[1] < one, pooled[2]
    (True, 0.9)
    """
    groups: dict[Hashable, list[int]] = {}
    for k, key in enumerate(keys):
        if key is not None and p[k] is not None:
            groups.setdefault(key, []).append(k)
    out = list(fdrs)
    for members in groups.values():
        if len(members) > 1:
            f = pooled_local_fdr([p[k] for k in members], share)  # type: ignore[misc]
            for k in members:
                out[k] = f
    return out


#: a learned swap's confidence is capped here before it becomes odds (a dictionary may round to 1.0)
MAX_CHANNEL_CONFIDENCE = 0.999


def with_batch_evidence(fdr: float, confidence: float) -> float:
    """A slot's local fdr when its best original is a swap learned from a batch (``unspin learn``).

    The batch's verdict on the swap, confidence ``c`` = 1 - its pooled local fdr over the batch,
    enters as a likelihood ratio c / (1 - c) on the alternative: the document's own share (the
    prior) and the clean-text null are untouched (issue 14, step 6). In a clean document the
    prior is small, so an ordinary occurrence of a learned wording is still not reported; in a
    document spun by the same source it is.

    >>> round(with_batch_evidence(0.5, 0.9), 3), with_batch_evidence(0.5, 0.0)
    (0.1, 0.5)
    """
    if confidence <= 0.0:
        return fdr
    c = min(confidence, MAX_CHANNEL_CONFIDENCE)
    if fdr >= 1.0:
        return 1.0
    if fdr <= 0.0:
        return 0.0
    odds = (1.0 - fdr) / fdr * c / (1.0 - c)
    return float(1.0 / (1.0 + odds))


def report_cutoff(fdrs: Sequence[float], level: float, rule: str = "mean") -> float:
    """The largest local fdr a document reports, for a false discovery level ``level``.

    ``"local"``: every slot whose own local fdr is at most ``level``. ``"mean"`` (Sun & Cai
    2007): the most slots, taken in order of local fdr, whose *mean* local fdr is at most
    ``level``: the expected share of reported spans that are not spun is then about ``level``,
    which is what a precision target states. A slot at local fdr ``level`` is reported by both.

    >>> report_cutoff([0.01, 0.05, 0.3, 0.6, 0.9], 0.2, "local")
    0.2
    >>> report_cutoff([0.01, 0.05, 0.3, 0.6, 0.9], 0.2, "mean")
    0.3
    """
    if rule == "local":
        return level
    total, cut = 0.0, level
    for k, v in enumerate(sorted(fdrs), 1):
        total += v
        if total / k > level:
            break
        cut = max(cut, v)
    return cut


def _binomial_tail(m: int, k: int, alpha: float) -> float:
    """P(K >= k) for K ~ Binomial(m, alpha), summed in log space."""
    if m == 0 or k == 0:
        return 1.0
    logs = [
        math.lgamma(m + 1) - math.lgamma(j + 1) - math.lgamma(m - j + 1) + j * math.log(alpha) + (m - j) * math.log1p(-alpha)
        for j in range(k, m + 1)
    ]
    top = max(logs)
    return float(min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs)))


#: the levels of the "multi" document test, as fractions of ``alpha``
MULTI_LEVELS = (0.02, 0.2, 1.0)
#: the "weighted" document test's bins of -log10 p (a slot at p = 0.004 is in [2, 2.5)); the
#: tuning file gives one weight per bin
WEIGHT_EDGES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, math.inf)


def weight_bins(p: Sequence[float]) -> np.ndarray:
    """Each p-value's bin of :data:`WEIGHT_EDGES` (0 = the largest p-values)."""
    x = -np.log10(np.clip(np.asarray(p, dtype=float), 1e-300, 1.0))
    return np.clip(np.searchsorted(WEIGHT_EDGES, x, side="right") - 1, 0, len(WEIGHT_EDGES) - 2)


def null_bin_masses() -> np.ndarray:
    """P(a slot's p-value falls in each bin) when nothing is spun (uniform p-values)."""
    upper = 10.0 ** -np.array(WEIGHT_EDGES)
    return upper[:-1] - upper[1:]


def fit_alternative(spun_p: Sequence[float]) -> tuple[float, ...]:
    """The alternative, per bin of :data:`WEIGHT_EDGES`: the likelihood ratio f1 / f0 of a spun
    slot's p-value falling there, f1 the bins' share of ``spun_p`` (the spun slots' p-values,
    plus half a slot per bin), f0 the uniform null's (:func:`null_bin_masses`).

    >>> g = fit_alternative([1e-4, 0.003, 0.02, 0.3])
    >>> len(g) == len(WEIGHT_EDGES) - 1, g[0] < 1 < g[-1]
    (True, True)
    """
    f1 = np.bincount(weight_bins(spun_p), minlength=len(WEIGHT_EDGES) - 1) + 0.5
    return tuple(round(float(v), 4) for v in (f1 / f1.sum()) / null_bin_masses())


def alternative_weights(ratios: Sequence[float], share: float) -> tuple[float, ...]:
    """The "weighted" test's weights: per bin, log(1 - share + share * f1 / f0), the log
    likelihood ratio of a slot in a text with ``share`` of its slots spun against one with none
    (``ratios``: :func:`fit_alternative`). A slot that looks clean costs at most -log(1 - share);
    one that looks spun adds up to its evidence.

    >>> w = alternative_weights(fit_alternative([1e-4, 0.003, 0.02, 0.3]), 0.05)
    >>> w[0] < 0 < w[-1]
    True
    """
    if not 0 < share < 1:
        raise ValueError(f"the spun share must be in (0, 1), got {share}")
    return tuple(float(v) for v in np.log1p(share * (np.asarray(ratios, dtype=float) - 1.0)))


def _bisect(f: Callable[[float], float], lo: float, hi: float, steps: int = 60, rtol: float = 0.0) -> float:
    """The point in [lo, hi] where ``f`` turns from positive to not (f decreasing through 0),
    by bisection: ``steps`` halvings, fewer once the bracket is within ``rtol`` of max(1, hi)."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < rtol * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def mixture_share(p: Sequence[float], ratios: Sequence[float], cap: float = MAX_SHARE,
                  drop: float = 0.0) -> tuple[float, float, float]:
    """The spun share that makes the text's p-values most likely under the two-group mixture
    ``(1 - s) + s * f1/f0`` with the alternative ``ratios`` (:func:`fit_alternative`) fixed, and
    its profile-likelihood interval: the shares whose log likelihood is within ``drop`` of the
    best (1.353 for 90%), as (estimate, low, high).

    The log likelihood is concave in s, so its maximiser is unique: the EM iteration
    s <- mean(s g / (1 - s + s g)) reaches it from any start (a test shows it), and it is found
    here directly, by bisection on the derivative.

    >>> g = fit_alternative([1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.3])
    >>> mixture_share([0.5] * 50, g)[0], 0 < mixture_share([1e-4] * 5 + [0.5] * 45, g)[0] < 0.2
    (0.0, True)
    """
    if not len(p):
        return 0.0, 0.0, 0.0
    d = np.asarray(ratios, dtype=float)[weight_bins(p)] - 1.0

    def loglik(s: float) -> float:
        return float(np.sum(np.log1p(s * d)))

    def slope(s: float) -> float:
        return float(np.sum(d / (1.0 + s * d)))

    if slope(0.0) <= 0.0:
        best = 0.0
    elif slope(cap) >= 0.0:
        best = cap
    else:
        best = _bisect(slope, 0.0, cap)
    if drop <= 0.0:
        return best, best, best
    top = loglik(best) - drop
    low = 0.0 if best == 0.0 or loglik(0.0) >= top else _bisect(lambda s: top - loglik(s), 0.0, best)
    high = cap if loglik(cap) >= top else _bisect(lambda s: loglik(s) - top, best, cap)
    return best, low, high


def weighted_tail(total: float, m: int, weights: Sequence[float]) -> float:
    """P(S >= total) for S, the sum of ``m`` slots' weights, when nothing is spun (each slot's bin
    drawn from :func:`null_bin_masses`): the saddlepoint approximation of Lugannani and Rice
    (1980), accurate far into the tail where a normal approximation is not.

    A lattice sum (here a count) wants its continuity correction; the shipped weights are not one:

    >>> w = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)   # counts the p-values <= 0.01
    >>> round(weighted_tail(2.5, 100, w), 3)   # P(Binomial(100, 0.01) >= 3) = 0.079
    0.084
    """
    w = np.asarray(weights, dtype=float)
    q = null_bin_masses()
    if m <= 0:
        return 1.0
    xbar, top = total / m, float(w.max())
    if xbar <= float(q @ w):
        return 1.0
    if xbar >= top:
        return float(q[w >= top].sum()) ** m if xbar <= top + 1e-12 else 0.0

    def moments(t: float) -> tuple[float, float, float]:
        e = q * np.exp(t * (w - top))  # scaled by exp(-t * top) against overflow
        z = float(e.sum())
        k1 = float(e @ w) / z
        return k1, float(e @ (w * w)) / z - k1 * k1, math.log(z) + t * top

    hi = 1.0
    while moments(hi)[0] < xbar and hi < 1e6:
        hi *= 2.0
    # K'(t) is increasing: the saddlepoint is where it reaches the mean weight
    t = _bisect(lambda v: xbar - moments(v)[0], 0.0, hi, steps=200, rtol=1e-12)
    _, k2, kt = moments(t)
    r = math.sqrt(max(0.0, 2.0 * m * (t * xbar - kt)))
    u = t * math.sqrt(m * k2)
    if r < 1e-6 or u < 1e-12:
        return 0.5
    tail = 0.5 * math.erfc(r / math.sqrt(2.0)) + math.exp(-0.5 * r * r) / math.sqrt(2.0 * math.pi) * (1.0 / u - 1.0 / r)
    return float(min(1.0, max(0.0, tail)))


def document_test(p: Sequence[float], alpha: float = 0.05, test: str = "binomial",
                  weights: Sequence[float] = ()) -> float:
    """P-value of "nothing here is spun".

    ``"binomial"``: the binomial tail of the slots with p <= ``alpha``. ``"multi"``: the smallest
    binomial tail at the levels ``alpha`` x :data:`MULTI_LEVELS` (0.001, 0.01, 0.05 for alpha 0.05),
    Bonferroni-corrected for the three: a few very small p-values (a sparsely spun text) count
    as much as many moderately small ones. ``"weighted"``: the sum of each slot's weight by its
    p-value's bin (``weights``, from :func:`alternative_weights`: the log likelihood ratio of a
    sparsely spun document against a clean one), its tail under the null from :func:`weighted_tail`.
    Every slot counts by how small its p-value is, not only whether it passes a cut; the
    weights choose which departures from clean text the test is most sensitive to, while its
    validity rests on the null alone.

    >>> document_test([0.5] * 100), document_test([0.01] * 30 + [0.5] * 170) < 1e-3
    (1.0, True)
    >>> document_test([0.0005] * 3 + [0.5] * 197, test="multi") < document_test([0.0005] * 3 + [0.5] * 197)
    True
    """
    m = len(p)
    if test == "binomial":
        return _binomial_tail(m, sum(1 for v in p if v <= alpha), alpha)
    if test == "weighted":
        if len(weights) != len(WEIGHT_EDGES) - 1:
            raise ValueError(f"the weighted test needs {len(WEIGHT_EDGES) - 1} weights, got {len(weights)}")
        return weighted_tail(float(np.asarray(weights, dtype=float)[weight_bins(p)].sum()) if m else 0.0, m, weights)
    if test != "multi":
        raise ValueError(f"unknown document test {test!r}")
    tails = [_binomial_tail(m, sum(1 for v in p if v <= alpha * f), alpha * f) for f in MULTI_LEVELS]
    return min(1.0, len(MULTI_LEVELS) * min(tails))
