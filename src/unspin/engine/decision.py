"""Deep mode's decision (engine v3): which slots are reported, which original, which are rewritten.

Engine v3 decides with two kinds of evidence, each used for what it can tell:

1. **Whether a slot is spun** comes from its p-value against clean text (:mod:`unspin.engine.null`)
   and the document's two-group model (:mod:`unspin.engine.infer`): the spun share (Storey's
   estimator), each slot's local false-discovery rate (pooled over the occurrences of one swap
   when ``pool`` is set), and the false-discovery rule that says which spans are reported
   (:func:`unspin.engine.infer.report_cutoff`). The document's test against clean text
   (:func:`unspin.engine.infer.document_test`) gives its risk level
   (:func:`unspin.scoring.null_test_risk`, cuts in the tuning file's ``risk`` block).
2. **Which original** comes from the learned ranker (:class:`DecisionModel`, a conditional
   logit over the features of :mod:`unspin.engine.features`), used to order a slot's
   candidates only.
3. **Rewrite** (:func:`rewrites`): a reported span is rewritten when its own local fdr is at
   most ``rewrite_fdr`` and its best original's language-model log-odds against the text
   exceed ``rewrite_gain``: a highlighted word costs the reader a look, a wrong change costs
   the text.

This module is the decision's one home, as :mod:`unspin.engine.screen` is the fast screen's:
the dataclasses (:class:`DecisionModel`, :class:`EngineV3`, and :class:`DecisionSettings`,
the two with the training loop's ``infer`` settings), the parser of their blocks of the tuning
file (:func:`parse_decision`: ``decision``, ``infer``, ``engine_v3``; header and file reading
stay in :mod:`unspin.tuning`, which reads the file once, so :func:`load_decision` parses the
blocks of :func:`unspin.tuning.load_tuning`), the application (:func:`v3_decisions`,
:class:`V3Document`, :func:`rewrites`; :func:`unspin.engine.pipeline.finish` drives it) and the
ranker's fit (:func:`fit_ranker`, with :func:`slot_labels`). ``scripts/train_decision.py``
keeps only what needs the benchmark data: scoring the dev documents into a cache, the
held-out grid, writing the tuning file. Fast mode and deep mode without a learned ranker
decide with the noisy channel instead (:mod:`unspin.engine.decode`).

>>> settings = load_decision()
>>> settings.ranker is not None and settings.v3.test in DOCUMENT_TESTS
True
>>> sorted(settings.infer) == sorted(INFER_KEYS)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..tuning import TUNING_FILE, _fail, is_scored, load_tuning
from .decode import Decision
from .scored import unigrams

if TYPE_CHECKING:
    import numpy as np

    from ..config import Config
    from .features import Unigrams
    from .infer import SpinShare
    from .null import NullTable
    from .scored import Scored, ScoredSlot

#: the ``infer`` settings of the document loop that gives the ranker's document features in
#: training (:func:`unspin.engine.infer.infer_document`, :func:`fit_ranker`)
INFER_KEYS = ("rounds", "rate_strength")
#: engine v3's document tests (:func:`unspin.engine.infer.document_test`)
DOCUMENT_TESTS = ("binomial", "multi", "weighted")


# -- the model and the settings --------------------------------------------------------------


@dataclass(frozen=True)
class DecisionModel:
    """A conditional-logit model over per-(slot, candidate) features (deep mode's ranker).

    The utility of candidate ``c`` at a slot is ``w . (x_c - mean) / scale + bias``; keeping
    the text has utility 0. ``P(c) = exp(u_c) / (1 + sum_c' exp(u_c'))``.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    provenance: Mapping[str, Any]


@dataclass(frozen=True)
class EngineV3:
    """Engine v3's settings (:mod:`unspin.engine.null`, :mod:`unspin.engine.infer`): all fixed a priori.

    ``pool``: one swap seen at several places of a document is decided together
    (:func:`unspin.engine.infer.pooled_local_fdr`). ``fdr_level`` and ``rule``: which spans are
    reported (:func:`unspin.engine.infer.report_cutoff`: "local", each span's local fdr at most
    the level; "mean", the spans' mean). ``storey_lambda``: the spun-share estimator's lambda.
    ``test_alpha``: the document test counts slots with p at most this. ``rewrite_fdr``
    (default: the fdr level) and ``rewrite_gain``: a reported span is rewritten when its own
    local fdr is at most ``rewrite_fdr`` and its best original's log-odds against the text
    exceed ``rewrite_gain`` (:func:`rewrites`). ``test``: the document test
    (:func:`unspin.engine.infer.document_test`). ``alternative``: the likelihood ratio of a
    spun slot's p-value per bin (:func:`unspin.engine.infer.fit_alternative`, fit on dev) and
    ``alternative_share`` the share of spun slots it was fit at: the "weighted" test's weights
    (:func:`unspin.engine.infer.alternative_weights`). ``share``: "storey", or "mixture" (the
    larger of Storey's share and the mixture's with that alternative:
    :func:`unspin.engine.infer.spin_share`). The risk levels of the test's p-value are the
    risk model's (:attr:`unspin.tuning.RiskModel.p_cuts`). ``min_shown``: a document the
    test rates above clean (low, suspicious or high) reports at least this many spans, those of
    smallest local fdr (:func:`strongest`), so that a verdict shows the evidence it rests on;
    they are rewritten only when the rewrite rule admits them.
    """

    fdr_level: float = 0.2
    storey_lambda: float = 0.5
    test_alpha: float = 0.05
    rule: str = "local"
    pool: bool = False
    rewrite_fdr: float | None = None
    rewrite_gain: float = 0.0
    test: str = "binomial"
    alternative: tuple[float, ...] = ()
    alternative_share: float = 0.05
    share: str = "storey"
    min_shown: int = 0


@dataclass(frozen=True)
class DecisionSettings:
    """Every number deep mode's decision reads, passed to :func:`unspin.engine.pipeline.finish`.

    ``ranker``: the learned ranker (None: deep mode decides with the noisy channel);
    ``infer``: the training loop's settings (:data:`INFER_KEYS`), which give the ranker's
    document features (:func:`fit_ranker`); ``v3``: engine v3's settings.
    """

    ranker: DecisionModel | None
    infer: Mapping[str, float]
    v3: EngineV3


# -- the parser ------------------------------------------------------------------------------


def _whole(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"min_shown must be a whole number, got {v!r}")
    return v


def parse_decision(raw: Mapping[str, Any], source: str = TUNING_FILE) -> DecisionSettings:
    """Validate the decision's blocks (``decision``, ``infer``, ``engine_v3``) of a decoded tuning
    file; DataError names what is wrong (the file's header is checked by
    :func:`unspin.tuning.parse_tuning`)."""
    try:
        d = raw.get("decision")
        ranker = None
        if d:
            feats = tuple(d["features"])
            ranker = DecisionModel(
                feats,
                tuple(float(x) for x in d["mean"]),
                tuple(float(x) for x in d["scale"]),
                tuple(float(x) for x in d["weights"]),
                float(d["bias"]),
                dict(d.get("provenance", {})),
            )
            if not len(feats) == len(ranker.mean) == len(ranker.scale) == len(ranker.weights):
                raise ValueError("decision model: features, mean, scale and weights differ in length")
            if any(s <= 0 for s in ranker.scale):
                raise ValueError("decision model: non-positive scale")
        infer = {k: float(v) for k, v in raw.get("infer", {}).get("values", {}).items()}
        missing = [k for k in INFER_KEYS if k not in infer]
        if ranker is not None and missing:
            raise ValueError(f"infer: the learned decision needs {missing}")
        e = raw.get("engine_v3", {}).get("values", {})
        if e.get("engine", "v3") != "v3":
            raise ValueError("engine_v3: engine v2's decision was retired in session 10; engine must be v3")
        # a setting the file leaves out takes the dataclass's default (its one home)
        kinds = {"fdr_level": float, "storey_lambda": float, "test_alpha": float, "rule": str, "pool": bool,
                 "rewrite_fdr": lambda v: None if v is None else float(v), "rewrite_gain": float, "test": str,
                 "alternative": lambda v: tuple(float(x) for x in v), "alternative_share": float, "share": str,
                 "min_shown": _whole}
        v3 = EngineV3(**{k: kind(e[k]) for k, kind in kinds.items() if k in e})
        if not 0 < v3.fdr_level < 1 or not 0 < v3.storey_lambda < 1 \
                or v3.rule not in ("local", "mean") or v3.test not in DOCUMENT_TESTS \
                or (v3.rewrite_fdr is not None and not 0 < v3.rewrite_fdr <= 1):
            raise ValueError(f"engine_v3: rule must be local or mean, test one of {DOCUMENT_TESTS}, "
                             f"and levels in (0, 1), got {e}")
        if not 0 <= v3.min_shown <= 10:
            raise ValueError(f"engine_v3: min_shown must be 0 to 10, got {v3.min_shown!r}")
        if v3.share not in ("storey", "mixture"):
            raise ValueError(f"engine_v3: share must be storey or mixture, got {v3.share!r}")
        if v3.test == "weighted" or v3.share == "mixture":
            from .infer import WEIGHT_EDGES

            if len(v3.alternative) != len(WEIGHT_EDGES) - 1 or not all(0 < g < math.inf for g in v3.alternative) \
                    or not 0 < v3.alternative_share < 1:
                raise ValueError(f"engine_v3: the weighted test and the mixture share need {len(WEIGHT_EDGES) - 1} "
                                 "positive, finite likelihood ratios (alternative) and an alternative_share in (0, 1)")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _fail(source, f"invalid content ({exc})") from None
    return DecisionSettings(ranker, infer, v3)


@cache
def load_decision() -> DecisionSettings:
    """The shipped decision settings: the blocks of the tuning file :func:`unspin.tuning.load_tuning`
    read (once per process), parsed once per process."""
    from ..datafiles import path

    return parse_decision(load_tuning().blocks, str(path(TUNING_FILE)))


# -- apply -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class V3Document:
    """Engine v3's document-level result: the spin share and the test against the null."""

    share: "SpinShare"
    p_value: float
    cutoff: float  # the largest local fdr reported (see infer.report_cutoff)

    @property
    def threshold(self) -> float:
        """The P(spun) = 1 - local fdr a span needs to be reported (for :func:`unspin.engine.decode.choose`)."""
        return 1.0 - self.cutoff - 1e-12


def v3_decisions(scored: Scored, config: Config, model: DecisionModel, null: NullTable,
                 settings: EngineV3) -> tuple[list[list[Decision]], V3Document]:
    """Engine v3: whether a slot is spun from its null p-value and the document's two-group model;
    which original, from the learned ranker (the conditional logit's order of candidates).

    ``Decision.p_spun`` is 1 - local fdr; ``gain`` the chosen original's language-model log-odds
    against the text (full context where rescored, else first sub-token), so a reported span is
    rewritten only when its original also beats the text (:func:`rewrites`).
    """
    from .features import lo_full, swap_key
    from .infer import (
        alternative_weights, document_test, infer_document, local_fdr, pool_by_swap, report_cutoff, spin_share,
        with_batch_evidence,
    )
    from .null import p_values

    slots = [x for seg in scored.segments for x in seg]
    pv = p_values(slots, null)
    share = spin_share([p for p in pv if p is not None], settings.storey_lambda, alpha=settings.test_alpha,
                       alternative=settings.alternative if settings.share == "mixture" else ())
    # The ranker only orders candidates within a slot (document-level features shift all of a
    # slot's candidates alike), so one round, with no feedback, is enough.
    post = infer_document(slots, model, unigrams(config.lexicon), rounds=1)
    # each slot's candidates by the ranker, best first (None: no candidate to rank)
    orders = [sorted(range(len(sp.probs)), key=lambda i, sp=sp: -sp.probs[i]) if x.slot.candidates and sp.probs else None
              for x, sp in zip(slots, post.posteriors)]
    fdrs = [None if p is None else local_fdr(p, share) for p in pv]
    if settings.pool:
        # one swap = the same spun wording with the same best original by the ranker
        keys = [swap_key(x, order[0]) if p is not None and order else None for x, order, p in zip(slots, orders, pv)]
        fdrs = pool_by_swap(keys, pv, fdrs, share)
    if config.channel:
        # a learned dictionary (unspin learn): the batch's evidence on the best original's swap
        fdrs = [f if f is None or not order else with_batch_evidence(f, x.slot.candidates[order[0]].channel)
                for x, order, f in zip(slots, orders, fdrs)]
    out: list[list[Decision]] = []
    k = 0
    for segment in scored.segments:
        decisions = []
        for x in segment:
            sp, p, fdr, order = post.posteriors[k], pv[k], fdrs[k], orders[k]
            k += 1
            cands = x.slot.candidates
            if not order or p is None:
                continue
            best = order[0]
            gain = lo_full(x, best)
            if not is_scored(x.cands[best]):
                gain = x.cands_first[best] - x.keep_first if x.cands_first else gain
            total = sum(sp.probs) or 1.0
            ranked = tuple((cands[i].text, sp.probs[i] / total) for i in order)
            evidence = (
                f"context fits {cands[best].text!r} better than {x.slot.text!r} "
                f"(language-model log-odds {gain:+.2f}; p = {p:.4f} against clean text; local fdr {fdr:.2f}; "
                f"document spin share {share.share:.2f})"
            )
            decisions.append(Decision(x.slot, 1.0 - fdr, ranked, gain, evidence))
        out.append(decisions)
    cutoff = report_cutoff([f for f in fdrs if f is not None], settings.fdr_level, settings.rule)
    weights = () if settings.test != "weighted" else alternative_weights(settings.alternative, settings.alternative_share)
    test_p = document_test([p for p in pv if p is not None], settings.test_alpha, settings.test, weights)
    return out, V3Document(share, test_p, cutoff)


def strongest(decisions: Sequence[Decision], taken: Sequence[Decision], k: int) -> list[Decision]:
    """Up to ``k`` more decisions, those of smallest local fdr (largest ``p_spun``; the earlier
    slot on a tie), that overlap neither ``taken`` nor each other: the spans a document rated
    above clean shows when its local fdrs report fewer (:attr:`EngineV3.min_shown`).

    >>> from unspin.engine.candidates import Slot
    >>> def at(first, p):
    ...     return Decision(Slot(first, first + 1, 5 * first, 5 * first + 4, "word", ()), p, (), 0.0, "")
    >>> [d.slot.first for d in strongest([at(0, 0.3), at(1, 0.6), at(2, 0.6), at(3, 0.1)], [at(1, 0.9)], 2)]
    [2, 0]
    """
    out = list(taken)
    for d in sorted(decisions, key=lambda d: -d.p_spun):
        if len(out) - len(taken) >= k:
            break
        if all(d.slot.last <= o.slot.first or o.slot.last <= d.slot.first for o in out):
            out.append(d)
    return out[len(taken):]


def rewrites(d: Decision, settings: EngineV3) -> bool:
    """Engine v3's rewrite rule for a reported span: its own local fdr (``1 - d.p_spun``) is at
    most ``rewrite_fdr`` (default: the fdr level) and its best original's log-odds against the
    text (``d.gain``) exceed ``rewrite_gain``. Otherwise the span is reported, not rewritten.

    >>> from unspin.engine.candidates import Slot
    >>> d = Decision(Slot(0, 1, 0, 4, "firm", ()), 0.9, (("company", 0.9),), 1.5, "")
    >>> rewrites(d, EngineV3(fdr_level=0.2)), rewrites(d, EngineV3(fdr_level=0.05))
    (True, False)
    >>> rewrites(d, EngineV3(fdr_level=0.2, rewrite_gain=2.0))
    False
    """
    max_fdr = settings.fdr_level if settings.rewrite_fdr is None else settings.rewrite_fdr
    return not (d.gain <= settings.rewrite_gain or 1.0 - d.p_spun > max_fdr + 1e-12)


# -- fit: the ranker from labelled documents (scripts/train_decision.py calls it) -------------------


def slot_labels(slots: Sequence[ScoredSlot], gold: Sequence[Sequence[Any]]) -> list[int | None]:
    """Per slot, its training label from the gold swaps ``(start, end, original)`` of its text:
    ``i`` when the slot is exactly a gold span and the original is its candidate ``i``
    (compared in lower case); -1 (keep) when it overlaps no gold span; otherwise None, left out
    of training (spun, but no candidate is right, or only part of the span).

    >>> from unspin.engine.candidates import Candidate, Slot
    >>> from unspin.engine.scored import ScoredSlot
    >>> def at(a, b, text):
    ...     return ScoredSlot(Slot(0, 1, a, b, text, (Candidate("company", "company", 0.5),)), 0.0, (0.0,), False)
    >>> slot_labels([at(0, 4, "firm"), at(10, 14, "sure"), at(20, 25, "large"), at(30, 33, "big")],
    ...             [(0, 4, "Company"), (10, 14, "certain"), (20, 27, "large one")])
    [0, None, None, -1]
    """
    out: list[int | None] = []
    for x in slots:
        s = x.slot
        exact = [g for g in gold if g[0] == s.start and g[1] == s.end]
        if exact:
            orig = exact[0][2].lower()
            hit = [i for i, c in enumerate(s.candidates) if c.text.lower() == orig]
            out.append(hit[0] if hit else None)
        elif any(g[0] < s.end and s.start < g[1] for g in gold):
            out.append(None)
        else:
            out.append(-1)
    return out


def _stack(mats: Sequence[np.ndarray], labs: Sequence[int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The labelled slots' candidate rows stacked: rows, each row's group (slot) and each group's
    chosen row (-1: keep)."""
    import numpy as np

    rows, gid, pos = [], [], []
    g = 0
    for m, y in zip(mats, labs):
        if y is None or len(m) == 0:
            continue
        rows.append(m)
        gid.extend([g] * len(m))
        pos.append(-1 if y < 0 else sum(len(r) for r in rows[:-1]) + y)
        g += 1
    return np.vstack(rows), np.array(gid), np.array(pos)


def _fit_logit(x: np.ndarray, gid: np.ndarray, pos: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weights and bias maximising the conditional-logit likelihood (keep = utility 0), L2 on the
    weights, the bias unpenalised: Newton's method with step halving on the mean negative
    log-likelihood (convex, so the one optimum). Groups (``gid``) are contiguous and ordered."""
    import numpy as np

    n_groups = len(pos)
    has_pos = pos >= 0
    xb = np.hstack([x, np.ones((len(x), 1))])
    starts = np.r_[0, np.flatnonzero(np.diff(gid)) + 1]
    pen = np.r_[np.full(x.shape[1], l2), 0.0]
    chosen = xb[pos[has_pos]].sum(axis=0)

    def loss_and_probs(theta: np.ndarray) -> tuple[float, np.ndarray]:
        u = xb @ theta
        m = np.maximum(np.maximum.reduceat(u, starts), 0.0)
        e = np.exp(u - m[gid])
        z = np.exp(-m) + np.bincount(gid, weights=e, minlength=n_groups)
        upos = np.where(has_pos, u[np.maximum(pos, 0)], 0.0)
        loss = float((m + np.log(z) - upos).sum()) + 0.5 * float(theta @ (pen * theta))
        return loss / n_groups, e / z[gid]

    theta = np.zeros(xb.shape[1])
    loss, p = loss_and_probs(theta)
    for _ in range(100):
        grad = (xb.T @ p - chosen + pen * theta) / n_groups
        px = xb * p[:, None]
        per_group = np.add.reduceat(px, starts)  # sum over a slot's candidates of p_i x_i
        hess = (xb.T @ px - per_group.T @ per_group + np.diag(pen + 1e-9)) / n_groups
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while True:  # step halving: the loss never goes up
            new_loss, new_p = loss_and_probs(theta - t * step)
            if new_loss <= loss or t < 1e-10:
                break
            t /= 2
        theta, loss, p = theta - t * step, new_loss, new_p
        if np.abs(t * step).max() < 1e-10:
            break
    return theta[:-1], float(theta[-1])


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def fit_ranker(docs: Sequence[tuple[Sequence[ScoredSlot], Sequence[Sequence[Any]]]], uni: Unigrams, l2: float,
               rate_strength: float, rounds: int | None = None) -> DecisionModel:
    """The ranker from labelled documents: each a document's scored slots and its gold swaps
    ``(start, end, original)`` (labels: :func:`slot_labels`).

    Two stages: slot features alone (the document's rate at the training base rate, no
    neighbours), then with the document features from stage one's document loop
    (:func:`unspin.engine.infer.infer_document` over ``rounds`` rounds, default: the shipped
    ``infer`` setting; ``rate_strength``: its pseudo-slots at the base rate). ``l2``: the
    penalty on the standardised weights. The provenance holds the base rate (the share of
    labelled slots that are spun with their original among the candidates).
    """
    from .features import FEATURES
    from .infer import feature_matrix, infer_document, neighbour_means

    if rounds is None:
        rounds = int(load_decision().infer["rounds"])
    labs_all = [slot_labels(slots, gold) for slots, gold in docs]
    n_pos = sum(1 for ls in labs_all for y in ls if y is not None and y >= 0)
    n_lab = sum(1 for ls in labs_all for y in ls if y is not None)
    base = n_pos / max(n_lab, 1)
    mats = []
    for slots, _gold in docs:
        mats.extend(feature_matrix(slots, uni, base, [0.0] * len(slots)))
    labs = [y for ls in labs_all for y in ls]
    x, gid, pos = _stack(mats, labs)
    mean, scale = _standardise(x)
    w, b = _fit_logit((x - mean) / scale, gid, pos, l2)
    model = DecisionModel(FEATURES, tuple(mean), tuple(scale), tuple(w), b, {"base_rate": base})
    # Stage 2: document features from stage one's inference.
    mats = []
    for slots, _gold in docs:
        post = infer_document(slots, model, uni, rounds=rounds, rate_strength=rate_strength)
        nb = neighbour_means(slots, [p.p_spun for p in post.posteriors])
        mats.extend(feature_matrix(slots, uni, post.rate, nb))
    x, gid, pos = _stack(mats, labs)
    mean, scale = _standardise(x)
    w, b = _fit_logit((x - mean) / scale, gid, pos, l2)
    return DecisionModel(FEATURES, tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                         tuple(float(v) for v in w), b, {"base_rate": base})
