"""Fast mode's document score: one calibrated probability per document, no neural model.

A spinner swaps 15-30% of a text's words for thesaurus synonyms. Each swap is weak evidence
on its own (spun words are mostly fluent English), so the screen pools it in three steps:

1. **Sufficient statistics** (:data:`STATS`), additive over the text: counts and sums such as
   "single-word slots where the best candidate original beats the word by more than 2 nats".
   Being sums, they can be computed per sentence and added up for any stretch of text, which
   is how ``scripts/fit_screen.py`` builds documents of 100 to 70,000 words from one scoring
   pass.
2. **Features** (:data:`FEATURES`): rates and means of those sums, so their *expected* value
   does not depend on the length; a logistic model over them and their pairwise products
   (:func:`expand`) maps them to one discriminant ``d``.
3. **Length-aware calibration**: ``d`` is modelled per class (clean, spun) as a normal with
   variance ``tau**2 + s**2 / words``: the ``s**2 / words`` part is sampling noise that
   shrinks with length, the ``tau**2`` part is how much documents of different registers (and
   spinners of different rates) differ however long they are. The score is
   ``P(spun | d, words)`` from the two likelihoods and a prior, so a 100-word paragraph needs
   much stronger evidence than a book, and a book's verdict is limited by register variance,
   not by its length.

The weights, the calibration and the settings the features depend on live in
``data/screen.v2.json`` (header with provenance: script, data, split, date), fitted on the
dev split of several registers (news, encyclopedic, scientific, technical, other) and the dev
spinner profiles by ``scripts/fit_screen.py``.

This module is the fast screen's one home, as ``engine/decision.py`` is deep mode's
decision's: the statistics and features, the model's dataclasses, its parser (header
checked by :func:`unspin.datafiles.check_header`) and writer (:func:`model_document`, the
parser's inverse), its application (:meth:`ScreenModel.standing`) and the parts of its fit
that need no benchmark data (:func:`fit_discriminant`, :func:`variance_model`,
:meth:`Calibration.false_alarm_rate`). ``scripts/fit_screen.py`` keeps only what needs the
benchmark corpora: scoring them, cutting units of a given length, choosing the prior on the
dev registers, the report.

>>> FEATURES[:3]
('gain_mean', 'gain_gt0', 'gain_gt2')
>>> len(STATS) > len(FEATURES) > 10
True
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..english import FUNCTION_WORDS
from ..errors import DataError
from ..lexicon import Lexicon, morph
from ..text import Document
from ..tuning import Tuning, is_scored, log_prior
from .decode import p_spun

SCREEN_KIND = "screen"
SCREEN_FORMAT = 2
SCREEN_VERSION = "screen.v2"
SCREEN_FILE = "screen.v2.json"
FIX = "reinstall unspin or rebuild it with scripts/fit_screen.py"

# Additive per-stretch statistics (see module docstring); FEATURES are ratios of these.
STATS = (
    "words", "sentences", "slots1", "slots", "gain_sum", "gain_gt0", "gain_gt2", "gain_gt4", "psum", "repair",
    "pmi_sum", "pmi_n", "punct", "capitals", "func", "func_logf_sum", "func_pairs", "func_hits",
    "content", "content_logf_sum", "rare_content", "infl", "infl_sum", "rare_infl",
)
_S = {name: k for k, name in enumerate(STATS)}
# feature name -> (numerator stat, denominator stat); "sent_len" is log(words / sentences).
_RATIOS = {
    "gain_mean": ("gain_sum", "slots1"),
    "gain_gt0": ("gain_gt0", "words"),
    "gain_gt2": ("gain_gt2", "words"),
    "gain_gt4": ("gain_gt4", "words"),
    "psum": ("psum", "words"),
    "repair": ("repair", "words"),
    "pmi": ("pmi_sum", "pmi_n"),
    "sent_len": ("words", "sentences"),
    "punct": ("punct", "words"),
    "capitals": ("capitals", "words"),
    "func_rate": ("func", "words"),
    "func_logf": ("func_logf_sum", "func"),
    "func_pairs": ("func_hits", "func_pairs"),
    "slots_per_word": ("slots", "words"),
    "infl_logf": ("infl_sum", "infl"),
    "rare_infl": ("rare_infl", "content"),
    "content_logf": ("content_logf_sum", "content"),
    "rare_content": ("rare_content", "content"),
}
FEATURES = tuple(_RATIOS)
# Standardised features are clipped to +-Z_CLIP before the products: a text of a few words has
# extreme rates (one word, all function words) that the quadratic model must not extrapolate.
Z_CLIP = 4.0
CAL_KEYS = ("mu0", "tau0", "s0", "mu1", "tau1", "s1", "prior", "prior_slope")
# Required provenance fields of the header (besides magic, format, version).
PROVENANCE_KEYS = ("built", "script", "fitted_on", "split", "sources")


@dataclass(frozen=True)
class FeatureSettings:
    """Fixed settings the statistics depend on (stored with the weights fitted on them)."""

    gain_clip: float  # per-slot gain (nats) is clipped to +-gain_clip
    rare_logf: float  # log(count + 100) below this is a "rare" content word
    repair_candidates: int  # candidates tried when looking for a collocation repair
    psum_tuning: Tuning  # decision settings of the psum statistic (independent of span tuning)


@dataclass(frozen=True)
class Calibration:
    """Per class: ``d ~ N(mu, tau**2 + s**2 / words)``; the log prior odds of spun are
    ``prior + prior_slope * log(words / 1000)`` (fitted: the normal tails are too light for
    short texts, so short texts get a lower prior than the Gaussians alone would give)."""

    mu0: float
    tau0: float
    s0: float
    mu1: float
    tau1: float
    s1: float
    prior: float
    prior_slope: float = 0.0

    def log_odds(self, d: float, words: int) -> float:
        """log P(spun | d, words) / P(clean | d, words), non-decreasing in ``d``."""
        n = max(1, words)
        v0 = self.tau0**2 + self.s0**2 / n
        v1 = self.tau1**2 + self.s1**2 / n
        a = 0.5 * (1.0 / v0 - 1.0 / v1)  # the log-ratio is a*d^2 + b*d + c
        b = self.mu1 / v1 - self.mu0 / v0
        if a > 1e-12:  # opens upwards: use the rising branch right of the vertex
            d = max(d, -b / (2 * a))
        elif a < -1e-12:  # opens downwards: use the rising branch left of the vertex
            d = min(d, -b / (2 * a))
        llr = (-0.5 * (d - self.mu1) ** 2 / v1 - 0.5 * math.log(v1)) - (-0.5 * (d - self.mu0) ** 2 / v0 - 0.5 * math.log(v0))
        return llr + self.prior + self.prior_slope * math.log(n / 1000.0)

    def p_spun(self, d: float, words: int) -> float:
        """P(spun | d, words): the score of a document with discriminant ``d``."""
        return _sigmoid(self.log_odds(d, words))

    def false_alarm_rate(self, words: int, cut: float) -> float:
        """P(score >= ``cut``) for a clean text of ``words`` words under the fitted clean normal
        (the fit keeps it under its target at every length).

        >>> c = Calibration(0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 0.0)  # P(spun) = 0.5 at d = 1
        >>> round(c.false_alarm_rate(1000, 0.5), 4)  # P(N(0, 1) >= 1)
        0.1587
        """
        lo, hi = self.mu0 - 50.0, self.mu0 + 50.0
        if self.p_spun(hi, words) < cut:
            return 0.0
        for _ in range(60):  # the score is non-decreasing in d: bisect for the cut
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.p_spun(mid, words) < cut else (lo, mid)
        sd = math.sqrt(self.tau0**2 + self.s0**2 / words)
        return 0.5 * math.erfc((hi - self.mu0) / sd / math.sqrt(2))

    def clean_tail(self, d: float, words: int) -> float:
        """P(a clean text of ``words`` words has a discriminant >= ``d``): the document's
        p-value against clean text of its length, under the clean class's fitted
        ``N(mu0, tau0**2 + s0**2 / words)``. Small means unlike clean text; it separates
        documents whose P(spun) all round to 0.

        >>> c = Calibration(0.0, 1.0, 0.0, 2.0, 1.0, 0.0, -7.0)
        >>> round(c.clean_tail(0.0, 100), 3), round(c.clean_tail(1.645, 100), 3)
        (0.5, 0.05)
        """
        n = max(1, words)
        v0 = self.tau0**2 + self.s0**2 / n
        return 0.5 * math.erfc((d - self.mu0) / math.sqrt(2.0 * v0))


def expand(z: Sequence[float]) -> list[float]:
    """The model's inputs from standardised features: ``z`` then every product ``z[i] * z[j]``, i <= j.

    The products let a linear model discount register: what counts as a high rate of strong
    candidate originals depends on how rare, capitalised or function-word-heavy the text is.

    >>> expand([1.0, 2.0])
    [1.0, 2.0, 1.0, 2.0, 4.0]
    """
    k = len(z)
    return [*z, *(z[i] * z[j] for i in range(k) for j in range(i, k))]


def expand_matrix(z: np.ndarray) -> np.ndarray:
    """:func:`expand` row by row (same order: z, then z_i * z_j for i <= j), for the fit.

    >>> expand_matrix(np.array([[1.0, 2.0]])).tolist() == [expand([1.0, 2.0])]
    True
    """
    iu = np.triu_indices(z.shape[1])
    return np.hstack([z, (z[:, :, None] * z[:, None, :])[:, iu[0], iu[1]]])


def n_inputs(k: int) -> int:
    """Length of :func:`expand` for ``k`` features."""
    return k + k * (k + 1) // 2


@dataclass(frozen=True)
class ScreenModel:
    """A logistic discriminant over :data:`FEATURES` and their pairwise products, plus a
    length-aware calibration. ``weights`` apply to :func:`expand` of the standardised features."""

    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    calibration: Calibration
    settings: FeatureSettings
    header: Mapping[str, object]

    def discriminant(self, feats: Mapping[str, float]) -> float:
        """The linear discriminant ``d`` (log-odds of the underlying logistic model)."""
        z = [max(-Z_CLIP, min(Z_CLIP, (feats[name] - m) / s)) for name, m, s in zip(self.features, self.mean, self.scale)]
        return self.bias + sum(w * x for w, x in zip(self.weights, expand(z)))

    def score(self, feats: Mapping[str, float], words: int) -> float:
        """P(spun) in [0, 1] for a feature mapping of a text of ``words`` words."""
        return self.calibration.p_spun(self.discriminant(feats), words)

    def standing(self, feats: Mapping[str, float], words: int) -> tuple[float, float]:
        """(P(spun), p-value against clean text of the same length; see :meth:`Calibration.clean_tail`)."""
        d = self.discriminant(feats)
        return self.calibration.p_spun(d, words), self.calibration.clean_tail(d, words)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _adjacent(doc: Document, a: int, b: int) -> bool:
    return doc.text[doc.tokens[a].end : doc.tokens[b].start] == " "


def stretch_stats(
    doc: Document, lexicon: Lexicon, slots_scored: Sequence, settings: FeatureSettings, bins: Sequence[int] | None = None
) -> list[list[float]]:
    """The :data:`STATS` of a document, one row per bin (one bin unless ``bins`` is given).

    ``slots_scored`` are the fast pipeline's ScoredSlot objects (``slot``, ``keep``, ``cands``,
    ``mid_sentence_capital``), in any order. ``bins[k]`` is the bin of sentence ``k``; rows
    add up to the whole document's statistics.
    """
    toks = doc.tokens
    n_bins = (max(bins) + 1) if bins else 1
    rows = [[0.0] * len(STATS) for _ in range(n_bins)]
    tok_bin = [0] * len(toks)
    if bins:
        for k, sent in enumerate(doc.sentences):
            for i in range(sent.first_token, sent.last_token):
                tok_bin[i] = bins[k]
            rows[bins[k]][_S["sentences"]] += 1
    else:
        rows[0][_S["sentences"]] = len(doc.sentences)
    _slot_stats(doc, lexicon, slots_scored, settings, rows, tok_bin)
    _text_stats(doc, lexicon, settings, rows, tok_bin)
    return rows


def _slot_stats(doc, lexicon, slots_scored, settings, rows, tok_bin) -> None:  # type: ignore[no-untyped-def]
    toks = doc.tokens
    clip = settings.gain_clip
    for x in slots_scored:
        s = x.slot
        row = rows[tok_bin[s.first]]
        row[_S["slots"]] += 1
        row[_S["psum"]] += p_spun(s, x.keep, x.cands, settings.psum_tuning, x.mid_sentence_capital)
        if s.n_words != 1:
            continue
        best = max((sc + log_prior(c.prior) for sc, c in zip(x.cands, s.candidates) if is_scored(sc)), default=None)
        g = 0.0 if best is None else max(-clip, min(clip, best - x.keep))
        row[_S["slots1"]] += 1
        row[_S["gain_sum"]] += g
        row[_S["gain_gt0"]] += g > 0
        row[_S["gain_gt2"]] += g > 2
        row[_S["gain_gt4"]] += g > 4
        i = s.first
        w = toks[i].lower
        prev = toks[i - 1].lower if i > 0 and toks[i - 1].is_word and _adjacent(doc, i - 1, i) else ""
        nxt = toks[i + 1].lower if i + 1 < len(toks) and toks[i + 1].is_word and _adjacent(doc, i, i + 1) else ""
        if x.mid_sentence_capital or (prev and lexicon.bigram(prev, w)) or (nxt and lexicon.bigram(w, nxt)):
            continue
        for c in s.candidates[: settings.repair_candidates]:
            low = c.text.lower()
            if (prev and prev not in FUNCTION_WORDS and lexicon.bigram(prev, low)) or (
                nxt and nxt not in FUNCTION_WORDS and lexicon.bigram(low, nxt)
            ):
                row[_S["repair"]] += 1
                break


@cache
def _lemma_of(word: str) -> str:
    return morph.canonical_word(word)


def _text_stats(doc, lexicon, settings, rows, tok_bin) -> None:  # type: ignore[no-untyped-def]
    """Collocations, morphology, frequency and genre: statistics that need no candidates."""
    toks = doc.tokens
    total_uni = float(max(1, lexicon.total_unigrams))
    total_bi = float(max(1, lexicon.total_bigrams))
    unigram, bigram = lexicon.unigram, lexicon.bigram
    rare = settings.rare_logf
    for k, t in enumerate(toks):
        row = rows[tok_bin[k]]
        if t.kind == "punct":
            row[_S["punct"]] += 1
            continue
        if not t.is_word:
            continue
        low = t.lower
        row[_S["words"]] += 1
        if t.text[:1].isupper():
            row[_S["capitals"]] += 1
        if low in FUNCTION_WORDS:
            row[_S["func"]] += 1
            row[_S["func_logf_sum"]] += math.log(unigram(low) + 100.0)
        elif t.text.islower():
            lf = math.log(unigram(low) + 100.0)
            row[_S["content"]] += 1
            row[_S["content_logf_sum"]] += lf
            row[_S["rare_content"]] += lf < rare
            lemma = _lemma_of(low)
            if lemma != low:
                d = lf - math.log(unigram(lemma) + 100.0)
                row[_S["infl"]] += 1
                row[_S["infl_sum"]] += d
                row[_S["rare_infl"]] += d < -2.0
        if k + 1 < len(toks) and toks[k + 1].is_word:
            nl = toks[k + 1].lower
            if low in FUNCTION_WORDS and nl in FUNCTION_WORDS:
                row[_S["func_pairs"]] += 1
                row[_S["func_hits"]] += bigram(low, nl) > 0
            if _adjacent(doc, k, k + 1):
                ua, ub = unigram(low), unigram(nl)
                if ua and ub:
                    expected = ua / total_uni * ub / total_uni * total_bi
                    row[_S["pmi_sum"]] += math.log((bigram(low, nl) + 1.0) / (expected + 1.0))
                    row[_S["pmi_n"]] += 1


def features_from_stats(stats: Sequence[float]) -> dict[str, float]:
    """:data:`FEATURES` from a row of :data:`STATS` (an empty denominator counts as 1).

    >>> f = features_from_stats([100.0 if s == "words" else 5.0 for s in STATS])
    >>> f["gain_gt0"], round(f["sent_len"], 3)
    (0.05, 2.996)
    """
    out = {}
    for name, (num, den) in _RATIOS.items():
        v = stats[_S[num]] / max(1.0, stats[_S[den]])
        out[name] = math.log(max(v, 1.0)) if name == "sent_len" else v
    return out


def document_features(doc: Document, lexicon: Lexicon, slots_scored: Sequence) -> dict[str, float]:
    """The :data:`FEATURES` of one document under the shipped model's settings."""
    settings = load_screen_model().settings
    return features_from_stats(stretch_stats(doc, lexicon, slots_scored, settings)[0])


def fast_document_score(doc: Document, lexicon: Lexicon, slots_scored: Sequence) -> float:
    """P(spun) of a whole document from the fast pipeline's scored slots, rounded to 4 places.

    Calibrated over registers and lengths (see the module docstring): ``unspin.scoring``
    turns it into the fast-mode risk level. Deterministic; 0.0 for a text without words.
    """
    return fast_document_standing(doc, lexicon, slots_scored)[0]


def fast_document_standing(doc: Document, lexicon: Lexicon, slots_scored: Sequence) -> tuple[float, float]:
    """(:func:`fast_document_score`, the document's p-value against clean text of its length).

    The p-value (:meth:`Calibration.clean_tail`, 3 significant digits) is the figure that
    ranks documents whose P(spun) is tiny; 1.0 for a text without words.
    """
    model = load_screen_model()
    stats = stretch_stats(doc, lexicon, slots_scored, model.settings)[0]
    words = int(stats[_S["words"]])
    if words == 0:
        return 0.0, 1.0
    p_spun, tail = model.standing(features_from_stats(stats), words)
    return round(p_spun, 4), float(f"{tail:.3g}")


def _floats(body: Mapping[str, object], key: str, n: int | None = None) -> tuple[float, ...]:
    vals = tuple(float(v) for v in body[key])  # type: ignore[union-attr]
    if n is not None and len(vals) != n:
        raise ValueError(f"{key} has {len(vals)} values, expected {n}")
    return vals


def parse_screen_model(raw: Mapping[str, object], source: str = SCREEN_FILE) -> ScreenModel:
    """Validate a decoded model file; a DataError says in one line what is wrong."""
    from ..datafiles import check_header, json_header

    check_header(json_header(raw, source, FIX), SCREEN_KIND, SCREEN_FORMAT, SCREEN_VERSION, FIX,
                 required=PROVENANCE_KEYS)
    try:
        feats = tuple(str(f) for f in raw["features"])  # type: ignore[union-attr]
        if feats != FEATURES:
            raise ValueError(f"features {list(feats)} differ from the ones this unspin computes {list(FEATURES)}")
        n = len(feats)
        mean, scale, weights = _floats(raw, "mean", n), _floats(raw, "scale", n), _floats(raw, "weights", n_inputs(n))
        if any(not s > 0 for s in scale):
            raise ValueError("a non-positive scale")
        cal = raw["calibration"]
        calibration = Calibration(*(float(cal[k]) for k in CAL_KEYS))  # type: ignore[index]
        if min(calibration.tau0, calibration.tau1) <= 0 or min(calibration.s0, calibration.s1) < 0:
            raise ValueError("calibration: tau must be positive and s non-negative")
        st = raw["settings"]
        settings = FeatureSettings(float(st["gain_clip"]), float(st["rare_logf"]), int(st["repair_candidates"]),  # type: ignore[index]
                                   Tuning(**st["psum_tuning"]))  # type: ignore[index]
        bias = float(raw["bias"])  # type: ignore[arg-type]
        values = (*mean, *scale, *weights, bias, *(getattr(calibration, k) for k in CAL_KEYS))
        if not all(math.isfinite(v) for v in values):
            raise ValueError("a value is not finite")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{source} is not a valid screen model ({exc}); {FIX}") from None
    header = {k: v for k, v in raw.items() if not isinstance(v, (list, dict))}
    return ScreenModel(SCREEN_VERSION, feats, mean, scale, weights, bias, calibration, settings, header)


def read_screen_model(path: Path | str) -> ScreenModel:
    """Read and validate a screen model file (uncached)."""
    from ..datafiles import read_json

    path = Path(path)
    return parse_screen_model(read_json(path, str(path), FIX)[1], str(path))


@cache
def load_screen_model() -> ScreenModel:
    """The shipped screen model (read once per process)."""
    from ..datafiles import path

    return read_screen_model(path(SCREEN_FILE))


def model_document(model: ScreenModel) -> dict[str, object]:
    """The model file's JSON document: the inverse of :func:`parse_screen_model`.

    Values are rounded to 6 places; the header's provenance fields (``model.header`` less
    magic, format, version) come first, in their order. The shipped file is exactly
    ``json.dumps(model_document(load_screen_model()), indent=1) + "\\n"`` (a test holds it).
    """
    def six(v: float) -> float:
        return round(float(v), 6)

    cal, st = model.calibration, model.settings
    return {
        "magic": "unspin-" + SCREEN_KIND,
        "format": SCREEN_FORMAT,
        "version": SCREEN_VERSION,
        **{k: v for k, v in model.header.items() if k not in ("magic", "format", "version", "bias")},
        "mean": [six(v) for v in model.mean],
        "scale": [six(v) for v in model.scale],
        "weights": [six(v) for v in model.weights],
        "bias": six(model.bias),
        "features": list(model.features),
        # the order of screen.v2.json (the parser reads by name)
        "calibration": {k: six(getattr(cal, k)) for k in (*CAL_KEYS[:6], "prior_slope", "prior")},
        "settings": {
            "gain_clip": st.gain_clip,
            "rare_logf": six(st.rare_logf),
            "repair_candidates": st.repair_candidates,
            "psum_tuning": dataclasses.asdict(st.psum_tuning),
        },
    }


def write_screen_model(model: ScreenModel, path: Path | str) -> None:
    """Write ``model`` as a model file (checked by parsing it back first)."""
    doc = model_document(model)
    parse_screen_model(doc, str(path))
    Path(path).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


# -- fit: the parts that need no benchmark data (scripts/fit_screen.py calls them) ---------------


def feature_matrix(stats: Sequence[Sequence[float]]) -> np.ndarray:
    """:data:`FEATURES` of many stretches (rows of :data:`STATS`), one row each."""
    return np.array([[features_from_stats(s)[f] for f in FEATURES] for s in stats])


def fit_logistic(x: np.ndarray, y: np.ndarray, sw: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Newton's method on the weighted, L2-penalised log-loss (bias unpenalised); ``x`` standardised."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    pen = np.r_[np.full(x.shape[1], l2), 0.0]
    sw = sw / sw.sum()
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ ((p - y) * sw) + pen * w
        hess = (xb * (p * (1 - p) * sw)[:, None]).T @ xb + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w[:-1], float(w[-1])


@dataclass(frozen=True)
class Discriminant:
    """The fitted discriminant, before calibration: standardisation and weights over :func:`expand`."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def values(self, stats: Sequence[Sequence[float]]) -> np.ndarray:
        """``d`` of many stretches at once (rows of :data:`STATS`)."""
        z = np.clip((feature_matrix(stats) - self.mean) / self.scale, -Z_CLIP, Z_CLIP)
        return expand_matrix(z) @ self.weights + self.bias


def fit_discriminant(stats: Sequence[Sequence[float]], y: np.ndarray, sw: np.ndarray, l2: float) -> Discriminant:
    """The L2 logistic discriminant over :data:`FEATURES` and their products (spun = 1, clean = 0,
    weights ``sw``), with both standardisations folded into the weights."""
    x = feature_matrix(stats)
    mu_x, sd_x = x.mean(0), x.std(0) + 1e-9
    e = expand_matrix(np.clip((x - mu_x) / sd_x, -Z_CLIP, Z_CLIP))
    mu_e, sd_e = e.mean(0), e.std(0) + 1e-9
    w, b = fit_logistic((e - mu_e) / sd_e, y, sw, l2)
    w, b = w / sd_e, float(b - np.sum(w * mu_e / sd_e))  # fold the second standardisation in
    return Discriminant(mu_x, sd_x, w, b)


def variance_model(ns: Sequence[float], ds: Sequence[np.ndarray]) -> tuple[float, float, float]:
    """(mu, tau, s) with d ~ N(mu, tau^2 + s^2/n), from discriminants grouped by length ``ns``
    (least squares on the per-length variances around the median of the per-length means).

    >>> mu, tau, s = variance_model([100.0, 10000.0], [np.array([-1.0, 1.0]), np.array([-0.5, 0.5])])
    >>> mu, round(tau, 3), round(s, 2)
    (0.0, 0.492, 8.7)
    """
    mu = float(np.median([np.mean(d) for d in ds]))
    a = np.array([[1.0, 1.0 / n] for n in ns])
    v = np.array([np.mean((d - mu) ** 2) for d in ds])
    coef, *_ = np.linalg.lstsq(a, v, rcond=None)
    tau2, s2 = max(coef[0], 1e-4), max(coef[1], 0.0)
    return mu, math.sqrt(tau2), math.sqrt(s2)
