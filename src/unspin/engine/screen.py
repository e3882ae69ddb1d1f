"""Document-level spin screening for fast mode: one number per document, no neural model.

A spinner swaps a few percent of a text's content words for thesaurus synonyms. Each swap is
weak evidence on its own (spun words are mostly fluent English), so the screen pools it into
a handful of *document features*, each a rate or mean per word, and a small logistic model
(weights in ``data/screen.v1.json``, fitted on the dev spinner profile and dev split by
``scripts/fit_screen.py``) maps them to a score in [0, 1]:

- ``gain_mean``, ``gain_gt0``, ``gain_gt2``, ``top20``: how much better the fast scorer
  likes the best candidate original than the word itself (log-odds, channel prior included),
  averaged, as rates above 0 and 2 per word, and over the 20 strongest slots;
- ``psum``: summed posterior P(spun) per word under the default fast decision settings;
- ``repair``: words that form no known bigram with their neighbours while a candidate does;
- ``pmi``: mean association of adjacent word pairs (spinning breaks collocations);
- ``infl_logf``, ``rare_infl``: inflected words whose surface form is rare next to their lemma
  (spinners re-inflect synonyms: "morns", "exemptions");
- ``content_logf``, ``rare_content``: mean log frequency of lower-case content words and the
  share below a million occurrences (spun words are rarer than the words they replaced);
- genre covariates that spinning does not change (sentence length, punctuation, capitals,
  function words, slots per word), so the model can discount genre.

The score is a screening signal: texts scoring high deserve a closer look (deep mode).

>>> features_in_order = FEATURES[:3]
>>> features_in_order
('gain_mean', 'gain_gt0', 'gain_gt2')
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import DataError
from ..lexicon import Lexicon, morph
from ..text import Document
from .candidates import FUNCTION_WORDS
from .decode import Tuning, decide
from .ngram import NgramScorer

SCREEN_MAGIC = "unspin-screen"
SCREEN_FORMAT = 1
SCREEN_VERSION = "screen.v1"
SCREEN_FILE = "screen.v1.json"
FEATURES = (
    "gain_mean",
    "gain_gt0",
    "gain_gt2",
    "top20",
    "psum",
    "repair",
    "pmi",
    "sent_len",
    "punct",
    "func_logf",
    "capitals",
    "func_rate",
    "func_pairs",
    "slots_per_word",
    "infl_logf",
    "rare_infl",
    "content_logf",
    "rare_content",
)
# The "lite" model needs no candidate generation (no re-inflection): it reads the document
# and the lexicon directly, scoring only base-form words against their uninflected originals.
LITE_FEATURES = (
    "lite_gain_mean",
    "lite_gain_gt0",
    "lite_gain_gt2",
    "lite_top20",
    "pmi",
    "sent_len",
    "punct",
    "func_logf",
    "capitals",
    "func_rate",
    "func_pairs",
    "infl_logf",
    "rare_infl",
    "content_logf",
    "rare_content",
)
MODEL_FEATURES = {"fast": FEATURES, "lite": LITE_FEATURES}
LITE_CANDIDATES = 8
GAIN_CLIP = 8.0
RARE_LOGF = math.log(1e6)
# Fixed settings for the psum feature: the screen's weights must not move when the span
# decision defaults are retuned.
FEATURE_TUNING = Tuning(rho=0.12, lm_weight=1.0, prior_weight=1.0, name_penalty=2.5, multiword_bonus=0.0)


@dataclass(frozen=True)
class ScreenModel:
    """A logistic model over :data:`FEATURES` (standardised by ``mean``/``scale``)."""

    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    header: Mapping[str, object]

    def score(self, feats: Mapping[str, float]) -> float:
        """Probability-like score in [0, 1] for a feature mapping."""
        z = self.bias
        for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights):
            z += w * (feats[name] - m) / s
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


def _best_gain(x) -> float:
    best = -1e9
    for sc, c in zip(x.cands, x.slot.candidates):
        v = sc + math.log(max(c.prior, 1e-6))
        if v > best:
            best = v
    g = best - x.keep
    return max(-GAIN_CLIP, min(GAIN_CLIP, g))


def _adjacent(doc: Document, a: int, b: int) -> bool:
    return doc.text[doc.tokens[a].end : doc.tokens[b].start] == " "


def document_features(doc: Document, lexicon: Lexicon, slots_scored: Sequence) -> dict[str, float]:
    """The screening features of one document (see the module docstring).

    ``slots_scored`` are the pipeline's ScoredSlot objects (``slot``, ``keep``, ``cands``,
    ``mid_sentence_capital``) for the whole document, in any order.
    """
    toks = doc.tokens
    words = [t for t in toks if t.is_word]
    n_words = max(1, len(words))
    gains: list[float] = []
    psum = 0.0
    repair = 0
    for x in slots_scored:
        psum += decide(x.slot, x.keep, x.cands, FEATURE_TUNING, x.mid_sentence_capital).p_spun
        s = x.slot
        if s.n_words != 1:
            continue
        gains.append(_best_gain(x))
        i = s.first
        w = toks[i].lower
        prev = toks[i - 1].lower if i > 0 and toks[i - 1].is_word and _adjacent(doc, i - 1, i) else ""
        nxt = toks[i + 1].lower if i + 1 < len(toks) and toks[i + 1].is_word and _adjacent(doc, i, i + 1) else ""
        if x.mid_sentence_capital or (prev and lexicon.bigram(prev, w)) or (nxt and lexicon.bigram(w, nxt)):
            continue
        for c in s.candidates[:8]:
            low = c.text.lower()
            if (prev and prev not in FUNCTION_WORDS and lexicon.bigram(prev, low)) or (
                nxt and nxt not in FUNCTION_WORDS and lexicon.bigram(low, nxt)
            ):
                repair += 1
                break
    out = _gain_features(gains, n_words, "")
    out["psum"] = psum / n_words
    out["repair"] = repair / n_words
    out["slots_per_word"] = len(gains) / n_words
    out.update(text_features(doc, lexicon))
    return out


def _gain_features(gains: list[float], n_words: int, prefix: str) -> dict[str, float]:
    gains = sorted(gains)
    top = gains[-20:]
    return {
        prefix + "gain_mean": sum(gains) / max(1, len(gains)),
        prefix + "gain_gt0": sum(1 for g in gains if g > 0) / n_words,
        prefix + "gain_gt2": sum(1 for g in gains if g > 2) / n_words,
        prefix + "top20": sum(top) / max(1, len(top)),
    }


def text_features(doc: Document, lexicon: Lexicon) -> dict[str, float]:
    """The features that need no candidates: collocations, morphology, frequency, genre."""
    toks = doc.tokens
    words = [t for t in toks if t.is_word]
    n_words = max(1, len(words))
    total_uni = float(max(1, lexicon.total_unigrams))
    total_bi = float(max(1, lexicon.total_bigrams))
    pmis: list[float] = []
    func_pairs = func_hits = 0
    for k in range(len(toks) - 1):
        a, b = toks[k], toks[k + 1]
        if not (a.is_word and b.is_word):
            continue
        la, lb = a.lower, b.lower
        if la in FUNCTION_WORDS and lb in FUNCTION_WORDS:
            func_pairs += 1
            func_hits += lexicon.bigram(la, lb) > 0
        if not _adjacent(doc, k, k + 1):
            continue
        ua, ub = lexicon.unigram(la), lexicon.unigram(lb)
        if ua and ub:
            expected = ua / total_uni * ub / total_uni * total_bi
            pmis.append(math.log((lexicon.bigram(la, lb) + 1.0) / (expected + 1.0)))
    func = [t for t in words if t.lower in FUNCTION_WORDS]
    content = [t.lower for t in words if t.lower not in FUNCTION_WORDS and t.text.islower()]
    n_content = max(1, len(content))
    content_logf = [math.log(lexicon.unigram(w) + 100.0) for w in content]
    infl: list[float] = []
    for w in content:
        lemma = morph.canonical_word(w)
        if lemma != w:
            infl.append(math.log(lexicon.unigram(w) + 100.0) - math.log(lexicon.unigram(lemma) + 100.0))
    func_logf = sum(math.log(lexicon.unigram(t.lower) + 100.0) for t in func) / max(1, len(func))
    return {
        "pmi": sum(pmis) / max(1, len(pmis)),
        "sent_len": math.log(n_words / max(1, len(doc.sentences))),
        "punct": sum(1 for t in toks if t.kind == "punct") / n_words,
        "func_logf": func_logf,
        "capitals": sum(1 for t in words if t.text[:1].isupper()) / n_words,
        "func_rate": len(func) / n_words,
        "func_pairs": func_hits / max(1, func_pairs),
        "infl_logf": sum(infl) / max(1, len(infl)),
        "rare_infl": sum(1 for d in infl if d < -2.0) / n_content,
        "content_logf": sum(content_logf) / n_content,
        "rare_content": sum(1 for v in content_logf if v < RARE_LOGF) / n_content,
    }


def lite_features(doc: Document, lexicon: Lexicon) -> dict[str, float]:
    """Features of the "lite" model: no candidate generation, no re-inflection.

    Every lower-case content word that is its own base form and has single-word originals in
    the lexicon is compared with its top originals (uninflected) by the fast scorer's
    association with the neighbouring words, channel prior included.
    """
    scorer = NgramScorer(lexicon)
    toks = doc.tokens
    n_words = max(1, sum(1 for t in toks if t.is_word))
    gains: list[float] = []
    for i, t in enumerate(toks):
        if not t.is_word or len(t.text) < 2 or not t.text.islower():
            continue
        w = t.lower
        if w in FUNCTION_WORDS:
            continue
        cands = _base_originals(lexicon, w)
        if not cands:
            continue
        prev = toks[i - 1].lower if i > 0 and toks[i - 1].is_word and _adjacent(doc, i - 1, i) else ""
        nxt = toks[i + 1].lower if i + 1 < len(toks) and toks[i + 1].is_word and _adjacent(doc, i, i + 1) else ""
        keep = scorer.association(prev, (w,), nxt)
        best = max(scorer.association(prev, (o,), nxt) + math.log(max(p, 1e-6)) for o, p in cands)
        gains.append(max(-GAIN_CLIP, min(GAIN_CLIP, best - keep)))
    out = _gain_features(gains, n_words, "lite_")
    out.update(text_features(doc, lexicon))
    return out


def _base_originals(lexicon: Lexicon, word: str) -> tuple[tuple[str, float], ...]:
    return _base_originals_cached(lexicon, word)


@lru_cache(maxsize=200_000)
def _base_originals_cached(lexicon: Lexicon, word: str) -> tuple[tuple[str, float], ...]:
    if morph.canonical_word(word) != word:
        return ()  # inflected: the lite model skips it (re-inflecting is what costs time)
    return tuple((o, p) for o, p in lexicon.originals(word)[:LITE_CANDIDATES] if " " not in o)


def fast_document_score(doc: Document, lexicon: Lexicon, slots_scored: Sequence) -> float:
    """Screening score in [0, 1] of a whole document from the fast pipeline's scored slots.

    Higher means more likely spun. Deterministic; 0.0 for a document without words. Meant
    for texts of a few hundred words or more: on short texts it is noisy.
    """
    if not any(t.is_word for t in doc.tokens):
        return 0.0
    return round(load_screen_model("fast").score(document_features(doc, lexicon, slots_scored)), 4)


def screen_document(doc: Document, lexicon: Lexicon) -> float:
    """Screening score in [0, 1] without the pipeline (the "lite" model; several times faster).

    For screening large volumes: it needs no candidate generation. Slightly weaker than
    :func:`fast_document_score`.
    """
    if not any(t.is_word for t in doc.tokens):
        return 0.0
    return round(load_screen_model("lite").score(lite_features(doc, lexicon)), 4)


def parse_screen_model(raw: Mapping[str, object], name: str = "fast", source: str = SCREEN_FILE) -> ScreenModel:
    """Validate a decoded weight file and return its model ``name``; DataError says what is wrong."""
    fix = "rebuild it with scripts/fit_screen.py or reinstall unspin"
    if not isinstance(raw, Mapping) or raw.get("magic") != SCREEN_MAGIC:
        raise DataError(f"{source} is not an unspin screen model (no magic {SCREEN_MAGIC!r}); {fix}")
    if raw.get("format") != SCREEN_FORMAT:
        raise DataError(f"{source} has format {raw.get('format')!r}, this unspin reads {SCREEN_FORMAT}; {fix}")
    if raw.get("version") != SCREEN_VERSION:
        raise DataError(f"{source} holds version {raw.get('version')!r}, expected {SCREEN_VERSION!r}; {fix}")
    if name not in MODEL_FEATURES:
        raise DataError(f"unknown screen model {name!r}; known: {', '.join(MODEL_FEATURES)}")
    models = raw.get("models")
    body = models.get(name) if isinstance(models, Mapping) else None
    if not isinstance(body, Mapping):
        raise DataError(f"{source} has no model {name!r}; {fix}")
    expected = MODEL_FEATURES[name]
    feats = tuple(body.get("features", ()))  # type: ignore[arg-type]
    if feats != expected:
        raise DataError(f"{source} model {name!r} lists features {list(feats)}, this unspin computes {list(expected)}; {fix}")
    try:
        mean = tuple(float(v) for v in body["mean"])  # type: ignore[union-attr]
        scale = tuple(float(v) for v in body["scale"])  # type: ignore[union-attr]
        weights = tuple(float(v) for v in body["weights"])  # type: ignore[union-attr]
        bias = float(body["bias"])  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{source} model {name!r} lacks a valid mean/scale/weights/bias ({exc}); {fix}") from None
    if not (len(mean) == len(scale) == len(weights) == len(expected)) or any(v <= 0 for v in scale):
        raise DataError(f"{source} model {name!r} has {len(weights)} weights for {len(expected)} features "
                        f"or a non-positive scale; {fix}")
    header = {k: v for k, v in raw.items() if k != "models"}
    header.update({k: v for k, v in body.items() if k not in ("features", "mean", "scale", "weights", "bias")})
    return ScreenModel(SCREEN_VERSION, feats, mean, scale, weights, bias, header)


def read_screen_model(path: Path | str, name: str = "fast") -> ScreenModel:
    """Read and validate a screen weight file (uncached)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"screen model {path} is missing; reinstall unspin or run scripts/fit_screen.py") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"screen model {path} is unreadable ({exc}); rebuild it with scripts/fit_screen.py") from None
    return parse_screen_model(raw, name, str(path))


@cache
def load_screen_model(name: str = "fast") -> ScreenModel:
    """A shipped screen model, "fast" or "lite" (read once per process)."""
    from ..datafiles import path

    return read_screen_model(path(SCREEN_FILE), name)
