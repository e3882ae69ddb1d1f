"""Choose the deep scorer's rescoring rule on cached DEV scores (no language model needed).

For each gate (a floor on the learned decision's cheap utility, :func:`unspin.engine.neural.
cheap_utilities`) and cap ``k`` (candidates per slot), and for the old rule (the best ``k`` by
first sub-token plus prior, every slot): how many hypotheses per 1,000 words it would rescore
and the share of gold spans whose original it would rescore (the deep funnel's ``scored``
stage). The caches hold first-sub-token scores of every candidate, so any rule can be replayed.
Dev split, dev profiles only (``scripts/train_decision.py cache``).

    python scripts/choose_rescoring.py benchmarks/cache/deep-dev-v3.0.jsonl.gz benchmarks/cache/deep-dev-v3.1.jsonl.gz
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_decision import read_cache  # noqa: E402

from unspin import Config  # noqa: E402
from unspin.engine.decision import load_decision, slot_labels  # noqa: E402
from unspin.engine.features import Unigrams  # noqa: E402
from unspin.engine.neural import PRIOR_WEIGHT_IN_RANK, cheap_utilities  # noqa: E402
from unspin.lexicon import load_lexicon  # noqa: E402
from unspin.tuning import UNSCORED, is_scored, log_prior  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cache", nargs="+")
    ap.add_argument("--gates", type=float, nargs="+", default=[-4, -5, -6, -7, -8])
    ap.add_argument("--ks", type=int, nargs="+", default=[3, 4, 6, 8])
    args = ap.parse_args()
    header, docs = read_cache(args.cache)
    if header.get("split") != "dev":
        raise SystemExit("choose the rule on dev caches only")
    model = load_decision().ranker
    uni = Unigrams(load_lexicon(Config().lexicon))
    rows = []  # (profile, gold rank by utility or None, utilities sorted, gold rank by bound, bounds sorted)
    words: dict[str, int] = {}
    gold: dict[str, int] = {}
    for d in docs:
        p = d["profile"]
        words[p] = words.get(p, 0) + d["words"]
        gold[p] = gold.get(p, 0) + len(d["gold"])
        xs = d["scored_slots"]
        cheap = [dataclasses.replace(x, cands=(UNSCORED,) * len(x.cands)) for x in xs]
        utils = cheap_utilities(cheap, [x.slot for x in xs], [x.mid_sentence_capital for x in xs], model, uni)
        for x, y, u in zip(xs, slot_labels(xs, d["gold"]), utils):
            n = len(x.slot.candidates)
            if not n:
                continue
            b = [f + PRIOR_WEIGHT_IN_RANK * log_prior(c.prior) if is_scored(f) else UNSCORED
                 for f, c in zip(x.cands_first, x.slot.candidates)]
            ou = sorted(range(n), key=lambda i: (-u[i], i))
            ob = sorted(range(n), key=lambda i: (-b[i], i))
            g = y if y is not None and y >= 0 else None
            rows.append((p, None if g is None else ou.index(g), [u[i] for i in ou], None if g is None else ob.index(g)))
    profiles = [p for p in ("pps", "synonymizer", "clean") if p in words]
    print(f"dev cache: {len(docs)} texts; words {words}; gold spans {gold}")

    def line(label: str, hyps: dict, got: dict) -> None:
        cells = [f"{p}: {1000 * hyps[p] / words[p]:5.0f} hyp/1k" + (f", original rescored {got[p] / gold[p]:.2f}" if gold[p] else "")
                 for p in profiles]
        print(f"{label:22s} " + " | ".join(cells))

    for k in (1, *args.ks):
        hyps = {p: sum(min(k, len(r[2])) for r in rows if r[0] == p) for p in profiles}
        got = {p: sum(1 for r in rows if r[0] == p and r[3] is not None and r[3] < k) for p in profiles}
        line(f"old rule, k {k}", hyps, got)
    for t in args.gates:
        for k in args.ks:
            hyps = {p: sum(sum(1 for v in r[2][:k] if v >= t) for r in rows if r[0] == p) for p in profiles}
            got = {p: sum(1 for r in rows if r[0] == p and r[1] is not None and r[1] < k and r[2][r[1]] >= t) for p in profiles}
            line(f"gate {t:+.0f}, k {k}", hyps, got)


if __name__ == "__main__":
    main()
