"""Benchmark ``unspin learn`` on batches spun by one profile (default: the held-out ``contentfarm``).

What it measures (see BENCHMARKS.md for the numbers and the exact commands):

- batches of the first N spun documents (nested, so one evidence cache serves all sizes):
  precision of the learned swaps seen in >= --min-docs documents (a swap is right when the
  spinner wrote that wording for that original somewhere in the batch's gold edits), and how
  many of the profile's swaps that occur in >= --min-docs documents were learned;
- a batch with half clean documents against an all-spun batch of the same size: false swaps;
- restoration of NEW documents of the same source (same profile and seed, not in the batch)
  with the learned dictionary as a channel (``Config(channel=...)``) and without: share of
  gold spans restored exactly, and false changes per 1,000 words on their clean originals;
- speed (words/s, documents/s per core) and peak memory; optionally a 2-worker Dask
  LocalCluster run on a fresh cache.

Documents are the test split's, cut to about --words words at a sentence end (deep mode is
slow on a shared 2-core machine). Never used for tuning.

    .venv/bin/python scripts/bench_learn.py --profile contentfarm --sizes 20,100 --words 150
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from unspin import Config, replace_config
from unspin.bench.corpus import default_corpus_path, load_corpus
from unspin.bench.metrics import changed_words, exact_restorations
from unspin.learn import learn
from unspin.learn.run import BatchItem
from unspin.learn.evidence import text_sha256
from unspin.bench.corpus import first_words
from unspin.spinner import spin
from unspin.text import phrase_key, tokenize


cut = first_words  # the text up to the first sentence end after ``words`` words


def item(name: str, text: str) -> BatchItem:
    return BatchItem(name, text_sha256(text), text, tokenize(text).word_count)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score_swaps(selected, gold_pairs: set[tuple[str, str]]) -> tuple[int, int]:
    right = sum(1 for s in selected if (s.spun, s.original) in gold_pairs)
    return right, len(selected)


def gold_of(spun_docs) -> tuple[set[tuple[str, str]], dict[tuple[str, str], int]]:
    pairs: set[tuple[str, str]] = set()
    docs_per: dict[tuple[str, str], int] = {}
    for st in spun_docs:
        here = {(phrase_key(e.spun_text), phrase_key(e.original_text)) for e in st.edits}
        pairs |= here
        for p in here:
            docs_per[p] = docs_per.get(p, 0) + 1
    return pairs, docs_per


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="contentfarm")
    ap.add_argument("--seed", type=int, default=11, help="the source's dictionary (same seed for every document)")
    ap.add_argument("--rate", type=float, default=None)
    ap.add_argument("--sizes", default="20,100")
    ap.add_argument("--pool", type=int, default=520, help="documents picked from the split (batch + clean); keep fixed to reuse the cache")
    ap.add_argument("--words", type=int, default=150)
    ap.add_argument("--half-clean", type=int, default=20, help="size of the half-clean vs all-spun comparison (0: skip)")
    ap.add_argument("--clean-pool", type=int, default=20, help="clean documents set aside at the end of the pool (keep fixed)")
    ap.add_argument("--restore-only", choices=["without", "with_channel"], help="only this restoration arm (results cached)")
    ap.add_argument("--new", type=int, default=5, help="new documents to restore with and without the dictionary")
    ap.add_argument("--min-docs", type=int, default=3)
    ap.add_argument("--min-confidence", type=float, default=None, help="default: the batch model's own (null 0.8, em 0.5)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--dask-docs", type=int, default=0, help="also run this many documents on a 2-worker LocalCluster")
    ap.add_argument("--fast", action="store_true", help="fast-mode evidence (weaker)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--workdir", default="/tmp/unspin-learn-bench")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads per process (1 is far faster on a loaded machine)")
    ap.add_argument("--method", choices=["null", "em"], default=None, help="how the batch is fitted (default: learn's)")
    ap.add_argument("--evidence-only", action="store_true",
                    help="only fill the evidence cache, in priority order (first size, half-clean, the rest)")
    args = ap.parse_args()

    sizes = sorted(int(x) for x in args.sizes.split(","))
    n_max = max(sizes)
    half = args.half_clean // 2
    if half > args.clean_pool:
        sys.exit("--half-clean needs at most 2 x --clean-pool documents")
    corpus = load_corpus(default_corpus_path(args.split))
    pool = args.pool
    if n_max + args.clean_pool > pool or pool + args.new > len(corpus) // 2:
        sys.exit(f"sizes + half-clean must fit in --pool {pool}; the {args.split} split has {len(corpus)} documents")
    # Spread over the corpus (both sources), deterministic and independent of --sizes: batch
    # documents first, then the clean ones; the new documents sit next to the first picks.
    picked = [corpus[i * len(corpus) // pool] for i in range(pool)]
    texts = [cut(d.text, args.words) for d in picked]
    spun = [spin(t, profile=args.profile, rate=args.rate, seed=args.seed) for t in texts[:n_max]]
    clean_texts = texts[pool - args.clean_pool : pool]
    new_texts = [cut(corpus[i * len(corpus) // pool + 1].text, args.words) for i in range(args.new)]
    new_spun = [spin(t, profile=args.profile, rate=args.rate, seed=args.seed) for t in new_texts]
    config = Config(mode="fast" if args.fast else "deep", n_threads=args.threads)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    cache = work / f"evidence-{args.profile}-{args.seed}-{args.words}w.jsonl"
    out: dict = {"profile": args.profile, "seed": args.seed, "words_per_doc": args.words, "mode": config.mode,
                 "min_docs": args.min_docs, "min_confidence": args.min_confidence, "cpu_count": os.cpu_count(),
                 "batches": [], "method": args.method or ("em" if args.fast else "null")}
    spun_items = [item(f"spun/{i:04d}", st.spun) for i, st in enumerate(spun)]
    clean_items = [item(f"clean/{i:04d}", t) for i, t in enumerate(clean_texts)]
    if args.evidence_only:
        spun_items = [item(f"spun/{i:04d}", spin(t, profile=args.profile, rate=args.rate, seed=args.seed).spun)
                      for i, t in enumerate(texts[: pool - args.clean_pool])]
        order = spun_items[: sizes[0]] + clean_items[: half] + spun_items[sizes[0] :] + clean_items[half:]
        learn(items=order, config=config, cache_path=cache, jobs=args.jobs,
              progress=lambda p: print(f"evidence {p.done}/{p.total} ({p.words_per_second:.1f} words/s) "
                                       f"{time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True))
        return 0
    for n in [] if args.restore_only else sizes:
        t0 = time.monotonic()
        run = learn(items=spun_items[:n], config=config, cache_path=cache, jobs=args.jobs, method=args.method,
                    progress=lambda p: print(f"\r  evidence {p.done}/{p.total} ({p.words_per_second:.0f} words/s)",
                                             end="", file=sys.stderr, flush=True))
        print(file=sys.stderr)
        gold, per_doc = gold_of(spun[:n])
        sel = run.fit.select(args.min_docs, args.min_confidence)
        right, total = score_swaps(sel, gold)
        frequent = {p for p, k in per_doc.items() if k >= args.min_docs}
        learned_frequent = sum(1 for s in sel if (s.spun, s.original) in frequent)
        row = {
            "documents": n, "words": sum(it.words for it in spun_items[:n]), "learned": total, "right": right,
            "precision": round(right / total, 3) if total else None,
            "gold_swaps": len(gold), "gold_swaps_in_min_docs": len(frequent),
            "learned_of_gold_in_min_docs": learned_frequent,
            "recall_in_min_docs": round(learned_frequent / len(frequent), 3) if frequent else None,
            "computed": run.computed, "reused": run.reused, "seconds": round(time.monotonic() - t0, 1),
            "words_per_second": round(run.words_computed / run.seconds, 1) if run.computed and run.seconds else None,
            "settings": run.fit.settings.as_header(), "iterations": run.fit.iterations, "median_rate": sorted(run.fit.doc_rates)[n // 2],
            "top": [[s.spun, s.original, s.confidence, s.documents, (s.spun, s.original) in gold] for s in sel[:25]],
            "wrong": [[s.spun, s.original, s.confidence, s.documents] for s in sel if (s.spun, s.original) not in gold][:25],
        }
        out["batches"].append(row)
        print(json.dumps({k: v for k, v in row.items() if k not in ("top", "wrong")}), file=sys.stderr)

    if half and not args.restore_only:
        mixed = spun_items[:half] + clean_items[:half]
        run_mixed = learn(items=mixed, config=config, cache_path=cache, jobs=args.jobs, method=args.method)
        run_all = learn(items=spun_items[: 2 * half], config=config, cache_path=cache, jobs=args.jobs, method=args.method)
        g_mixed, _ = gold_of(spun[:half])
        g_all, _ = gold_of(spun[: 2 * half])
        sel_m = run_mixed.fit.select(args.min_docs, args.min_confidence)
        sel_a = run_all.fit.select(args.min_docs, args.min_confidence)
        rates = dict(zip(run_mixed.fit.doc_names, run_mixed.fit.doc_rates))
        out["half_clean"] = {
            "size": 2 * half,
            "mixed_learned": len(sel_m), "mixed_false": sum(1 for s in sel_m if (s.spun, s.original) not in g_mixed),
            "all_spun_learned": len(sel_a), "all_spun_false": sum(1 for s in sel_a if (s.spun, s.original) not in g_all),
            "mean_rate_spun_docs": round(sum(rates[it.name] for it in spun_items[:half]) / half, 3),
            "mean_rate_clean_docs": round(sum(rates[it.name] for it in clean_items[:half]) / half, 3),
        }
        print(json.dumps(out["half_clean"]), file=sys.stderr)

    if args.new:
        from unspin.api import restore_and_explain

        channel: tuple = ()
        if args.restore_only != "without":
            run = learn(items=spun_items[: sizes[-1]], config=config, cache_path=cache, jobs=args.jobs, method=args.method)
            channel = tuple((s.spun, s.original, s.confidence) for s in run.fit.select(args.min_docs, args.min_confidence))
        deep = Config(n_threads=args.threads)
        with_ch = replace_config(deep, channel=channel) if channel else deep
        res: dict = {"dictionary_size": len(channel), "from_batch": sizes[-1]}
        import hashlib

        memo_path = work / "restore-memo.json"
        memo = json.loads(memo_path.read_text()) if memo_path.exists() else {}
        arms = (("without", deep), ("with_channel", with_ch))
        for label, cfg in arms:
            if args.restore_only and label != args.restore_only:
                continue
            t0 = time.monotonic()
            exact = total = changed = words = 0
            tag = hashlib.sha256(repr(cfg.channel).encode()).hexdigest()[:12]
            for st in new_spun:
                key = f"{label}/{tag}/{hashlib.sha256(st.spun.encode()).hexdigest()[:16]}"
                if key not in memo:
                    r = restore_and_explain(st.spun, cfg)
                    ok = exact_restorations([(e.spun_start, e.spun_end, e.original_text) for e in st.edits], r.edits, r.text)
                    c = restore_and_explain(st.original, cfg)
                    memo[key] = [sum(ok), len(ok), changed_words(st.original, c.edits), tokenize(st.original).word_count]
                    memo_path.write_text(json.dumps(memo))
                e_, t_, c_, w_ = memo[key]
                exact += e_
                total += t_
                changed += c_
                words += w_
            res[label] = {"gold_spans": total, "exact": exact, "exact_pct": round(100 * exact / max(total, 1), 1),
                          "clean_words": words, "false_changes_per_1000": round(1000 * changed / max(words, 1), 2),
                          "seconds": round(time.monotonic() - t0, 1)}
            print(label, json.dumps(res[label]), file=sys.stderr)
        out["restore_new"] = res

    if args.dask_docs:
        dcache = work / f"evidence-dask-{int(time.time())}.jsonl"
        t0 = time.monotonic()
        run = learn(items=spun_items[: args.dask_docs], config=config, cache_path=dcache, use_dask=True, dask_workers=2)
        dt = time.monotonic() - t0
        out["dask"] = {"workers": 2, "documents": args.dask_docs, "seconds": round(dt, 1),
                       "documents_per_second": round(args.dask_docs / dt, 4),
                       "words_per_second": round(run.words_computed / dt, 1)}
        print(json.dumps(out["dask"]), file=sys.stderr)

    out["peak_memory_mb_driver"] = round(peak_mb(), 1)
    out["peak_memory_mb_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    text = json.dumps(out, indent=1)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
