"""Known tortured-phrase lists ("fingerprints"), supplied by the user, and allow lists.

Two formats are read:

* a two-column TSV, ``tortured<TAB>expected`` (the pair-list format of :mod:`.pairs`);
* the CSV export of the Problematic Paper Screener's tortured-phrase list, with the columns
  ``Fingerprint - Tortured Phrase``, ``Expected Text`` and ``Nb Retrieved Papers`` (a count
  written like ``41,395``).

A fingerprint is a query:

* ``"huge information"``: the phrase (a bare, unquoted phrase is read the same way);
* ``"huge information" AND "big data"``: the first phrase, counted only when every other
  quoted phrase also occurs somewhere in the document;
* ``"word1 word2"~3``: the words, in any order, with at most 3 other words among them.

A list is identified by the sha256 of its bytes; every report names it.

>>> parse_query('"huge information" AND "big data"')
('and', ('huge information', 'big data'), 0)
>>> parse_query('"flag rest"~3')
('near', ('flag rest',), 3)
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..text import decode_bytes, phrase_key
from .pairs import MAX_PAIRS, parse_pairs, unescape
from .textfile import read_bytes

PPS_COLUMNS = ("Fingerprint - Tortured Phrase", "Expected Text", "Nb Retrieved Papers")
KINDS = ("phrase", "and", "near")

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NEAR = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*~\s*(\d+)\s*$')
_AND = re.compile(r"\s+AND\s+")
MAX_NEAR_DISTANCE = 50


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One list entry: a query (``kind`` and ``terms``), what it should read, and its count.

    ``terms[0]`` is the phrase reported; for ``and`` the others must also occur; for
    ``near`` ``terms[0]`` holds the words and ``distance`` the number of other words allowed
    among them.
    """

    query: str
    kind: str
    terms: tuple[str, ...]
    expected: str
    distance: int = 0
    papers: int | None = None


@dataclass(frozen=True)
class FingerprintList:
    """A parsed list and where it came from (``sha256`` of the file's bytes)."""

    name: str
    sha256: str
    format: str  # "tsv" | "pps-csv"
    entries: tuple[Fingerprint, ...]


def _clean(term: str) -> str:
    return " ".join(unescape(term).split())


def parse_query(query: str) -> tuple[str, tuple[str, ...], int]:
    """Parse one fingerprint query into (kind, terms, distance); a malformed one raises."""
    q = query.strip()
    if not q:
        raise InputError("empty fingerprint")
    m = _NEAR.match(q)
    if m:
        distance = int(m.group(2))
        words = _clean(m.group(1))
        if len(words.split()) < 2:
            raise InputError(f"proximity query {q!r} needs at least two words")
        if distance > MAX_NEAR_DISTANCE:
            raise InputError(f"proximity distance {distance} in {q!r} is over {MAX_NEAR_DISTANCE}")
        return "near", (words,), distance
    if '"' not in q:
        return "phrase", (_clean(q),), 0
    parts = _AND.split(q)
    terms: list[str] = []
    for part in parts:
        m = _QUOTED.fullmatch(part.strip())
        if not m or not _clean(m.group(1)):
            raise InputError(f'cannot parse fingerprint {q!r}; expected "phrase", "a" AND "b", or "w1 w2"~N')
        terms.append(_clean(m.group(1)))
    return ("and" if len(terms) > 1 else "phrase"), tuple(terms), 0


def _entry(query: str, expected: str, papers: int | None, where: str) -> Fingerprint:
    try:
        kind, terms, distance = parse_query(query)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return Fingerprint(query.strip(), kind, terms, " ".join(expected.split()), distance, papers)


def _count(cell: str, where: str) -> int | None:
    cell = cell.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    if not cell:
        return None
    if not cell.isdigit():
        raise InputError(f"{where}: 'Nb Retrieved Papers' should be a count like 41,395, got {cell!r}")
    return int(cell)


def parse_pps_csv(text: str, source: str) -> tuple[Fingerprint, ...]:
    """Entries of a Problematic Paper Screener CSV export (columns by header name)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{source} is empty") from None
    cols = [h.strip().lstrip("\ufeff") for h in header]
    try:
        qi, ei = cols.index(PPS_COLUMNS[0]), cols.index(PPS_COLUMNS[1])
    except ValueError:
        raise InputError(f"{source}: a CSV list needs the columns {PPS_COLUMNS[0]!r} and {PPS_COLUMNS[1]!r}") from None
    ni = cols.index(PPS_COLUMNS[2]) if PPS_COLUMNS[2] in cols else None
    out: list[Fingerprint] = []
    try:
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue
            where = f"{source}:{reader.line_num}"
            if len(row) <= max(qi, ei):
                raise InputError(f"{where}: expected {len(cols)} columns, got {len(row)}")
            papers = _count(row[ni], where) if ni is not None and ni < len(row) else None
            out.append(_entry(row[qi], row[ei], papers, where))
            if len(out) > MAX_PAIRS:
                raise InputError(f"{source} holds more than {MAX_PAIRS:,} fingerprints; split it")
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: malformed CSV ({exc})") from None
    if not out:
        raise InputError(f"{source} holds no fingerprints")
    return tuple(out)


def parse_fingerprints(data: bytes, source: str) -> FingerprintList:
    """Parse a fingerprint list's bytes; the format is told by its first line."""
    text = decode_bytes(data, source)
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    digest = hashlib.sha256(data).hexdigest()
    if PPS_COLUMNS[0] in first:
        return FingerprintList(source, digest, "pps-csv", parse_pps_csv(text, source))
    pairs = parse_pairs(text, source)
    entries = tuple(_entry(s if s.startswith('"') else f'"{s}"', o, None, f"{source}: {s!r}") for s, o in pairs)
    return FingerprintList(source, digest, "tsv", entries)


def read_fingerprints(path: str | Path) -> FingerprintList:
    """Read a fingerprint list (TSV or PPS CSV) from ``path``."""
    return parse_fingerprints(read_bytes(path), str(path))


def read_allow(path: str | Path) -> tuple[tuple[str, ...], str]:
    """An allow list: one phrase per line (or the first column of a TSV); returns (phrases, sha256).

    Phrases normal in a field ("random forest" in machine learning) are never reported,
    neither as fingerprint matches nor as model findings.
    """
    data = read_bytes(path)
    text = decode_bytes(data, str(path))
    phrases = []
    for line in text.splitlines():
        cell = line.split("\t", 1)[0].strip()
        if not cell or cell.startswith("#"):
            continue
        phrases.append(phrase_key(unescape(cell.strip('"'))))
    if not phrases:
        raise InputError(f"allow list {path} holds no phrases; one phrase per line")
    return tuple(phrases), hashlib.sha256(data).hexdigest()
