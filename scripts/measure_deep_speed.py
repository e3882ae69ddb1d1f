"""Deep-mode settings against each other on DEV documents: decisions, quality, funnel, time.

Every variant scores the same texts with the same loaded model (one process, back to back),
then runs the shipped decision (``pipeline.finish``) on its scores. Compared with the first
variant (the reference, today's settings):

* decision agreement: the share of slots whose outcome (edit text or none, reported or not)
  is identical;
* quality: exact restorations, span P/R/F1, false changes per 1k clean words
  (``scripts/train_decision.py``'s ``evaluate``);
* the deep funnel's ``scored`` stage: gold spans whose original got the right context;
* hypotheses rescored per 1k words and engine seconds per 1k words (noisy on a shared machine:
  compare variants of the same run only).

Only the dev split and the dev profiles (``pps``, ``synonymizer``) plus the clean originals;
``contentfarm`` is held out and never read here.

    python scripts/measure_deep_speed.py --docs 4 --words 250 --json benchmarks/results/deep-speed-dev.json \\
        --variant ref:head=exact --variant sub:head=sub --variant gate:head=sub,rescore_gate=-5,rescore_first=6
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_decision import evaluate  # noqa: E402

from unspin.bench.corpus import first_words as _first_words  # noqa: E402

from unspin import Config  # noqa: E402
from unspin.bench.corpus import default_corpus_path, load_corpus, sample  # noqa: E402
from unspin.bench.funnel import funnel_of_run  # noqa: E402
from unspin.engine.decision import load_decision  # noqa: E402
from unspin.engine.lm import load_model  # noqa: E402
from unspin.engine.neural import NeuralScorer  # noqa: E402
from unspin.engine.pipeline import finish, score  # noqa: E402
from unspin.spinner import spin  # noqa: E402
from unspin.tuning import is_scored, mode_defaults  # noqa: E402

DEV_PROFILES = ("pps", "synonymizer")


def parse_variant(spec: str) -> tuple[str, dict]:
    """``name:key=value,key=value`` -> (name, ModeDefaults overrides)."""
    name, _, rest = spec.partition(":")
    kw: dict = {}
    for part in filter(None, rest.split(",")):
        k, _, v = part.partition("=")
        if k == "right":
            kw["right_min"] = kw["right_max"] = int(v)
        elif k in ("head",):
            kw[k] = v
        elif k == "rescore_gate":
            kw[k] = None if v == "none" else float(v)
        else:
            kw[k] = int(v)
    return name, kw


def outcomes(sc, a) -> dict:  # type: ignore[no-untyped-def]
    """Per slot span: (edit text or None, reported)."""
    edits = {(e.start, e.end): e.new for e in a.edits}
    found = {(f.start, f.end) for f in a.report.findings}
    return {(x.slot.start, x.slot.end): (edits.get((x.slot.start, x.slot.end)), (x.slot.start, x.slot.end) in found)
            for seg in sc.segments for x in seg}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=4)
    ap.add_argument("--skip", type=int, default=0, help="start after this many sampled documents")
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", required=True, help="name:key=value,... (first = reference)")
    ap.add_argument("--json")
    args = ap.parse_args()
    docs = sample(load_corpus(default_corpus_path("dev")), args.skip + args.docs)[args.skip:]
    texts = []
    for i, d in enumerate(docs, start=args.skip):
        text = _first_words(d.text, args.words)
        texts.append(("clean", i, text, []))
        for pi, profile in enumerate(DEV_PROFILES):
            st = spin(text, profile=profile, seed=1000 + i)
            texts.append((profile, i, st.spun, [[e.spun_start, e.spun_end, e.original_text] for e in st.edits]))
    base = mode_defaults("deep")
    variants = [parse_variant(v) for v in args.variant]
    lm = load_model(Config().model, args.threads)
    config = Config(n_threads=args.threads)
    runs: dict[str, list] = {name: [] for name, _ in variants}
    secs = {name: 0.0 for name, _ in variants}
    for profile, i, text, gold in texts:
        for name, kw in variants:
            scorer = NeuralScorer(lm, dataclasses.replace(base, **kw))
            t0 = time.perf_counter()
            sc = score(text, config, scorer)
            secs[name] += time.perf_counter() - t0
            a = finish(sc, config)
            runs[name].append((profile, i, text, gold, sc, a))
        print(f"{profile} doc {i}: " + " ".join(f"{n} {secs[n]:.0f}s" for n, _ in variants), file=sys.stderr, flush=True)
    ref = variants[0][0]
    words = {p: sum(r[4].words for r in runs[ref] if r[0] == p) for p in ("clean", *DEV_PROFILES)}
    total_words = sum(words.values())
    table = {}
    for name, kw in variants:
        agree = n = 0
        hyps = 0
        fun = None
        cache_docs = []
        for (profile, i, text, gold, sc, a), r0 in zip(runs[name], runs[ref]):
            o, o0 = outcomes(sc, a), outcomes(r0[4], r0[5])
            for k, v in o0.items():
                n += 1
                agree += o.get(k) == v
            hyps += sum(is_scored(c) for seg in sc.segments for x in seg for c in x.cands)
            if gold:
                one = funnel_of_run(sc, a, [tuple(g) for g in gold], profile)
                fun = one if fun is None else fun + one
            cache_docs.append({"doc": i, "profile": profile, "text": text, "gold": gold, "words": sc.words,
                               "scorer": sc.scorer, "segs": [k for k, seg in enumerate(sc.segments) for _x in seg],
                               "scored_slots": [x for seg in sc.segments for x in seg]})
        quality = {}
        for p in DEV_PROFILES:
            ds = [d for d in cache_docs if d["profile"] in (p, "clean")]
            quality[p] = {k: round(v, 4) for k, v in evaluate(ds, load_decision().ranker, {}).items()}
        table[name] = {
            "settings": kw,
            "agreement": round(agree / max(n, 1), 4),
            "slots": n,
            "seconds_per_1k_words": round(1000 * secs[name] / total_words, 1),
            "hypotheses_per_1k_words": round(1000 * hyps / total_words),
            "funnel": fun.to_dict() if fun else None,
            "quality": quality,
        }
        sh = fun.shares() if fun else {}
        print(f"{name:10s} agree {table[name]['agreement']:.4f}  {table[name]['seconds_per_1k_words']:6.1f} s/1k  "
              f"hyps/1k {table[name]['hypotheses_per_1k_words']:5d}  scored {sh.get('scored')}  candidate {sh.get('candidate')}  "
              + "  ".join(f"{p}: exact {q['exact']:.3f} F1 {q['F1']:.3f} FC/1k {q['fc_per_1k']:.2f}" for p, q in quality.items()),
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"command": " ".join(sys.argv), "words": words, "docs": args.docs,
                                               "skip": args.skip, "threads": args.threads, "results": table}, indent=1) + "\n")


if __name__ == "__main__":
    main()
