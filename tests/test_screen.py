"""Fast mode's document score: calibrated verdicts across registers and lengths, model file checks.

Texts come from the TEST splits (``benchmarks/corpora``, ``benchmarks/registers``); the model
was fitted on the dev splits only. Spun texts use the dev spinner profiles.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin import Config
from unspin.api import check
from unspin.bench.corpus import default_corpus_path, load_corpus, repo_root
from unspin.engine.pipeline import score
from unspin.engine.screen import (
    FEATURES,
    SCREEN_FILE,
    SCREEN_FORMAT,
    SCREEN_VERSION,
    STATS,
    Calibration,
    fast_document_score,
    features_from_stats,
    fit_discriminant,
    load_screen_model,
    model_document,
    parse_screen_model,
    read_screen_model,
    stretch_stats,
    write_screen_model,
)
from unspin.errors import DataError
from unspin.lexicon import load_lexicon
from unspin.spinner import spin
from unspin.text import tokenize

FLAGGED = ("suspicious", "high")
REGISTERS = {
    "news": lambda d: d.source == "brown" and d.category[:1] in "abc",
    "scientific": lambda d: d.source == "brown" and d.category[:1] == "j",
    "encyclopedic": lambda d: d.category == "encyclopedic",
    "technical": lambda d: d.category == "technical",
}


@pytest.fixture(scope="module")
def test_docs():
    docs = list(load_corpus(default_corpus_path("test")))
    docs += list(load_corpus(repo_root() / "benchmarks" / "registers" / "test.jsonl.gz"))
    return docs


def _words(text: str) -> int:
    return len(text.split())


def _paragraphs(docs, register: str, n: int, lo: int = 100, hi: int = 220) -> list[str]:
    """The first ``n`` stretches of ``lo``-``hi`` words (whole sentences) of a register's documents."""
    out = []
    for d in docs:
        if not REGISTERS[register](d):
            continue
        sentences = re.split(r"(?<=[.!?])\s+", d.text.replace("\n\n", " "))
        cur: list[str] = []
        for s in sentences:
            cur.append(s)
            if _words(" ".join(cur)) >= lo:
                text = " ".join(cur)
                if _words(text) <= hi:
                    out.append(text)
                break
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("register", list(REGISTERS))
def test_clean_paragraphs_of_every_register_are_not_flagged(test_docs, register):
    paragraphs = _paragraphs(test_docs, register, 8)
    assert len(paragraphs) == 8
    risks = [check(p, Config(mode="fast")).risk for p in paragraphs]
    assert all(r in ("clean", "low") for r in risks), risks


def _short_texts(test_docs) -> list[str]:
    # ~150-word stretches of news and scientific prose: the hard short case
    return _paragraphs(test_docs, "news", 4, 130, 220) + _paragraphs(test_docs, "scientific", 4, 130, 220)


def _long_text(test_docs, words: int = 3000) -> str:
    text, i = "", 0
    news = [d for d in test_docs if REGISTERS["news"](d)]
    while _words(text) < words:
        text += news[i].text + "\n\n"
        i += 1
    return text


@pytest.mark.parametrize("profile", ["pps", "synonymizer"])
def test_spun_texts_score_above_their_clean_originals(test_docs, profile):
    texts = _short_texts(test_docs)
    spun_texts = [spin(t, profile=profile, rate=0.2, seed=i).spun for i, t in enumerate(texts)]
    clean = [check(t, Config(mode="fast")).score for t in texts]
    spun = [check(t, Config(mode="fast")).score for t in spun_texts]
    assert sum(spun) > sum(clean)
    # Short texts score near 0 either way (rounded to 4 places, so often tied): compare the evidence.
    d_clean = [_discriminant(t) for t in texts]
    d_spun = [_discriminant(t) for t in spun_texts]
    assert sum(s > c for s, c in zip(d_spun, d_clean)) >= 6, (d_spun, d_clean)
    long = _long_text(test_docs)  # long texts score ~0 when clean: compare the model's evidence
    assert _discriminant(spin(long, profile=profile, rate=0.15, seed=3).spun) > _discriminant(long) + 0.5


def _discriminant(text: str) -> float:
    doc, slots = _stats_and_slots(text)
    model = load_screen_model()
    return model.discriminant(features_from_stats(stretch_stats(doc, load_lexicon(), slots, model.settings)[0]))


# Known misses (BENCHMARKS: fast-mode verdicts): the fast features cannot tell a 150-word spun
# paragraph from clean text of another register at <= 1% false alarms, nor pps at 3,000 words.
@pytest.mark.xfail(strict=True, reason="fast mode misses the 95% detection target on short texts")
@pytest.mark.parametrize("profile", ["pps", "synonymizer"])
def test_spun_short_texts_are_flagged(test_docs, profile):
    risks = [check(spin(t, profile=profile, rate=0.15 + 0.05 * (i % 2), seed=i).spun, Config(mode="fast")).risk
             for i, t in enumerate(_short_texts(test_docs))]
    assert sum(r in FLAGGED for r in risks) >= 6, risks


@pytest.mark.xfail(strict=True, reason="fast mode misses the 95% detection target on pps at 3,000 words")
def test_spun_long_pps_text_is_flagged(test_docs):
    report = check(spin(_long_text(test_docs), profile="pps", rate=0.15, seed=3).spun, Config(mode="fast"))
    assert report.risk in FLAGGED


@pytest.mark.large
def test_a_70000_word_clean_document_is_not_flagged(test_docs):
    # every register in turn, as one long document (a book-sized mixed file)
    pools = [[d.text for d in test_docs if REGISTERS[r](d)] for r in REGISTERS]
    parts, k, words = [], 0, 0
    while words < 70_000:
        pool = pools[k % len(pools)]
        text = pool[(k // len(pools)) % len(pool)]
        parts.append(text)
        words += _words(text)
        k += 1
    report = check("\n\n".join(parts), Config(mode="fast"))
    assert report.words >= 68_000
    assert report.risk in ("clean", "low"), report.score


def _stats_and_slots(text: str):
    scored = score(text, Config(mode="fast"))
    return scored.doc, [x for seg in scored.segments for x in seg]


def test_sentence_statistics_add_up_to_the_document(test_docs):
    doc, slots = _stats_and_slots(test_docs[7].text)
    settings_ = load_screen_model().settings
    whole = stretch_stats(doc, load_lexicon(), slots, settings_)[0]
    rows = stretch_stats(doc, load_lexicon(), slots, settings_, list(range(len(doc.sentences))))
    assert len(rows) == len(doc.sentences) and len(whole) == len(STATS)
    for k in range(len(STATS)):
        assert math.isclose(sum(r[k] for r in rows), whole[k], rel_tol=1e-9, abs_tol=1e-9)
    assert whole[STATS.index("words")] == doc.word_count


def test_features_are_complete_and_finite(test_docs):
    doc, slots = _stats_and_slots(test_docs[5].text)
    feats = features_from_stats(stretch_stats(doc, load_lexicon(), slots, load_screen_model().settings)[0])
    assert tuple(feats) == FEATURES
    assert all(math.isfinite(v) for v in feats.values())


def test_score_is_a_deterministic_probability(test_docs):
    text = test_docs[3].text
    doc, slots = _stats_and_slots(text)
    s = fast_document_score(doc, load_lexicon(), slots)
    assert 0.0 <= s <= 1.0
    assert s == fast_document_score(doc, load_lexicon(), slots)
    # the report of a fast check carries this score (the screening model's, not the findings')
    assert check(text, Config(mode="fast")).score == round(s, 4)


@pytest.mark.parametrize("text", ["and", "1 2 3. 42, 7 and 9!", "of the and to", "Zyxq blorf quux.", "Hello world."])
def test_tiny_texts_are_never_flagged(text):
    # extreme rates of a few words must not be extrapolated by the quadratic model
    report = check(text, Config(mode="fast"))
    assert report.risk in ("clean", "low") and report.score < 0.3


def test_empty_document_scores_zero():
    assert fast_document_score(tokenize("123 ... !"), load_lexicon(), []) == 0.0
    assert check("", Config(mode="fast")).score == 0.0


_cal = Calibration(mu0=-2.0, tau0=0.8, s0=12.0, mu1=2.5, tau1=1.5, s1=15.0, prior=-1.0)


@settings(max_examples=200, deadline=None)
@given(st.floats(-30, 30), st.floats(0.01, 10), st.integers(1, 500_000))
def test_calibration_is_monotone_in_the_evidence(d, step, words):
    assert _cal.log_odds(d + step, words) >= _cal.log_odds(d, words) - 1e-9


def test_length_sharpens_the_verdict():
    # the same discriminant value is weaker evidence in a 100-word paragraph than in a book,
    # for spun-looking and for clean-looking values alike
    assert _cal.log_odds(3.0, 70_000) > _cal.log_odds(3.0, 100) > 0 > _cal.log_odds(-2.0, 100) > _cal.log_odds(-2.0, 70_000)


# ---- the model file ----------------------------------------------------------------------

def _shipped() -> dict:
    from unspin.datafiles import path

    return json.loads(path(SCREEN_FILE).read_text(encoding="utf-8"))


def test_shipped_model_loads_with_header_and_provenance():
    model = load_screen_model()
    assert model.version == SCREEN_VERSION and model.features == FEATURES
    for key in ("built", "script", "fitted_on", "split", "sources"):
        assert model.header[key]
    assert "dev" in str(model.header["split"]) and "contentfarm never used" in str(model.header["fitted_on"])
    assert model.calibration.tau0 > 0


@pytest.mark.parametrize(
    "change",
    [
        {"magic": "unspin-tuning"},
        {"format": SCREEN_FORMAT + 1},
        {"version": "screen.v1"},
        {"script": ""},
        {"features": list(FEATURES[:-1])},
        {"weights": [0.0]},
        {"scale": [0.0] * len(FEATURES)},
        {"bias": "x"},
        {"calibration": {"mu0": 0.0}},
        {"settings": {"gain_clip": 8}},
        {"mean": [float("nan")] * len(FEATURES)},
    ],
)
def test_bad_model_files_are_refused_in_one_line(tmp_path, change):
    bad = tmp_path / "screen.json"
    bad.write_text(json.dumps({**_shipped(), **change}), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_screen_model(bad)
    assert "\n" not in str(err.value) and "fit_screen" in str(err.value)


def test_unreadable_or_missing_model_file_is_refused(tmp_path):
    bad = tmp_path / "screen.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError):
        read_screen_model(bad)
    with pytest.raises(DataError):
        read_screen_model(tmp_path / "absent.json")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_shipped()), encoding="utf-8")
    assert read_screen_model(good).bias == load_screen_model().bias
    assert parse_screen_model(_shipped()).weights == load_screen_model().weights


def test_the_writer_is_the_parser_inverse_and_gives_the_shipped_file_back(tmp_path):
    from unspin.datafiles import path

    shipped = path(SCREEN_FILE).read_text(encoding="utf-8")
    assert json.dumps(model_document(load_screen_model()), indent=1) + "\n" == shipped
    out = tmp_path / "screen.json"
    write_screen_model(load_screen_model(), out)
    assert out.read_text(encoding="utf-8") == shipped
    assert read_screen_model(out) == load_screen_model()


def test_fit_discriminant_separates_what_it_is_shown():
    import numpy as np

    rng = np.random.default_rng(0)
    rows, y = [], []
    for k in range(200):
        spun = k % 2
        row = [float(rng.integers(5, 50)) for _ in STATS]
        row[STATS.index("words")] = 300.0
        row[STATS.index("gain_gt2")] = float(rng.normal(30 if spun else 10, 5))  # spun text: more strong originals
        rows.append(row)
        y.append(float(spun))
    y_ = np.array(y)
    d = fit_discriminant(rows, y_, np.ones(len(rows)), 3e-3).values(rows)
    assert d[y_ == 1].min() > d[y_ == 0].max() - 1.0 and d[y_ == 1].mean() > d[y_ == 0].mean() + 2.0

