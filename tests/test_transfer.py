"""The transfer benchmark: third-party augmenters, real tortured phrases, the density sweep.

These spinners are for evaluation only; the tests check that what they make is a faithful,
exactly aligned record of what the third-party code did, at the density asked for.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from unspin.bench.corpus import default_corpus_path, first_words, load_corpus, sample
from unspin.bench.sweep import PPS_PHRASES, pps_phrase_documents, rate_for, spun_sets, sweep_table
from unspin.errors import ConfigError
from unspin.spinner import TRANSFER_PROFILES, get_profile, profile_names, spin
from unspin.spinner.transfer import _pps_pairs
from unspin.text import phrase_key, tokenize

AUGMENTERS = sorted(TRANSFER_PROFILES)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [first_words(d.text, 250) for d in sample(load_corpus(default_corpus_path("test")), 6)]


def _density(st) -> float:
    return sum(tokenize(e.original_text).word_count for e in st.edits) / tokenize(st.original).word_count


@pytest.mark.parametrize("name", AUGMENTERS)
@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_augmenter_gold_replays_and_hits_the_density(name: str, rate: float, texts: list[str]) -> None:
    for i, t in enumerate(texts):
        st = spin(t, profile=name, rate=rate, seed=i)
        assert st.restore_gold() == t
        assert st.profile == name
        # the share of all words replaced, within one word of the budget per text
        assert abs(_density(st) - rate) <= 2.0 / tokenize(t).word_count + 0.03, (name, rate, _density(st))
        for e in st.edits:
            assert e.spun_text.lower() != e.original_text.lower()
            assert st.spun[e.spun_start : e.spun_end] == e.spun_text


@pytest.mark.parametrize("name", AUGMENTERS)
def test_augmenter_is_deterministic_and_seeded(name: str, texts: list[str]) -> None:
    a = spin(texts[0], profile=name, rate=0.18, seed=3)
    assert spin(texts[0], profile=name, rate=0.18, seed=3) == a
    assert spin(texts[0], profile=name, rate=0.18, seed=4).spun != a.spun
    assert spin(texts[0], profile=name, rate=0.0, seed=3).spun == texts[0]


def test_eda_is_consistent_nlpaug_is_not_required_to_be(texts: list[str]) -> None:
    # EDA swaps every occurrence of a chosen word the same way (as its own code does)
    text = " ".join(texts)
    st = spin(text, profile="eda-wordnet", rate=0.3, seed=1)
    seen: dict[str, set[str]] = {}
    for e in st.edits:
        seen.setdefault(e.original_text, set()).add(e.spun_text)
    assert seen and all(len(v) == 1 for v in seen.values())


def test_transfer_profiles_are_listed_apart_and_never_the_default() -> None:
    assert set(profile_names()) == {"contentfarm", "pps", "synonymizer"}
    assert set(profile_names(transfer=True)) >= {"nlpaug-wordnet", "eda-wordnet"}
    assert {get_profile(n).role for n in AUGMENTERS} == {"transfer"}
    with pytest.raises(ConfigError, match="eda-wordnet"):
        get_profile("nope")


# Invented pairs in the list's format (the real list lives outside the repository, in shared/data).
PAIRS = [("joined together states", "united states"), ("fundamental", "essential"), ("autonomous", "independent"),
         ("get to", "access"), ("monetary emergency", "financial crisis"), ("in different words", "in other words"),
         ("discouragement", "depression"), ("uncommon", "rare"), ("financial advancement", "economic development")]


def test_pps_phrases_are_list_phrases_in_real_passages(tmp_path) -> None:
    path = tmp_path / "list.tsv"
    path.write_text("tortured\texpected\n" + "".join(f"{t}\t{e}\n" for t, e in PAIRS), encoding="utf-8")
    pairs = _pps_pairs(str(path))
    docs = pps_phrase_documents("test", 4, 250, phrase_list=str(path))
    assert len(docs) == 4  # 9 phrases, each used at most 3 times: 27 passages of 2-3 sentences
    for st in docs:
        assert st.restore_gold() == st.original
        assert tokenize(st.original).word_count >= 250
        assert st.edits
        for e in st.edits:
            exp = phrase_key(e.original_text)
            assert exp in pairs
            assert e.spun_text.lower() in {v.lower() for v in pairs[exp]}
        # one phrase per two or three sentences
        n_sent = len(tokenize(st.spun).sentences)
        assert n_sent >= 2 * len(st.edits) - 1


def test_rate_for_reaches_the_density_on_own_profiles(texts: list[str]) -> None:
    for p in ("pps", "synonymizer", "contentfarm"):
        r = rate_for(p, 0.10, texts)
        spun = [spin(t, profile=p, rate=r, seed=i) for i, t in enumerate(texts)]
        got = sum(sum(tokenize(e.original_text).word_count for e in st.edits) for st in spun) / sum(
            tokenize(t).word_count for t in texts)
        assert 0.06 <= got <= 0.14, (p, r, got)


def test_spun_sets_cover_every_profile_and_density(texts: list[str]) -> None:
    sets = spun_sets(["contentfarm", "eda-wordnet", PPS_PHRASES], [0.0, 0.05, 0.3], texts[:2], split="test")
    assert ("clean", 0.0) in sets and (PPS_PHRASES, -1.0) in sets
    assert all(st.spun == st.original for st in sets[("clean", 0.0)])
    for p in ("contentfarm", "eda-wordnet"):
        low = sum(len(st.edits) for st in sets[(p, 0.05)])
        high = sum(len(st.edits) for st in sets[(p, 0.3)])
        assert 0 < low < high


@pytest.mark.slow
def test_sweep_cli_reports_every_set(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "unspin", "bench", "--sweep", "--docs", "2", "--words", "80", "--density", "0",
         "--density", "0.3", "-p", "eda-wordnet", "-p", "contentfarm", "--json"],
        capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    keys = {(r["profile"], r["density"]) for r in res["rows"]}
    assert keys == {("clean", 0.0), ("eda-wordnet", 0.3), ("contentfarm", 0.3)}
    for r in res["rows"]:
        assert r["docs"] == 2 and r["mode"] == "fast"
        if r["profile"] != "clean":
            assert r["gold"] > 0 and 0.2 <= r["achieved"] <= 0.4
    assert "eda-wordnet" in sweep_table(res["rows"])


def test_sweep_refuses_bad_settings() -> None:
    from unspin.bench.sweep import run_sweep

    with pytest.raises(ConfigError, match="density"):
        run_sweep(["contentfarm"], densities=[1.5], docs=1)
    with pytest.raises(ConfigError, match="docs"):
        run_sweep(["contentfarm"], docs=0)
    with pytest.raises(ConfigError, match="mode"):
        run_sweep(["contentfarm"], modes=["turbo"], docs=1)


def test_committed_transfer_caches_are_evaluation_only() -> None:
    """The deep caches of the transfer sets are test split and never readable as training data."""
    from pathlib import Path

    caches = sorted(Path(__file__).resolve().parents[1].glob("benchmarks/cache/deep-transfer-*.jsonl.gz"))
    assert caches, "the transfer benchmark's deep caches are committed"
    for c in caches:
        with gzip.open(c, "rt", encoding="utf-8") as fh:
            head = json.loads(fh.readline())
        assert head["magic"] == "unspin-decision-cache" and head["split"] == "test"
