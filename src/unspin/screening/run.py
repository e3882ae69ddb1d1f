"""Screen a batch: find the files, skip finished ones, screen the rest, append rows, report.

    files ─▶ (read bytes, sha256) ─▶ skip rows already in --out
          ─▶ local workers (--jobs N, hard time/memory limits) or Dask (--scheduler)
          ─▶ ResultLog.append (fsync'd JSON lines) ─▶ CSV / HTML from the whole file
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TextIO

from ..errors import ConfigError, InputError
from ..readers.formats import FORMATS
from ..readers.inputs import expand_inputs as _walk
from ..readers.textfile import read_bytes
from .document import ScreenOptions, base_row, screen_document
from .results import ResultLog

DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY_MB = 2048


def expand_inputs(paths: Iterable[str | os.PathLike[str]],
                  exclude: Iterable[str | os.PathLike[str] | None] = ()) -> list[Path]:
    """Files as given (any name: an unknown extension becomes an error row), and every file of
    a known format under each directory, recursively, hidden ones skipped; sorted, no repeats.
    The run's own outputs (``exclude``) and files unspin wrote are left out
    (:func:`unspin.readers.inputs.expand_inputs`)."""
    return _walk(paths, exclude=exclude, suffixes=FORMATS)


@dataclass
class Summary:
    """What a run did."""

    files: int = 0
    skipped: int = 0
    screened: int = 0
    errors: int = 0
    words: int = 0
    seconds: float = 0.0
    by_risk: dict[str, int] = field(default_factory=dict)
    repaired_bytes: int = 0


class Progress:
    """A progress line on stderr: files done, words/s, ETA (redrawn on a terminal, else every 10%)."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total, self.done, self.words, self.screened = total, 0, 0, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.monotonic()
        self._last_draw = 0.0
        self._last_decile = -1

    def line(self) -> str:
        el = max(time.monotonic() - self.t0, 1e-9)
        rate = self.words / el
        eta = (self.total - self.done) * el / self.screened if self.screened else 0.0
        m, s = divmod(int(eta), 60)
        h, m = divmod(m, 60)
        return f"screen: {self.done}/{self.total} files  {rate:,.0f} words/s  ETA {h}:{m:02d}:{s:02d}"

    def skip(self) -> None:
        """A file already screened by an earlier run."""
        self.done += 1

    def update(self, row: dict[str, Any]) -> None:
        self.done += 1
        self.screened += 1
        self.words += int(row.get("words") or 0)
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last_draw > 0.1 or self.done == self.total:
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
                self._last_draw = now
        else:
            decile = self.done * 10 // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _tasks(files: Sequence[Path], log: ResultLog, options: ScreenOptions, summary: Summary,
           early: list[dict[str, Any]], bar: Progress) -> Iterator[tuple[str, str, bytes]]:
    """(name, sha256, bytes) of every file not yet done; unreadable files become rows in ``early``."""
    for p in files:
        name = str(p)
        try:
            data = read_bytes(p, options.limits.max_bytes)
        except InputError as exc:
            if log.is_done(name, None):
                summary.skipped += 1
                bar.skip()
                continue
            row = base_row(name, None, options)
            row["error"] = str(exc)
            early.append(row)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if log.is_done(name, sha):
            summary.skipped += 1
            bar.skip()
            continue
        yield name, sha, data


def screen_paths(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    options: ScreenOptions = ScreenOptions(),
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: bool = True,
    stream: TextIO | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    exclude: Iterable[str | os.PathLike[str] | None] = (),
) -> Summary:
    """Screen every file under ``paths`` into the results file ``out``; resumable.

    ``jobs=0`` screens in this process (no hard limits); ``jobs>=1`` uses that many worker
    processes with a per-document ``timeout`` (seconds) and memory limit (``memory_mb`` of
    growth over the worker's resting size); ``exclude``: other files the run writes (the
    CSV and HTML reports), never screened, like ``out`` itself; ``scheduler`` (``tcp://host:port``, or
    ``"local"`` for a new LocalCluster of ``jobs`` workers) runs on Dask instead.
    """
    if jobs < 0:
        raise ConfigError(f"--jobs must be 0 or more, got {jobs}")
    if timeout <= 0:
        raise ConfigError(f"--timeout must be positive, got {timeout}")
    files = expand_inputs(paths, exclude=[out, *exclude])
    summary = Summary(files=len(files))
    t0 = time.monotonic()
    with ResultLog(out) as log:
        summary.repaired_bytes = log.repaired
        bar = Progress(len(files), stream, progress)
        early: list[dict[str, Any]] = []
        tasks = _tasks(files, log, options, summary, early, bar)

        def record(row: dict[str, Any]) -> None:
            if log.append(row):
                summary.screened += 1
                summary.words += int(row.get("words") or 0)
                if row.get("error"):
                    summary.errors += 1
                else:
                    summary.by_risk[row["risk"]] = summary.by_risk.get(row["risk"], 0) + 1
            bar.update(row)
            if on_row:
                on_row(row)

        def flush_early() -> None:
            while early:
                record(early.pop(0))

        if scheduler:
            from .dask import map_on_dask

            rows: Iterator[dict[str, Any]] = map_on_dask(tasks, options, scheduler, jobs or None)
        elif jobs == 0:
            rows = (screen_document(n, d, options) for n, _s, d in tasks)
        else:
            from .pool import LocalPool

            rows = LocalPool(jobs, options, timeout, memory_mb * 1024 * 1024).run(tasks)
        for row in rows:
            flush_early()
            record(row)
        flush_early()
        bar.close()
    summary.seconds = time.monotonic() - t0
    return summary
