"""How well the fast screen's p-value against clean text (``cleanP``) is calibrated, and how it ranks.

    python scripts/measure_clean_p.py [--split test] [--max-docs 200]

For the clean documents of a split (``benchmarks/corpora`` and ``benchmarks/registers``),
the share whose ``cleanP`` is below 0.01, 0.05 and 0.5 (a calibrated p-value gives about
1%, 5% and 50%), per register; then the same documents spun by each profile at its default
rate: the share below 0.05 and the AUC of ``cleanP`` (spun vs clean) next to the AUC of the
rounded score, which ties at 0 for most short documents.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _register(category: str) -> str:
    """Brown's genre letters and the State of the Union's decades pooled by source."""
    if category.startswith("speech"):
        return "State of the Union"
    if len(category.split(":")[0]) == 1:
        return "Brown " + ("news (a-c)" if category[0] in "abc" else "other genres")
    return category


def auc(pos: list[float], neg: list[float]) -> float:
    """P(a spun document ranks above a clean one); ties count half."""
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / max(1, len(pos) * len(neg))


def main() -> None:
    from unspin import Config, check
    from unspin.spinner import spin

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--max-docs", type=int, default=200)
    args = ap.parse_args()
    docs: list[tuple[str, str]] = []
    for folder in ("corpora", "registers"):
        with gzip.open(ROOT / "benchmarks" / folder / f"{args.split}.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if isinstance(d.get("text"), str) and len(d["text"].split()) >= 50:
                    docs.append((_register(str(d.get("category") or d.get("source") or folder)), d["text"]))
    docs = docs[:: max(1, len(docs) // args.max_docs)][: args.max_docs]
    cfg = Config(mode="fast")
    clean = defaultdict(list)
    clean_all: list[tuple[float, float]] = []
    for reg, text in docs:
        r = check(text, cfg)
        clean[reg].append(r.clean_p)
        clean_all.append((r.clean_p, r.score))
    print(f"{len(docs)} clean {args.split} documents")
    print("| register | documents | cleanP < 0.01 | < 0.05 | < 0.5 |")
    print("|---|---|---|---|---|")
    for reg in sorted(clean) + ["all"]:
        ps = [p for p, _ in clean_all] if reg == "all" else clean[reg]
        share = lambda c: f"{sum(p < c for p in ps) / len(ps):.1%}"
        print(f"| {reg} | {len(ps)} | {share(0.01)} | {share(0.05)} | {share(0.5)} |")
    print()
    print("| profile | spun documents | cleanP < 0.05 | AUC of cleanP | AUC of the score (rounded, ties) |")
    print("|---|---|---|---|---|")
    for profile in ("pps", "synonymizer", "contentfarm"):
        got = [check(spin(text, profile=profile, seed=0).spun, cfg) for _reg, text in docs]
        p_spun = [-r.clean_p for r in got]  # smaller p ranks higher
        p_clean = [-p for p, _ in clean_all]
        s_spun = [r.score for r in got]
        s_clean = [s for _, s in clean_all]
        below = sum(r.clean_p < 0.05 for r in got) / len(got)
        print(f"| {profile} | {len(got)} | {below:.1%} | {auc(p_spun, p_clean):.3f} | {auc(s_spun, s_clean):.3f} |")


if __name__ == "__main__":
    main()
