#!/usr/bin/env python3
"""Build ``src/unspin/data/spinner-contentfarm.tsv.gz``, the dictionary of profile ``contentfarm``.

The selection rule is deliberately NOT the engine's (the engine's reverse lexicon ranks Moby,
MyThes and WordNet links by a channel prior learned from real tortured phrases). Here:

* every sense of a word counts the same: the other lemmas of ALL its WordNet synsets, the
  lemmas of adjective "similar to" synsets and of noun/verb hypernym synsets (weaker);
  a word's commonest sense gets no preference, so wrong-sense replacements are frequent
  ("interest" -> "curiosity", "charge" -> "accusation");
* candidates are ranked by FREQUENCY MATCH only: a replacement about as common as the word
  it replaces (Zipf frequency from the symspellpy unigram counts shipped in
  ``ngrams.v1.tsv.gz``), weight ``relation * exp(-|gap - GAP_CENTRE| / GAP_SCALE)``;
* one word -> several: WordNet multi-word lemmas of any sense of the word (synonyms and
  similar-to, not hypernyms), all of whose words
  are common and whose bigrams are attested; several words -> one: common WordNet multi-word
  lemmas (bigram counts) and the
  single-word lemmas of their synsets.

Rows (after one header line ``#unspin-spinner-table  format=1  version=spinner-contentfarm.v1  sources=...  licences=...``)::

    w  lemma  UPOS  option=weight|option=weight|...    single-word replacements, best first
    m  lemma  UPOS  phrase=weight|...                  multi-word replacements
    c  phrase UPOS  option=weight|...                  a common multi-word lemma -> one word

Run from the repository root (about 20 s)::

    python scripts/build_contentfarm.py [--wordnet /usr/share/wordnet] [--out src/unspin/data]
"""

from __future__ import annotations

import argparse
import gzip
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from unspin.spinner.tables import TABLE_FORMAT, TABLE_KIND  # noqa: E402

VERSION = "spinner-contentfarm.v1"
ALPHA = re.compile(r"^[a-z]+$")
POS_FILES = {"noun": "NOUN", "verb": "VERB", "adj": "ADJ", "adv": "ADV"}
HEAD_MIN_ZIPF = 2.8  # words the spinner knows: common enough to be in its dictionary
CAND_MIN_ZIPF = 2.5  # replacements: common words
PHRASE_WORD_MIN_ZIPF = 3.2
PHRASE_MIN_BIGRAM = 5_000_000  # symspellpy bigram count of every adjacent pair of a multi-word phrase
GAP_LOW, GAP_HIGH = -1.5, 1.0  # allowed Zipf gap (candidate minus word)
GAP_CENTRE, GAP_SCALE = -0.2, 0.5
KEEP_SINGLE, KEEP_MULTI, KEEP_COLLAPSE = 6, 3, 4
REL_WEIGHT = {"syn": 1.0, "sim": 0.6, "hyp": 0.35}

#: Words the dictionary never holds: closed-class words (the profile's own rule table
#: handles connectives) and auxiliaries.
NEVER = frozenset(
    """a an the and or but nor if so yet than that this these those there here i me my mine we us
    our ours you your yours he him his she her hers it its they them their theirs who whom whose
    which what when where why how be is am are was were been being do does did done have has had
    having will would shall should can could may might must not no of to in on at by for with from
    as into onto upon about also very just only each every all any some such own same other both
    either neither one two three four five six seven eight nine ten mr mrs ms dr st""".split()
)


def load_counts(path: Path) -> tuple[dict[str, int], dict[str, int], int]:
    """Unigram and bigram counts from the shipped ``ngrams.v1.tsv.gz`` (symspellpy, MIT)."""
    uni: dict[str, int] = {}
    bi: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        fh.readline()
        for line in fh:
            kind, key, count = line.rstrip("\n").split("\t")
            (uni if kind == "u" else bi)[key] = int(count)
    return uni, bi, sum(uni.values())


def zipf_of(uni: dict[str, int], total: int):  # type: ignore[no-untyped-def]
    def zipf(word: str) -> float:
        c = uni.get(word, 0)
        return math.log10(c * 1e9 / total) if c else 0.0

    return zipf


def read_wordnet(wn: Path) -> tuple[dict[tuple[str, str], dict], dict[str, list[str]]]:  # type: ignore[type-arg]
    """Synsets keyed by (pos file, offset): lemmas and pointers; and lemma -> synset keys."""
    synsets: dict[tuple[str, str], dict] = {}  # type: ignore[type-arg]
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pos in POS_FILES:
        for line in open(wn / f"data.{pos}", encoding="utf-8"):
            if line.startswith("  "):
                continue
            fields = line.split(" | ")[0].split()
            offset, n = fields[0], int(fields[3], 16)
            lemmas = []
            for k in range(n):
                raw = re.sub(r"\([a-z]+\)$", "", fields[4 + 2 * k])
                lemmas.append(raw.replace("_", " "))
            p = 4 + 2 * n
            n_ptr = int(fields[p])
            ptrs = []
            for k in range(n_ptr):
                sym, off, ppos = fields[p + 1 + 4 * k], fields[p + 2 + 4 * k], fields[p + 3 + 4 * k]
                ptrs.append((sym, off, {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}[ppos]))
            key = (pos, offset)
            synsets[key] = {"lemmas": lemmas, "ptrs": ptrs}
            for lem in lemmas:
                if lem.lower() == lem:
                    index[lem].append(key)
    return synsets, index  # type: ignore[return-value]


def related(synsets: dict, key: tuple[str, str]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(lemma, relation) pairs around one synset: its lemmas, similar-to and hypernym lemmas."""
    out = [(lem, "syn") for lem in synsets[key]["lemmas"]]
    for sym, off, ppos in synsets[key]["ptrs"]:
        rel = "sim" if sym == "&" else "hyp" if sym in ("@", "@i") else None
        if rel and (ppos, off) in synsets:
            out.extend((lem, rel) for lem in synsets[(ppos, off)]["lemmas"])
    return out


def _fmt(pairs: list[tuple[str, float]]) -> str:
    return "|".join(f"{o}={w:.3g}" for o, w in pairs)


def build(wn: Path, ngrams: Path) -> list[tuple[str, ...]]:
    uni, bi, total = load_counts(ngrams)
    zipf = zipf_of(uni, total)
    synsets, index = read_wordnet(wn)

    def common_phrase(p: str) -> bool:
        words = p.split()
        return (
            2 <= len(words) <= 3
            and all(ALPHA.match(w) and zipf(w) >= PHRASE_WORD_MIN_ZIPF for w in words)
            and min(bi.get(f"{a} {b}", 0) for a, b in zip(words, words[1:])) >= PHRASE_MIN_BIGRAM
        )

    rows: list[tuple[str, ...]] = []
    for lemma in sorted(index):
        if not ALPHA.match(lemma) or lemma in NEVER or zipf(lemma) < HEAD_MIN_ZIPF:
            continue
        zl = zipf(lemma)
        by_pos: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
        for key in index[lemma]:
            upos = POS_FILES[key[0]]
            singles, multis = by_pos.setdefault(upos, ({}, {}))
            for cand, rel in related(synsets, key):
                if cand == lemma or cand != cand.lower():
                    continue
                w = REL_WEIGHT[rel]
                if " " in cand:
                    if rel != "hyp" and common_phrase(cand) and lemma not in cand.split():
                        score = w * min(zipf(x) for x in cand.split()) / 7.0
                        multis[cand] = max(multis.get(cand, 0.0), score)
                    continue
                if not ALPHA.match(cand) or cand in NEVER or zipf(cand) < CAND_MIN_ZIPF:
                    continue
                if cand.startswith(lemma[:5]) or lemma.startswith(cand[:5]):
                    continue  # a form of the same word, not a replacement
                gap = zipf(cand) - zl
                if not GAP_LOW <= gap <= GAP_HIGH:
                    continue
                score = w * math.exp(-abs(gap - GAP_CENTRE) / GAP_SCALE)
                singles[cand] = max(singles.get(cand, 0.0), score)
        for upos in sorted(by_pos):
            singles, multis = by_pos[upos]
            if singles:
                best = sorted(singles.items(), key=lambda p: (-p[1], p[0]))[:KEEP_SINGLE]
                rows.append(("w", lemma, upos, _fmt(best)))
            if multis:
                best = sorted(multis.items(), key=lambda p: (-p[1], p[0]))[:KEEP_MULTI]
                rows.append(("m", lemma, upos, _fmt(best)))
    # several words -> one
    for phrase in sorted(index):
        if not common_phrase(phrase):
            continue
        words = phrase.split()
        by_pos2: dict[str, dict[str, float]] = {}
        for key in index[phrase]:
            upos = POS_FILES[key[0]]
            opts = by_pos2.setdefault(upos, {})
            for cand in synsets[key]["lemmas"]:
                if " " in cand or not ALPHA.match(cand) or cand in NEVER or cand in words or zipf(cand) < 3.0:
                    continue
                opts[cand] = max(opts.get(cand, 0.0), zipf(cand) / 7.0)
        for upos in sorted(by_pos2):
            if by_pos2[upos]:
                best = sorted(by_pos2[upos].items(), key=lambda p: (-p[1], p[0]))[:KEEP_COLLAPSE]
                rows.append(("c", phrase, upos, _fmt(best)))
    return rows


def write_table(path: Path, rows: list[tuple[str, ...]]) -> None:
    header = (
        f"#unspin-{TABLE_KIND}\tformat={TABLE_FORMAT}\tversion={VERSION}"
        "\tsources=WordNet 3.0 (Princeton University) via Debian wordnet-base, all senses, similar-to and "
        "hypernym links; ranked by Zipf-frequency match with symspellpy 6.10.1 unigram/bigram counts"
        "\tlicences=WordNet 3.0 licence (BSD-like); symspellpy frequency lists MIT\n"
    )
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(header.encode("utf-8"))
        for row in rows:
            gz.write(("\t".join(row) + "\n").encode("utf-8"))
    kinds = defaultdict(int)
    for r in rows:
        kinds[r[0]] += 1
    print(f"{path}: {dict(kinds)} rows, {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    ap.add_argument("--ngrams", type=Path, default=ROOT / "src" / "unspin" / "data" / "ngrams.v1.tsv.gz")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "unspin" / "data")
    args = ap.parse_args(argv)
    write_table(args.out / "spinner-contentfarm.tsv.gz", build(args.wordnet, args.ngrams))


if __name__ == "__main__":
    main()
