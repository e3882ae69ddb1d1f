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
blocks of :func:`unspin.tuning.load_tuning`) and the application (:func:`v3_decisions`,
:class:`V3Document`, :func:`rewrites`; :func:`unspin.engine.pipeline.finish` drives it). The
ranker is fitted by ``scripts/train_decision.py``. Fast mode and deep mode without a learned
ranker decide with the noisy channel instead (:mod:`unspin.engine.decode`).

>>> settings = load_decision()
>>> settings.ranker is not None and settings.v3.test in DOCUMENT_TESTS
True
>>> sorted(settings.infer) == sorted(INFER_KEYS)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Mapping

from ..tuning import TUNING_FILE, _fail, is_scored, load_tuning
from .decode import Decision
from .scored import unigrams

if TYPE_CHECKING:
    from ..config import Config
    from .infer import SpinShare
    from .null import NullTable
    from .pipeline import Scored

#: the ``infer`` settings of the document loop that gives the ranker's document features in
#: training (:func:`unspin.engine.infer.infer_document`, ``scripts/train_decision.py``)
INFER_KEYS = ("rounds", "rate_strength")
#: engine v3's document tests (:func:`unspin.engine.infer.document_test`)
DOCUMENT_TESTS = ("binomial", "multi")


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
    (:func:`unspin.engine.infer.document_test`). The risk levels of the test's p-value are the
    risk model's (:attr:`unspin.tuning.RiskModel.p_cuts`).
    """

    fdr_level: float = 0.2
    storey_lambda: float = 0.5
    test_alpha: float = 0.05
    rule: str = "local"
    pool: bool = False
    rewrite_fdr: float | None = None
    rewrite_gain: float = 0.0
    test: str = "binomial"


@dataclass(frozen=True)
class DecisionSettings:
    """Every number deep mode's decision reads, passed to :func:`unspin.engine.pipeline.finish`.

    ``ranker``: the learned ranker (None: deep mode decides with the noisy channel);
    ``infer``: the training loop's settings (:data:`INFER_KEYS`), which give the ranker's
    document features (``scripts/train_decision.py``); ``v3``: engine v3's settings.
    """

    ranker: DecisionModel | None
    infer: Mapping[str, float]
    v3: EngineV3


# -- the parser ------------------------------------------------------------------------------


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
        v3 = EngineV3(fdr_level=float(e.get("fdr_level", 0.2)), storey_lambda=float(e.get("storey_lambda", 0.5)),
                      test_alpha=float(e.get("test_alpha", 0.05)),
                      rule=str(e.get("rule", "local")), pool=bool(e.get("pool", False)),
                      rewrite_fdr=None if e.get("rewrite_fdr") is None else float(e["rewrite_fdr"]),
                      rewrite_gain=float(e.get("rewrite_gain", 0.0)),
                      test=str(e.get("test", "binomial")))
        if not 0 < v3.fdr_level < 1 or not 0 < v3.storey_lambda < 1 \
                or v3.rule not in ("local", "mean") or v3.test not in DOCUMENT_TESTS \
                or (v3.rewrite_fdr is not None and not 0 < v3.rewrite_fdr <= 1):
            raise ValueError(f"engine_v3: rule must be local or mean, test one of {DOCUMENT_TESTS}, "
                             f"and levels in (0, 1), got {e}")
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
    from .infer import document_test, infer_document, local_fdr, pool_by_swap, report_cutoff, spin_share, with_batch_evidence
    from .null import p_values

    slots = [x for seg in scored.segments for x in seg]
    pv = p_values(slots, null)
    share = spin_share([p for p in pv if p is not None], settings.storey_lambda, alpha=settings.test_alpha)
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
    return out, V3Document(share, document_test([p for p in pv if p is not None], settings.test_alpha, settings.test), cutoff)


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
