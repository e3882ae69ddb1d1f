"""Index building and batch tracing on a Dask ``distributed`` cluster.

The same pure functions as the single-process path, mapped over partitions:

- building: the client reads the inputs and ships partitions of ``(name, text)`` pairs;
  workers fingerprint them (:func:`unspin.trace.index.prepare`); the client process stays the
  single SQLite writer and commits each partition as it arrives (one transaction each), so
  an interrupted build keeps every partition written so far;
- tracing: workers open the index read-only and run :func:`unspin.trace.search.trace_many`
  on partitions of queries (the index file must be reachable at the same path by every
  worker: a shared file system, or a LocalCluster).

``scheduler=None`` starts a LocalCluster of worker processes; ``scheduler="tcp://host:8786"``
connects to a running one.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..errors import ConfigError, InputError, missing_extra
from .fingerprint import FingerprintParams
from .index import AddResult, DocRecord, Item, TraceIndex, prepare, read_item
from .search import DEFAULT_THRESHOLD, SourceMatch, trace_many


def prepare_partition(items: Sequence[tuple[str, str]], params: FingerprintParams) -> list[DocRecord]:
    """Fingerprint one partition of (name, text) pairs (runs on a worker)."""
    return [prepare(name, text, params) for name, text in items]


def trace_partition(
    texts: Sequence[str], index_path: str, top: int, threshold: float
) -> list[tuple[SourceMatch, ...]]:
    """Trace one partition of queries against the index at ``index_path`` (runs on a worker)."""
    return trace_many(texts, index_path, top=top, threshold=threshold)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[object]:
    """A ``distributed.Client``: connected to ``scheduler``, or to a new LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise missing_extra("running on a Dask cluster", "dask[distributed]", "dask", "drop --dask/--scheduler") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=20)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); check the address") from None
        try:
            yield client
        finally:
            client.close()
        return
    workers = n_workers or max(1, os.cpu_count() or 1)
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    ) as cluster, Client(cluster) as client:
        yield client


def _partitions(items: Iterable[Item], size: int, unreadable: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    part: list[tuple[str, str]] = []
    for item in items:
        try:
            part.append(read_item(item))
        except InputError as exc:
            if not isinstance(item, Path):
                raise
            unreadable.append((str(item), str(exc)))
            continue
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def add_distributed(
    index_path: str | os.PathLike[str],
    items: Iterable[Item],
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    params: FingerprintParams | None = None,
    partition_size: int = 500,
    max_in_flight: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AddResult:
    """Add documents to the index at ``index_path`` (created if missing), fingerprinting on Dask.

    Partitions are committed in the order they finish; duplicates are skipped and reported.
    """
    if partition_size < 1:
        raise ConfigError(f"partition size must be at least 1, got {partition_size}")
    result = AddResult()
    with TraceIndex(index_path, params, create=True) as index, dask_client(scheduler, n_workers) as client:
        from distributed import as_completed

        p = index.params
        unreadable: list[tuple[str, str]] = []
        parts = _partitions(items, partition_size, unreadable)
        limit = max_in_flight or 4 * max(1, len(client.scheduler_info().get("workers", {})) or 1)  # type: ignore[attr-defined]
        pending = as_completed()
        for _ in range(limit):
            part = next(parts, None)
            if part is None:
                break
            pending.add(client.submit(prepare_partition, part, p, pure=False))  # type: ignore[attr-defined]
        for future in pending:
            records = future.result()
            result = result.merge(index.add_records(records))
            if progress:
                progress(len(records))
            part = next(parts, None)
            if part is not None:
                pending.add(client.submit(prepare_partition, part, p, pure=False))  # type: ignore[attr-defined]
    return result.merge(AddResult(unreadable=tuple(unreadable)))


def trace_distributed(
    texts: Sequence[str],
    index_path: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    top: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
    partition_size: int = 50,
) -> list[tuple[SourceMatch, ...]]:
    """Trace many texts on Dask; results come back in input order."""
    path = str(Path(index_path).resolve())
    TraceIndex(path).close()  # fail early, in the client, on a missing or foreign index
    parts = [list(texts[i : i + partition_size]) for i in range(0, len(texts), partition_size)]
    with dask_client(scheduler, n_workers) as client:
        futures = client.map(  # type: ignore[attr-defined]
            trace_partition, parts, index_path=path, top=top, threshold=threshold, pure=False
        )
        results = client.gather(futures)  # type: ignore[attr-defined]
    return [match for part in results for match in part]
