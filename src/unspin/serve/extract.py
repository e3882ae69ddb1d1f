"""Text from an uploaded file's bytes, for the page's upload button (``POST /v1/extract``).

The bytes arrive in the request; nothing is read from or written to the server's disk.
Formats other than plain text go through :mod:`unspin.readers` (the "screen" readers: .md,
.html, .pdf, .docx) when that package is importable; otherwise only UTF-8 text is accepted.
"""

from __future__ import annotations

from pathlib import PurePath

from ..errors import InputError
from ..text import decode_bytes

PLAIN = (".txt", ".text")
MAX_UPLOAD_SECONDS = 20.0


def supported_formats() -> list[str]:
    """File extensions the upload accepts (depends on which readers are installed)."""
    try:
        from ..readers.formats import FORMATS
    except ImportError:  # INTEGRATION POINT: readers package absent -> plain text only
        return list(PLAIN)
    return sorted(FORMATS)


def extract_text(filename: str, data: bytes) -> dict[str, object]:
    """The text of ``data`` as a file named ``filename``, with a flag if reading stopped early.

    >>> extract_text("a.txt", "caf\u00e9".encode())
    {'text': 'café', 'format': 'txt', 'incomplete': False, 'reason': None}
    """
    ext = PurePath(filename).suffix.lower()
    if ext in PLAIN or not ext:
        text = decode_bytes(data, filename)
        return {"text": text, "format": "txt", "incomplete": False, "reason": None}
    try:
        from ..readers.document import ReadLimits
        from ..readers.formats import read_document_bytes
    except ImportError:  # INTEGRATION POINT: readers package absent
        raise InputError(f"{filename}: only .txt uploads are supported by this installation") from None
    from ..lexicon import known_word

    doc = read_document_bytes(filename, data, ReadLimits(max_bytes=len(data) + 1, max_seconds=MAX_UPLOAD_SECONDS),
                              known_word)
    return {"text": doc.text, "format": doc.format, "incomplete": doc.incomplete, "reason": doc.reason}
