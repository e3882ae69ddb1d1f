"""Measurement (session 11): could word-by-word candidates restore tortured phrases?

Evaluation only, on the transfer cache of real tortured phrases (``pps-phrases``, the PPS test
half placed in sentences; never used to build or tune anything). For each gold phrase whose spun
and original wordings have the same number of words (two or more), it asks whether the exact
original is in the product of each spun word's top-k candidates, ordered by the lexicon's prior
(a word the spinner kept counts as its own candidate). From the repository root:

    python benchmarks/experiments/tortured_pairs.py

Results: BENCHMARKS.md, session 11.
"""
import glob
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from train_decision import read_cache  # noqa: E402

KS = (3, 5, 10, 40)


def main() -> None:
    _, docs = read_cache(sorted(glob.glob(str(ROOT / "benchmarks/cache/deep-transfer-v2.*.jsonl.gz"))))
    docs = [d for d in docs if d["profile"] == "pps-phrases"]
    found = {k: 0 for k in KS}
    gold = same = 0
    for d in docs:
        text = d["text"]
        slots = {(x.slot.start, x.slot.end): x for x in d["scored_slots"]}
        for s, e, orig, *_ in d["gold"]:
            gold += 1
            spun, ow = text[s:e].split(), orig.split()
            if len(spun) != len(ow) or len(spun) < 2:
                continue
            same += 1
            i, lists = s, []
            for w, o in zip(spun, ow):
                j = text.index(w, i)
                i = j + len(w)
                x = slots.get((j, j + len(w)))
                cands = sorted(x.slot.candidates, key=lambda c: -c.prior) if x else []
                lists.append([w.lower()] if w.lower() == o.lower() else [w.lower()] + [c.text.lower() for c in cands])
            for k in KS:
                found[k] += all(o.lower() in cands[: k + 1] for o, cands in zip(ow, lists))
    print(f"{len(docs)} texts, {gold} gold phrases, {same} multi-word with as many words as their original; "
          "original in the product of each word's top-k candidates: " + ", ".join(f"k={k}: {v}" for k, v in found.items()))


if __name__ == "__main__":
    main()
