"""Experiment (session 10, not adopted): engine v3 in fast mode, with fast mode's own null.

The code this needs is not in the package: apply ``fast-v3-null.patch`` (next to this file) to
commit 9eace47 first. Then, from the repository root:

    python scripts/train_decision.py cache --mode fast --split dev --registers --profiles --docs 80 \
        --words 250 --out /tmp/fast-dev-null.jsonl.gz                        # 400 clean dev texts, 90 s
    python benchmarks/experiments/fast_v3_statistics.py best null dev       # or keep / bestprior; screen / either

It builds the null of the chosen slot statistic from that cache (per register, as deep mode's)
and runs the density sweep of ``unspin bench --sweep --mode fast`` on pps and synonymizer.
Results and the decision are in BENCHMARKS.md, session 10.
"""
import dataclasses, json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import unspin.engine.null as N
import unspin.engine.pipeline as P
import unspin.scoring as S
import unspin.tuning as T
from unspin.tuning import is_scored
from train_decision import read_cache

def best(x):
    return max(c - x.keep for c in x.cands) if x.cands else None
def keep(x):
    return -x.keep
def bestprior(x):
    import math
    return max(c - x.keep + math.log(max(cd.prior, 1e-6)) for c, cd in zip(x.cands, x.slot.candidates)) if x.cands else None
STATS = {"best": best, "keep": keep, "bestprior": bestprior}
N.slot_statistic = STATS[sys.argv[1]]
_, docs = read_cache(["/tmp/fast-dev-null.jsonl.gz"])
slots = [x for d in docs for x in d["scored_slots"]]
regs = [d["register"] for d in docs for _ in d["scored_slots"]]
table = N.build_null(slots, "x", {}, registers=regs)
N.load_null = lambda mode="deep": table
base = T.load_tuning()
new = dataclasses.replace(base, v3=dataclasses.replace(base.v3, fast="v3", fast_risk=sys.argv[2]))
P.load_tuning = lambda: new
S.load_tuning = lambda: new
from unspin.bench.sweep import run_sweep as sweep
out = sweep(profiles=["pps", "synonymizer"], densities=[0.0, 0.05, 0.1, 0.18, 0.3], modes=("fast",), docs=30, words=250, split=sys.argv[3] if len(sys.argv) > 3 else "dev")
for r in out["rows"]:
    print(f"  {r['profile']:12s} {r['density']:.2f} f/1k={r['findings_per_1k']:6.2f} P={r['precision']} R={r['recall']} exact={r['exact']} never={r['never_spun_per_1k']} flagged={r['flagged']} zero={r['zero']}")
