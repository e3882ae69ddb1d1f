"""Reading benchmark corpora: the prepared dev/test splits or a user's file.

A corpus file is either JSONL (``.jsonl`` or ``.jsonl.gz``; one object per line with at least
``text``, optionally ``id``, ``source``, ``category``) or plain UTF-8 text, where each
paragraph (blank-line separated block) is one document.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TypeVar

from ..errors import DataError, InputError
from ..text import decode_bytes

SPLITS = ("dev", "test")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CorpusDoc:
    """One clean document of a benchmark corpus."""

    id: str
    source: str
    category: str
    text: str


def repo_root() -> Path:
    """The checkout this package runs from (src layout), when there is one."""
    return Path(__file__).resolve().parents[3]


def default_corpus_path(split: str) -> Path:
    """``benchmarks/corpora/<split>.jsonl.gz`` of the checkout, else of the working directory."""
    if split not in SPLITS:
        from ..errors import unknown_name

        raise unknown_name("split", split, SPLITS)
    for base in (repo_root(), Path.cwd()):
        path = base / "benchmarks" / "corpora" / f"{split}.jsonl.gz"
        if path.is_file():
            return path
    raise DataError(
        f"benchmark corpus {split}.jsonl.gz not found under benchmarks/corpora; run from a checkout "
        "of unspin, or give a corpus file with --corpus PATH"
    )


def load_corpus(path: Path | str) -> tuple[CorpusDoc, ...]:
    """Read a corpus file; refuses missing, non-UTF-8, malformed or empty files with one line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read corpus {path}: {exc.strerror}; give an existing file") from None
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"corpus {path} is not a valid gzip file ({exc})") from None
    text = decode_bytes(raw, f"corpus {path}")
    name = path.name.removesuffix(".gz")
    docs: list[CorpusDoc] = []
    if name.endswith(".jsonl") or name.endswith(".json"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"corpus {path} line {n} is not JSON ({exc.msg}); one object per line") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise InputError(f"corpus {path} line {n} has no \"text\" string; expected {{\"text\": ...}}")
            if rec["text"].strip():
                docs.append(
                    CorpusDoc(
                        str(rec.get("id", f"{path.stem}#{n}")),
                        str(rec.get("source", "")),
                        str(rec.get("category", "")),
                        rec["text"],
                    )
                )
    else:
        for n, block in enumerate(re.split(r"\n\s*\n", text)):
            if block.strip():
                docs.append(CorpusDoc(f"{path.name}#{n}", path.name, "", block.strip()))
    if not docs:
        raise InputError(f"corpus {path} has no documents; give a file with some text")
    return tuple(docs)


def sample(docs: Sequence[T], n: int) -> tuple[T, ...]:
    """``n`` items spread evenly over ``docs`` (so every source is represented); all when fewer.

    >>> [d.id for d in sample(tuple(CorpusDoc(str(i), "", "", "x") for i in range(10)), 3)]
    ['0', '3', '6']
    """
    if n >= len(docs):
        return tuple(docs)
    return tuple(docs[i * len(docs) // n] for i in range(n))


def first_words(text: str, n: int) -> str:
    """``text`` cut after the first sentence end past ``n`` words (the whole text if shorter).

    >>> first_words("One two three. Four five six. Seven.", 4)
    'One two three. Four five six.'
    """
    from ..text import tokenize

    doc = tokenize(text)
    count = 0
    for s in doc.sentences:
        count += sum(1 for t in doc.tokens[s.first_token : s.last_token] if t.is_word)
        if count >= n:
            return text[: s.end]
    return text


# -- registers: the five kinds of clean prose calibration is measured on -------------------------

REGISTERS = ("news", "scientific", "encyclopedic", "technical", "other")
_NEWS, _SCIENCE = ("a", "b", "c"), ("j",)


def register_of(source: str, category: str) -> str:
    """The register of a clean benchmark document, from its source and category.

    >>> register_of("brown", "a:press-reportage"), register_of("brown", "j:learned"), register_of("sotu", "1790")
    ('news', 'scientific', 'other')
    >>> register_of("pydoc/library/os", "technical")
    'technical'
    """
    if category in ("encyclopedic", "technical"):
        return category
    letter = category.split(":")[0]
    if source == "brown" and letter in _NEWS:
        return "news"
    if source == "brown" and letter in _SCIENCE:
        return "scientific"
    return "other"


def registers_path(split: str) -> Path:
    """``benchmarks/registers/<split>.jsonl.gz``: the encyclopedic and technical clean text."""
    if split not in SPLITS:
        from ..errors import unknown_name

        raise unknown_name("split", split, SPLITS)
    path = default_corpus_path(split).parent.parent / "registers" / f"{split}.jsonl.gz"
    if not path.is_file():
        raise DataError(f"register corpus {split}.jsonl.gz not found under benchmarks/registers; run from a checkout")
    return path


def register_documents(split: str, per_register: int, min_words: int = 0) -> tuple[tuple[str, CorpusDoc], ...]:
    """``per_register`` clean documents of each register, spread evenly over each, interleaved.

    Interleaved round-robin (news, scientific, encyclopedic, technical, other, news, ...), so
    any shard ``i % k`` of the result is balanced across registers too. Documents shorter than
    ``min_words`` words are skipped.
    """
    docs = list(load_corpus(default_corpus_path(split))) + list(load_corpus(registers_path(split)))
    by: dict[str, list[CorpusDoc]] = {r: [] for r in REGISTERS}
    for d in docs:
        if len(d.text.split()) >= min_words:
            by[register_of(d.source, d.category)].append(d)
    picked = {r: sample(by[r], per_register) for r in REGISTERS}
    out = []
    for i in range(max(len(v) for v in picked.values())):
        out.extend((r, picked[r][i]) for r in REGISTERS if i < len(picked[r]))
    return tuple(out)
