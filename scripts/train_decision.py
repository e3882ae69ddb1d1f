"""Train the deep-mode decision (a conditional logit) on cached LM scores of DEV documents.

Two steps, so that training takes seconds and the LM runs once:

    # 1. score dev documents once (slow: the LM); spun by the dev profiles + their clean originals
    python scripts/train_decision.py cache --docs 24 --out benchmarks/cache/deep-dev.jsonl.gz
    # 2. fit, evaluate on held-out dev documents (2 folds), write the weights into the tuning file
    python scripts/train_decision.py train benchmarks/cache/deep-dev.jsonl.gz --write

Only the dev split and the dev profiles (``pps``, ``synonymizer``) are used; ``contentfarm``
is held out and never read here. The cache is gzipped JSONL (one document per line, no
pickle): text, gold spans, and every slot with its candidates and LM scores.

The ranker's fit (labels per slot, the two-stage conditional logit) lives with the rest of
deep mode's decision in :mod:`unspin.engine.decision` (:func:`~unspin.engine.decision.fit_ranker`,
:func:`~unspin.engine.decision.slot_labels`); this script scores the documents, runs the
held-out grid and writes the tuning file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import json
import sys
import time
from pathlib import Path

from unspin import Config
from unspin.bench.corpus import default_corpus_path, first_words, load_corpus, register_documents, sample
from unspin.bench.sweep import PPS_PHRASES, pps_phrase_documents, rates_for
from unspin.bench.funnel import funnel_of_run
from unspin.bench.metrics import changed_words, exact_restorations, span_counts
from unspin.engine.candidates import Candidate, Slot
from unspin.engine.decision import DecisionModel, fit_ranker, load_decision
from unspin.engine.features import FEATURES, Unigrams
from unspin.engine.null import scorer_settings
from unspin.engine.pipeline import Scored, finish, score
from unspin.engine.scored import ScoredSlot
from unspin.lexicon import load_lexicon
from unspin.spinner import spin
from unspin.text import tokenize
from unspin.tuning import TUNING_FILE

DEV_PROFILES = ("pps", "synonymizer")
# Never trained or tuned on: the held-out profile, the third-party (transfer) spinners and the
# real tortured phrases in real sentences (evaluation sets of the transfer benchmark).
HELD_OUT = ("contentfarm", "nlpaug-wordnet", "eda-wordnet", PPS_PHRASES)
CACHE_FORMAT = 1
_CAND_FIELDS = {f.name for f in dataclasses.fields(Candidate)}


# -- cache ------------------------------------------------------------------------------------


def _slot_record(seg: int, x: ScoredSlot) -> list:
    s = x.slot
    cands = []
    for i, c in enumerate(s.candidates):
        cands.append([c.text, c.lemma, c.prior, c.user, getattr(c, "source", "lexicon"), getattr(c, "steps", 1),
                      float(getattr(c, "channel", 0.0) or 0.0), round(x.cands[i], 4),
                      round(x.cands_first[i], 4) if x.cands_first else round(x.cands[i], 4)])
    return [seg, s.first, s.last, s.start, s.end, s.text, x.mid_sentence_capital, round(x.keep, 4),
            round(x.keep_first, 4), cands]


def build_cache(args: argparse.Namespace) -> None:
    if args.split != "dev":
        print(f"note: a {args.split}-split cache is for evaluation only (train refuses it)", file=sys.stderr)
    profiles = tuple(args.profiles)
    if args.split == "dev" and any(p in HELD_OUT for p in profiles):
        raise SystemExit(f"held-out profiles {HELD_OUT} are never cached from the dev split for training")
    phrases = PPS_PHRASES in profiles
    profiles = tuple(p for p in profiles if p != PPS_PHRASES)
    if args.registers:  # clean text only, --docs per register, interleaved (the null's source)
        if profiles or phrases:
            raise SystemExit("--registers caches clean text only: give --profiles with no names")
        picked = register_documents(args.split, args.docs, min_words=args.words)
        docs, registers = [d for _, d in picked], [r for r, _ in picked]
    else:
        docs = list(sample(load_corpus(default_corpus_path(args.split)), args.docs))
        registers = [None] * len(docs)
    pps_docs = pps_phrase_documents(args.split, args.docs, args.words) if phrases else []
    config = Config(n_threads=args.threads, model=args.model)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists() and args.resume:
        with gzip.open(out, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("{"):
                    r = json.loads(line)
                    done.add((r["profile"], r["doc"]))
    mode = "at" if done else "wt"
    t0 = time.time()
    words = 0
    with gzip.open(out, mode, encoding="utf-8") as fh:
        if not done:
            fh.write(json.dumps({"magic": "unspin-decision-cache", "format": CACHE_FORMAT, "split": args.split,
                                 "profiles": list(profiles), "words": args.words, "docs": args.docs, "rates": args.rates,
                                 "densities": args.densities,
                                 "registers": args.registers,
                                 "date": datetime.date.today().isoformat(),
                                 "scorer_settings": scorer_settings()}) + "\n")
        # --densities: each profile's rate for a share of ALL words, measured on every document's text
        # (the same on every shard); the record keeps both
        cut_texts = [first_words(d.text, args.words) for d in docs]
        by_density = {p: rates_for(p, args.densities, cut_texts) for p in profiles} if args.densities else {}
        # --exclude: documents already in other caches are skipped (so a cache can add new documents
        # to an earlier one); settings cycle over the documents kept
        seen_ids = {r["id"] for r in read_cache(args.exclude)[1]} if args.exclude else set()
        kept = [i for i, d in enumerate(docs) if d.id not in seen_ids]
        position = {i: j for j, i in enumerate(kept)}
        for i, d in enumerate(docs):
            if i not in position or position[i] % args.shards != args.shard:
                continue
            j = position[i]
            text = cut_texts[i]
            jobs = [("clean", text, [], 0.0, None)] if args.clean else []
            for pi, profile in enumerate(profiles):
                density = args.densities[(j + pi) % len(args.densities)] if args.densities else None
                rate = by_density[profile][density] if args.densities else args.rates[(j + pi) % len(args.rates)]
                st = spin(text, profile=profile, rate=rate, seed=1000 + i)
                jobs.append((profile, st.spun, [[e.spun_start, e.spun_end, e.original_text] for e in st.edits], rate, density))
            if i < len(pps_docs):
                st = pps_docs[i]
                jobs.append((PPS_PHRASES, st.spun, [[e.spun_start, e.spun_end, e.original_text] for e in st.edits], 0.0, None))
            for profile, text, gold, rate, density in jobs:
                if (profile, i) in done:
                    continue
                sc = score(text, config)
                words += sc.words
                rec = {"doc": i, "id": d.id, "register": registers[i], "profile": profile, "rate": rate, "density": density,
                       "text": text, "gold": gold, "words": sc.words,
                       "scorer": sc.scorer, "slots": [_slot_record(k, x) for k, seg in enumerate(sc.segments) for x in seg]}
                fh.write(json.dumps(rec) + "\n")
                fh.flush()
                el = time.time() - t0
                print(f"doc {i} {profile}: {sc.words} words; total {words} words in {el:.0f}s ({words / el:.1f} w/s)",
                      file=sys.stderr, flush=True)


def _candidate(row: list) -> Candidate:
    text, lemma, prior, user, source, steps, channel = row[:7]
    kw = {"source": source, "steps": steps, "channel": channel}
    return Candidate(text, lemma, prior, user, **{k: v for k, v in kw.items() if k in _CAND_FIELDS})


def _cache_lines(path: str) -> list[str]:
    """Lines of a gzipped cache file; a file still being written ends at its last flushed line."""
    lines: list[str] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                lines.append(line)
    except EOFError:
        pass
    return lines


def read_cache(paths: list[str]) -> tuple[dict, list[dict]]:
    """Documents of one or more cache files (a truncated last line, from a stopped run, is skipped)."""
    header: dict = {}
    docs = []
    for path in paths:
        for n, line in enumerate(_cache_lines(path)):
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                break
            if n == 0:
                header = r
                continue
            r["scored_slots"] = [
                ScoredSlot(Slot(f, l, a, b, t, tuple(_candidate(c) for c in cands)), k, tuple(c[7] for c in cands),
                           bool(cap), kf, tuple(c[8] for c in cands))
                for seg, f, l, a, b, t, cap, k, kf, cands in r["slots"]
            ]
            r["segs"] = [s[0] for s in r["slots"]]
            docs.append(r)
    return header, docs


def _labelled(docs: list[dict]) -> list[tuple[list[ScoredSlot], list]]:
    """Cached documents as :func:`~unspin.engine.decision.fit_ranker` takes them: (slots, gold swaps)."""
    return [(d["scored_slots"], d["gold"]) for d in docs]


def _scored(d: dict) -> Scored:
    """A cached document's LM scores as the engine's ``Scored`` (segments in order)."""
    segs: dict[int, list] = {}
    for seg, x in zip(d["segs"], d["scored_slots"]):
        segs.setdefault(seg, []).append(x)
    return Scored(d["text"], tokenize(d["text"]), tuple(tuple(v) for _, v in sorted(segs.items())), d["words"],
                  d["scorer"], "", "deep", False, None)


def evaluate(docs: list[dict], model: DecisionModel | None, threshold: float = 0.5) -> dict:
    """Span P/R/F1, exact restorations and false changes per 1k clean words via pipeline.finish
    (engine v3 with ``model`` as its ranker; ``model`` None: the noisy-channel baseline)."""
    config = Config(flag_threshold=threshold)
    decision = None if model is None else dataclasses.replace(load_decision(), ranker=model)
    ex = gold_n = fc = clean_words = 0
    counts = [0, 0, 0, 0]
    for d in docs:
        sc = _scored(d)
        a = finish(sc, config, decision=decision)
        if d["profile"] == "clean":
            fc += changed_words(d["text"], a.edits)
            clean_words += d["words"]
            continue
        from unspin.results import apply_edits

        gold = [tuple(g) for g in d["gold"]]
        restored = apply_edits(d["text"], a.edits)
        ex += sum(exact_restorations(gold, a.edits, restored))
        gold_n += len(gold)
        c = span_counts([(f.start, f.end) for f in a.report.findings], [(g[0], g[1]) for g in gold])
        counts = [counts[0] + c.findings, counts[1] + c.correct_findings, counts[2] + c.gold, counts[3] + c.found_gold]
    p = counts[1] / counts[0] if counts[0] else 0.0
    r = counts[3] / counts[2] if counts[2] else 0.0
    return {"exact": ex / max(gold_n, 1), "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "fc_per_1k": 1000 * fc / max(clean_words, 1), "gold": gold_n}


def run_evaluate(args: argparse.Namespace) -> None:
    """Per-profile numbers of the shipped decision on a cache (e.g. the test split), and risk levels."""

    header, docs = read_cache(args.cache)
    config = Config()
    print(f"cache: split {header.get('split')}, {len(docs)} texts")
    table = {}
    for profile in sorted({d["profile"] for d in docs}):
        ds = [d for d in docs if d["profile"] == profile]
        clean = [d for d in docs if d["profile"] == "clean" and d["doc"] in {x["doc"] for x in ds}]
        res = evaluate(ds + clean, load_decision().ranker) if profile != "clean" else None
        if res is not None and args.baseline:
            b = evaluate(ds + clean, None)
            res.update({f"baseline_{k}": v for k, v in b.items()})
        risks: dict[str, int] = {}
        fun = None
        for d in ds:
            sc = _scored(d)
            a = finish(sc, config)
            risks[a.report.risk] = risks.get(a.report.risk, 0) + 1
            if profile != "clean":
                one = funnel_of_run(sc, a, [tuple(g) for g in d["gold"]], profile)
                fun = one if fun is None else fun + one
        words = sum(d["words"] for d in ds)
        table[profile] = {"texts": len(ds), "words": words, "risk": risks, **(res or {})}
        if fun is not None:
            table[profile]["funnel"] = fun.to_dict()
        print(profile, json.dumps(table[profile]))
    if args.json:
        Path(args.json).write_text(json.dumps({"cache": args.cache, "header": header, "results": table}, indent=1))


def run_train(args: argparse.Namespace) -> None:
    header, docs = read_cache(args.cache)
    if header.get("split") != "dev" or any(d["profile"] in HELD_OUT for d in docs):
        raise SystemExit("train reads dev-split caches of the dev profiles only")
    uni = Unigrams(load_lexicon(Config().lexicon))
    ids = sorted({d["doc"] for d in docs})
    folds = [set(ids[0::2]), set(ids[1::2])]
    t0 = time.time()
    base = evaluate(docs, None)
    print("noisy-channel baseline (shipped formula) on the same dev texts: " + " ".join(f"{k} {v:.3f}" for k, v in base.items()))
    best = None
    for l2 in args.l2:
        for strength in args.rate_strength:
            rs = []
            for k in range(2):
                tr = [d for d in docs if d["doc"] not in folds[k]]
                te = [d for d in docs if d["doc"] in folds[k]]
                rs.append(evaluate(te, fit_ranker(_labelled(tr), uni, l2, strength)))
            agg = {k: sum(r[k] for r in rs) / len(rs) for k in ("exact", "P", "R", "F1", "fc_per_1k")}
            print(f"l2 {l2} strength {strength}: exact {agg['exact']:.3f} F1 {agg['F1']:.3f} "
                  f"(P {agg['P']:.3f} R {agg['R']:.3f}) FC/1k {agg['fc_per_1k']:.2f}", flush=True)
            ok = agg["fc_per_1k"] <= args.max_fc
            key = (ok, agg["exact"] + agg["F1"] if ok else -agg["fc_per_1k"])
            if best is None or key > best[0]:
                best = (key, l2, strength, agg)
    assert best is not None
    _, l2, strength, agg = best
    print(f"chosen: l2 {l2} rate_strength {strength} -> held-out dev {agg}  ({time.time() - t0:.0f}s)")
    model = fit_ranker(_labelled(docs), uni, l2, strength)
    for name, w in sorted(zip(FEATURES, model.weights), key=lambda t: -abs(t[1])):
        print(f"  {name:14s} {w:+.3f}")
    if args.write:
        path = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / TUNING_FILE
        raw = json.loads(path.read_text(encoding="utf-8"))
        prov = {"script": "scripts/train_decision.py train " + " ".join(args.cache), "profiles": sorted({d["profile"] for d in docs}),
                "split": "dev", "docs": len(ids), "date": datetime.date.today().isoformat(),
                "base_rate": model.provenance["base_rate"], "l2": l2,
                "held_out_dev_2fold": {k: round(v, 4) for k, v in agg.items()}}
        raw["decision"] = {"features": list(FEATURES), "mean": [round(v, 6) for v in model.mean],
                           "scale": [round(v, 6) for v in model.scale], "weights": [round(v, 6) for v in model.weights],
                           "bias": round(model.bias, 6), "provenance": prov}
        raw["infer"] = {"values": {"rounds": 4, "rate_strength": strength},
                        "provenance": {"script": "scripts/train_decision.py train (grid, 2-fold held-out dev)",
                                       "date": datetime.date.today().isoformat()}}
        path.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")


def _rate(value: str) -> float | None:
    return None if value == "default" else float(value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cache")
    c.add_argument("--docs", type=int, default=24)
    c.add_argument("--rates", type=_rate, nargs="+", default=[None],
                   help="spin rates, cycled over documents; 'default' = the profile's own (about 18%% of words)")
    c.add_argument("--densities", type=float, nargs="+", default=None,
                   help="shares of ALL words to spin, cycled over documents (each profile's rate is measured "
                        "for them, as in unspin bench --sweep); instead of --rates")
    c.add_argument("--exclude", nargs="+", default=[], metavar="CACHE",
                   help="skip the documents already in these caches (add new documents to an earlier cache's)")
    c.add_argument("--out", default="benchmarks/cache/deep-dev.jsonl.gz")
    c.add_argument("--resume", action="store_true")
    c.add_argument("--split", default="dev", choices=["dev", "test"])
    c.add_argument("--profiles", nargs="*", default=list(DEV_PROFILES), help="none: the clean texts only")
    c.add_argument("--words", type=int, default=150, help="cut each document after about this many words")
    c.add_argument("--threads", type=int, default=1)
    c.add_argument("--model", default=Config().model, help="a registered model name or a GGUF file (default: %(default)s)")
    c.add_argument("--no-clean", dest="clean", action="store_false", help="do not score the clean originals "
                   "(already in another cache of the same documents)")
    c.add_argument("--registers", action="store_true", help="clean text only: --docs documents of each of the "
                   "five registers (news, scientific, encyclopedic, technical, other), interleaved")
    c.add_argument("--shard", type=int, default=0)
    c.add_argument("--shards", type=int, default=1)
    t = sub.add_parser("train")
    t.add_argument("cache", nargs="+")
    t.add_argument("--l2", type=float, nargs="+", default=[1.0])
    t.add_argument("--rate-strength", type=float, nargs="+", default=[20.0])
    t.add_argument("--max-fc", type=float, default=1.0)
    t.add_argument("--write", action="store_true")
    e = sub.add_parser("evaluate")
    e.add_argument("cache", nargs="+")
    e.add_argument("--json")
    e.add_argument("--baseline", action="store_true", help="also the noisy-channel formula on the same cache")
    args = ap.parse_args()
    {"cache": build_cache, "train": run_train, "evaluate": run_evaluate}[args.cmd](args)


if __name__ == "__main__":
    main()
