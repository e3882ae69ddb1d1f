"""Readers for the raw thesauri the lexicon is built from (build time only).

Each reader returns plain dicts of lower-cased phrases, in the source's own order, with no
filtering; :mod:`scripts.build_lexicon` canonicalises and filters. None of this runs when the
shipped lexicon is loaded.

- Moby Thesaurus II (npm ``moby`` 1.1.2): ``headword,syn,syn,...`` per line, public domain.
- MyThes en_US v2 (Debian ``mythes-en-us``): ``word|n`` then n lines ``(pos)|syn|syn (tag)``.
- WordNet 3.0 (Debian ``wordnet-base``): ``data.{noun,verb,adj,adv}`` synset lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MOBY_PATH = Path("/work/sources/moby-1.1.2/package/words.txt")
MYTHES_PATH = Path("/usr/share/mythes/th_en_US_v2.dat")
WORDNET_DIR = Path("/usr/share/wordnet")

_MYTHES_TAG = re.compile(r"\s*\((generic|similar|related) term\)\s*$|\s*\(antonym\)\s*$")
_WN_ADJ_MARKER = re.compile(r"\((a|p|ip)\)$")


def _clean(phrase: str) -> str:
    return " ".join(phrase.lower().replace("_", " ").split())


def read_moby(path: Path = MOBY_PATH) -> dict[str, list[str]]:
    """Headword -> synonyms (alphabetical, as listed). Lines look like ``head,syn,syn``."""
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = [_clean(p) for p in line.rstrip("\n").split(",")]
            parts = [p for p in parts if p]
            if len(parts) < 2:
                continue
            out.setdefault(parts[0], []).extend(parts[1:])
    return out


@dataclass(frozen=True, slots=True)
class MythesSyn:
    """One synonym in a MyThes entry: the phrase, its relation and its place in the entry."""

    phrase: str
    relation: str  # "syn", "similar", "related", "generic"
    sense: int  # 0-based sense (line) number within the entry
    rank: int  # 0-based position over the whole entry


def read_mythes(path: Path = MYTHES_PATH) -> dict[str, list[MythesSyn]]:
    """Word -> synonyms with relation tags; antonyms are dropped."""
    out: dict[str, list[MythesSyn]] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        fh.readline()  # encoding line
        head = ""
        remaining = 0
        sense = 0
        for line in fh:
            line = line.rstrip("\n")
            if remaining == 0:
                word, _, count = line.rpartition("|")
                head = _clean(word)
                remaining = int(count) if count.isdigit() else 0
                sense = 0
                continue
            remaining -= 1
            entry = out.setdefault(head, [])
            for raw in line.split("|")[1:]:
                m = _MYTHES_TAG.search(raw)
                if m and "antonym" in m.group(0):
                    continue
                relation = m.group(1) if m else "syn"
                phrase = _clean(raw[: m.start()] if m else raw)
                if phrase and phrase != head:
                    entry.append(MythesSyn(phrase, relation, sense, len(entry)))
            sense += 1
    return out


@dataclass(frozen=True, slots=True)
class WordNet:
    """Synsets as lemma tuples, similar-to links between adjective synsets, POS per lemma."""

    synsets: dict[str, tuple[str, ...]]  # "a00003356" -> lemmas
    similar: tuple[tuple[str, str], ...]  # (synset id, synset id)
    pos: dict[str, str]  # lemma -> letters of the POS it has, e.g. "nv"


def read_wordnet(directory: Path = WORDNET_DIR) -> WordNet:
    """Parse the four ``data.*`` files of WordNet 3.0."""
    synsets: dict[str, tuple[str, ...]] = {}
    similar: list[tuple[str, str]] = []
    pos: dict[str, str] = {}
    for name, letter in (("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")):
        with (directory / f"data.{name}").open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                fields = line.split(" | ", 1)[0].split()
                offset = fields[0]
                n_words = int(fields[3], 16)
                lemmas = []
                for i in range(n_words):
                    lemma = _clean(_WN_ADJ_MARKER.sub("", fields[4 + 2 * i]))
                    if lemma and lemma not in lemmas:
                        lemmas.append(lemma)
                        if letter not in pos.get(lemma, ""):
                            pos[lemma] = pos.get(lemma, "") + letter
                key = letter + offset
                synsets[key] = tuple(lemmas)
                p = 4 + 2 * n_words
                n_ptr = int(fields[p])
                for j in range(n_ptr):
                    sym, target, tpos = fields[p + 1 + 4 * j : p + 4 + 4 * j]
                    if sym == "&":
                        similar.append((key, ("a" if tpos in "as" else tpos) + target))
    return WordNet(synsets, tuple(similar), pos)


def read_counts(path: Path) -> dict[str, int]:
    """symspellpy frequency list: ``term count`` (unigrams) or ``w1 w2 count`` (bigrams)."""
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[-1].isdigit():
                out[" ".join(parts[:-1]).lower()] = int(parts[-1])
    return out
