"""Tune the decision parameters on the DEV spinner profile and dev split only.

The held-out profile (``synonymizer``) is never used here. Scores are computed once per
document (they do not depend on the decision parameters), then a small grid is searched.

    python scripts/tune_engine.py --mode fast --docs 40
    python scripts/tune_engine.py --mode deep --docs 12

Prints the best settings by a single objective: exact restorations minus a penalty for
false changes on clean text (3 x false changes per gold span), with the span F1 alongside.

These are the noisy-channel settings (fast mode; deep mode when no learned decision is
shipped). Copy the chosen values, with their provenance, into the ``noisy_channel`` block of
``src/unspin/data/tuning.v2.json`` (:mod:`unspin.tuning`): the one home of tuned numbers.
Deep mode's learned decision is trained by ``scripts/train_decision.py``.
"""

from __future__ import annotations

import argparse
import itertools
import time

from unspin import Config
from unspin.bench.corpus import default_corpus_path, load_corpus, sample
from unspin.bench.metrics import changed_words, exact_restorations, span_counts
from unspin.engine.decode import Tuning
from unspin.engine.pipeline import finish, score
from unspin.results import apply_edits
from unspin.spinner import HELD_OUT, spin

DEV_PROFILE = "pps"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="fast", choices=["fast", "deep"])
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--rate", type=float, default=0.3)
    args = ap.parse_args()
    assert DEV_PROFILE not in HELD_OUT
    docs = sample(load_corpus(default_corpus_path("dev")), args.docs)
    config = Config(mode=args.mode)
    t0 = time.time()
    items = []
    for i, d in enumerate(docs):
        s = spin(d.text, profile=DEV_PROFILE, rate=args.rate, seed=i)
        gold = [(e.spun_start, e.spun_end, e.original_text) for e in s.edits]
        items.append((score(s.spun, config), gold, score(d.text, config)))
    words = sum(x[2].words for x in items)
    print(f"scored {len(items)} docs ({words} clean words) in {time.time() - t0:.1f}s")
    grid = {
        "rho": [0.03, 0.06, 0.12, 0.25],
        "lm_weight": [0.5, 0.75, 1.0, 1.5],
        "prior_weight": [0.5, 1.0, 2.0],
        "multiword_bonus": [-3.0, -1.5, 0.0],
        "pool_weight": [0.0, 0.3, 0.6],
    }
    results = []
    for values in itertools.product(*grid.values()):
        tuning = Tuning(**dict(zip(grid, values)))
        tot_gold = ex = fc = 0
        counts = [0, 0, 0, 0]
        for spun_scored, gold, clean_scored in items:
            a = finish(spun_scored, config, tuning)
            restored = apply_edits(spun_scored.text, a.edits)
            ex += sum(exact_restorations(gold, a.edits, restored))
            tot_gold += len(gold)
            c = span_counts([(f.start, f.end) for f in a.report.findings], [(g[0], g[1]) for g in gold])
            counts = [counts[0] + c.findings, counts[1] + c.correct_findings, counts[2] + c.gold, counts[3] + c.found_gold]
            b = finish(clean_scored, config, tuning)
            fc += changed_words(clean_scored.text, b.edits)
        p = counts[1] / counts[0] if counts[0] else 0.0
        r = counts[3] / counts[2] if counts[2] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        exact = ex / tot_gold
        fcpk = 1000 * fc / words
        objective = exact - 3 * fc / tot_gold
        results.append((objective, exact, f1, p, r, fcpk, tuning))
    results.sort(key=lambda x: -x[0])
    for obj, exact, f1, p, r, fcpk, tuning in results[:8]:
        print(f"obj {obj:+.3f} exact {exact:.3f} F1 {f1:.3f} (P {p:.3f} R {r:.3f}) false/1k {fcpk:.2f}  {tuning}")
    low_fc = [x for x in results if x[5] <= 1.0]
    if low_fc:
        best = max(low_fc, key=lambda x: x[1])
        print("best with <= 1 false change / 1k words:", f"exact {best[1]:.3f} F1 {best[2]:.3f} false/1k {best[5]:.2f}", best[6])


if __name__ == "__main__":
    main()
