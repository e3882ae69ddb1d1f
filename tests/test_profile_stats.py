"""The contentfarm profile against its specification, profile statistics, the funnel, the CLI."""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from unspin.bench.funnel import STAGES, FunnelCounts, funnel, funnel_one
from unspin.bench.profile_stats import ProfileStats, profile_stats, zipf
from unspin.config import Config
from unspin.spinner import PROFILES, spin
from unspin.spinner.contentfarm import FUNCTION_RULES, dictionary, number_words
from unspin.spinner.core import Swap, assemble

ROOT = Path(__file__).resolve().parent.parent
TEST_SPLIT = ROOT / "benchmarks" / "corpora" / "test.jsonl.gz"


def _test_docs(n: int) -> list[str]:
    with gzip.open(TEST_SPLIT, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line)["text"] for line in fh]
    return [docs[i * len(docs) // n] for i in range(n)]


@pytest.fixture(scope="module")
def contentfarm_stats() -> ProfileStats:
    return profile_stats([spin(t, profile="contentfarm", seed=0) for t in _test_docs(40)], "contentfarm")


# -- contentfarm meets its specification (measured on the test split, 40 documents) -----------


def test_contentfarm_rate_is_dense(contentfarm_stats: ProfileStats) -> None:
    assert PROFILES["contentfarm"].default_rate == 0.18
    assert 0.15 <= contentfarm_stats.swap_rate <= 0.20  # type: ignore[operator]


def test_contentfarm_replacements_as_common_as_originals(contentfarm_stats: ProfileStats) -> None:
    assert contentfarm_stats.zipf_pairs > 500
    assert abs(contentfarm_stats.zipf_gap) <= 0.5  # type: ignore[arg-type]


def test_contentfarm_multiword_function_words_consistency(contentfarm_stats: ProfileStats) -> None:
    s = contentfarm_stats
    assert 0.15 <= s.multiword_share <= 0.25  # type: ignore[operator]
    assert s.function_share >= 0.05  # type: ignore[operator]
    assert s.consistency_originals > 50 and s.consistency >= 0.97  # type: ignore[operator]
    assert s.repeat_share > 0.2  # type: ignore[operator]


def test_contentfarm_dictionary_is_frequency_matched_over_all_senses() -> None:
    d = dictionary()
    gaps = []
    for (lemma, _), (opts, _) in list(d.single.items())[::20]:
        zl, zo = zipf(lemma), zipf(opts[0])
        if zl is not None and zo is not None:
            gaps.append(zo - zl)
    assert len(gaps) > 500 and abs(statistics.median(gaps)) <= 0.5
    # any sense: a word's options span several of its WordNet senses ("interest" is not only "curiosity")
    assert len(d.single[("interest", "NOUN")][0]) >= 4
    assert any(" " in o for opts, _ in d.multi.values() for o in opts)
    assert d.collapse, "several words -> one"


def test_contentfarm_swaps_function_words_and_writes_numbers() -> None:
    text = ("According to the report, prices rose because of the storm, and 25 towns lost 2,000 homes. "
            "However, the town council acted quickly during the night with help from 12 volunteers. "
            "The meeting took place at noon.")
    seen: set[tuple[str, str]] = set()
    for seed in range(30):
        st = spin(text, profile="contentfarm", rate=1.0, seed=seed)
        assert st.restore_gold() == text
        seen |= {(e.original_text.lower(), e.spun_text.lower()) for e in st.edits}
    originals = {o for o, _ in seen}
    assert {"according to", "because of", "however", "during", "with"} <= originals
    assert ("25", "twenty-five") in seen and ("2,000", "2 thousand") in seen and ("12", "twelve") in seen
    assert all(s in FUNCTION_RULES[o] for o, s in seen if o in FUNCTION_RULES)
    assert any(len(s.split()) > len(o.split()) for o, s in seen) and any(len(s.split()) < len(o.split()) for o, s in seen)
    assert number_words(99) == "ninety-nine"


def test_contentfarm_consistent_within_and_across_documents_for_a_seed() -> None:
    text = "The doctors said the doctors were busy. Doctors said little. The doctor said nothing."
    for seed in range(10):
        st = spin(text, profile="contentfarm", rate=1.0, seed=seed)
        forms: dict[str, set[str]] = {}
        for e in st.edits:
            forms.setdefault(e.original_text.lower(), set()).add(e.spun_text.lower())
        assert all(len(v) == 1 for v in forms.values()), forms
    a = {(e.original_text, e.spun_text) for e in spin(text, profile="contentfarm", rate=1.0, seed=3).edits}
    b = {(e.original_text, e.spun_text) for e in spin(text + " Doctors agree.", profile="contentfarm", rate=1.0, seed=3).edits}
    assert a <= b  # the same dictionary in another document
    outs = {spin(text, profile="contentfarm", rate=1.0, seed=s).spun for s in range(8)}
    assert len(outs) > 2  # another seed, another dictionary


def test_contentfarm_keeps_names_and_acronyms() -> None:
    text = "Yesterday Margaret Thatcher told NASA engineers in London that the budget was important."
    for seed in range(15):
        st = spin(text, profile="contentfarm", rate=1.0, seed=seed)
        for kept in ("Margaret Thatcher", "NASA", "London"):
            assert kept in st.spun


# -- statistics computed right on a hand-made record -------------------------------------------


def test_profile_stats_on_known_record() -> None:
    original = "The cat sat because of the rain. The cat ran to the cat door."
    cats = [i for i in range(len(original)) if original.startswith("cat", i)]
    bec, ran = original.index("because of"), original.index("ran")
    swaps = [
        Swap(cats[0], cats[0] + 3, "feline"),
        Swap(bec, bec + 10, "due to"),  # multi-word, function words
        Swap(cats[1], cats[1] + 3, "feline"),  # cat again, the same way
        Swap(ran, ran + 3, "sprinted"),
        Swap(cats[2], cats[2] + 3, "kitty"),  # cat a third time, another way
    ]
    st = assemble(original, swaps, "hand", 1.0, 0)
    assert st.restore_gold() == original
    s = profile_stats([st], "hand", slots=False)
    assert [e.original_text for e in st.edits] == ["cat", "because of", "cat", "ran", "cat"]
    assert (s.docs, s.words, s.swaps) == (1, 14, 5)
    assert s.swap_rate == round(6 / 14, 4)
    assert s.multiword_share == 0.2 and s.function_share == 0.2
    assert s.consistency == 0.0 and s.consistency_originals == 1  # "cat" swapped two ways
    assert s.repeat_share == 0.4  # cat->feline twice
    assert s.off_slot_exact is None


# -- the funnel -----------------------------------------------------------------------------------


def test_funnel_known_counts_fast_mode() -> None:
    original = "He bought a house near a lake."
    # "bought" -> "purchased" (a slot whose candidates hold "bought"); "a" -> "the" (a lone
    # function word: never a slot).
    st = assemble(original, [Swap(3, 9, "purchased"), Swap(10, 11, "the")], "hand", 1.0, 0)
    f = funnel_one(st, Config(mode="fast"))
    assert (f.docs, f.gold) == (1, 2)
    assert f.slot == 1 and f.candidate == 1 and f.scored == 1
    assert f.preferred <= f.scored and f.restored_of_preferred <= f.preferred
    clean = funnel([assemble(original, [], "hand", 0.0, 0)], "fast")
    assert clean.gold == 0 and all(getattr(clean, s) == 0 for s in STAGES)
    assert clean.shares()["slot"] is None


def test_funnel_nested_on_real_profiles() -> None:
    docs = _test_docs(3)
    for name in sorted(PROFILES):
        f = funnel([spin(t, profile=name, seed=1) for t in docs], "fast")
        assert f.gold > 100 and f.docs == 3
        assert f.gold >= f.slot_overlap >= f.slot >= f.candidate >= f.scored >= f.preferred >= f.restored_of_preferred
        assert f.restored <= f.candidate
        total = FunnelCounts(name, "fast", 0, 0, 0, 0, 0, 0, 0, 0, 0) + f
        assert total == f


# -- CLI through the real entry point -------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "unspin", *args], capture_output=True, text=True, timeout=600)


def test_cli_bench_stats_and_funnel_json() -> None:
    out = _cli("bench", "--stats", "--funnel", "--docs", "2", "-p", "contentfarm", "-p", "pps", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["settings"]["rate"] == {"contentfarm": 0.18, "pps": PROFILES["pps"].default_rate}
    assert [s["profile"] for s in data["stats"]] == ["contentfarm", "pps"]
    assert 0.1 < data["stats"][0]["swap_rate"] < 0.3
    assert [f["profile"] for f in data["funnel"]] == ["contentfarm", "pps"]
    assert all(f["mode"] == "fast" and f["gold"] > 0 for f in data["funnel"])


def test_cli_bench_stats_text_and_errors() -> None:
    out = _cli("bench", "--stats", "--docs", "1", "-p", "synonymizer", "--rate", "0.3")
    assert out.returncode == 0, out.stderr
    assert "synonymizer" in out.stdout and "zipf gap" in out.stdout and "synonymizer=0.3" in out.stdout
    for args, msg in ((("--docs", "0"), "--docs"), (("-p", "nope"), "known: contentfarm"), (("--rate", "2"), "rate")):
        bad = _cli("bench", "--funnel", *args)
        assert bad.returncode == 2 and msg in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
