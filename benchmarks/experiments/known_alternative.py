"""Experiment (session 15): the local fdr with the weighted test's alternative (issue 14); not adopted.

Instead of Storey's share and a Beta(a, 1) alternative fitted per document, each slot's
likelihood ratio f1/f0 is read from the shipped alternative's bins (fit on dev) and the
document's spun share is the maximum-likelihood share of that two-group mixture (a concave
problem: one answer from any start). Everything else (pooling, Sun & Cai's rule, the rewrite
rule) is the shipped engine's. The script patches those three functions of
``unspin.engine.infer`` and runs ``scripts/engine_v3.py`` (run it with ``--set share=storey``
so that the shipped mixture share does not stack on it):

    python benchmarks/experiments/known_alternative.py 0.5 evaluate benchmarks/cache/deep-dev-v7-low.*.jsonl.gz \
        [--set fdr_level=0.15] --json out.json

(the first argument: the floor of the share, in slots, as the shipped ``local_fdr`` takes it).
``KNOWN_ALT_BETA=1``: the mixture share only, the per-text Beta alternative kept;
``KNOWN_ALT_MAX=1`` with it: the larger of that share and Storey's, which session 15 shipped
(``share = "mixture"``). ``KNOWN_ALT_TEMPER=1`` (run without ``--set share=storey``): the
shipped share, and in the local fdr the dev alternative's ratios raised to a power tau fitted
per text (0: no evidence, 1: the dev alternative), in place of the Beta(a, 1) shape. Results: BENCHMARKS.md, session 15.
"""
import sys, math, json
import numpy as np
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import engine_v3 as E
import unspin.engine.infer as I
from unspin.engine.decision import load_decision
V=load_decision().v3
G = np.array(V.alternative)  # the shipped alternative's likelihood ratios per bin
FLOOR=float(sys.argv[1]) if len(sys.argv)>1 else 0.5
orig_share=I.spin_share
def g_of(p): return G[I.weight_bins([p])[0]]
BETA = __import__("os").environ.get("KNOWN_ALT_BETA") == "1"  # the share only; the per-text Beta alternative kept


def spin_share(p, lam=0.5, floor=0.5, alpha=0.05, alternative=()):
    s=orig_share(p, lam, floor, alpha)
    e = I.mixture_share(list(p), G)[0]  # the shipped maximum-likelihood share
    if __import__("os").environ.get("KNOWN_ALT_MAX") == "1":
        e = max(e, s.share)  # never below Storey's estimate
    shape = s.shape
    if BETA and p:
        pi1 = min(max(e, floor / len(p)), I.MAX_SHARE)
        logp = np.log(np.clip(np.asarray(p, dtype=float), 1e-12, 1.0))
        shape = max(I.ALT_SHAPES, key=lambda a: float(np.log((1 - pi1) + pi1 * a * np.exp((a - 1) * logp)).sum()))
    return I.SpinShare(round(e,4), s.low, max(s.high,e), shape, s.slots)
def local_fdr(p, share, floor=FLOOR):
    if share.slots==0: return 1.0
    pi1=min(max(share.share, floor/share.slots), I.MAX_SHARE)
    return float((1-pi1)/((1-pi1)+pi1*g_of(p)))
def pooled_local_fdr(ps, share, floor=FLOOR):
    if share.slots==0 or not ps: return 1.0
    pi1=min(max(share.share, floor/share.slots), I.MAX_SHARE)
    lo=math.log(pi1)-math.log(1-pi1)+sum(math.log(g_of(p)) for p in ps)
    return float(1/(1+math.exp(min(700,lo))))
TEMPER = __import__("os").environ.get("KNOWN_ALT_TEMPER") == "1"
TAUS = tuple(round(0.05 * k, 2) for k in range(0, 31))  # 0 (no evidence) .. 1.5
Q = I.null_bin_masses()


def tempered(tau):
    """The dev alternative's likelihood ratios raised to tau and renormalised under the null."""
    g = G ** tau
    return g / float(Q @ g)


def temper_share(p, lam=0.5, floor=0.5, alpha=0.05, alternative=()):
    """The shipped share (Storey's or the mixture's, the larger); the alternative's strength tau
    fitted per text by maximum likelihood with that share fixed (as the Beta shape was)."""
    s = orig_share(p, lam, floor, alpha, alternative=G)
    if not p:
        return s
    pi1 = min(max(s.share, floor / len(p)), I.MAX_SHARE)
    b = I.weight_bins(p)
    tau = max(TAUS, key=lambda t: float(np.log((1 - pi1) + pi1 * tempered(t)[b]).sum()))
    return I.SpinShare(s.share, s.low, s.high, tau, s.slots)


def temper_lfdr(p, share, floor=FLOOR):
    if share.slots == 0:
        return 1.0
    pi1 = min(max(share.share, floor / share.slots), I.MAX_SHARE)
    g = tempered(share.shape)[I.weight_bins([p])[0]]
    return float((1 - pi1) / ((1 - pi1) + pi1 * g))


def temper_pooled(ps, share, floor=FLOOR):
    if share.slots == 0 or not ps:
        return 1.0
    pi1 = min(max(share.share, floor / share.slots), I.MAX_SHARE)
    g = tempered(share.shape)
    lo = math.log(pi1) - math.log(1 - pi1) + sum(math.log(g[I.weight_bins([p])[0]]) for p in ps)
    return float(1 / (1 + math.exp(min(700, lo))))


if TEMPER:
    I.spin_share, I.local_fdr, I.pooled_local_fdr = temper_share, temper_lfdr, temper_pooled
else:
    I.spin_share = spin_share
    if not BETA:
        I.local_fdr, I.pooled_local_fdr = local_fdr, pooled_local_fdr
sys.argv=[sys.argv[0]]+sys.argv[2:]
E.main()
