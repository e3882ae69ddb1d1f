"""Screening on a Dask ``distributed`` cluster: the same :func:`screen_document`, mapped.

The client reads each file and ships its bytes, so workers need no shared file system.
Work is sent in small partitions with a bounded number in flight; rows come back as
partitions finish and the client appends them to the results file (one writer). A
partition whose worker died (Dask's ``KilledWorker``, e.g. past the worker's memory limit)
comes back as error rows; the batch goes on.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterator, Sequence

from .document import ScreenOptions, base_row, screen_document

PARTITION = 8


def screen_partition(tasks: Sequence[tuple[str, str, bytes]], options: ScreenOptions) -> list[dict[str, Any]]:
    """Screen one partition of (name, sha256, bytes) tasks (runs on a worker)."""
    return [screen_document(name, data, options) for name, _sha, data in tasks]


def map_on_dask(
    tasks: Iterator[tuple[str, str, bytes]], options: ScreenOptions, scheduler: str, n_workers: int | None = None
) -> Iterator[dict[str, Any]]:
    """Rows of every task, screened on the cluster at ``scheduler`` ('local': a new LocalCluster)."""
    from itertools import chain

    from ..trace.distributed import dask_client

    first = next(tasks, None)
    if first is None:  # nothing left to do (a finished run resumed): no cluster needed
        return
    tasks = chain([first], tasks)
    with dask_client(None if scheduler == "local" else scheduler, n_workers) as client:
        from distributed import as_completed

        remote_options = client.scatter(options, broadcast=True)  # type: ignore[attr-defined]
        workers = max(1, len(client.scheduler_info().get("workers", {})))  # type: ignore[attr-defined]
        limit = 2 * workers
        names: dict[Any, list[tuple[str, str]]] = {}
        pending = as_completed()

        def submit() -> bool:
            part = list(islice(tasks, PARTITION))
            if not part:
                return False
            fut = client.submit(screen_partition, part, remote_options, pure=False)  # type: ignore[attr-defined]
            names[fut] = [(n, s) for n, s, _ in part]
            pending.add(fut)
            return True

        for _ in range(limit):
            if not submit():
                break
        for fut in pending:
            part_names = names.pop(fut)
            try:
                rows = fut.result()
            except Exception as exc:  # KilledWorker, a worker lost mid-task, ...
                rows = []
                for name, sha in part_names:
                    row = base_row(name, sha, options)
                    row["error"] = f"{name}: the Dask task failed ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
                    rows.append(row)
            yield from rows
            submit()
