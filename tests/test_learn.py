"""`unspin learn`: the batch EM, the evidence cache, the dictionary files, bad input, the CLI.

Fast tests use fast-mode evidence (n-gram scorer, real lexicon) or synthetic evidence for the
EM; deep-mode and Dask runs are in tests/test_learn_slow.py.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin import Config
from unspin.errors import ConfigError, InputError
from unspin.learn import DocEvidence, EvidenceCache, SlotEvidence, fit_batch, learn, read_dictionary
from unspin.learn.dictionary import Dictionary, dictionary_pps, dictionary_tsv, read_channel, write_dictionary
from unspin.learn.em import LearnedSwap
from unspin.learn.run import collect

FAST = Config(mode="fast")

SPUN_TEXTS = [
    "The sufferers purchased numerous apples in line with the plan of the county.",
    "Numerous sufferers said the doctors purchased new beds in line with the rules.",
    "In line with the report, numerous farmers purchased land near the river last year.",
    "The company purchased numerous trucks, in line with its promise to the sufferers.",
    "Numerous teachers purchased books in line with the new school programme this spring.",
    "She purchased numerous gifts for the sufferers in line with the family custom.",
]


# -- the EM on synthetic evidence -------------------------------------------------------------

def _synthetic(seed: int, n_docs: int, n_words: int, clean_share: float):
    """A known swap table and documents whose LM margins come from it.

    Spun occurrences: the true original gets a margin around +2.5, the others around -2.
    Clean occurrences (and every slot of a clean document): all margins around -1.5.
    Returns the table, the documents, each true swap's documents, and each spun wording's share
    of its occurrences in spun documents that the spinner rewrote.
    """
    rng = random.Random(seed)
    table = {}
    for w in range(n_words):
        cands = [f"orig{w}_{k}" for k in range(3)]
        table[f"spun{w}"] = (rng.choice(cands), cands)
    docs = []
    truth_docs: dict[tuple[str, str], set[int]] = {}
    seen: dict[str, list[int]] = {}  # wording -> [occurrences in spun documents, rewritten]
    for d in range(n_docs):
        clean = d < int(n_docs * clean_share)
        rate = 0.0 if clean else rng.uniform(0.4, 0.8)
        slots = []
        for k in range(rng.randint(15, 30)):
            w = f"spun{rng.randrange(n_words)}"
            true, cands = table[w]
            spun = rng.random() < rate
            margins = []
            for c in cands:
                if spun and c == true:
                    m = rng.gauss(2.5, 1.0)
                elif spun:
                    m = rng.gauss(-2.0, 1.0)
                else:
                    m = rng.gauss(-1.5, 1.0)
                margins.append((c, round(m, 3), 0.3))
            if not clean:
                seen.setdefault(w, [0, 0])[0] += 1
            if spun:
                truth_docs.setdefault((w, true), set()).add(d)
                seen[w][1] += 1
            slots.append(SlotEvidence(k * 10, k * 10 + 6, w, "left ", " right", tuple(margins)))
        docs.append(DocEvidence(f"{d:064x}", "k", f"doc{d}", 100, False, tuple(slots)))
    return table, docs, truth_docs, {w: k / n for w, (n, k) in seen.items()}


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])  # EM on random margins: a fixed sample, so CI is reproducible
@given(seed=st.integers(0, 10_000), n_docs=st.integers(12, 40), n_words=st.integers(3, 12),
       clean_share=st.sampled_from([0.0, 0.25, 0.5]))
def test_em_recovers_known_swap_table(seed: int, n_docs: int, n_words: int, clean_share: float) -> None:
    table, docs, truth_docs, rewritten = _synthetic(seed, n_docs, n_words, clean_share)
    fit = fit_batch(docs)
    truth = {(w, orig) for w, (orig, _c) in table.items()}
    learned = fit.select(min_docs=3, min_confidence=0.5)
    # Every learned swap is a true one ...
    assert {(s.spun, s.original) for s in learned} <= truth
    # ... and every true swap with strong support is learned: seen spun in >= 4 documents, and
    # rewritten in at least half of its wording's occurrences in spun documents. (A swap's
    # confidence, theta_w(original), estimates that share; the rest go to "none". The spin rates
    # of _synthetic, 0.4-0.8, leave a few true swaps rewritten in under half their occurrences.)
    strong = {p for p, ds in truth_docs.items() if len(ds) >= 4 and rewritten[p[0]] >= 0.5}
    assert strong <= {(s.spun, s.original) for s in learned}
    # Clean documents get lower spin rates than spun ones, and contribute no decided swaps.
    n_clean = int(n_docs * clean_share)
    if n_clean:
        assert max(fit.doc_rates[:n_clean]) < min(fit.doc_rates[n_clean:])
        clean_names = {f"doc{d}" for d in range(n_clean)}
        assert not any(e.doc in clean_names for s in learned for e in s.examples)


def test_em_all_clean_batch_learns_nothing() -> None:
    _table, docs, _truth, _share = _synthetic(3, 30, 8, clean_share=1.0)
    fit = fit_batch(docs)
    assert fit.select(min_docs=3, min_confidence=0.5) == ()
    assert max(fit.doc_rates) < 0.2


def test_em_empty_evidence() -> None:
    doc = DocEvidence("0" * 64, "k", "empty", 10, False, ())
    fit = fit_batch([doc])
    assert fit.swaps == () and fit.doc_rates == (0.0,)


# -- the dictionary files ---------------------------------------------------------------------

def _dictionary() -> Dictionary:
    from unspin.learn.em import Example

    ex = (Example("a.txt", 4, 12, "the", "numerous", " people\tx"),)
    swaps = (
        LearnedSwap("numerous", "many", 0.93, 15, 41, 40.2, ex),
        LearnedSwap("in line with", "according to", 0.8, 6, 9, 8.5, ()),
        LearnedSwap("huge information", "big data", 0.61, 3, 3, 2.9, ()),
    )
    return Dictionary(swaps, {"mode": "deep", "min_docs": "3"}, (("ab" * 32, "a.txt"),), (("b.bin", "binary"),))


def test_tsv_round_trips_through_the_pair_readers(tmp_path: Path) -> None:
    from unspin.lexicon import read_user_pairs

    d = _dictionary()
    path = tmp_path / "spinner.tsv"
    write_dictionary(d, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#unspin-spinner-dictionary\tformat=1\tversion=learned.v1")
    assert all(line.startswith("#") for line in text.splitlines()[:5])
    want = (("numerous", "many"), ("in line with", "according to"), ("huge information", "big data"))
    assert read_user_pairs(path) == want
    back = read_dictionary(path)
    assert back.swaps == (("numerous", "many", 0.93, 15, 41), ("in line with", "according to", 0.8, 6, 9),
                          ("huge information", "big data", 0.61, 3, 3))
    assert back.sources == (("ab" * 32, "a.txt"),)
    assert back.settings["mode"] == "deep"
    assert read_channel(path) == (("numerous", "many", 0.93), ("in line with", "according to", 0.8),
                                  ("huge information", "big data", 0.61))


def test_tsv_reads_with_the_unified_pair_reader(tmp_path: Path) -> None:
    pairs = pytest.importorskip("unspin.readers.pairs")
    path = tmp_path / "spinner.tsv"
    write_dictionary(_dictionary(), path)
    assert pairs.read_pairs(path)[0] == ("numerous", "many")


def test_pps_format_shape(tmp_path: Path) -> None:
    text = dictionary_pps(_dictionary())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Fingerprint - Tortured Phrase", "Expected Text", "Nb Retrieved Papers"]
    assert rows[1] == ['"numerous"', "many", "15"]
    assert rows[3] == ['"huge information"', "big data", "3"]
    assert text.splitlines()[3] == '"""huge information""",big data,3'
    fp = pytest.importorskip("unspin.readers.fingerprints")
    parsed = fp.parse_fingerprints(text.encode(), "learned.csv")
    assert parsed.kind == "pps-csv" if hasattr(parsed, "kind") else True
    assert len(parsed.entries) == 3


def test_plain_pair_list_as_channel(tmp_path: Path) -> None:
    p = tmp_path / "plain.tsv"
    p.write_text("spun\toriginal\nprofound learning\tdeep learning\nnumerous\tmany\t0.7\n", encoding="utf-8")
    assert read_channel(p) == (("profound learning", "deep learning", 1.0), ("numerous", "many", 0.7))
    bad = tmp_path / "bad.tsv"
    bad.write_text("numerous\tmany\t7\n", encoding="utf-8")
    with pytest.raises(InputError, match="confidence"):
        read_channel(bad)
    with pytest.raises(InputError, match="no such"):
        read_channel(tmp_path / "missing.tsv")


# -- the channel in Config and in the engine --------------------------------------------------

def test_config_channel_validates_eagerly() -> None:
    Config(channel=(("numerous", "many", 0.9),))
    for bad in ([("numerous", "many", 0.9)], (("numerous", "many"),), (("", "many", 0.5),),
                (("numerous", "many", 1.5),), (("numerous", "many", 0.0),), (("numerous", "many", True),)):
        with pytest.raises(ConfigError):
            Config(channel=bad)  # type: ignore[arg-type]


def test_channel_entries_become_candidates_with_their_confidence() -> None:
    from unspin.engine.pipeline import score

    text = "The zorbly committee met on Tuesday."
    plain = score(text, FAST)
    assert not any(x.slot.text == "zorbly" for seg in plain.segments for x in seg)
    scored = score(text, Config(mode="fast", channel=(("zorbly", "happy", 0.9),)))
    slots = [x.slot for seg in scored.segments for x in seg if x.slot.text == "zorbly"]
    assert slots and slots[0].candidates[0].text == "happy" and slots[0].candidates[0].prior == pytest.approx(0.9)
    assert slots[0].candidates[0].channel == pytest.approx(0.9)  # the feature a learned decision reads
    assert all(c.channel == 0.0 for seg in plain.segments for x in seg for c in x.slot.candidates)


def test_channel_overlay_keeps_thesaurus_candidates_scaled() -> None:
    from unspin.lexicon.channel import with_channel
    from unspin.lexicon import load_lexicon

    base = load_lexicon()
    lex = with_channel(base, (("numerous", "many", 0.75),))
    got = dict(lex.originals("numerous"))
    assert got["many"] == pytest.approx(0.75)
    others = [(o, p) for o, p in base.originals("numerous") if o != "many"]
    assert others and got[others[0][0]] == pytest.approx(others[0][1] * 0.25, rel=1e-3)
    assert sum(got.values()) <= 1.0 + 1e-6
    assert base.originals("numerous")[0] == ("many", 0.3) or "many" in dict(base.originals("numerous"))


# -- the run: evidence cache, resume, bad input -----------------------------------------------

def _batch(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(SPUN_TEXTS):
        (folder / f"d{i}.txt").write_text(t, encoding="utf-8")
    return folder


def test_bad_input_is_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = _batch(tmp_path / "batch")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "image.bin").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (folder / "latin1.txt").write_bytes("caf\xe9 au lait est tr\xe8s bon".encode("latin-1"))
    (folder / "german.txt").write_text("Der Hund läuft über die Straße und bellt laut, weil er Hunger hat.", encoding="utf-8")
    (folder / "dup.txt").write_text(SPUN_TEXTS[0], encoding="utf-8")
    (folder / ".hidden.txt").write_text(SPUN_TEXTS[1] + " hidden", encoding="utf-8")
    logged: list[str] = []
    items, skipped = collect([folder], logged.append)
    reasons = dict(skipped)
    assert len(items) == len(SPUN_TEXTS)
    assert reasons[str(folder / "empty.txt")] == "empty"
    assert reasons[str(folder / "image.bin")].startswith("binary")
    assert reasons[str(folder / "latin1.txt")].startswith("binary or not UTF-8")
    assert reasons[str(folder / "german.txt")].startswith("not English")
    assert reasons[str(folder / "dup.txt")] == f"duplicate of {folder / 'd0.txt'}"
    assert len(logged) == 5 and all(m.startswith("skipped ") for m in logged)


def test_cache_reuse_and_enlarged_batch(tmp_path: Path) -> None:
    folder = _batch(tmp_path / "batch")
    cache = tmp_path / "ev.jsonl"
    files = sorted(folder.iterdir())
    first = learn(files[:4], config=FAST, cache_path=cache)
    assert (first.computed, first.reused) == (4, 0)
    again = learn(files, config=FAST, cache_path=cache)
    assert (again.computed, again.reused) == (2, 4)
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(SPUN_TEXTS)
    assert len({json.loads(line)["sha"] for line in lines}) == len(SPUN_TEXTS)
    # Other settings do not reuse this evidence.
    other = learn(files[:2], config=Config(mode="fast", segment_words=50), cache_path=cache)
    assert other.computed == 2


def test_interrupted_run_resumes_without_double_counting(tmp_path: Path) -> None:
    folder = _batch(tmp_path / "batch")
    cache = tmp_path / "ev.jsonl"

    class Stop(Exception):
        pass

    def stop_after_three(p) -> None:
        if p.done - p.reused >= 3:
            raise Stop

    with pytest.raises(Stop):
        learn([folder], config=FAST, cache_path=cache, progress=stop_after_three)
    assert len(cache.read_text().splitlines()) == 3
    # A write cut short by the interruption leaves a truncated last line: ignored, then sealed.
    with cache.open("a", encoding="utf-8") as fh:
        fh.write('{"f":1,"sha":"trunc')
    resumed = learn([folder], config=FAST, cache_path=cache)
    assert (resumed.computed, resumed.reused) == (3, 3)
    fresh = learn([folder], config=FAST, cache_path=tmp_path / "fresh.jsonl")
    assert resumed.fit.swaps == fresh.fit.swaps
    assert resumed.fit.doc_rates == fresh.fit.doc_rates
    cached = EvidenceCache(cache, resumed.key)
    assert len(cached) == len(SPUN_TEXTS) and cached.ignored_lines == 1


# -- the CLI through the real entry point ----------------------------------------------------

def _cli(args: list[str]):
    from unspin.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_cli_learn_writes_a_dictionary_and_logs_skips(tmp_path: Path) -> None:
    folder = _batch(tmp_path / "batch")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "spinner.tsv"
    r = _cli(["learn", str(folder), "--out", str(out), "--fast", "--min-docs", "2", "--min-confidence", "0.1"])
    assert r.exit_code == 0, r.output
    assert "skipped" in r.stderr and "empty" in r.stderr
    assert f"/{len(SPUN_TEXTS)} documents" in r.stderr  # the progress bar
    assert "fast-mode evidence" in r.stderr
    d = read_dictionary(out)
    assert len(d.sources) == len(SPUN_TEXTS)
    assert d.settings["mode"] == "fast" and d.settings["min_docs"] == "2"
    assert (tmp_path / "spinner.tsv.evidence.jsonl").exists()
    r2 = _cli(["learn", str(folder), "--out", str(tmp_path / "s.csv"), "--fast", "--format", "pps",
               "--cache", str(tmp_path / "spinner.tsv.evidence.jsonl"), "--quiet"])
    assert r2.exit_code == 0
    assert (tmp_path / "s.csv").read_text().startswith("Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers")


def test_cli_learn_unspun_batch_writes_an_empty_dictionary(tmp_path: Path) -> None:
    folder = tmp_path / "clean"
    folder.mkdir()
    # Only function words and names: nothing a spinner could have swapped.
    for i in range(4):
        (folder / f"c{i}.txt").write_text(f"It is what it is, and that is all there is to it: {i}. Is it?",
                                          encoding="utf-8")
    out = tmp_path / "spinner.tsv"
    r = _cli(["learn", str(folder), "--out", str(out), "--fast"])
    assert r.exit_code == 0
    assert "does not look spun" in r.stderr and "empty dictionary" in r.stderr
    assert read_dictionary(out).swaps == ()


def test_cli_learn_errors_are_one_line(tmp_path: Path) -> None:
    r = _cli(["learn", str(tmp_path / "nope"), "--out", str(tmp_path / "o.tsv")])
    assert r.exit_code == 2 and "no such file or directory" in r.stderr
    (tmp_path / "e.txt").write_text("", encoding="utf-8")
    r = _cli(["learn", str(tmp_path / "e.txt"), "--out", str(tmp_path / "o.tsv")])
    assert r.exit_code == 2 and "usable English text" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_check_and_restore_take_a_channel(tmp_path: Path) -> None:
    d = tmp_path / "spinner.tsv"
    write_dictionary(Dictionary((LearnedSwap("zorbly", "happy", 0.9, 5, 7, 6.0, ()),), {}, (), ()), d)
    r = CliRunner().invoke(__import__("unspin.cli", fromlist=["main"]).main,
                           ["restore", "--fast", "--channel", str(d), "-"], input="The zorbly children played.\n")
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(__import__("unspin.cli", fromlist=["main"]).main,
                           ["restore", "--fast", "--channel", str(tmp_path / "missing.tsv"), "-"], input="Some text here.\n")
    assert r.exit_code == 2 and "no such channel file" in r.stderr


def test_evidence_json_is_compact_and_lossless() -> None:
    ev = DocEvidence("a" * 64, "k", "x.txt", 3, True, (SlotEvidence(0, 3, "big", "", " dog", (("large", -0.5, 0.2),)),))
    line = ev.to_json()
    assert "\n" not in line and " " not in line.replace(" dog", "")
    assert DocEvidence.from_json(line) == ev
    with pytest.raises(ValueError):
        DocEvidence.from_json('{"f": 99}')
    assert np.isfinite(fit_batch([ev]).doc_rates[0])


def test_cli_killed_mid_run_resumes_without_double_counting(tmp_path: Path) -> None:
    """A real interruption: SIGINT to the `unspin learn` process while it works, then a re-run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    n = 200  # enough work that the interrupt lands mid-run on a fast, idle machine
    folder = tmp_path / "batch"
    folder.mkdir()
    words = ["sufferers", "purchased", "numerous", "in line with", "county", "plan", "farmers", "land"]
    for i in range(n):
        rng = random.Random(i)
        body = " ".join(f"The {rng.choice(words)} {rng.choice(words)} the {rng.choice(words)} near town {i}." for _ in range(12))
        (folder / f"d{i:02d}.txt").write_text(body, encoding="utf-8")
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin"]
    args = ["learn", str(folder), "--fast", "--min-docs", "2", "--min-confidence", "0.1"]
    killed = tmp_path / "killed.tsv"
    # A shell's background jobs inherit SIGINT ignored, and a Python started that way never raises
    # KeyboardInterrupt: give the child the default disposition, as an interactive user has.
    proc = subprocess.Popen([*cmd, *args, "--out", str(killed)], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    cache = Path(str(killed) + ".evidence.jsonl")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if cache.exists() and len(cache.read_bytes().splitlines()) >= 3:
            os.kill(proc.pid, signal.SIGINT)
            break
        time.sleep(0.05)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not killed.exists()
    done_before = len({json.loads(x)["sha"] for x in cache.read_text().splitlines() if x.endswith("}")})
    assert 3 <= done_before < n
    r = subprocess.run([*cmd, *args, "--out", str(killed)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert f"{n - done_before} scored, {done_before} from the cache" in r.stderr
    fresh = tmp_path / "fresh.tsv"
    r2 = subprocess.run([*cmd, *args, "--out", str(fresh)], capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0, r2.stderr
    assert killed.read_text() == fresh.read_text()
    shas = [json.loads(x)["sha"] for x in cache.read_text().splitlines() if x.strip()]
    assert len(shas) == len(set(shas)) == n


def test_all_candidates_evidence_is_cached_apart() -> None:
    from unspin.learn.evidence import settings_key

    assert settings_key(Config()) != settings_key(Config(), full_rescoring=True)
    assert settings_key(Config()) == settings_key(Config())
    assert settings_key(Config()) != settings_key(FAST)


# -- issue 16: the output inside the input folder; documents that fail ------------------------

def test_cli_learn_with_its_output_inside_the_input_folder_twice(tmp_path: Path) -> None:
    """`learn DIR --out DIR/x.tsv`: neither the dictionary nor its evidence cache is read back
    as a document, on the first run or the second; a dictionary an earlier run wrote under
    another name is ignored too (said on stderr)."""
    folder = _batch(tmp_path / "farm")
    out = folder / "spinner.tsv"
    args = ["learn", str(folder), "--out", str(out), "--fast", "--min-docs", "2", "--min-confidence", "0.1"]
    first = _cli(args)
    assert first.exit_code == 0, first.output
    assert (folder / "spinner.tsv.evidence.jsonl").exists()
    second = _cli(args)
    assert second.exit_code == 0, second.output
    assert f"/{len(SPUN_TEXTS)} documents ({len(SPUN_TEXTS)} cached)" in second.stderr
    assert f"0 scored, {len(SPUN_TEXTS)} from the cache, 0 skipped" in second.stderr
    d = read_dictionary(out)
    assert sorted(Path(name).name for _sha, name in d.sources) == [f"d{i}.txt" for i in range(len(SPUN_TEXTS))]
    assert "#skipped" not in out.read_text(encoding="utf-8") and d.settings["documents"] == str(len(SPUN_TEXTS))
    # The same folder learned into another file: the first run's outputs are not documents.
    third = _cli([*args[:3], str(folder / "again.tsv"), *args[4:]])
    assert third.exit_code == 0, third.output
    assert "ignored" in third.stderr and "spinner.tsv.evidence.jsonl" in third.stderr
    assert len(read_dictionary(folder / "again.tsv").sources) == len(SPUN_TEXTS)


def test_cli_learn_reads_html_pages_through_the_html_reader(tmp_path: Path) -> None:
    folder = _batch(tmp_path / "farm")
    (folder / "page.html").write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/x'>More</a></nav>"
        "<p>Numerous buyers purchased homes in line with the new rules for the sufferers of the flood.</p></body></html>",
        encoding="utf-8")
    items, skipped = collect([folder])
    page = next(it for it in items if it.name.endswith("page.html"))
    assert page.text.startswith("Numerous buyers") and "<p>" not in page.text and "More" not in page.text
    assert skipped == []


def test_failure_reasons_are_one_line() -> None:
    """What a skipped document's header entry says (the run itself: tests/test_learn_slow.py)."""
    from unspin.errors import ModelError
    from unspin.learn.run import failure_reason

    assert failure_reason(ModelError("segment of 2759 tokens exceeds the context window")) == \
        "ModelError: segment of 2759 tokens exceeds the context window"
    assert failure_reason(MemoryError()).startswith("out of memory")
    assert failure_reason(KeyError("x")).startswith("internal error (KeyError")


def test_cli_learn_method_option(tmp_path: Path) -> None:
    """Fast evidence is fitted by the EM (the clean-text null describes deep scores only); asking
    for the null method on it is a one-line error, not a wrong dictionary."""
    folder = _batch(tmp_path / "batch")
    out = tmp_path / "spinner.tsv"
    r = _cli(["learn", str(folder), "--out", str(out), "--fast", "--quiet"])
    assert r.exit_code == 0, r.output
    d = read_dictionary(out)
    assert d.settings["batch_model"].startswith("lm_weight=") and d.settings["min_confidence"] == "0.5"
    r = _cli(["learn", str(folder), "--out", str(out), "--fast", "--method", "null", "--quiet"])
    assert r.exit_code == 2 and "deep-mode evidence" in r.stderr and "--method em" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
