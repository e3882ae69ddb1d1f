"""Benchmarks for `unspin screen` (numbers go to BENCHMARKS.md).

    python scripts/bench_screen.py speed  --docs 20 --words 2000   # PDF screening words/s per core
    python scripts/bench_screen.py resume --docs 10000             # kill halfway, restart, count rows

``speed`` writes real PDFs (reportlab) from the test split of the benchmark corpus, then
times (a) text extraction alone (pypdf + layout repair) and (b) the whole fast-mode screen,
extraction included, with one worker process (``--jobs 1``), so words/s is per core.

``resume`` writes DOCS small text documents (one or two corpus sentences each: small
documents keep the run short; the resume logic does not depend on size), starts
``unspin screen --jobs 2`` as a real subprocess, SIGKILLs its process group once half the
rows are written, starts it again, and checks that every document has exactly one row.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _corpus() -> list[str]:
    from unspin.bench.corpus import default_corpus_path, load_corpus

    return [d.text for d in load_corpus(default_corpus_path("test"))]


def speed(docs: int, words: int, workdir: Path) -> dict:
    import screening_docs as sd

    from unspin.lexicon import known_word
    from unspin.readers import read_document
    from unspin.screening.run import screen_paths

    texts = _corpus()
    folder = workdir / "pdfs"
    folder.mkdir()
    k = 0
    for i in range(docs):
        paras: list[str] = []
        n = 0
        while n < words:
            t = texts[k % len(texts)]
            k += 1
            paras.append(t)
            n += len(t.split())
        sd.pdf_paragraphs(folder / f"doc{i:03d}.pdf", paras)
    files = sorted(folder.glob("*.pdf"))
    read_document(files[0], known_word=known_word)  # load the hyphenation vocabulary once
    t0, c0 = time.perf_counter(), time.process_time()
    extracted = sum(len(read_document(f, known_word=known_word).text.split()) for f in files)
    t_extract, c_extract = time.perf_counter() - t0, time.process_time() - c0
    out = workdir / "speed.jsonl"
    summary = screen_paths([folder], out, jobs=1, progress=False)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    busy = sum(r["seconds"] for r in rows)  # wall time inside the worker, per document, warm engine
    cpu = sum(r["cpuSeconds"] for r in rows)  # CPU time of the worker on those documents
    return {
        "pdfs": len(files),
        "pages": sum(r["pages"] or 0 for r in rows),
        "words": summary.words,
        "extract_words_per_s_wall": round(extracted / t_extract),
        "extract_words_per_cpu_s": round(extracted / c_extract),
        "screen_wall_s": round(summary.seconds, 1),
        "screen_words_per_s_wall_incl_startup": round(summary.words / summary.seconds),
        "screen_words_per_s_warm_wall": round(summary.words / busy),
        "screen_words_per_cpu_s": round(summary.words / cpu),
        "load_average_1m": os.getloadavg()[0],
        "errors": summary.errors,
    }


def resume(docs: int, workdir: Path, jobs: int) -> dict:
    sents = [s for t in _corpus() for s in re.split(r"(?<=[.!?])\s+", " ".join(t.split())) if 8 <= len(s.split()) <= 40]
    folder = workdir / "small"
    folder.mkdir()
    for i in range(docs):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"d{i:05d}.txt").write_text(sents[i % len(sents)] + " " + sents[(7 * i + 3) % len(sents)], encoding="utf-8")
    out = workdir / "resume.jsonl"
    cmd = [sys.executable, "-m", "unspin", "screen", str(folder), "--out", str(out), "--jobs", str(jobs), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        if out.exists() and out.stat().st_size and out.read_bytes().count(b"\n") >= docs // 2:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    t_first = time.perf_counter() - t0
    rows_at_kill = out.read_bytes().count(b"\n")
    partial = not out.read_bytes().endswith(b"\n")
    t1 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    t_second = time.perf_counter() - t1
    paths = [json.loads(line)["path"] for line in out.read_text().splitlines()]
    expected = {str(p) for p in folder.rglob("*.txt")}
    return {
        "documents": docs,
        "rows_at_kill": rows_at_kill,
        "partial_line_at_kill": partial,
        "first_run_s": round(t_first, 1),
        "second_run_s": round(t_second, 1),
        "second_run_exit": done.returncode,
        "second_run_said": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "",
        "rows_total": len(paths),
        "distinct_documents": len(set(paths)),
        "every_document_exactly_once": sorted(paths) == sorted(expected),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["speed", "resume"])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--words", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.what == "speed":
            result = speed(args.docs, args.words, Path(tmp))
        else:
            result = resume(args.docs, Path(tmp), args.jobs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
