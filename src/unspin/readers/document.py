"""What a format reader returns: the text, where each page and paragraph starts, metadata.

A :class:`SourceDocument` maps every code-point offset of its text back to a page (PDF) and
a paragraph, so a finding at ``offset`` can be reported as "page 3, paragraph 12".

>>> b = TextBuilder(max_chars=1000)
>>> b.new_page(); b.add_paragraph("First page."); b.new_page(); b.add_paragraph("Second page.")
>>> doc = b.build("x.pdf", "pdf")
>>> doc.text
'First page.\\n\\nSecond page.'
>>> doc.page_at(doc.text.index("Second")), doc.paragraph_at(0), doc.pages
(2, 1, 2)
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..errors import InputError

PARAGRAPH_SEP = "\n\n"


@dataclass(frozen=True)
class ReadLimits:
    """Per-document limits a reader enforces itself (cooperatively, between pages).

    max_bytes:          refuse files larger than this.
    max_pages:          read at most this many pages; the rest is reported as unread.
    max_chars:          keep at most this many characters of text; the rest is unread.
    max_seconds:        stop extracting after this long; what was read is kept, flagged.
    max_unzipped_bytes: a .docx whose parts unpack to more than this is refused (zip bomb).
    """

    max_bytes: int = 256 * 1024 * 1024
    max_pages: int = 2_000
    max_chars: int = 5_000_000
    max_seconds: float = 120.0
    max_unzipped_bytes: int = 256 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pages", "max_chars", "max_unzipped_bytes"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_seconds <= 0:
            raise InputError(f"max_seconds must be positive, got {self.max_seconds}")


@dataclass(frozen=True)
class SourceDocument:
    """A document's text with the start offset of every page and paragraph.

    ``page_starts`` is empty for formats without pages. ``incomplete`` says part of the file
    was not read (page, character or time limit) and ``reason`` says which. ``note`` says how
    the text was read when that matters to a reader of the results (an HTML page whose main
    text could not be told apart, read as its visible text).
    """

    name: str
    format: str
    text: str
    paragraph_starts: tuple[int, ...]
    page_starts: tuple[int, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    incomplete: bool = False
    reason: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.metadata, MappingProxyType):
            object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @property
    def pages(self) -> int | None:
        """Pages read (None for formats without pages)."""
        return len(self.page_starts) or None

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (None for formats without pages)."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))

    def paragraph_at(self, offset: int) -> int:
        """The 1-based paragraph holding ``offset`` (for .docx: the Word paragraph's index)."""
        if not self.paragraph_starts:
            return 1
        i = max(0, bisect_right(self.paragraph_starts, offset) - 1)
        numbers = self.metadata.get("paragraphNumbers")
        return int(numbers[i]) if numbers else i + 1


class TextBuilder:
    """Assemble a document's text paragraph by paragraph, recording offsets, within limits."""

    def __init__(self, max_chars: int, deadline: float | None = None) -> None:
        self._parts: list[str] = []
        self._len = 0
        self._paragraphs: list[int] = []
        self._numbers: list[int] = []
        self._pages: list[int] = []
        self._max_chars = max_chars
        self._deadline = deadline
        self.reason: str | None = None

    @property
    def full(self) -> bool:
        """True once a limit was hit: callers stop reading."""
        if self.reason is None and self._deadline is not None and time.monotonic() > self._deadline:
            self.reason = "time limit reached while extracting text; the rest of the file was not read"
        return self.reason is not None

    def new_page(self) -> None:
        """The next paragraph starts a new page."""
        self._pages.append(self._len + (len(PARAGRAPH_SEP) if self._parts else 0))

    def add_paragraph(self, text: str, number: int | None = None) -> None:
        """Append one paragraph (``number``: its index in the source, e.g. a Word paragraph)."""
        text = text.strip()
        if not text or self.full:
            return
        sep = PARAGRAPH_SEP if self._parts else ""
        room = self._max_chars - self._len - len(sep)
        if room <= 0:
            self.reason = f"only the first {self._max_chars:,} characters were read (character limit)"
            return
        if len(text) > room:
            text = text[:room]
            self.reason = f"only the first {self._max_chars:,} characters were read (character limit)"
        if sep:
            self._parts.append(sep)
            self._len += len(sep)
        self._paragraphs.append(self._len)
        self._numbers.append(number if number is not None else len(self._numbers) + 1)
        self._parts.append(text)
        self._len += len(text)

    def extend_last(self, text: str, join: Callable[[str, str], str], new_page: bool = False) -> None:
        """Continue the last paragraph with ``text``; ``join(last, text)`` gives the new paragraph
        and must end with ``text``. With ``new_page``, the page break falls where ``text`` starts."""
        text = text.strip()
        if not self._paragraphs or self.full:
            if new_page:
                self.new_page()
            self.add_paragraph(text)
            return
        last = self._parts.pop()
        self._len -= len(last)
        joined = join(last, text)
        if new_page:
            self._pages.append(self._len + len(joined) - len(text))
        self.add_paragraph_unchecked(joined)

    def add_paragraph_unchecked(self, text: str) -> None:
        """Put back the last paragraph (as :meth:`extend_last` rebuilt it), within the character cap."""
        room = self._max_chars - self._len
        if len(text) > room:
            text = text[:room]
            self.reason = f"only the first {self._max_chars:,} characters were read (character limit)"
        self._parts.append(text)
        self._len += len(text)

    def limit(self, reason: str) -> None:
        """Record that reading stopped early, and why."""
        if self.reason is None:
            self.reason = reason

    def build(self, name: str, fmt: str, metadata: Mapping[str, Any] | None = None) -> SourceDocument:
        meta = dict(metadata or {})
        if self._numbers != list(range(1, len(self._numbers) + 1)):
            meta["paragraphNumbers"] = tuple(self._numbers)
        # Pages that produced no text still count; clamp their start to the text's end.
        pages = tuple(min(p, self._len) for p in self._pages)
        return SourceDocument(
            name=name,
            format=fmt,
            text="".join(self._parts),
            paragraph_starts=tuple(self._paragraphs),
            page_starts=pages,
            metadata=meta,
            incomplete=self.reason is not None,
            reason=self.reason,
        )
