"""Two ``engine_v3.py evaluate --json`` results side by side, row by row (before -> after).

    python scripts/compare_evaluations.py BEFORE.json AFTER.json

Per row (a profile at a density, or a register of clean text): texts, findings per 1,000
words, span precision, recall, exact restorations, changes to words never spun per 1,000
words, the share rated suspicious or high, and the texts with no finding.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

COLUMNS = [("findings_per_1k", "findings/1k", "{:.1f}"), ("P", "P", "{:.3f}"), ("R", "R", "{:.3f}"),
           ("exact", "exact", "{:.1%}"), ("never_per_1k", "never-spun/1k", "{:.2f}"),
           ("flagged", "flagged", "{:.0%}"), ("zero", "no finding", "{}")]


def _cell(row: dict | None, key: str, fmt: str) -> str:
    if row is None:
        return "-"
    v = row["v3"].get(key)
    return "-" if v is None else fmt.format(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    args = ap.parse_args()
    a = json.loads(Path(args.before).read_text())["rows"]
    b = json.loads(Path(args.after).read_text())["rows"]
    print("| row | texts | " + " | ".join(title for _, title, _ in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for name in sorted(set(a) | set(b)):
        ra, rb = a.get(name), b.get(name)
        texts = f"{ra['texts'] if ra else '-'} / {rb['texts'] if rb else '-'}"
        cells = [f"{_cell(ra, k, f)} -> {_cell(rb, k, f)}" for k, _, f in COLUMNS]
        print(f"| {name} | {texts} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
