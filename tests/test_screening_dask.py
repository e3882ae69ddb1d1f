"""`unspin screen --scheduler`: the same screening on a real Dask distributed.LocalCluster."""

from __future__ import annotations

from pathlib import Path

import pytest

import screening_docs as sd
from unspin.bench.corpus import default_corpus_path, load_corpus
from unspin.screening.results import read_rows
from unspin.screening.run import screen_paths


@pytest.mark.dask
def test_dask_local_cluster_gives_the_same_rows_as_local_screening(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    texts = [d.text for d in load_corpus(default_corpus_path("test")) if 150 <= len(d.text.split()) <= 300][:10]
    folder = tmp_path / "in"
    folder.mkdir()
    for i, t in enumerate(texts):
        if i % 3 == 0:
            sd.pdf_paragraphs(folder / f"d{i}.pdf", [t])
        elif i % 3 == 1:
            sd.docx_file(folder / f"d{i}.docx", [t])
        else:
            (folder / f"d{i}.txt").write_text(t, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")

    from click.testing import CliRunner
    from distributed import LocalCluster

    from unspin.cli import main

    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    screen_paths([folder], local, jobs=0, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        res = CliRunner().invoke(main, ["screen", str(folder), "--out", str(dask), "--scheduler", address, "--quiet"])
        assert res.exit_code == 0, res.output
        assert "11 screened" in res.output and "1 error " in res.output
        # Resuming on the cluster writes nothing twice.
        again = screen_paths([folder], dask, scheduler=address, progress=False)
        assert again.screened == 0 and again.skipped == 11

    def by_path(p: Path) -> dict[str, dict]:
        return {r["path"]: r for r in read_rows(p)}

    a, b = by_path(local), by_path(dask)
    assert set(a) == set(b) and len(a) == 11
    for path, row in a.items():
        for key in ("sha256", "format", "words", "pages", "score", "risk", "findings", "fingerprints", "error"):
            assert row[key] == b[path][key], (path, key)
    assert len(list(read_rows(dask))) == 11
    # --scheduler local starts a LocalCluster itself.
    fresh = tmp_path / "fresh.jsonl"
    summary = screen_paths([folder / "d0.pdf", folder / "d1.docx"], fresh, jobs=2, scheduler="local", progress=False)
    assert summary.screened == 2 and summary.errors == 0
