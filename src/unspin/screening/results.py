"""The results file: append-only JSON lines, one per document, safe to kill and resume.

Each row is written as one complete line with ``os.write`` on an ``O_APPEND`` descriptor and
``fsync``'d, so a killed run leaves at most one partial last line. Opening the file repairs
that line (it is cut off; the document is screened again), and the rows already there say
which documents are finished: a re-run skips them and never writes a row twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError


def row_key(path: str, sha256: str | None) -> tuple[str, str | None]:
    """What identifies a finished document: its absolute path and the sha256 of its bytes."""
    return (os.path.abspath(path), sha256)


def _repair(path: Path) -> int:
    """Cut a partial last line (a run killed mid-write); returns the bytes removed."""
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return 0
        # Find the last newline, scanning back in blocks.
        pos = size
        keep = 0
        while pos > 0:
            step = min(65536, pos)
            pos -= step
            fh.seek(pos)
            block = fh.read(step)
            k = block.rfind(b"\n")
            if k >= 0:
                keep = pos + k + 1
                break
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
        return size - keep


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every complete row of a results file (a partial or unparsable line is skipped)."""
    p = Path(path)
    if not p.exists():
        return
    with p.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.endswith(b"\n"):
                return
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and "path" in row:
                yield row


class ResultLog:
    """An open results file: which documents are done, and an fsync'd append of new rows."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"--out {self.path} is a directory; give a .jsonl file name")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.repaired = _repair(self.path) if self.path.exists() else 0
        self.done: set[tuple[str, str | None]] = set()
        self.done_paths: set[str] = set()
        for row in read_rows(self.path):
            self.done.add(row_key(row["path"], row.get("sha256")))
            self.done_paths.add(os.path.abspath(row["path"]))
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"cannot write {self.path}: {exc.strerror}") from None

    def is_done(self, path: str, sha256: str | None) -> bool:
        """True when this document (same path, same bytes) already has a row."""
        return row_key(path, sha256) in self.done or (sha256 is None and os.path.abspath(path) in self.done_paths)

    def append(self, row: dict[str, Any]) -> bool:
        """Write one row as a complete, fsync'd line; False (nothing written) if already done."""
        key = row_key(row["path"], row.get("sha256"))
        if key in self.done:
            return False
        line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        view = memoryview(line)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        os.fsync(self._fd)
        self.done.add(key)
        self.done_paths.add(key[0])
        return True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "ResultLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
