"""Experiment (session 12): other document tests against clean text, on dev caches only.

For the 400 clean dev texts of the null (each judged by a null built from the other half,
2-fold) and the spun dev texts (``deep-dev-v6-low``: pps and synonymizer at rates 0.05 and
0.1; ``deep-dev-v5``: rates 0.3 and more), several statistics of a document's slot p-values:

* ``multi``: the shipped test (smallest binomial tail at p <= 0.001 / 0.01 / 0.05, x3);
* ``hc``: Donoho and Jin's higher criticism over the smallest half of the p-values;
* ``lr``: the two-group mixture's log likelihood ratio, maximised over the share and the
  alternative's shape (the family engine v3 already uses for the local fdr);
* ``top``: -log10 of the smallest p-value times the number of slots (Bonferroni).

For each, the cut that flags at most as many held-out clean dev texts as the shipped test does,
and the share of spun dev texts it flags. Also, for the spun texts, how many gold spans have a
slot p-value below 0.001 / 0.01 / 0.05 (what any test can see).

    python benchmarks/experiments/doc_tests.py
"""
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from null_strata import DEV_CACHES, NULL_CACHE, folds, load, make_null  # noqa: E402

import unspin.engine.null as N  # noqa: E402
from unspin.engine.decision import slot_labels  # noqa: E402
from unspin.engine.infer import ALT_SHAPES, document_test  # noqa: E402

SHARES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.18, 0.25, 0.35, 0.5)


def stats(ps):
    p = np.clip(np.sort(np.asarray(ps, dtype=float)), 1e-12, 1.0)
    m = len(p)
    out = {"multi": -math.log10(max(document_test(list(p), 0.05, "multi"), 1e-300))}
    i = np.arange(1, m + 1)
    half = max(1, m // 2)
    hc = np.sqrt(m) * (i / m - p) / np.sqrt(np.maximum(p * (1 - p), 1e-12))
    out["hc"] = float(hc[:half].max())
    logp = np.log(p)
    best = 0.0
    for a in ALT_SHAPES:
        f1 = a * np.exp((a - 1) * logp)
        for s in SHARES:
            best = max(best, float(np.log((1 - s) + s * f1).sum()))
    out["lr"] = best
    out["top"] = -math.log10(min(1.0, p[0] * m))
    return out


def main():
    clean = [d for d in load(NULL_CACHE) if d["profile"] == "clean"]
    held = []
    for a, b in folds(len(clean)):
        null = make_null([clean[i] for i in a])
        for i in b:
            ps = [p for p in N.p_values(clean[i]["scored_slots"], null) if p is not None]
            held.append((clean[i]["register"], stats(ps)))
    full = make_null(clean)
    spun: dict[str, list] = {}
    seen: dict[str, list] = {}
    for pattern in DEV_CACHES:
        for d in load(pattern):
            if d["profile"] == "clean":
                continue
            key = f"{d['profile']}@{d.get('rate')}"
            pv = N.p_values(d["scored_slots"], full)
            spun.setdefault(key, []).append(stats([p for p in pv if p is not None]))
            ys = slot_labels(d["scored_slots"], d["gold"])
            gp = [p for p, y in zip(pv, ys) if y is not None and p is not None]
            seen.setdefault(key, []).append((len(d["gold"]), sum(p <= 0.001 for p in gp), sum(p <= 0.01 for p in gp), sum(p <= 0.05 for p in gp)))
    names = list(held[0][1])
    shipped_alarms = sum(10 ** -s["multi"] < 3e-3 for _, s in held)
    print(f"held-out clean dev texts flagged by the shipped test at 0.003: {shipped_alarms} of {len(held)}")
    for k, rows in sorted(seen.items()):
        g, a, b, c = (sum(r[j] for r in rows) for j in range(4))
        docs1 = sum(r[1] >= 1 for r in rows)
        print(f"{k:22s} gold {g}, of them a slot at p<=.001 {a}, .01 {b}, .05 {c}; texts with >=1 gold at p<=.001: {docs1}/{len(rows)}")
    for name in names:
        vals = sorted((s[name] for _, s in held), reverse=True)
        for allowed in (0, 1, 2):
            cut = vals[allowed]  # flag when strictly above the (allowed+1)-th largest clean value
            flagged = {k: round(sum(s[name] > cut for s in v) / len(v), 2) for k, v in sorted(spun.items())}
            print(f"{name:6s} clean flagged {allowed}/400 (cut {cut:.3g}):", flagged)


if __name__ == "__main__":
    main()
