"""Readers: every file unspin reads comes in through this package.

* :func:`read_text_file` / :func:`read_bytes`: text input ('-' is stdin) with the size
  limit and decoding checks, for every command and the benchmarks;
* :func:`read_document` / :func:`read_document_bytes`: .txt, .md, .html (main text), .pdf
  (text layer, page of every offset) and .docx (paragraph of every offset);
* :func:`read_pairs`: ``spun<TAB>original`` lists (``--pairs``, the phrase-list baseline);
* :func:`read_fingerprints` / :func:`read_allow`: known tortured-phrase lists (TSV or the
  Problematic Paper Screener CSV) and allow lists for ``unspin screen``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .document import ReadLimits, SourceDocument, TextBuilder
from .fingerprints import Fingerprint, FingerprintList, parse_fingerprints, parse_query, read_allow, read_fingerprints
from .formats import FORMATS, format_of, read_document_bytes, read_docx, read_html, read_pdf, read_plain
from .pairs import MAX_PAIRS, parse_pairs, read_pairs, unescape
from .textfile import MAX_INPUT_BYTES, read_bytes, read_limited, read_text_file


def read_document(path: str | Path, limits: ReadLimits = ReadLimits(),
                  known_word: Callable[[str], bool] | None = None) -> SourceDocument:
    """Read a document file of any known format (by extension); '-' reads text from stdin.

    ``known_word``: see :func:`read_document_bytes` (PDF hyphenation).
    """
    name = str(path)
    if name == "-":
        return read_plain("stdin", read_bytes("-"), "txt", limits)
    format_of(name)  # an unknown extension fails before the file is read
    cap = limits.max_bytes if format_of(name) in ("pdf", "docx") else MAX_INPUT_BYTES
    return read_document_bytes(name, read_bytes(path, cap), limits, known_word)


def read_input_text(path: str | Path, known_word: Callable[[str], bool] | None = None) -> str:
    """The text to check in FILE: documents by format, anything else as UTF-8 text.

    This is what ``check`` and ``restore`` read: a .pdf, .docx or .html file gives its
    extracted text; stdin, .txt, .md and files with other names are read as UTF-8 text.
    """
    name = str(path)
    if name != "-" and Path(name).suffix.lower() in FORMATS and FORMATS[Path(name).suffix.lower()] in ("pdf", "docx", "html"):
        text = read_document(path, known_word=known_word).text
    else:
        text = read_text_file(path)
    return text


__all__ = [
    "FORMATS",
    "MAX_INPUT_BYTES",
    "MAX_PAIRS",
    "Fingerprint",
    "FingerprintList",
    "ReadLimits",
    "SourceDocument",
    "TextBuilder",
    "format_of",
    "parse_fingerprints",
    "parse_pairs",
    "parse_query",
    "read_allow",
    "read_bytes",
    "read_document",
    "read_document_bytes",
    "read_docx",
    "read_fingerprints",
    "read_html",
    "read_input_text",
    "read_limited",
    "read_pairs",
    "read_pdf",
    "read_plain",
    "read_text_file",
    "unescape",
]
