'''The learned dictionary on disk: a versioned TSV, and the Problematic Paper Screener's CSV shape.

TSV (``--format tsv``, the default)::

    #unspin-spinner-dictionary<TAB>format=1<TAB>version=learned.v1<TAB>unspin=0.1.0
    #settings<TAB>mode=deep ... min_docs=3 min_confidence=0.5
    #source<TAB><sha256><TAB><file name>          (one line per document used)
    #skipped<TAB><file name><TAB><reason>         (one line per document skipped)
    #spun<TAB>original<TAB>confidence<TAB>documents<TAB>occurrences<TAB>examples
    numerous<TAB>many<TAB>0.93<TAB>15<TAB>41<TAB>d1.txt@120-128: the [numerous] people | ...

Every header line starts with ``#``, so any ``spun<TAB>original`` reader (``--pairs``) skips it
and reads the first two columns. :func:`read_dictionary` reads the rest back.

PPS CSV (``--format pps``): ``Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers``
with the phrase in double quotes (``"numerous"``, as the screener lists its search
fingerprints) and the number of documents it was seen in.

>>> from unspin.learn.em import LearnedSwap
>>> d = Dictionary((LearnedSwap("numerous", "many", 0.93, 15, 41, 40.2, ()),), {"mode": "deep"}, (("ab" * 32, "d1.txt"),), ())
>>> read_dictionary_text(dictionary_tsv(d)).swaps[0][:3]
('numerous', 'many', 0.93)
>>> print(dictionary_pps(d), end="")
Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers
"""numerous""",many,15
'''

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .. import __version__
from ..errors import InputError
from .em import LearnedSwap

MAGIC = "#unspin-spinner-dictionary"
FORMAT = 1
VERSION = "learned.v1"
COLUMNS = ("spun", "original", "confidence", "documents", "occurrences", "examples")
_HEADER_LEFT = ("spun", "tortured", "fingerprint", "tortured phrase")
_HEADER_RIGHT = ("original", "expected", "expected text")
PPS_COLUMNS = ("Fingerprint - Tortured Phrase", "Expected Text", "Nb Retrieved Papers")


@dataclass(frozen=True)
class Dictionary:
    """A learned dictionary: the selected swaps, the settings, the sources used and skipped."""

    swaps: tuple[LearnedSwap, ...]
    settings: Mapping[str, str]
    sources: tuple[tuple[str, str], ...]  # (sha256, name)
    skipped: tuple[tuple[str, str], ...]  # (name, reason)


@dataclass(frozen=True)
class ReadDictionary:
    """What :func:`read_dictionary` gives back: ``(spun, original, confidence, documents, occurrences)`` rows."""

    swaps: tuple[tuple[str, str, float, int, int], ...]
    header: Mapping[str, str]
    settings: Mapping[str, str]
    sources: tuple[tuple[str, str], ...]

    def channel(self) -> tuple[tuple[str, str, float], ...]:
        """The ``(spun, original, confidence)`` triples that ``Config(channel=...)`` takes."""
        return tuple((s, o, c) for s, o, c, _d, _n in self.swaps)


def _clean(s: str) -> str:
    return " ".join(str(s).replace("\t", " ").split())


def dictionary_tsv(d: Dictionary) -> str:
    """The TSV text of a dictionary (see the module docstring)."""
    out = io.StringIO()
    out.write(f"{MAGIC}\tformat={FORMAT}\tversion={VERSION}\tunspin={__version__}\n")
    out.write("#settings\t" + "\t".join(f"{k}={_clean(v)}" for k, v in d.settings.items()) + "\n")
    for sha, name in d.sources:
        out.write(f"#source\t{sha}\t{_clean(name)}\n")
    for name, reason in d.skipped:
        out.write(f"#skipped\t{_clean(name)}\t{_clean(reason)}\n")
    out.write("#" + "\t".join(COLUMNS) + "\n")
    for s in d.swaps:
        examples = " | ".join(e.render() for e in s.examples)
        out.write(f"{_clean(s.spun)}\t{_clean(s.original)}\t{s.confidence:.4f}\t{s.documents}\t{s.occurrences}\t{examples}\n")
    return out.getvalue()


def dictionary_pps(d: Dictionary) -> str:
    """The Problematic Paper Screener's fingerprint CSV shape: quoted phrase, expected text, count."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(PPS_COLUMNS)
    for s in d.swaps:
        w.writerow([f'"{_clean(s.spun)}"', _clean(s.original), s.documents])
    return out.getvalue()


def write_dictionary(d: Dictionary, path: str | os.PathLike[str], fmt: str = "tsv") -> None:
    """Write atomically (a temporary file renamed over ``path``); ``-`` is not handled here."""
    if fmt not in ("tsv", "pps"):
        raise InputError(f"unknown dictionary format {fmt!r}; known: pps, tsv")
    text = dictionary_tsv(d) if fmt == "tsv" else dictionary_pps(d)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None


def read_dictionary_text(text: str, source: str = "dictionary") -> ReadDictionary:
    """Parse :func:`dictionary_tsv` output; errors name the line."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith(MAGIC):
        raise InputError(f"{source} is not a learned dictionary (no {MAGIC!r} header); "
                         "make one with `unspin learn`, or pass a plain pair list with --pairs")
    header = dict(p.split("=", 1) for p in lines[0].split("\t")[1:] if "=" in p)
    if header.get("format") != str(FORMAT):
        raise InputError(f"{source} has dictionary format {header.get('format')!r}; this unspin reads "
                         f"format {FORMAT}; learn it again with this version")
    settings: dict[str, str] = {}
    sources: list[tuple[str, str]] = []
    swaps: list[tuple[str, str, float, int, int]] = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cols = line.split("\t")
        if line.startswith("#"):
            if cols[0] == "#settings":
                settings.update(p.split("=", 1) for p in cols[1:] if "=" in p)
            elif cols[0] == "#source" and len(cols) >= 3:
                sources.append((cols[1], cols[2]))
            continue
        if not swaps and len(cols) >= 2 and cols[0].strip().lower() in _HEADER_LEFT and cols[1].strip().lower() in _HEADER_RIGHT:
            continue  # a column-header row of a plain pair list
        try:
            spun, orig = cols[0].strip(), cols[1].strip()
            conf = float(cols[2]) if len(cols) > 2 and cols[2] else 1.0
            docs = int(cols[3]) if len(cols) > 3 and cols[3] else 0
            occ = int(cols[4]) if len(cols) > 4 and cols[4] else 0
        except (IndexError, ValueError):
            raise InputError(f"{source}:{n}: expected spun<TAB>original<TAB>confidence..., got {line[:60]!r}") from None
        if not spun or not orig or not 0.0 <= conf <= 1.0:
            raise InputError(f"{source}:{n}: empty phrase or confidence outside [0, 1] in {line[:60]!r}")
        swaps.append((spun, orig, conf, docs, occ))
    return ReadDictionary(tuple(swaps), header, settings, tuple(sources))


def read_dictionary(path: str | os.PathLike[str]) -> ReadDictionary:
    """Read a learned dictionary file (the TSV written by ``unspin learn``)."""
    from ..readers.textfile import read_text_file

    return read_dictionary_text(read_text_file(str(path), allow_empty=True), str(path))


def read_channel(path: str | os.PathLike[str]) -> tuple[tuple[str, str, float], ...]:
    """``(spun, original, confidence)`` triples for ``--channel``: a learned dictionary, or a plain
    ``spun<TAB>original[<TAB>confidence]`` list (confidence 1.0 when absent)."""
    p = Path(path)
    try:
        head = p.open("rb").read(len(MAGIC)).decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError(f"no such channel file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read channel file {path}: {exc.strerror}") from None
    if head == MAGIC:
        return read_dictionary(p).channel()
    from ..text import decode_bytes

    text = decode_bytes(p.read_bytes(), str(path))
    return read_dictionary_text(f"{MAGIC}\tformat={FORMAT}\n" + text, str(path)).channel()


def swaps_as_pairs(swaps: Sequence[LearnedSwap]) -> tuple[tuple[str, str], ...]:
    """The ``(spun, original)`` pairs, as ``--pairs`` would read them."""
    return tuple((s.spun, s.original) for s in swaps)
