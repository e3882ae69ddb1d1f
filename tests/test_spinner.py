"""The spinners: exact gold alignment, determinism, rules, errors, CLI."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from unspin.errors import ConfigError, DataError, InputError
from unspin.spinner import HELD_OUT, PROFILES, SpunText, get_profile, profile_names, spin
from unspin.spinner.morph import readings
from unspin.spinner.tables import load_table, read_table
from unspin.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
TEST_SPLIT = ROOT / "benchmarks" / "corpora" / "test.jsonl.gz"
SAMPLE = (
    "Patients bought 3 apples because of the rain. According to the Chief Executive Officer, "
    "deep learning and artificial intelligence use big data today. Breast cancer and heart "
    "disease don't wait, NASA said. Daniel termed the results important, and he did not agree."
)


def _split_docs() -> list[str]:
    with gzip.open(TEST_SPLIT, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def _word_ratio(st: SpunText) -> float:
    changed = sum(tokenize(e.original_text).word_count for e in st.edits)
    return changed / tokenize(st.original).word_count


# -- the key "done when": gold alignment exact on the whole test split -------------------


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_gold_alignment_is_exact_on_whole_test_split(profile: str) -> None:
    docs = _split_docs()
    assert len(docs) > 1000
    total_edits = 0
    for i, text in enumerate(docs):
        st = spin(text, profile=profile, rate=0.3, seed=i % 7)
        assert st.restore_gold() == text, f"doc {i}"
        pos = 0
        for e in st.edits:
            assert st.spun[e.spun_start : e.spun_end] == e.spun_text
            assert e.spun_text != e.original_text
            assert e.spun_start >= pos
            pos = e.spun_end
        total_edits += len(st.edits)
    assert total_edits > 20 * len(docs)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_gold_alignment_exact_with_unicode_and_odd_spacing(profile: str) -> None:
    text = "Caf\u00e9 \U0001f600 patients\u2019 doctors  bought  e\u0301normous houses.\n\nThe doctors don\u2019t agree."
    for seed in range(20):
        st = spin(text, profile=profile, rate=1.0, seed=seed)
        assert st.restore_gold() == text
        assert SpunText.from_jsonl(st.to_jsonl()) == st


# -- behaviour -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_deterministic_per_seed(profile: str) -> None:
    a = spin(SAMPLE, profile=profile, rate=0.5, seed=3)
    b = spin(SAMPLE, profile=profile, rate=0.5, seed=3)
    assert a == b
    outputs = {spin(SAMPLE, profile=profile, rate=0.5, seed=s).spun for s in range(6)}
    assert len(outputs) > 1


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_rate_zero_changes_nothing(profile: str) -> None:
    st = spin(SAMPLE, profile=profile, rate=0.0, seed=1)
    assert st.spun == SAMPLE
    assert st.edits == ()


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_rate_one_changes_many_words(profile: str) -> None:
    text = _split_docs()[0]
    assert _word_ratio(spin(text, profile=profile, rate=1.0, seed=0)) > 0.25
    assert _word_ratio(spin(text, profile=profile, rate=0.1, seed=0)) < 0.15


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_capitalisation_and_inflection_kept(profile: str) -> None:
    text = "Patients bought new houses. Doctors examined the patients carefully."
    seen = 0
    for seed in range(30):
        st = spin(text, profile=profile, rate=1.0, seed=seed)
        for e in st.edits:
            if " " in e.spun_text or " " in e.original_text:
                continue
            if e.original_text[0].isupper():
                assert e.spun_text[0].isupper(), e
            if e.original_text in ("bought", "examined"):
                tags = {tag for _, _, tag in readings(e.spun_text.lower())}
                assert tags & {"VBD", "VBN"}, e
                seen += 1
            if e.original_text in ("Patients", "patients", "houses", "Doctors"):
                tags = {tag for _, _, tag in readings(e.spun_text.lower())}
                assert "NNS" in tags or not readings(e.spun_text.lower()), e
    assert seen > 0


def test_synonymizer_rules_fire() -> None:
    outs = [spin(SAMPLE, profile="synonymizer", rate=1.0, seed=s) for s in range(25)]
    rules = {(e.original_text.lower(), e.spun_text.lower()) for st in outs for e in st.edits}
    originals = {o for o, _ in rules}
    assert any(o == "because of" for o in originals), "connective rule"
    assert any(o == "according to" for o in originals)
    assert ("3", "three") in rules, "number written out"
    assert any(o == "don't" and s == "do not" for o, s in rules), "contraction expanded"
    assert ("did not", "didn't") in rules, "contraction formed"
    assert any(len(s.split()) > len(o.split()) for o, s in rules if o.isalpha()), "word -> phrase"
    for st in outs:
        assert "NASA" in st.spun, "acronyms are never touched"
        assert "Daniel" in st.spun, "mid-sentence names are kept"


def test_synonymizer_swaps_inside_title_case_names() -> None:
    text = "He met the Chief Executive Officer of the Grand Hotel yesterday."
    hits = 0
    for seed in range(30):
        st = spin(text, profile="synonymizer", rate=1.0, seed=seed)
        for e in st.edits:
            if e.original_text in ("Chief", "Executive", "Officer", "Grand", "Hotel"):
                assert e.spun_text[0].isupper()
                hits += 1
    assert hits > 0


def test_pps_scientific_register() -> None:
    text = "We trained a deep learning model on big data to detect breast cancer."
    spun = [spin(text, profile="pps", rate=1.0, seed=s).spun.lower() for s in range(20)]
    assert any("profound" in s for s in spun)
    assert any("bosom" in s for s in spun)


def test_profiles_documented_and_held_out() -> None:
    assert set(profile_names()) == {"contentfarm", "synonymizer", "pps"}
    assert HELD_OUT == "contentfarm"
    assert {p.name: p.role for p in PROFILES.values()} == {"contentfarm": "held-out", "synonymizer": "dev", "pps": "dev"}
    for p in PROFILES.values():
        assert p.summary and p.sources and p.version.startswith(p.name)
        assert p.data_version()
        assert 0.0 < p.default_rate <= 1.0
    assert "Cabanac" in load_table("pps").header["licences"]
    assert "CC BY 4.0" in load_table("pps").header["licences"]
    assert "public domain" in load_table("moby").header["licences"]


def test_shipped_tables_are_small() -> None:
    data = ROOT / "src" / "unspin" / "data"
    files = list(data.glob("spinner-*.tsv.gz"))
    assert len(files) == 4
    assert all(f.stat().st_size < 5_000_000 for f in files)


# -- errors ---------------------------------------------------------------------------------


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(ConfigError, match="known: contentfarm, eda-wordnet, nlpaug-wordnet, pps, synonymizer"):
        spin("Some text.", profile="spinbot")
    with pytest.raises(ConfigError):
        get_profile("")


@pytest.mark.parametrize("rate", [-0.1, 1.01, math.nan, "lots"])
def test_bad_rate(rate: object) -> None:
    with pytest.raises(ConfigError, match="rate"):
        spin("Some text.", rate=rate)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        spin(text)


def test_non_text_and_bad_seed() -> None:
    with pytest.raises(InputError):
        spin(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        spin("Some text.", seed=1.5)  # type: ignore[arg-type]


def test_inconsistent_record_refused() -> None:
    st = spin(SAMPLE, rate=1.0, seed=0)
    rec = st.to_dict()
    rec["edits"][0]["original"] = "tampered"
    with pytest.raises(InputError, match="do not reproduce"):
        SpunText.from_dict(rec)
    rec["edits"][0]["end"] += 1
    with pytest.raises(InputError):
        SpunText.from_dict(rec)
    with pytest.raises(InputError):
        SpunText.from_jsonl("not json")


def test_table_header_checked(tmp_path: Path) -> None:
    bad = tmp_path / "spinner-x.tsv.gz"
    with gzip.open(bad, "wt", encoding="utf-8") as fh:
        fh.write("#unspin-spinner-table\tformat=9\tversion=x\tsources=a\tlicences=b\nw\ta\tb\n")
    with pytest.raises(DataError, match="format"):
        read_table(bad)
    with gzip.open(bad, "wt", encoding="utf-8") as fh:
        fh.write("# format=other\tversion=9\tsources=a\tlicences=b\nw\ta\tb\n")
    with pytest.raises(DataError, match="header"):
        read_table(bad)
    with pytest.raises(DataError, match="missing"):
        read_table(tmp_path / "nope.tsv.gz")


# -- CLI through the real entry point -------------------------------------------------------


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "unspin", *args], input=stdin, capture_output=True, timeout=120)


def test_cli_spin_text_and_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(SAMPLE, encoding="utf-8")
    out = _cli("spin", str(src), "--rate", "1", "--seed", "4")
    assert out.returncode == 0, out.stderr
    expected = spin(SAMPLE, rate=1.0, seed=4)
    assert out.stdout.decode("utf-8").rstrip("\n") == expected.spun
    out = _cli("spin", "-", "--profile", "pps", "--format", "jsonl", stdin=SAMPLE.encode())
    assert out.returncode == 0, out.stderr
    st = SpunText.from_jsonl(out.stdout.decode("utf-8"))
    assert st.original == SAMPLE and st.profile == "pps" and st.restore_gold() == SAMPLE


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (("spin", "-"), b"\xff\xfe bad", "not UTF-8"),
        (("spin", "-"), b"", "empty"),
        (("spin", "-", "--rate", "1.5"), b"text", "rate must lie in [0, 1]"),
        (("spin", "-", "--profile", "nope"), b"text", "known: contentfarm, eda-wordnet, nlpaug-wordnet, pps, synonymizer"),
        (("spin", "/nonexistent/file.txt"), b"", "/nonexistent/file.txt"),
    ],
)
def test_cli_spin_errors(args: tuple[str, ...], stdin: bytes, message: str) -> None:
    out = _cli(*args, stdin=stdin)
    assert out.returncode == 2
    err = out.stderr.decode("utf-8")
    assert message in err and len(err.strip().splitlines()) == 1


# -- property: the alignment replays for any text ---------------------------------------------

_WORDS = hs.sampled_from(
    "the patients bought houses because of today Daniel NASA don't did not 3 12 deep learning "
    "according to heart disease at present Chief Executive Officer caf\u00e9 \U0001f600 e\u0301 - , . ! \n\n".split(" ")
)


@settings(max_examples=150, deadline=None)
@given(words=hs.lists(hs.one_of(_WORDS, hs.text(min_size=1, max_size=8)), min_size=1, max_size=40),
       seps=hs.lists(hs.sampled_from([" ", "  ", "\n", "", "\t"]), min_size=40, max_size=40),
       profile=hs.sampled_from(sorted(PROFILES)), seed=hs.integers(0, 5), rate=hs.sampled_from([0.0, 0.5, 1.0]))
def test_alignment_replays_for_any_text(words: list[str], seps: list[str], profile: str, seed: int, rate: float) -> None:
    text = "".join(w + s for w, s in zip(words, seps))
    if not text.strip():
        return
    st = spin(text, profile=profile, rate=rate, seed=seed)
    assert st.restore_gold() == text
    assert SpunText.from_jsonl(st.to_jsonl()) == st
