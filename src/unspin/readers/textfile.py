"""The one reader for text input: a file path or ``-`` (stdin), bounded in size, decoded strictly.

Every command (check, restore, spin, trace, screen) and the benchmarks read text through
:func:`read_text_file`, so the size limit and the decoding checks live here and in
:func:`unspin.text.decode_bytes` only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..text import decode_bytes

MAX_INPUT_BYTES = 64 * 1024 * 1024  # refuse to even read beyond this


def _megabytes(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"


def check_size(name: str, data: bytes, limit: int = MAX_INPUT_BYTES) -> bytes:
    """``data`` if it is at most ``limit`` bytes, else the one error for an oversized input."""
    if len(data) > limit:
        raise InputError(f"{name} is larger than {_megabytes(limit)}; split it into smaller files")
    return data


def read_limited(fh: BinaryIO, name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read at most ``limit`` bytes from ``fh``; a longer input is refused, never truncated."""
    return check_size(name, fh.read(limit + 1), limit)


def read_bytes(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path`` ('-' for stdin), with one-line errors and bounded memory."""
    name = str(path)
    if name == "-":
        return read_limited(sys.stdin.buffer, "stdin", limit)
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{name} is a directory; give a file, or '-' for stdin")
        with p.open("rb") as fh:
            return read_limited(fh, name, limit)
    except FileNotFoundError:
        raise InputError(f"no such file: {name}") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def read_text_file(path: str | Path, *, allow_empty: bool = False, limit: int = MAX_INPUT_BYTES) -> str:
    """Read FILE or '-' (stdin) as UTF-8 text with bounded memory.

    Binary data, text that is not UTF-8, inputs over ``limit`` bytes and (unless
    ``allow_empty``) blank inputs are refused with an :class:`~unspin.errors.InputError`
    whose message names the input and the next step.
    """
    name = "stdin" if str(path) == "-" else str(path)
    text = decode_bytes(read_bytes(path, limit), name)
    if not allow_empty and not text.strip():
        raise InputError(f"{name} is empty; give some English text to check")
    return text
