"""unspin screen: matching, rows, errors as rows, resume, the real CLI, the HTML report.

Documents are real files written in the test (reportlab PDFs, python-docx Word files); spun
text is made by the project's spinner from the benchmark corpus.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import screening_docs as sd
from unspin.bench.corpus import default_corpus_path, load_corpus
from unspin.readers.fingerprints import Fingerprint
from unspin.screening.document import ScreenOptions, screen_document, sentence_around
from unspin.screening.matching import Matcher, find_fingerprints
from unspin.screening.report import latest_rows, to_html
from unspin.screening.results import read_rows
from unspin.screening.run import screen_paths


def corpus_texts(n: int, lo: int = 200, hi: int = 450) -> list[str]:
    docs = load_corpus(default_corpus_path("test"))
    return [d.text for d in docs if lo <= len(d.text.split()) <= hi][:n]


def fp(query: str, expected: str = "x") -> Fingerprint:
    from unspin.readers.fingerprints import parse_query

    kind, terms, distance = parse_query(query)
    return Fingerprint(query, kind, terms, expected, distance)


# ---------------------------------------------------------------------------
# matching


def test_phrase_and_and_proximity_matching() -> None:
    text = "Huge information is everywhere. We study huge\ninformation and big data. A huge. Information."
    m = find_fingerprints(text, Matcher([fp('"huge information"', "big data")]))
    assert [(x.text, x.start) for x in m] == [("Huge information", 0), ("huge\ninformation", text.index("huge\ninf"))]

    needs = fp('"huge information" AND "deep learning"')
    assert find_fingerprints(text, Matcher([needs])) == []
    assert len(find_fingerprints(text + " Deep learning too.", Matcher([needs]))) == 2

    near = fp('"flag rest"~2', "red flag")
    assert [x.text for x in find_fingerprints("the rest of the flag", Matcher([near]))] == ["rest of the flag"]
    assert find_fingerprints("the rest of all the flag", Matcher([near])) == []  # three words between
    assert find_fingerprints("the flag only", Matcher([near])) == []


def test_allow_list_silences_list_matches_and_model_findings() -> None:
    text = "The random forest beat the arbitrary forest."
    fps = [fp('"random forest"', "r"), fp('"arbitrary forest"', "random forest")]
    assert [m.text for m in find_fingerprints(text, Matcher(fps))] == ["random forest", "arbitrary forest"]
    assert [m.text for m in find_fingerprints(text, Matcher(fps, allow=["Random  Forest"]))] == ["arbitrary forest"]
    assert Matcher((), allow=["random forest"]).allowed("Random\nforest")


def test_allowed_phrases_raise_neither_findings_nor_score_nor_risk_of_a_row() -> None:
    """The row's verdict is the engine's with the allow list (Config.allow), not the verdict of
    all findings with the allowed ones dropped afterwards: fast mode's score is the screening
    model's over every checked word, which the allowed swaps raised here without being findings."""
    from unspin.api import check
    from unspin.config import Config
    from unspin.spinner import spin

    spun = spin(corpus_texts(1, 300, 600)[0], profile="synonymizer", seed=0)
    swaps = tuple(sorted({e.spun_text.lower() for e in spun.edits}))
    plain = screen_document("doc.txt", spun.spun.encode(), ScreenOptions())
    row = screen_document("doc.txt", spun.spun.encode(), ScreenOptions(allow=swaps))
    assert plain["risk"] in ("suspicious", "high") and row["risk"] == "clean"
    assert row["score"] < plain["score"] and row["cleanP"] > plain["cleanP"]
    report = check(spun.spun, Config(mode="fast", allow=swaps))
    assert (row["score"], row["risk"], row["cleanP"], row["flagged"]) == (report.score, report.risk, report.clean_p,
                                                                          report.flagged)
    assert not {f["text"].lower() for f in row["findings"]} & set(swaps) and "silenced" not in row


def test_sentence_around_highlights_the_span() -> None:
    text = "One sentence here. The huge information\nis big. Three!"
    s, o = sentence_around(text, text.index("huge"), text.index("huge") + 16)
    assert s == "The huge information is big." and s[o : o + 16] == "huge information"


# ---------------------------------------------------------------------------
# one document, rows, errors


def test_row_has_every_field_and_list_matches_apart(tmp_path: Path) -> None:
    text = corpus_texts(1)[0]
    words = text.split()
    phrase = " ".join(words[10:12])
    from unspin.readers.fingerprints import FingerprintList

    fl = FingerprintList("l.tsv", "0" * 64, "tsv", (fp(f'"{phrase}"', "orig"),))
    row = screen_document("doc.txt", text.encode(), ScreenOptions(fingerprints=fl, lists=(("fingerprints", "0" * 64),)))
    assert row["error"] is None and row["format"] == "txt" and row["words"] > 100
    assert row["risk"] in ("clean", "low", "suspicious", "high") and 0.0 <= row["score"] <= 1.0
    assert row["fingerprintList"] == "0" * 64 and row["lists"] == {"fingerprints": "0" * 64}
    assert row["fingerprints"] and all(m["expected"] == "orig" for m in row["fingerprints"])
    assert all(m["paragraph"] >= 1 and m["page"] is None for m in row["fingerprints"])
    assert isinstance(row["findings"], list)
    json.dumps(row)  # serialisable


def test_errors_are_rows_and_the_batch_goes_on(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(corpus_texts(1)[0], encoding="utf-8")
    sd.pdf_image_only(d / "scan.pdf")
    sd.pdf_lines(d / "locked.pdf", [["secret text"]], encrypt="pw")
    (d / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    (d / "gone.txt").symlink_to(d / "missing-target.txt")
    odd = tmp_path / "notes.xyz"
    odd.write_text("text", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    summary = screen_paths([d, odd], out, jobs=0, progress=False)
    rows = {Path(r["path"]).name: r for r in read_rows(out)}
    assert set(rows) == {"good.txt", "scan.pdf", "locked.pdf", "broken.docx", "gone.txt", "notes.xyz"}
    assert rows["good.txt"]["error"] is None
    expect = {"scan.pdf": "no text layer", "locked.pdf": "encrypted", "broken.docx": "not a valid .docx",
              "gone.txt": "no such file", "notes.xyz": "not a format unspin reads"}
    for name, msg in expect.items():
        assert msg in rows[name]["error"], rows[name]["error"]
    assert summary.errors == 5 and summary.screened == 6


# ---------------------------------------------------------------------------
# resume


def test_rerun_skips_done_repairs_partial_line_and_rescreens_changed_files(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for i, t in enumerate(corpus_texts(3)):
        (d / f"d{i}.txt").write_text(t, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert screen_paths([d], out, jobs=0, progress=False).screened == 3
    before = out.read_bytes()
    with out.open("ab") as fh:
        fh.write(b'{"rowVersion":1,"path":"' + str(d / "d9").encode())  # a kill mid-write
    again = screen_paths([d], out, jobs=0, progress=False)
    assert again.screened == 0 and again.skipped == 3 and again.repaired_bytes > 0
    assert out.read_bytes() == before
    (d / "d1.txt").write_text("Changed text. " + corpus_texts(3)[1], encoding="utf-8")
    third = screen_paths([d], out, jobs=0, progress=False)
    assert third.screened == 1 and third.skipped == 2
    assert len(latest_rows(out)) == 4  # the old d1 row stays, under its old sha256
    assert len({(r["path"], r["sha256"]) for r in read_rows(out)}) == 4


def test_kill_halfway_and_restart_gives_every_document_once(tmp_path: Path) -> None:
    """A real `unspin screen` process is killed (SIGKILL) mid-run and started again."""
    d = tmp_path / "in"
    d.mkdir()
    texts = corpus_texts(40, 300, 600)
    for i, t in enumerate(texts):
        (d / f"doc{i:02d}.txt").write_text(t, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    cmd = [sys.executable, "-m", "unspin", "screen", str(d), "--out", str(out), "--jobs", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 5:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    first = out.read_bytes().count(b"\n")
    assert 5 <= first < len(texts)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert f"{first} already done" in done.stderr
    paths = [r["path"] for r in read_rows(out)]
    assert sorted(paths) == sorted(str(p) for p in d.iterdir())  # every document exactly once
    assert out.read_bytes().endswith(b"\n")


# ---------------------------------------------------------------------------
# local workers: a document over the time limit is stopped, the batch goes on


def test_worker_time_limit_gives_error_rows_and_respawns(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    long = " ".join(corpus_texts(40, 200, 600))
    (d / "long1.txt").write_text(long, encoding="utf-8")
    (d / "long2.txt").write_text(long + " More.", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    summary = screen_paths([d], out, jobs=1, timeout=0.3, progress=False)
    rows = list(read_rows(out))
    assert len(rows) == 2 and summary.errors == 2
    assert all("per-document time limit" in r["error"] for r in rows)


def test_worker_memory_limit_gives_error_rows(tmp_path: Path) -> None:
    """A worker whose resident memory grows past --max-memory on one document is stopped."""
    d = tmp_path / "in"
    d.mkdir()
    long = " ".join(corpus_texts(60, 200, 600))
    (d / "long.txt").write_text(long, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    summary = screen_paths([d], out, jobs=1, memory_mb=1, progress=False)
    (row,) = read_rows(out)
    assert summary.errors == 1 and "per-document memory limit 1 MB" in row["error"]


# ---------------------------------------------------------------------------
# the CLI and the reports


PPS_HEADER = "Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers\n"


def test_cli_screen_writes_jsonl_csv_and_offline_html(tmp_path: Path) -> None:
    from unspin.cli import main

    d = tmp_path / "in"
    d.mkdir()
    text = corpus_texts(1)[0]
    w = text.split()
    (d / "a<script>.txt").write_text(text, encoding="utf-8")
    (d / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    lst = tmp_path / "pps.csv"
    lst.write_text(PPS_HEADER + f'"""{w[20]} {w[21]}""",expected words,"1,234"\n', encoding="utf-8")
    out, csv_path, html_path = tmp_path / "r.jsonl", tmp_path / "r.csv", tmp_path / "r.html"
    args = ["screen", str(d), "--out", str(out), "--csv", str(csv_path), "--html", str(html_path),
            "--fingerprints", str(lst), "--jobs", "0"]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = list(read_rows(out))
    assert len(rows) == 2
    good = next(r for r in rows if not r["error"])
    assert good["fingerprints"][0]["papers"] == 1234
    import hashlib

    assert good["fingerprintList"] == hashlib.sha256(lst.read_bytes()).hexdigest()
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,path,sha256") and len(lines) == 3 and "bad.pdf" in lines[2]
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page and "a&lt;script&gt;.txt" in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    assert "<mark class=\"fp\">" in page and good["fingerprintList"] in page
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert again.exit_code == 0 and len(list(read_rows(out))) == 2


def test_cli_screen_bad_options_are_one_line(tmp_path: Path) -> None:
    from unspin.cli import main

    (tmp_path / "x.txt").write_text("Some text.", encoding="utf-8")
    for args, expect in (
        (["screen", str(tmp_path / "nope"), "--out", str(tmp_path / "r.jsonl")], "no such file or directory"),
        (["screen", str(tmp_path), "--out", str(tmp_path / "r.jsonl"), "--fingerprints", str(tmp_path / "x.txt")], "x.txt:1"),
        (["screen", str(tmp_path), "--out", str(tmp_path), "--jobs", "0"], "is a directory"),
    ):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, res.output
        assert expect in res.output and "Traceback" not in res.output


def test_html_report_ranks_by_risk_and_escapes() -> None:
    rows = [
        {"path": "clean.pdf", "risk": "clean", "score": 0.01, "findings": [], "fingerprints": []},
        {"path": "err.pdf", "risk": None, "score": None, "error": "<b>boom</b>", "findings": [], "fingerprints": []},
        {"path": "spun.pdf", "risk": "high", "score": 0.9, "fingerprints": [], "findings": [
            {"text": "bosom peril", "replacement": "breast cancer", "confidence": 0.9, "page": 3, "paragraph": 7,
             "sentence": "The <bosom peril> here.", "sentenceOffset": 5}]},
    ]
    from unspin.screening.report import rank

    page = to_html(rank(rows))
    assert page.index("spun.pdf") < page.index("clean.pdf") < page.index("err.pdf")
    assert "&lt;b&gt;boom&lt;/b&gt;" in page and "p. 3, para. 7" in page
    assert "<mark>bosom peril</mark>" in page


def test_channel_dictionary_applies_to_the_batch(tmp_path: Path) -> None:
    """--channel hands a learned spinner dictionary to every document's check."""
    pytest.importorskip("unspin.learn.dictionary")
    from unspin.cli import main

    (tmp_path / "in").mkdir()
    text = corpus_texts(1)[0]
    (tmp_path / "in" / "a.txt").write_text(text.replace(" the ", " the huge information ", 1), encoding="utf-8")
    channel = tmp_path / "learned.tsv"
    channel.write_text("huge information\tbig data\t0.9\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    res = CliRunner().invoke(main, ["screen", str(tmp_path / "in"), "--out", str(out), "--channel", str(channel), "--jobs", "0"])
    assert res.exit_code == 0, res.output
    (row,) = read_rows(out)
    import hashlib

    assert row["error"] is None and row["lists"]["channel"] == hashlib.sha256(channel.read_bytes()).hexdigest()
    options = ScreenOptions(channel=(("huge information", "big data", 0.9),))
    assert options.config().channel == (("huge information", "big data", 0.9),)


# ---------------------------------------------------------------------------
# issue 16: a ranking a person can read; the run never screens its own reports


def test_report_ranks_by_standing_against_clean_text_and_shows_it() -> None:
    """Every score rounds to 0 and every risk is "clean": the p-value still orders them."""
    from unspin.screening.report import rank, to_csv

    rows = [
        {"path": "clean-a.txt", "risk": "clean", "score": 0.0003, "cleanP": 0.48, "words": 1, "pages": None},
        {"path": "spun-b.html", "risk": "clean", "score": 0.0006, "cleanP": 0.0031, "words": 170, "pages": None},
        {"path": "clean-c.pdf", "risk": "clean", "score": 0.0001, "cleanP": 0.91, "words": 400, "pages": 1},
        {"path": "spun-d.pdf", "risk": "clean", "score": 0.0008, "cleanP": 2.1e-05, "words": 900, "pages": 2},
    ]
    for r in rows:
        r.update(findings=[], fingerprints=[], format="txt", mode="fast")
    ranked = rank(rows)
    assert [r["path"] for r in ranked] == ["spun-d.pdf", "spun-b.html", "clean-a.txt", "clean-c.pdf"]
    lines = to_csv(ranked).splitlines()
    head = lines[0].split(",")
    pct = [float(line.split(",")[head.index("clean_percentile")]) for line in lines[1:]]
    assert pct == sorted(pct, reverse=True) and pct[0] == 100.0 and pct[-1] == 9.0
    assert [line.split(",")[head.index("clean_p")] for line in lines[1:]] == ["2.1e-05", "0.0031", "0.48", "0.91"]
    assert lines[1].split(",")[head.index("score")] == "0.0008"  # the raw score stays
    page = to_html(ranked)
    assert page.index("spun-d.pdf") < page.index("spun-b.html") < page.index("clean-a.txt") < page.index("clean-c.pdf")
    assert "above 99.99% of clean text of its length (p = 2.1e-05)" in page
    assert "above 99.7% of clean text of its length (p = 0.0031)" in page
    assert "1 page ·" in page and "2 pages" in page and "1 word ·" in page and "1 pages" not in page
    assert "0 spans flagged" in page and "4 documents" in page


def test_cli_screen_folder_with_its_reports_inside_ranks_spun_first(tmp_path: Path) -> None:
    """The issue's folder: clean and spun .txt/.html/.pdf plus a corrupt PDF; results and
    reports written into the same folder; run twice. Every document but the corrupt one is
    read, the reports are never screened, and the spun documents rank first."""
    import csv
    import html as html_mod

    from unspin.cli import main
    from unspin.spinner import spin

    docs = corpus_texts(6, 200, 450)
    d = tmp_path / "farm"
    d.mkdir()
    (d / "clean-1.txt").write_text(docs[0], encoding="utf-8")
    sd.pdf_paragraphs(d / "clean-2.pdf", [p for p in docs[2].split("\n\n") if p.strip()])
    (d / "spun-1.txt").write_text(spin(docs[1], profile="pps", seed=0).spun, encoding="utf-8")
    spun_page = spin(" ".join(docs[4].split()), profile="pps", seed=0).spun
    (d / "spun-2.html").write_text(
        "<html><body><nav><a href='/'>Home</a> | <a href='/a'>Articles</a></nav>"
        f"<p>{html_mod.escape(spun_page)}</p></body></html>", encoding="utf-8")
    (d / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> trunc")
    args = ["screen", str(d), "--out", str(d / "results.jsonl"), "--csv", str(d / "report.csv"),
            "--html", str(d / "report.html"), "--jobs", "0", "--quiet"]
    for _ in range(2):
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
    rows = list(read_rows(d / "results.jsonl"))
    assert sorted(Path(r["path"]).name for r in rows) == ["clean-1.txt", "clean-2.pdf", "corrupt.pdf", "spun-1.txt", "spun-2.html"]
    assert [Path(r["path"]).name for r in rows if r["error"]] == ["corrupt.pdf"]
    with (d / "report.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    names = [Path(r["path"]).name for r in table]
    assert set(names[:2]) == {"spun-1.txt", "spun-2.html"} and names[-1] == "corrupt.pdf"
    assert all(float(r["clean_p"]) < 0.05 for r in table[:2])
    page = (d / "report.html").read_text(encoding="utf-8")
    assert page.index("spun-1.txt") < page.index("clean-1.txt") and page.index("spun-2.html") < page.index("clean-2.pdf")
    assert "of clean text of its length" in page
    # A report of an earlier run under another name is not screened either.
    (d / "old-report.html").write_text(page, encoding="utf-8")
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0 and len(list(read_rows(d / "results.jsonl"))) == 5
