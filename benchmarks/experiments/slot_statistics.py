"""Experiment (session 12): other slot statistics for engine v3's null, on dev caches only.

The shipped statistic is the best rescored candidate's log-odds against the text (``max``).
A spun word usually has several candidates that beat it (its original and the original's
near-synonyms), a clean word seldom more than one by chance, so statistics that pool the
candidates might separate better. Each variant's null is rebuilt from the clean dev texts of
``deep-dev-v5-null`` (one per register, as shipped); validity by 2-fold cross-validation over
those texts; power on the spun dev caches through the shipped decision stage.

    python benchmarks/experiments/slot_statistics.py max lse plse pmax
"""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import null_strata as S  # noqa: E402

import unspin.engine.null as N  # noqa: E402
from unspin.tuning import is_scored, log_prior  # noqa: E402

shipped = N.slot_statistic


def _diffs(x):
    if not is_scored(x.keep):
        return None
    d = [(c - x.keep, cand.prior) for c, cand in zip(x.cands, x.slot.candidates) if is_scored(c)]
    return d or None


def _lse(vals):
    m = max(vals)
    return m + math.log(sum(math.exp(v - m) for v in vals))


def lse(x):
    d = _diffs(x)
    return shipped(x) if d is None else _lse([v for v, _ in d])


def plse(x):
    """log of the prior-weighted mean of the likelihood ratios (a noisy channel's evidence)."""
    d = _diffs(x)
    if d is None:
        return shipped(x)
    w = [max(p, 1e-4) for _, p in d]
    return _lse([v + math.log(q) for (v, _), q in zip(d, w)]) - math.log(sum(w))


def pmax(x):
    d = _diffs(x)
    return shipped(x) if d is None else max(v + 0.5 * log_prior(p) for v, p in d)


def lse2(x):
    """the two best candidates' pooled evidence: log((e^a + e^b) / 2)."""
    d = _diffs(x)
    if d is None:
        return shipped(x)
    top = sorted((v for v, _ in d), reverse=True)[:2]
    return _lse(top) - math.log(len(top))


VARIANTS = {"max": shipped, "lse": lse, "plse": plse, "pmax": pmax, "lse2": lse2}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(VARIANTS):
        N.slot_statistic = VARIANTS[name]
        print("statistic:", name, flush=True)
        S.run_strata(["base"], False)
