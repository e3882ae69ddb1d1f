"""Two-stage rescoring, replayed on cached deep scores (no language model): issue 15 step 2.

Today every candidate whose cheap utility passes the gate (up to ``rescore_first``) gets the
right context. Two stages: first only the best one per slot (by cheap utility); then the
rest only for slots whose first rescored candidate already beats the text by at least TAU
nats (``full(c1) - keep``), i.e. only where more candidates can change a decision. Every
cached slot holds the full scores of today's picks, so the rule is a subset and replays
exactly. The null is rebuilt from the replayed null cache (clean dev text), and the engine is
evaluated with it.

    python benchmarks/experiments/two_stage.py count TAU [TAU ...] -- CACHE...      # hypotheses, originals rescored
    python benchmarks/experiments/two_stage.py null TAU OUT.json -- CACHE...          # the replayed null
    python benchmarks/experiments/two_stage.py evaluate TAU NULL.json [--json OUT] -- CACHE...
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import engine_v3  # noqa: E402
import train_decision  # noqa: E402

from unspin import Config  # noqa: E402
from unspin.engine.decision import load_decision, slot_labels  # noqa: E402
from unspin.engine.features import Unigrams  # noqa: E402
from unspin.engine.neural import cheap_utilities  # noqa: E402
from unspin.lexicon import load_lexicon  # noqa: E402
from unspin.tuning import UNSCORED, is_scored  # noqa: E402

_MODEL = load_decision().ranker
_UNI = Unigrams(load_lexicon(Config().lexicon))


def _row(tally: dict, profile: str) -> dict:
    return tally.setdefault(profile, dict.fromkeys(("words", "before", "after", "gold", "gold_before", "gold_after"), 0))


def replay(doc: dict, tau: float, tally: dict | None = None) -> None:
    """Unscore, in place, the candidates the two-stage rule would not rescore."""
    xs = doc["scored_slots"]
    cheap = [dataclasses.replace(x, cands=(UNSCORED,) * len(x.cands)) for x in xs]
    utils = cheap_utilities(cheap, [x.slot for x in xs], [x.mid_sentence_capital for x in xs], _MODEL, _UNI)
    labels = slot_labels(xs, doc["gold"]) if tally is not None else [None] * len(xs)
    out = []
    for x, u, y in zip(xs, utils, labels):
        picked = [i for i, c in enumerate(x.cands) if is_scored(c)]
        keep = picked
        if picked and is_scored(x.keep):
            first = max(picked, key=lambda i: (u[i], -i))
            if x.cands[first] - x.keep < tau:
                keep = [first]
        if tally is not None:
            t = _row(tally, doc["profile"])
            t["before"] += len(picked)
            t["after"] += len(keep)
            if y is not None and y >= 0:
                t["gold_before"] += y in picked
                t["gold_after"] += y in keep
        if len(keep) < len(picked):
            cands = tuple(c if i in keep else UNSCORED for i, c in enumerate(x.cands))
            x = dataclasses.replace(x, cands=cands)
        out.append(x)
    doc["scored_slots"] = out
    if tally is not None:
        t = _row(tally, doc["profile"])
        t["words"] += doc["words"]
        t["gold"] += len(doc["gold"])


def _patched_reader(tau: float):
    def read(paths):
        header, docs = train_decision.read_cache(paths)
        for d in docs:
            replay(d, tau)
        return header, docs
    return read


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--")
    head, caches = argv[:split], argv[split + 1:]
    cmd = head[0]
    if cmd == "count":
        _, docs = train_decision.read_cache(caches)
        shipped = [d["scored_slots"] for d in docs]  # replay replaces each document's slots
        for tau in map(float, head[1:]):
            tally: dict = {}
            for d, slots in zip(docs, shipped):
                d["scored_slots"] = slots
                replay(d, tau, tally)
            for p, t in sorted(tally.items()):
                g = t["gold"] or 1
                print(f"tau {tau:+.1f} {p:14s} hyp/1k {1000 * t['before'] / t['words']:6.0f} -> {1000 * t['after'] / t['words']:6.0f}"
                      f"  original rescored {t['gold_before'] / g:.3f} -> {t['gold_after'] / g:.3f}")
        return
    tau = float(head[1])
    engine_v3.read_cache = _patched_reader(tau)
    if cmd == "null":
        sys.argv = ["engine_v3.py", "null", *caches, "--out", head[2]]
    else:
        sys.argv = ["engine_v3.py", "evaluate", *caches, "--null", head[2], *head[3:]]
    engine_v3.main()


if __name__ == "__main__":
    main()
