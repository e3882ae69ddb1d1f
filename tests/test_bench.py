"""The benchmark: metric functions on hand-made cases, the harness end to end, bad input."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from unspin.bench import (
    PhraseList,
    System,
    SystemOutput,
    changed_words,
    default_systems,
    evaluate,
    exact_restorations,
    format_table,
    load_corpus,
    map_span,
    roc_auc,
    run_bench,
    span_counts,
)
from unspin.bench import systems as systems_module
from unspin.errors import ConfigError, InputError
from unspin.results import Edit, apply_edits
from unspin.spinner import SpunText, spin

ROOT = Path(__file__).resolve().parent.parent
DOCS = [
    "Patients bought new houses because of the rain. According to the doctors, deep learning "
    "helps today. The committee met on Thursday and the members agreed with the plan.",
    "The jury said the election was conducted well. Many voters asked questions about the "
    "results, and the officials answered them quickly before the meeting ended.",
    "Researchers used big data and random forest models to study breast cancer. The results "
    "were important for patients and doctors in the large hospital.",
]


def _edit(start: int, end: int, old: str, new: str) -> Edit:
    return Edit(start, end, old, new, 1.0, "test")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(DOCS)), encoding="utf-8")
    return path


# -- metrics ------------------------------------------------------------------------------


def test_span_counts_hand_made() -> None:
    c = span_counts([(0, 3), (4, 6), (20, 25)], [(2, 5), (10, 12)])
    assert (c.findings, c.correct_findings, c.gold, c.found_gold) == (3, 2, 2, 1)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(0.5)
    assert c.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    touching = span_counts([(0, 2)], [(2, 4)])  # adjacent spans do not overlap
    assert touching.precision == 0.0 and touching.recall == 0.0 and touching.f1 == 0.0
    nothing = span_counts([], [(0, 1)])
    assert nothing.precision is None and nothing.recall == 0.0 and nothing.f1 == 0.0
    assert (span_counts([(0, 1)], []) + nothing).findings == 1


def test_map_span_and_exact_match() -> None:
    spun = "He purchased it in line with rules."
    gold = [(3, 12, "bought"), (16, 28, "according to")]
    original = "He bought it according to rules."
    perfect = [_edit(3, 12, "purchased", "bought"), _edit(16, 28, "in line with", "according to")]
    restored = apply_edits(spun, perfect)
    assert restored == original
    assert exact_restorations(gold, perfect, restored) == [True, True]
    # Right region, wrong words.
    wrong = [_edit(3, 12, "purchased", "got"), _edit(16, 28, "in line with", "according to")]
    assert exact_restorations(gold, wrong, apply_edits(spun, wrong)) == [False, True]
    # The engine edits a wider region that starts before the gold span: boundary inside -> not exact,
    # even though the text would read right.
    wide = [_edit(0, 12, "He purchased", "He bought")]
    assert map_span(3, 12, wide) is None
    assert exact_restorations(gold[:1], wide, apply_edits(spun, wide)) == [False]
    # Only part of a multi-word span restored: boundary falls inside nothing, text differs.
    part = [_edit(16, 23, "in line", "according")]
    assert exact_restorations(gold[1:], part, apply_edits(spun, part)) == [False]
    # Insertions: at the start of a region they belong to it, at its end they do not.
    ins = [_edit(3, 3, "", "X"), _edit(12, 12, "", "Y")]
    assert map_span(3, 12, ins) == (3, 13)
    assert map_span(13, 15, ins) == (15, 17)


def test_changed_words() -> None:
    text = "The big dog ran in line with rules."
    assert changed_words(text, []) == 0
    assert changed_words(text, [_edit(4, 7, "big", "large"), _edit(19, 28, "line with", "accordance")]) == 3
    assert changed_words(text, [_edit(3, 3, "", " very")]) == 1


def test_roc_auc_against_brute_force_with_ties() -> None:
    assert roc_auc([1, 2, 3], [0, 0]) == 1.0
    assert roc_auc([0, 0], [1, 2]) == 0.0
    assert roc_auc([0.5], [0.5]) == 0.5
    assert roc_auc([0.9, 0.5], [0.5, 0.1]) == pytest.approx(0.875)
    assert roc_auc([], [1.0]) is None
    rng = random.Random(0)
    for _ in range(20):
        pos = [rng.choice([0, 0.25, 0.5, 0.75, 1]) for _ in range(rng.randint(1, 9))]
        neg = [rng.choice([0, 0.25, 0.5, 0.75, 1]) for _ in range(rng.randint(1, 9))]
        brute = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
        assert roc_auc(pos, neg) == pytest.approx(brute / (len(pos) * len(neg)))


def test_phrase_list_matches_case_insensitively() -> None:
    pl = PhraseList.from_pairs([("profound learning", "deep learning"), ("bosom malignant growth", "breast cancer")])
    out = pl("PROFOUND LEARNING and Bosom  malignant growth; profoundlearning stays.")
    assert out.text == "DEEP LEARNING and Breast cancer; profoundlearning stays."
    assert out.findings == ((0, 17), (22, 45))
    assert apply_edits("PROFOUND LEARNING and Bosom  malignant growth; profoundlearning stays.", out.edits) == out.text
    assert out.score > 0


# -- harness ------------------------------------------------------------------------------


def _oracle(spun_docs: list[SpunText]):
    """A perfect engine: restores from the gold edits, flags exactly the gold spans."""
    by_text = {st.spun: st for st in spun_docs}

    def run(text: str) -> SystemOutput:
        st = by_text.get(text)
        if st is None or text == st.original:
            return SystemOutput(text, (), (), 0.0)
        edits = tuple(_edit(e.spun_start, e.spun_end, e.spun_text, e.original_text) for e in st.edits)
        return SystemOutput(st.original, edits, tuple((e.start, e.end) for e in edits), 1.0)

    return run


def test_evaluate_perfect_and_null_systems() -> None:
    spun = [spin(t, profile="pps", rate=0.8, seed=1) for t in DOCS]
    assert all(st.edits for st in spun)
    row, _, _ = evaluate(System("oracle", "fast", _oracle(spun)), "pps", spun)
    assert (row.precision, row.recall, row.f1, row.exact_rate, row.false_changes, row.auc) == (1.0, 1.0, 1.0, 1.0, 0, 1.0)
    assert row.gold_spans == sum(len(st.edits) for st in spun)
    null, _, _ = evaluate(System("change nothing", "-", lambda t: SystemOutput(t, (), (), 0.0)), "pps", spun)
    assert (null.precision, null.recall, null.exact, null.false_changes_per_1k, null.auc) == (None, 0.0, 0, 0.0, 0.5)


def test_false_changes_counted_on_originals() -> None:
    spun = [spin(t, profile="pps", rate=0.5, seed=0) for t in DOCS]

    def meddler(text: str) -> SystemOutput:  # changes the first word of every text
        end = text.index(" ")
        e = _edit(0, end, text[:end], "Zzz")
        return SystemOutput(apply_edits(text, [e]), (e,), ((0, end),), 0.3)

    row, _, _ = evaluate(System("meddler", "fast", meddler), "pps", spun)
    words = sum(len(t.split()) for t in DOCS)
    assert row.false_changes == 3
    assert row.false_changes_per_1k == pytest.approx(round(3000 / words, 2))
    assert row.auc == 0.5


def test_run_bench_end_to_end_with_baselines(corpus: Path, tmp_path: Path) -> None:
    # A phrase list holding some real spinner outputs for these docs, so the baseline finds them.
    pairs = []
    for t in DOCS:
        st = spin(t, profile="synonymizer", rate=0.3, seed=0)
        pairs += [(e.spun_text, e.original_text) for e in st.edits if " " not in e.spun_text][:2]
    plist = tmp_path / "list.tsv"
    plist.write_text("tortured\texpected\n" + "".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    result = run_bench(docs=3, corpus=corpus, phrase_list=plist, engine=None, rate=0.3, seed=0)
    rows = {(r.profile, r.system): r for r in result.rows}
    assert set(rows) == {(p, s) for p in ("contentfarm", "pps", "synonymizer") for s in ("change nothing", "phrase list")}
    assert result.settings["rate"] == {"contentfarm": 0.3, "pps": 0.3, "synonymizer": 0.3}
    for r in result.rows:
        assert r.docs == 3 and r.skipped is None and r.gold_spans > 0
    nothing = rows[("synonymizer", "change nothing")]
    assert nothing.recall == 0.0 and nothing.exact == 0 and nothing.false_changes == 0 and nothing.auc == 0.5
    found = rows[("synonymizer", "phrase list")]
    assert found.recall > 0 and found.exact > 0 and found.precision is not None
    table = format_table(result)
    assert "phrase list" in table and "synonymizer" in table
    json.loads(json.dumps(result.to_dict()))


def test_phrase_list_row_skipped_without_list(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    monkeypatch.setattr(systems_module, "default_phrase_list_path", lambda: None)
    from unspin.bench import harness

    monkeypatch.setattr(harness, "default_phrase_list_path", lambda: None)
    systems = default_systems(["fast"], None, engine=None)
    assert [s.skipped for s in systems] == [None, "skipped: no list"]
    result = run_bench(profiles=["pps"], docs=2, corpus=corpus, engine=None)
    assert result.rows[1].skipped == "skipped: no list"
    assert result.settings["rate"] == {"pps": 0.62}  # no rate given: the profile's default
    assert "skipped: no list" in format_table(result)


def test_engine_runner_is_pluggable(corpus: Path) -> None:
    calls: list[str] = []

    def factory(mode: str):
        def run(text: str) -> SystemOutput:
            calls.append(mode)
            return SystemOutput(text, (), ((0, 1),), 0.5)

        return run

    result = run_bench(profiles=["pps", "synonymizer"], modes=["fast"], docs=3, corpus=corpus, engine=factory)
    engine_rows = [r for r in result.rows if r.system == "unspin"]
    assert [r.mode for r in engine_rows] == ["fast", "fast"]
    # Clean originals are run once per mode and reused across profiles: 3 spun x 2 + 3 clean.
    assert len(calls) == 9


# -- bad input ------------------------------------------------------------------------------


def test_bad_corpus_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no documents"):
        load_corpus(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no documents"):
        run_bench(docs=1, corpus=blank, engine=None)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\u00e9 cr\u00e8me".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_corpus(latin)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_corpus(broken)
    with pytest.raises(InputError, match="cannot read"):
        load_corpus(tmp_path / "missing.jsonl")
    gz = tmp_path / "docs.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write('{"text": "One document here."}\n')
    assert load_corpus(gz)[0].text == "One document here."
    txt = tmp_path / "docs.txt"
    txt.write_text("First doc.\n\nSecond doc.\n", encoding="utf-8")
    assert [d.text for d in load_corpus(txt)] == ["First doc.", "Second doc."]


@pytest.mark.parametrize("kwargs,error", [({"rate": 1.5}, ConfigError), ({"rate": -1}, ConfigError), ({"docs": 0}, ConfigError),
                                          ({"profiles": ["nope"]}, ConfigError), ({"modes": ["slow"]}, ConfigError)])
def test_bad_settings(kwargs: dict, error: type, corpus: Path) -> None:
    with pytest.raises(error):
        run_bench(corpus=corpus, engine=None, **kwargs)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "unspin", *args], capture_output=True, text=True, timeout=300)


def test_cli_bench_json(corpus: Path) -> None:
    out = _cli("bench", "--corpus", str(corpus), "--docs", "3", "--no-engine", "--json", "--profile", "pps")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["settings"]["docs"] == 3
    assert [r["system"] for r in data["rows"]] == ["change nothing", "phrase list"]
    text = _cli("bench", "--corpus", str(corpus), "--docs", "2", "--no-engine")
    assert text.returncode == 0 and "change nothing" in text.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (("--rate", "2"), "rate must lie in [0, 1]"),
        (("--docs", "0"), "--docs"),
        (("--profile", "nope"), "known: contentfarm, eda-wordnet, nlpaug-wordnet, pps, synonymizer"),
    ],
)
def test_cli_bench_errors(args: tuple[str, ...], message: str, corpus: Path) -> None:
    out = _cli("bench", "--corpus", str(corpus), "--no-engine", *args)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_cli_bench_bad_corpus(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00binary")
    out = _cli("bench", "--corpus", str(bad), "--no-engine")
    assert out.returncode == 2 and "corpus" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    out = _cli("bench", "--corpus", str(empty), "--no-engine")
    assert out.returncode == 2 and "no documents" in out.stderr


def test_prepared_corpora_present() -> None:
    for split in ("dev", "test"):
        docs = load_corpus(ROOT / "benchmarks" / "corpora" / f"{split}.jsonl.gz")
        assert len(docs) > 1000
        assert {d.source for d in docs} == {"brown", "sotu"}
        assert any(d.category.startswith("j") for d in docs) and any(d.category.startswith("a") for d in docs)
