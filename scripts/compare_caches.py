"""Do two caches of the same documents, scored by two versions of the deep scorer, lead to
the same decisions? (Issue 15's yardstick for a scorer change: decisions, not scores.)

    # score the same documents with each version (the old one from an exported tree)
    PYTHONPATH=OLD/src python scripts/train_decision.py cache --split dev --docs 12 --words 250 --out OLD.jsonl.gz
    python scripts/train_decision.py cache --split dev --docs 12 --words 250 --out NEW.jsonl.gz
    python scripts/compare_caches.py OLD.jsonl.gz NEW.jsonl.gz

Prints the documents whose findings, edits and risk are all identical, each slot's decision
(reported or not, and the wording it is rewritten to) identical, and how the engine v3 slot
statistic moved (new minus old).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine_v3  # noqa: E402
from train_decision import read_cache  # noqa: E402

from unspin import Config  # noqa: E402
from unspin.engine.null import slot_statistic  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    _, old = read_cache([sys.argv[1]])
    _, new = read_cache([sys.argv[2]])
    if len(old) != len(new) or any(a["text"] != b["text"] for a, b in zip(old, new)):
        raise SystemExit("the two caches do not hold the same documents in the same order")
    config, settings = Config(), engine_v3._settings()
    docs_same = slots_same = slots = 0
    moved = []
    for a, b in zip(old, new):
        ra, rb = engine_v3.run_engine(a, config, settings), engine_v3.run_engine(b, config, settings)
        fa = {(f.start, f.end) for f in ra.report.findings}
        fb = {(f.start, f.end) for f in rb.report.findings}
        ea = {(e.start, e.end): e.new for e in ra.edits}
        eb = {(e.start, e.end): e.new for e in rb.edits}
        docs_same += fa == fb and ea == eb and ra.report.risk == rb.report.risk
        for x, y in zip(a["scored_slots"], b["scored_slots"]):
            key = (x.slot.start, x.slot.end)
            slots += 1
            slots_same += (key in fa) == (key in fb) and ea.get(key) == eb.get(key)
            u, v = slot_statistic(x), slot_statistic(y)
            if u is not None and v is not None:
                moved.append(v - u)
    d = np.asarray(moved)
    print(f"documents with identical findings, edits and risk: {docs_same} of {len(old)}")
    print(f"slot decisions identical: {slots_same} of {slots} ({slots_same / max(1, slots):.2%})")
    print(f"slot statistic, new minus old: mean {d.mean():+.4f} nats, sd {d.std():.4f}, "
          f"|change| > 0.05 for {(abs(d) > 0.05).mean():.1%}, largest {abs(d).max():.3f}")
    print("|change| quantiles (50/90/99%): " + " / ".join(f"{np.quantile(abs(d), q):.3f}" for q in (0.5, 0.9, 0.99)))


if __name__ == "__main__":
    main()
