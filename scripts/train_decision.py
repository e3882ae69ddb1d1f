"""Train the deep-mode decision (a conditional logit) on cached LM scores of DEV documents.

Two steps, so that training takes seconds and the LM runs once:

    # 1. score dev documents once (slow: the LM); spun by the dev profiles + their clean originals
    python scripts/train_decision.py cache --docs 24 --out benchmarks/cache/deep-dev.jsonl.gz
    # 2. fit, evaluate on held-out dev documents (2 folds), write the weights into the tuning file
    python scripts/train_decision.py train benchmarks/cache/deep-dev.jsonl.gz --write

Only the dev split and the dev profiles (``pps``, ``synonymizer``) are used; ``contentfarm``
is held out and never read here. The cache is gzipped JSONL (one document per line, no
pickle): text, gold spans, and every slot with its candidates and LM scores.

Labels per slot: the gold original's candidate when the slot is exactly a gold span and the
original is among its candidates; "keep" when the slot overlaps no gold span; otherwise the
slot is left out of training (spun, but no candidate is right, or only partly the span).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from unspin import Config
from unspin.bench.corpus import default_corpus_path, first_words, load_corpus, register_documents, sample
from unspin.bench.sweep import PPS_PHRASES, pps_phrase_documents, rates_for
from unspin.bench.funnel import funnel_of_run
from unspin.bench.metrics import changed_words, exact_restorations, span_counts
from unspin.engine.candidates import Candidate, Slot
from unspin.engine.decision import DecisionModel, load_decision
from unspin.engine.features import FEATURES, Unigrams
from unspin.engine.null import scorer_settings
from unspin.engine.infer import feature_matrix, infer_document, neighbour_means
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
    config = Config(n_threads=args.threads)
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


def labels(doc: dict) -> list[int | None]:
    """Per slot: -1 keep, i the gold candidate, None left out."""
    gold = doc["gold"]
    out: list[int | None] = []
    for x in doc["scored_slots"]:
        s = x.slot
        exact = [g for g in gold if g[0] == s.start and g[1] == s.end]
        if exact:
            orig = exact[0][2].lower()
            hit = [i for i, c in enumerate(s.candidates) if c.text.lower() == orig]
            out.append(hit[0] if hit else None)
        elif any(g[0] < s.end and s.start < g[1] for g in gold):
            out.append(None)
        else:
            out.append(-1)
    return out


# -- conditional logit ----------------------------------------------------------------------------


def _stack(mats: list[np.ndarray], labs: list[int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, gid, pos = [], [], []
    g = 0
    for m, y in zip(mats, labs):
        if y is None or len(m) == 0:
            continue
        rows.append(m)
        gid.extend([g] * len(m))
        pos.append(-1 if y < 0 else sum(len(r) for r in rows[:-1]) + y)
        g += 1
    return np.vstack(rows), np.array(gid), np.array(pos)


def fit(X: np.ndarray, gid: np.ndarray, pos: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weights and bias maximising the conditional-logit likelihood (keep = utility 0), L2 on w."""
    from scipy.optimize import minimize

    n_groups = len(pos)
    has_pos = pos >= 0
    Xb = np.hstack([X, np.ones((len(X), 1))])

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        u = Xb @ theta
        m = np.maximum(np.maximum.reduceat(u, np.r_[0, np.flatnonzero(np.diff(gid)) + 1]), 0.0)
        mrow = m[gid]
        e = np.exp(u - mrow)
        z = np.exp(-m) + np.bincount(gid, weights=e, minlength=n_groups)
        lse = m + np.log(z)
        upos = np.where(has_pos, u[np.maximum(pos, 0)], 0.0)
        loss = float((lse - upos).sum())
        p = e / z[gid]
        grad = Xb.T @ p - Xb[pos[has_pos]].sum(axis=0)
        loss += 0.5 * l2 * float(theta[:-1] @ theta[:-1])
        grad[:-1] += l2 * theta[:-1]
        return loss / n_groups, grad / n_groups

    res = minimize(f, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return res.x[:-1], float(res.x[-1])


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def train(docs: list[dict], uni: Unigrams, l2: float, rate_strength: float) -> DecisionModel:
    """Two stages: slot features alone, then with the document features from stage one's
    document loop (``rate_strength``: its pseudo-slots at the base rate)."""
    labs_all = [labels(d) for d in docs]
    n_pos = sum(1 for ls in labs_all for y in ls if y is not None and y >= 0)
    n_lab = sum(1 for ls in labs_all for y in ls if y is not None)
    base = n_pos / max(n_lab, 1)
    mats = []
    for d in docs:
        mats.extend(feature_matrix(d["scored_slots"], uni, base, [0.0] * len(d["scored_slots"])))
    labs = [y for ls in labs_all for y in ls]
    X, gid, pos = _stack(mats, labs)
    mean, scale = _standardise(X)
    w, b = fit((X - mean) / scale, gid, pos, l2)
    model = DecisionModel(FEATURES, tuple(mean), tuple(scale), tuple(w), b, {"base_rate": base})
    # Stage 2: document features from stage one's inference.
    rounds = int(load_decision().infer["rounds"])
    mats = []
    for d in docs:
        post = infer_document(d["scored_slots"], model, uni, rounds=rounds, rate_strength=rate_strength)
        nb = neighbour_means(d["scored_slots"], [p.p_spun for p in post.posteriors])
        mats.extend(feature_matrix(d["scored_slots"], uni, post.rate, nb))
    X, gid, pos = _stack(mats, labs)
    mean, scale = _standardise(X)
    w, b = fit((X - mean) / scale, gid, pos, l2)
    return DecisionModel(FEATURES, tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                         tuple(float(v) for v in w), b, {"base_rate": base})


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
        a = finish(sc, config, decision=decision)  # model None: the noisy-channel baseline
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
                rs.append(evaluate(te, train(tr, uni, l2, strength)))
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
    model = train(docs, uni, l2, strength)
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
