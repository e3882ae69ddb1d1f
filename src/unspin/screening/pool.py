"""Local worker processes with hard per-document limits on time and memory.

Each worker is a separate process that loads the engine once, then screens one document
at a time. The parent watches every busy worker: one that runs past the time limit, or
whose resident memory grows past the memory limit, is killed, the document becomes an
error row, and a fresh worker takes its place. A worker that dies (a crash in a native
library) costs one row, never the batch.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Iterator

from ..errors import ConfigError
from .document import ScreenOptions, base_row, screen_document

WARMUP_TEXT = "Researchers said on Monday that the new method works well in practice."
STARTUP_SECONDS = 900.0  # loading the engine (deep mode: the language model) may take long


def _worker(conn: Connection, options: ScreenOptions) -> None:
    """Worker loop: warm the engine up, then screen (name, bytes) tasks until told to stop."""
    try:
        warm = screen_document("warmup.txt", WARMUP_TEXT.encode(), options)
        if warm["error"]:  # the engine itself cannot run (e.g. deep mode without its model)
            conn.send(("failed", warm["error"].removeprefix("warmup.txt: ")))
            return
        conn.send(("ready", _rss()))
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                return
            if task is None:
                return
            name, data = task
            conn.send(("row", screen_document(name, data, options)))
    except (KeyboardInterrupt, BrokenPipeError, EOFError):
        return


def _rss(pid: int | None = None) -> int:
    """Resident memory of a process in bytes (Linux /proc; 0 where unknown)."""
    try:
        with open(f"/proc/{pid or 'self'}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class _Slot:
    process: Any
    conn: Connection
    baseline: int = 0
    ready: bool = False
    started: float = 0.0
    task: tuple[str, str] | None = None  # (name, sha256) of the document in progress


class LocalPool:
    """``jobs`` worker processes screening documents with per-document time and memory limits."""

    def __init__(self, jobs: int, options: ScreenOptions, timeout: float, memory_bytes: int) -> None:
        self.options = options
        self.timeout = timeout
        self.memory = memory_bytes
        self._ctx = mp.get_context("spawn")
        self.slots = [self._spawn() for _ in range(max(1, jobs))]

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe(duplex=True)
        p = self._ctx.Process(target=_worker, args=(child, self.options), daemon=True)
        p.start()
        child.close()
        return _Slot(p, parent, started=time.monotonic())

    def _replace(self, slot: _Slot) -> _Slot:
        try:
            slot.process.kill()
            slot.process.join(5)
        except Exception:
            pass
        slot.conn.close()
        new = self._spawn()
        self.slots[self.slots.index(slot)] = new
        return new

    def _error_row(self, slot: _Slot, message: str) -> dict[str, Any]:
        assert slot.task is not None
        row = base_row(slot.task[0], slot.task[1], self.options)
        row["error"] = message
        row["seconds"] = round(time.monotonic() - slot.started, 3)
        return row

    def run(self, tasks: Iterator[tuple[str, str, bytes]]) -> Iterator[dict[str, Any]]:
        """Screen every (name, sha256, bytes) task; yields rows as documents finish."""
        pending = iter(tasks)
        exhausted = False
        try:
            while True:
                for slot in list(self.slots):
                    if slot.ready and slot.task is None and not exhausted:
                        nxt = next(pending, None)
                        if nxt is None:
                            exhausted = True
                            break
                        name, sha, data = nxt
                        slot.task = (name, sha)
                        slot.started = time.monotonic()
                        slot.conn.send((name, data))
                if exhausted and all(s.task is None for s in self.slots):
                    return
                ready = wait([s.conn for s in self.slots], timeout=0.2)
                for slot in list(self.slots):
                    if slot.conn in ready:
                        try:
                            kind, payload = slot.conn.recv()
                        except (EOFError, OSError):
                            code = slot.process.exitcode
                            if slot.task is not None:
                                yield self._error_row(slot, f"{slot.task[0]}: the worker process died (exit code {code}) on this file")
                            elif not slot.ready:
                                raise ConfigError(f"a screening worker failed to start (exit code {code})")
                            self._replace(slot)
                            continue
                        if kind == "failed":
                            raise ConfigError(f"cannot screen: {payload}")
                        if kind == "ready":
                            slot.ready, slot.baseline = True, int(payload)
                        else:
                            slot.task = None
                            yield payload
                yield from self._watch()
        finally:
            self.close()

    def _watch(self) -> Iterator[dict[str, Any]]:
        now = time.monotonic()
        for slot in list(self.slots):
            if not slot.ready:
                if now - slot.started > STARTUP_SECONDS:
                    raise ConfigError(f"a screening worker did not start within {STARTUP_SECONDS:.0f} s")
                continue
            if slot.task is None:
                continue
            if now - slot.started > self.timeout:
                row = self._error_row(slot, f"{slot.task[0]}: stopped after {self.timeout:g} s (per-document time limit)")
                self._replace(slot)
                yield row
                continue
            grown = _rss(slot.process.pid) - slot.baseline
            if self.memory and grown > self.memory:
                row = self._error_row(
                    slot,
                    f"{slot.task[0]}: stopped at {grown // (1024 * 1024)} MB over the worker's baseline "
                    f"(per-document memory limit {self.memory // (1024 * 1024)} MB)",
                )
                self._replace(slot)
                yield row

    def close(self) -> None:
        for slot in self.slots:
            try:
                if slot.task is None and slot.process.is_alive():
                    slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for slot in self.slots:
            slot.process.join(2)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(2)
            slot.conn.close()


def map_in_process(tasks: Iterator[tuple[str, str, bytes]], options: ScreenOptions) -> Iterator[dict[str, Any]]:
    """Screen in this process (``jobs=0``): no hard limits beyond the readers' own."""
    for name, _sha, data in tasks:
        yield screen_document(name, data, options)
