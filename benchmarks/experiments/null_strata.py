"""Experiment (session 11): finer null strata, one pooled null, and the document test's cut.

Dev caches only (the null's 400 clean dev texts and the sparsely spun dev texts); nothing here
is in the package. From the repository root:

    python benchmarks/experiments/null_strata.py strata base resc kbin both   # finer strata
    python benchmarks/experiments/null_strata.py strata base --pooled         # one null for all registers
    python benchmarks/experiments/null_strata.py cuts                         # the "suspicious" cut

``strata``: each variant's null is built from the clean dev texts of ``deep-dev-v5-null`` (one
per register, as shipped, or pooled); validity is read by 2-fold cross-validation over those
texts (the share of held-out clean slots at p <= 0.001 / 0.01 / 0.05 against its nominal level,
and held-out clean texts rated suspicious or high, per register); power on ``deep-dev-v6-low``
(pps and synonymizer at rates 0.05 and 0.1) through the shipped decision stage. Variants:
``base`` (function / content / multiword / capital), ``resc`` (+ whether any candidate was
rescored with the right context), ``kbin`` (+ the number of candidates: 1-4, 5-14, 15+),
``both``. ``cuts``: the document test's p-value per text, cross-validated for the clean dev
texts, at cuts 0.001 / 0.003 / 0.01 / 0.02. Results and decisions: BENCHMARKS.md, session 11.
"""
import glob
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import engine_v3 as E  # noqa: E402
from train_decision import read_cache  # noqa: E402

import unspin.engine.null as N  # noqa: E402
from unspin import Config  # noqa: E402
from unspin.engine.infer import document_test  # noqa: E402
from unspin.results import apply_edits  # noqa: E402
from unspin.tuning import is_scored  # noqa: E402

NULL_CACHE = str(ROOT / "benchmarks/cache/deep-dev-v5-null.*.jsonl.gz")
DEV_CACHES = [str(ROOT / "benchmarks/cache/deep-dev-v6-low.*.jsonl.gz"), str(ROOT / "benchmarks/cache/deep-dev-v5.*.jsonl.gz")]
base_stratum = N.stratum


def kbin(x):
    k = len(x.slot.candidates)
    return "k1" if k <= 4 else "k2" if k <= 14 else "k3"


def resc(x):
    return "full" if is_scored(x.keep) and any(is_scored(c) for c in x.cands) else "first"


VARIANTS = {
    "base": base_stratum,
    "resc": lambda x: f"{base_stratum(x)}.{resc(x)}",
    "kbin": lambda x: f"{base_stratum(x)}.{kbin(x)}",
    "both": lambda x: f"{base_stratum(x)}.{resc(x)}.{kbin(x)}",
}
_p_value = N.NullTable.p_value


def p_value(self, kind, s):
    """A finer kind falls back to the next coarser one when its stratum held too few clean slots."""
    parts = kind.split(".")
    while len(parts) > 1 and not any(k.endswith(":" + ".".join(parts)) or k == ".".join(parts) for k in self.values):
        parts = parts[:-1]
    return _p_value(self, ".".join(parts), s)


N.NullTable.p_value = p_value


def load(pattern):
    return read_cache(sorted(glob.glob(pattern)))[1]


def make_null(docs, pooled=False):
    slots = [x for d in docs for x in d["scored_slots"]]
    regs = None if pooled else [d["register"] for d in docs for _ in d["scored_slots"]]
    return N.build_null(slots, "x", {}, registers=regs)


def doc_test(d, null):
    return document_test([p for p in N.p_values(d["scored_slots"], null) if p is not None], 0.05, "multi")


def folds(n):
    idx = list(range(n))
    random.Random(0).shuffle(idx)
    a, b = idx[::2], idx[1::2]
    return ((a, b), (b, a))


def dev_rows(dev, settings=None):
    """Per dev row (profile and rate): texts flagged, findings per 1k, span P and R, exact share,
    never-spun changes per 1k and texts with no finding, through the decision stage."""
    rows: dict[str, dict] = {}
    for d in dev:
        b = E.run_engine(d, Config(), settings)
        m = E._metrics(d, list(b.report.findings), list(b.edits), apply_edits(d["text"], b.edits))
        r = rows.setdefault(f"{d['profile']}@{d.get('rate')}", {"n": 0, "flag": 0, "f": 0, "ex": 0, "g": 0, "nev": 0, "w": 0,
                                                                 "zero": 0, "c": []})
        r["n"] += 1
        r["flag"] += b.report.risk in ("suspicious", "high")
        r["f"] += m["findings"]
        r["ex"] += m["exact"]
        r["g"] += m["gold"]
        r["nev"] += m["never"]
        r["w"] += d["words"]
        r["zero"] += m["findings"] == 0
        r["c"].append(m["counts"])
    out = {}
    for k, r in sorted(rows.items()):
        tot = sum(r["c"][1:], r["c"][0])
        out[k] = {"flagged": round(r["flag"] / r["n"], 2), "findings_per_1k": round(1000 * r["f"] / r["w"], 1),
                  "P": round(tot.precision, 3), "R": round(tot.recall, 3), "exact": round(r["ex"] / max(1, r["g"]), 3),
                  "never_per_1k": round(1000 * r["nev"] / r["w"], 2), "zero": r["zero"]}
    return out


def run_strata(names, pooled):
    clean = [d for d in load(NULL_CACHE) if d["profile"] == "clean"]
    dev = load(DEV_CACHES[0])
    for name in names:
        N.stratum = VARIANTS[name]
        small = {0.001: 0, 0.01: 0, 0.05: 0}
        n = 0
        alarms: dict[str, list[bool]] = {}
        for a, b in folds(len(clean)):
            null = make_null([clean[i] for i in a], pooled)
            for i in b:
                ps = [p for p in N.p_values(clean[i]["scored_slots"], null) if p is not None]
                n += len(ps)
                for t in small:
                    small[t] += sum(p <= t for p in ps)
                alarms.setdefault(clean[i]["register"], []).append(document_test(ps, 0.05, "multi") < 1e-3)
        E.NULL_OVERRIDE[:] = [make_null(clean, pooled)]
        out = dev_rows(dev)
        print(name, "pooled" if pooled else "per register",
              "| held-out clean slots at p <= t, observed / nominal:", {t: round(v / n / t, 2) for t, v in small.items()},
              "| held-out clean texts flagged:", {r: f"{sum(v)}/{len(v)}" for r, v in alarms.items()},
              "| dev:", json.dumps(out), flush=True)


def run_cuts():
    clean = [d for d in load(NULL_CACHE) if d["profile"] == "clean"]
    held: dict[str, list[float]] = {}
    for a, b in folds(len(clean)):
        null = make_null([clean[i] for i in a])
        for i in b:
            held.setdefault(clean[i]["register"], []).append(doc_test(clean[i], null))
    full = make_null(clean)
    spun: dict[str, list[float]] = {}
    for pattern in DEV_CACHES:
        for d in load(pattern):
            if d["profile"] != "clean":
                spun.setdefault(f"{d['profile']}@{d.get('rate')}", []).append(doc_test(d, full))
    for cut in (1e-3, 3e-3, 1e-2, 2e-2):
        print(cut, "clean dev (held out):", {r: f"{sum(p < cut for p in v)}/{len(v)}" for r, v in held.items()},
              "spun dev flagged:", {k: round(sum(p < cut for p in v) / len(v), 2) for k, v in sorted(spun.items())})


if __name__ == "__main__":
    pooled = "--pooled" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--pooled"]
    if args[:1] == ["cuts"]:
        run_cuts()
    elif args[:1] == ["strata"]:
        run_strata(args[1:] or list(VARIANTS), pooled)
    else:
        raise SystemExit(__doc__)
