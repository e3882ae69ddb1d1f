"""The fast-mode document screen: range, separation on dev documents, weight-file checks."""

from __future__ import annotations

import json

import pytest

from unspin import Config
from unspin.bench.corpus import default_corpus_path, load_corpus, sample
from unspin.bench.metrics import roc_auc
from unspin.engine.pipeline import score
from unspin.engine.screen import (
    FEATURES,
    LITE_FEATURES,
    SCREEN_FORMAT,
    SCREEN_MAGIC,
    SCREEN_VERSION,
    document_features,
    fast_document_score,
    lite_features,
    load_screen_model,
    parse_screen_model,
    read_screen_model,
    screen_document,
)
from unspin.errors import DataError
from unspin.lexicon import load_lexicon
from unspin.spinner import spin
from unspin.text import tokenize


def _screen(text: str) -> float:
    scored = score(text, Config(mode="fast"))
    slots = [x for seg in scored.segments for x in seg]
    return fast_document_score(scored.doc, load_lexicon(), slots)


def _lite(text: str) -> float:
    return screen_document(tokenize(text), load_lexicon())


@pytest.fixture(scope="module")
def dev_texts() -> list[tuple[str, str]]:
    """(spun, clean) for 12 dev documents of >= 300 words, dev spinner profile only."""
    docs = [d for d in sample(load_corpus(default_corpus_path("dev")), 40) if tokenize(d.text).word_count >= 300]
    return [(spin(d.text, profile="pps", rate=0.3, seed=i).spun, d.text) for i, d in enumerate(docs[:12])]


@pytest.fixture(scope="module")
def dev_pairs(dev_texts) -> list[tuple[float, float]]:
    return [(_screen(spun), _screen(clean)) for spun, clean in dev_texts]


def test_lite_screen_separates_too(dev_texts):
    pairs = [(_lite(spun), _lite(clean)) for spun, clean in dev_texts]
    assert all(0.0 <= s <= 1.0 for pair in pairs for s in pair)
    assert roc_auc([p for p, _ in pairs], [c for _, c in pairs]) >= 0.7
    assert set(lite_features(tokenize(dev_texts[0][1]), load_lexicon())) == set(LITE_FEATURES)


def test_scores_lie_in_unit_interval(dev_pairs):
    assert all(0.0 <= s <= 1.0 for pair in dev_pairs for s in pair)


def test_spun_documents_score_higher_than_clean_ones(dev_pairs):
    auc = roc_auc([p for p, _ in dev_pairs], [c for _, c in dev_pairs])
    assert auc is not None and auc >= 0.75
    # and the spun version beats its own original in most pairs
    assert sum(p > c for p, c in dev_pairs) >= 0.75 * len(dev_pairs)


def test_score_is_deterministic():
    text = load_corpus(default_corpus_path("dev"))[3].text
    assert _screen(text) == _screen(text)


def test_empty_document_scores_zero():
    assert fast_document_score(tokenize("123 ... !"), load_lexicon(), []) == 0.0
    assert screen_document(tokenize(""), load_lexicon()) == 0.0


def test_features_are_complete_and_finite():
    text = load_corpus(default_corpus_path("dev"))[5].text
    scored = score(text, Config(mode="fast"))
    feats = document_features(scored.doc, load_lexicon(), [x for seg in scored.segments for x in seg])
    assert set(feats) == set(FEATURES)
    assert all(v == v and abs(v) < 1e6 for v in feats.values())


def _body(features=FEATURES) -> dict:
    n = len(features)
    return {"features": list(features), "mean": [0.0] * n, "scale": [1.0] * n, "weights": [0.0] * n, "bias": 0.0}


def _valid(**body_changes) -> dict:
    return {"magic": SCREEN_MAGIC, "format": SCREEN_FORMAT, "version": SCREEN_VERSION,
            "models": {"fast": {**_body(), **body_changes}, "lite": _body(LITE_FEATURES)}}


def test_shipped_weights_load_with_header():
    model = load_screen_model()
    assert model.version == SCREEN_VERSION
    assert model.features == FEATURES
    assert "fitted_on" in model.header and "pps" in str(model.header["fitted_on"])
    assert load_screen_model("lite").features == LITE_FEATURES
    assert parse_screen_model(_valid()).score({k: 1.0 for k in FEATURES}) == 0.5
    with pytest.raises(DataError, match="known: fast, lite"):
        parse_screen_model(_valid(), "other")


@pytest.mark.parametrize(
    "change",
    [{"magic": "something-else"}, {"format": SCREEN_FORMAT + 1}, {"version": "screen.v0"}, {"models": {}}],
)
def test_bad_weight_file_headers_are_refused(change):
    with pytest.raises(DataError):
        parse_screen_model({**_valid(), **change})


@pytest.mark.parametrize(
    "change",
    [{"features": list(FEATURES[:-1])}, {"weights": [0.0]}, {"scale": [0.0] * len(FEATURES)}, {"bias": "x"}],
)
def test_bad_weight_file_bodies_are_refused(change):
    with pytest.raises(DataError):
        parse_screen_model(_valid(**change))


def test_unreadable_weight_file_is_refused(tmp_path):
    bad = tmp_path / "screen.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="fit_screen"):
        read_screen_model(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_valid()), encoding="utf-8")
    assert read_screen_model(good).bias == 0.0
    with pytest.raises(DataError, match="missing"):
        read_screen_model(tmp_path / "absent.json")
