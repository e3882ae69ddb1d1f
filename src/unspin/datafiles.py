"""Shipped data files: where they live and how their headers are checked.

Every data file under ``unspin/data`` starts with one header, in one style:

* tables (TSV, gzip or plain): the first line is
  ``#unspin-<kind><TAB>format=<n><TAB>version=<name><TAB>key=value...``;
* JSON files: a top-level object with ``"magic": "unspin-<kind>"``, ``"format": <n>``,
  ``"version": "<name>"`` and provenance keys (sources, licences, how it was built).

Loaders find a file with :func:`path`, read its header with :func:`read_header` (or
:func:`parse_header_line` / :func:`json_header` when they already hold the first line or the
decoded object) and validate it with :func:`check_header`; a wrong or missing header is a
:class:`~unspin.errors.DataError` that names the file and says how to rebuild it.

>>> h = parse_header_line("#unspin-lexicon\\tformat=1\\tversion=thesaurus.v1\\tsources=moby", "lexicon")
>>> check_header(h, "lexicon", 1, "thesaurus.v1").fields["sources"]
'moby'
>>> check_header(h, "ngrams", 1)
Traceback (most recent call last):
...
unspin.errors.DataError: lexicon is a 'lexicon' file, expected 'ngrams'; reinstall unspin or rebuild the file (see unspin/data/SOURCES.md)
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import DataError

PREFIX = "unspin-"
DEFAULT_FIX = "reinstall unspin or rebuild the file (see unspin/data/SOURCES.md)"


@dataclass(frozen=True)
class Header:
    """A data file's header: its kind, format number, version name and other fields."""

    kind: str
    format: int | None
    version: str | None
    fields: Mapping[str, str]
    source: str


@cache
def data_dir() -> Path:
    """The directory of the data files shipped inside the package."""
    from importlib.resources import files

    return Path(str(files("unspin") / "data"))


def path(name: str) -> Path:
    """The path of the shipped data file ``name`` (e.g. ``"lexicon.v1.tsv.gz"``).

    >>> path("screen.v1.json").name
    'screen.v1.json'
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise DataError(f"bad data file name {name!r}: give a bare file name from unspin/data")
    return data_dir() / name


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def parse_header_line(line: str, source: str, fix: str = DEFAULT_FIX) -> Header:
    """Parse a table's first line ``#unspin-<kind>\\tformat=..\\tversion=..\\t...``."""
    parts = line.rstrip("\r\n").split("\t")
    if not parts or not parts[0].startswith("#" + PREFIX):
        raise DataError(f"{source} has no unspin header (its first line does not start with "
                        f"'#{PREFIX}<kind>'); {fix}")
    fields = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    return Header(parts[0][1 + len(PREFIX):], _as_int(fields.get("format")), fields.get("version"),
                  MappingProxyType(fields), source)


def json_header(obj: object, source: str, fix: str = DEFAULT_FIX) -> Header:
    """The header of a decoded JSON data file (its ``magic``, ``format``, ``version`` and the rest)."""
    magic = obj.get("magic") if isinstance(obj, Mapping) else None
    if not isinstance(magic, str) or not magic.startswith(PREFIX):
        raise DataError(f"{source} is not an unspin data file (no \"magic\": \"{PREFIX}<kind>\"); {fix}")
    assert isinstance(obj, Mapping)
    fields = {k: str(v) for k, v in obj.items() if not isinstance(v, (dict, list))}
    version = obj.get("version")
    return Header(magic[len(PREFIX):], _as_int(obj.get("format")),
                  None if version is None else str(version), MappingProxyType(fields), source)


def check_header(header: Header, kind: str, format: int, version: str | None = None,
                 fix: str = DEFAULT_FIX, required: tuple[str, ...] = ()) -> Header:
    """Refuse a file of another kind, format or version, or one lacking ``required`` fields."""
    src = header.source
    if header.kind != kind:
        raise DataError(f"{src} is a {header.kind!r} file, expected {kind!r}; {fix}")
    if header.format != format:
        raise DataError(f"{src} has format {header.format!r}, this unspin reads format {format}; {fix}")
    if version is not None and header.version != version:
        raise DataError(f"{src} holds version {header.version!r}, expected {version!r}; {fix}")
    for key in required:
        if not header.fields.get(key):
            raise DataError(f"{src} header lacks {key!r}; {fix}")
    return header


def open_text(p: Path, source: str, fix: str = DEFAULT_FIX):  # type: ignore[no-untyped-def]
    """Open a data file as UTF-8 text (gzip when it ends in ``.gz``); a missing file is a DataError."""
    try:
        if p.suffix == ".gz":
            return gzip.open(p, "rt", encoding="utf-8")
        return p.open("r", encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"data file {source} is missing; {fix}") from None
    except OSError as exc:
        raise DataError(f"data file {source} is unreadable ({exc}); {fix}") from None


def read_lines(p: Path, source: str | None = None, fix: str = DEFAULT_FIX) -> list[str]:
    """All lines of a (gzip) text data file, header first; corrupt files are a DataError."""
    source = source or p.name
    fh = open_text(p, source, fix)
    try:
        with fh:
            return fh.read().split("\n")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise DataError(f"data file {source} is corrupt ({exc}); {fix}") from None


def read_json(p: Path, source: str | None = None, fix: str = DEFAULT_FIX) -> tuple[Header, Mapping[str, object]]:
    """A JSON data file's header and body."""
    source = source or p.name
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"data file {source} is missing; {fix}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"data file {source} is unreadable ({exc}); {fix}") from None
    return json_header(raw, source, fix), raw


def read_header(p: Path, source: str | None = None, fix: str = DEFAULT_FIX) -> Header:
    """The header of a data file, table or JSON, by its name."""
    source = source or p.name
    if p.suffix == ".json":
        return read_json(p, source, fix)[0]
    fh = open_text(p, source, fix)
    try:
        with fh:
            first = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise DataError(f"data file {source} is corrupt ({exc}); {fix}") from None
    return parse_header_line(first, source, fix)


def versions(*parts: str | None) -> str:
    """One ``data_version`` string naming every data file a result used, in a stable order.

    >>> versions("thesaurus.v1", "symspell.v1", None, "thesaurus.v1")
    'symspell.v1+thesaurus.v1'
    """
    return "+".join(sorted({p for p in parts if p}))
