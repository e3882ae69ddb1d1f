"""Session 14 (issue 15), measured and not adopted: stop a hypothesis after m tokens of right context
when it already trails the text by more than tau nats, and impute the rest from the text.

    # a copy of the tree with benchmarks/experiments/early-stop-log.patch applied logs every
    # hypothesis token by token while a cache is scored:
    UNSPIN_ES_LOG=/tmp/es-log.0.jsonl python scripts/train_decision.py cache --split dev --docs 12 --words 250 \\
        --threads 1 --shards 2 --shard 0 --out /tmp/es-ref.0.jsonl.gz        # and shard 1
    python benchmarks/experiments/early_stop.py 2,4,6,8,10 /tmp/es-log "/tmp/es-ref.*.jsonl.gz" /tmp/es

Prints, per tau and m, the share of hypothesis tokens an early stop would save, and writes the
cache with the imputed scores (for scripts/compare_caches.py).
"""
import gzip, json, hashlib, sys, glob
from collections import defaultdict
logs = defaultdict(dict)
for f in glob.glob(sys.argv[2] + ".*.jsonl"):
    for line in open(f):
        r = json.loads(line)
        logs[r["doc"]][(r["start"], r["end"], r["i"])] = r
ref = sorted(glob.glob(sys.argv[3]))
def variant(tau, m, out):
    total = saved = stopped = 0
    with gzip.open(out, "wt") as fo:
        for f in ref:
            for line in gzip.open(f, "rt"):
                d = json.loads(line)
                if "slots" not in d:
                    fo.write(line); continue
                key = hashlib.sha1(d["text"].encode()).hexdigest()[:16]
                L = logs.get(key, {})
                for s in d["slots"]:
                    for i, c in enumerate(s[9]):
                        r = L.get((s[3], s[4], i))
                        if r is None: continue
                        lc, cand, tr = r["lc"], r["cand"], r["text_right"]
                        R = len(tr)
                        n_eval = len(cand) - 1
                        total += n_eval
                        if R <= m: continue
                        pc = sum(cand[: lc + m]); pt = r["text_slot"] + sum(tr[:m])
                        if pc - pt < -tau:
                            c[7] = round(pc + sum(tr[m:]), 4)
                            saved += R - m; stopped += 1
                fo.write(json.dumps(d) + "\n")
    return total, saved, stopped
for tau in [float(x) for x in sys.argv[1].split(",")]:
    for m in (1, 2):
        out = f"{sys.argv[4]}-t{tau:g}-m{m}.jsonl.gz"
        total, saved, stopped = variant(tau, m, out)
        print(f"tau {tau:g} m {m}: hypothesis tokens {total}, saved {saved} ({saved/max(total,1):.1%}), hypotheses stopped {stopped} -> {out}")
