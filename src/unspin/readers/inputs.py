"""The one walker over a command's inputs: files given, and the files under folders given.

``unspin screen``, ``unspin learn`` and ``unspin index add`` take ``DIR|FILE...``. Under a folder
each keeps the files it documents: ``screen`` the extensions it reads (``suffixes``), ``learn``
every file, ``index add`` the files matching ``--pattern`` (``pattern``, default ``*.txt``).
Every command gets the same rules: files in a deterministic (sorted) order, hidden files and
folders under a folder skipped, no file twice. ``screen`` and ``learn`` write files that may
sit inside the folder they read (``learn farm/ --out farm/spinner.tsv`` puts the dictionary
and its evidence cache beside the documents). Neither must read its own output back as a
document, so :func:`expand_inputs` leaves out

* the paths the command writes (``exclude``: output file, evidence cache, CSV/HTML reports),
  compared by resolved path, so ``./farm/x.tsv`` and ``farm/../farm/x.tsv`` are the same file;
* files that announce themselves as written by unspin (:func:`unspin_output_kind`): a learned
  dictionary or data table (``#unspin-`` header), an evidence cache, a screening results file,
  a screening CSV or HTML report. They are outputs of an earlier run under another name.

Hidden files and folders under a directory are skipped; files named one by one are kept
(a command decides what to do with an unknown extension).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Collection, Iterable

from ..errors import InputError

SNIFF_BYTES = 1024
HTML_REPORT_MARK = b'<meta name="generator" content="unspin'


def unspin_output_kind(head: bytes) -> str | None:
    """What unspin output the first bytes of a file show, or None for an ordinary document.

    >>> unspin_output_kind(b"#unspin-spinner-dictionary\\tformat=1")
    'an unspin data file or learned dictionary'
    >>> unspin_output_kind(b'{"f":1,"sha":"ab","key":"deep-1","name":"a.txt"}')
    'an unspin evidence cache'
    >>> unspin_output_kind(b"The cat sat on the mat.") is None
    True
    """
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"#unspin-"):
        return "an unspin data file or learned dictionary"
    if start.startswith(b'{"f":') and b'"sha":' in start[:200] and b'"key":' in start[:300]:
        return "an unspin evidence cache"
    if start.startswith(b'{"rowVersion":'):
        return "an unspin screening results file"
    if start.startswith(b"rank,path,sha256,format,"):
        return "an unspin screening CSV report"
    if HTML_REPORT_MARK in head or b"<title>unspin screening report" in head:
        return "an unspin screening HTML report"
    return None


def _sniff(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return unspin_output_kind(fh.read(SNIFF_BYTES))
    except OSError:
        return None  # unreadable: the command reports it as it reads the file


def resolved(path: str | os.PathLike[str]) -> str:
    """The path with symlinks and ``..`` resolved (the key outputs are compared by)."""
    return os.path.realpath(os.path.abspath(path))


def expand_inputs(
    paths: Iterable[str | os.PathLike[str]],
    *,
    exclude: Iterable[str | os.PathLike[str] | None] = (),
    suffixes: Collection[str] | None = None,
    pattern: str | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> list[Path]:
    """Files as given and the files under each directory (recursively, sorted, hidden skipped).

    ``suffixes``: under a directory, keep only files with one of these (lower-case)
    extensions (None: every file). ``pattern``: under a directory, keep only files whose path
    below it matches this glob (``Path.match``: ``*.txt`` matches at any depth, as
    ``Path.rglob`` does). ``exclude``: paths the command writes, never read. Files
    whose first bytes show an unspin output are left out too; ``on_skip(path, reason)`` is
    told about those. No file is listed twice.
    """
    out: list[Path] = []
    seen: set[str] = set()
    excluded = {resolved(p) for p in exclude if p not in (None, "-")}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                q for q in p.rglob("*")
                if (q.is_file() or q.is_symlink())
                and (suffixes is None or q.suffix.lower() in suffixes)
                and (pattern is None or q.relative_to(p).match(pattern))
                and not any(part.startswith(".") for part in q.relative_to(p).parts)
            )
        elif p.exists() or p.is_symlink():
            found = [p]
        else:
            raise InputError(f"no such file or directory: {raw}")
        for q in found:
            key = resolved(q)
            if key in seen:
                continue
            seen.add(key)
            if key in excluded:
                continue  # this run's own output
            kind = _sniff(q) if q.is_file() else None
            if kind:
                if on_skip:
                    on_skip(str(q), f"{kind}, not a document")
                continue
            out.append(q)
    return out


__all__ = ["expand_inputs", "resolved", "unspin_output_kind"]
