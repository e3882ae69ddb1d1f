"""The Dask path on a real LocalCluster of worker processes (slow: starts processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_trace import ORIGINALS, _filler, _spin
from unspin.trace import TraceIndex

pytestmark = pytest.mark.dask

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    ) as c:
        yield c


def test_distributed_build_equals_local_build(cluster, tmp_path: Path) -> None:
    from unspin.trace.distributed import add_distributed

    items = [(f"orig/{i:02d}", t) for i, t in enumerate(ORIGINALS)] + [(f"filler/{i}", _filler(i)) for i in range(120)]
    items.append(("dup", ORIGINALS[0]))
    res = add_distributed(tmp_path / "d.db", items, scheduler=cluster.scheduler_address, partition_size=16)
    assert len(res.added) == len(items) - 1
    # Partitions commit in the order they finish, so either copy may be the one kept.
    assert len(res.duplicates) == 1
    assert {res.duplicates[0].path, res.duplicates[0].existing_path} == {"dup", "orig/00"}
    with TraceIndex(tmp_path / "l.db", create=True) as local:
        local.add(items)
    with TraceIndex(tmp_path / "d.db") as a, TraceIndex(tmp_path / "l.db") as b:
        sig_a = {d.text: a.signatures([d.id]).get(d.id) for d in a.iter_documents()}
        sig_b = {d.text: b.signatures([d.id]).get(d.id) for d in b.iter_documents()}
        assert len(sig_a) == len(items) - 1
        assert sig_a == sig_b  # workers compute exactly what the client would


def test_distributed_trace_in_input_order(cluster, tmp_path: Path) -> None:
    from unspin.trace.distributed import add_distributed, trace_distributed

    items = [(f"orig/{i:02d}", t) for i, t in enumerate(ORIGINALS)] + [(f"filler/{i}", _filler(i)) for i in range(40)]
    add_distributed(tmp_path / "t.db", items, scheduler=cluster.scheduler_address)
    queries = [_spin(t, 300 + i) for i, t in enumerate(ORIGINALS)] + ["Das ist ein deutscher Satz ohne Quelle hier."]
    results = trace_distributed(queries, tmp_path / "t.db", scheduler=cluster.scheduler_address, partition_size=3)
    assert [r[0].path if r else None for r in results] == [f"orig/{i:02d}" for i in range(len(ORIGINALS))] + [None]


def test_default_local_cluster_and_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "originals"
    folder.mkdir()
    for i, t in enumerate(ORIGINALS):
        (folder / f"d{i}.txt").write_text(t, encoding="utf-8")
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin"]
    r = subprocess.run(
        [*cmd, "index", "add", "idx.db", "originals", "--dask", "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert f"added {len(ORIGINALS)} document(s)" in r.stdout
    with TraceIndex(tmp_path / "idx.db") as ix:
        assert len(ix) == len(ORIGINALS)
