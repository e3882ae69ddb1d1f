"""Format readers: .txt, .md, .html, .pdf and .docx bytes to a :class:`SourceDocument`.

Each reader takes the file's name and bytes, so the same code runs in a local worker
process or on a Dask worker that was sent the bytes. Libraries (all permissively licensed,
installed with ``pip install unspin[docs]``) are imported inside the reader that needs them:
pypdf (BSD-3-Clause) for PDF, python-docx (MIT) for Word, jusText (BSD-2-Clause, on lxml,
BSD-3-Clause) for HTML boilerplate removal (vocabulary-blind, with a visible-text fallback).

Every failure is an :class:`~unspin.errors.InputError` with a one-line message: encrypted,
image-only, truncated or malformed PDFs, corrupt .docx, zip bombs, unknown extensions.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from dataclasses import replace
from pathlib import PurePath
from typing import Callable

from ..errors import ConfigError, InputError
from ..text import decode_bytes
from .document import ReadLimits, SourceDocument, TextBuilder
from .layout import continues, join_hyphenated, page_paragraphs
from .textfile import MAX_INPUT_BYTES, check_size

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}


def format_of(name: str) -> str:
    """The format a file name's extension names, or an error listing the known ones."""
    ext = PurePath(name).suffix.lower()
    if ext in FORMATS:
        return FORMATS[ext]
    known = ", ".join(sorted(FORMATS))
    what = f"extension {ext!r}" if ext else "no extension"
    raise InputError(f"{name}: {what} is not a format unspin reads; known: {known}")


def _missing(extra_pkg: str) -> ConfigError:
    return ConfigError(f"reading this format needs {extra_pkg}; install it with `pip install unspin[docs]`")


def _no_vocabulary(word: str) -> bool:
    """Without a vocabulary every hyphen at a line end is taken for a line-break hyphen."""
    return False


# ---------------------------------------------------------------------------
# plain text and markdown: the text as it is; paragraphs at blank lines


def read_plain(name: str, data: bytes, fmt: str = "txt", limits: ReadLimits = ReadLimits()) -> SourceDocument:
    """A UTF-8 text or markdown file; its text is kept unchanged."""
    check_size(name, data, MAX_INPUT_BYTES)
    text = decode_bytes(data, name)
    reason = None
    if len(text) > limits.max_chars:
        text = text[: limits.max_chars]
        reason = f"only the first {limits.max_chars:,} characters were read (character limit)"
    starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text) if m.end() < len(text)]
    lead = len(text) - len(text.lstrip())
    starts[0] = lead if lead < len(text) else 0
    return SourceDocument(name, fmt, text, tuple(starts), incomplete=reason is not None, reason=reason)


# ---------------------------------------------------------------------------
# HTML: the main text, never judged by its vocabulary; the visible text when that fails
#
# jusText's usual settings call a paragraph boilerplate when few of its words are stopwords.
# A spinner swaps exactly those function words and connectives, so a spun paragraph could be
# thrown away: the text the tool exists to judge (issue 16). Here jusText's stopword
# thresholds are 0: paragraphs are judged by length, link density and their neighbours only.
# When that keeps less than half of the page's visible prose, the reader falls back to the
# page's visible text (link-only blocks left out) and says so in ``SourceDocument.note``.
# Measured in BENCHMARKS.md ("Session 8: HTML main text").

_DROP_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "svg", "button", "select",
              "textarea", "form", "object", "canvas")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd details div dl dt fieldset figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
PROSE_BLOCK_WORDS = 12  # a visible block of at least this many words outside links counts as prose
FALLBACK_SHARE = 0.5  # fall back when the extraction holds less than this share of the visible prose
LINK_ONLY_SHARE = 0.5  # a block whose text is more than this share link text is navigation


def _parse_html(name: str, data: bytes) -> object:
    import lxml.html

    try:
        try:
            return lxml.html.document_fromstring(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):  # not UTF-8, or an encoding declaration lxml wants as bytes
            return lxml.html.document_fromstring(data)
    except Exception as exc:  # lxml raises several types on malformed input
        raise InputError(f"{name}: cannot parse HTML ({type(exc).__name__}: {_short(exc)})") from None


_CHROME_TAGS = frozenset(("nav", "footer", "aside"))  # page furniture by its element, not its words
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def html_blocks(data: bytes, name: str = "page.html") -> list[tuple[str, float, bool, bool]]:
    """The page's visible text blocks in order: (text, share of its characters inside links,
    inside a nav, footer or aside element, inside a heading h1-h6).

    Scripts, styles, forms and the head are not visible text; block elements (p, div, li,
    headings, table cells, br ...) end a block.
    """
    from lxml import etree

    root = _parse_html(name, data)
    for el in list(root.iter(*_DROP_TAGS)):  # type: ignore[attr-defined]
        el.drop_tree()
    blocks: list[tuple[str, float, bool, bool]] = []
    parts: list[tuple[str, bool]] = []
    chrome = 0  # how many nav/footer/aside elements we are inside
    heading = 0  # how many h1-h6 elements we are inside

    def flush() -> None:
        text = " ".join("".join(t for t, _ in parts).split())
        if text:
            linked = sum(len("".join(t.split())) for t, in_link in parts if in_link)
            blocks.append((text, linked / max(1, len("".join(text.split()))), chrome > 0, heading > 0))
        parts.clear()

    depth = 0  # how many <a> elements we are inside
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                flush()
            depth += tag == "a"
            chrome += tag in _CHROME_TAGS
            heading += tag in _HEADINGS
            if el.text and tag:
                parts.append((el.text, depth > 0))
        else:
            if tag in _BLOCK_TAGS:
                flush()
            depth -= tag == "a"
            chrome -= tag in _CHROME_TAGS
            heading -= tag in _HEADINGS
            if el.tail:
                parts.append((el.tail, depth > 0))
    flush()
    return blocks


def visible_blocks(data: bytes, name: str = "page.html") -> list[tuple[str, bool]]:
    """The page's visible text blocks as (text, is a heading), navigation left out: blocks
    mostly of link text, and blocks inside nav, footer and aside elements (unless nothing
    else is left)."""
    blocks = [(t, chrome, head) for t, linked, chrome, head in html_blocks(data, name) if linked <= LINK_ONLY_SHARE]
    body = [(t, head) for t, chrome, head in blocks if not chrome]
    return body or [(t, head) for t, _chrome, head in blocks]


def visible_text(data: bytes, name: str = "page.html") -> list[str]:
    """The text of :func:`visible_blocks`."""
    return [t for t, _head in visible_blocks(data, name)]


def _words(text: str) -> int:
    return len(text.split())


def _without_chrome(name: str, data: bytes) -> bytes:
    """The page with its nav, footer and aside elements removed (page furniture, judged by
    element, not by words), serialised for jusText."""
    import lxml.html

    root = _parse_html(name, data)
    for el in list(root.iter(*_CHROME_TAGS)):  # type: ignore[attr-defined]
        el.drop_tree()
    return lxml.html.tostring(root, encoding="utf-8")


def read_html(name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> SourceDocument:
    """The main text of an HTML page; a spun paragraph is never dropped for its vocabulary.

    jusText with its stopword thresholds at 0 picks the main paragraphs (headings included)
    by length, link density and context; paragraphs inside nav, footer and aside elements
    are page furniture. When it keeps less than half of the page's visible
    prose (blocks of 12 words or more outside links), the page's visible prose blocks and
    headings are read instead (all its visible text if it has none), navigation left out,
    and ``note`` says so.
    """
    check_size(name, data, MAX_INPUT_BYTES)
    if b"\x00" in data[:65536]:
        raise InputError(f"{name} looks like binary data (contains NUL bytes), not HTML")
    try:
        import justext
    except ImportError:
        raise _missing("jusText") from None
    page = _without_chrome(name, data)  # refuses an unparseable page in one line
    try:
        paragraphs = justext.justext(page, justext.get_stoplist("English"),
                                     stopwords_low=0.0, stopwords_high=0.0, encoding="utf-8")
    except Exception as exc:  # lxml raises several types on malformed input
        raise InputError(f"{name}: cannot parse HTML ({type(exc).__name__}: {_short(exc)})") from None
    good = [p.text for p in paragraphs if p.class_type == "good" and p.text.strip()]
    blocks = visible_blocks(data, name)
    prose = sum(_words(b) for b, _head in blocks if _words(b) >= PROSE_BLOCK_WORDS)
    kept = sum(_words(t) for t in good)
    note = None
    chosen = good
    if blocks and (kept == 0 or kept < FALLBACK_SHARE * prose):
        # The visible prose blocks; a page with none (verse, short lines) gives all its visible text.
        chosen = [b for b, head in blocks if head or _words(b) >= PROSE_BLOCK_WORDS] or [b for b, _head in blocks]
        what = f"kept {kept:,} of {prose:,} words of visible prose" if kept else "kept nothing"
        note = (f"HTML main-text extraction {what}; "
                "read the page's visible text instead (navigation and short menu items left out)")
    builder = TextBuilder(limits.max_chars)
    for text in chosen:
        builder.add_paragraph(text)
    dropped = len(paragraphs) - len(good) if note is None else 0
    meta = {"boilerplateParagraphs": dropped, "extraction": "visible-text" if note else "justext"}
    doc = builder.build(name, "html", meta)
    if not doc.text.strip():
        raise InputError(f"{name}: no main text found in the HTML (only navigation or boilerplate)")
    return replace(doc, note=note) if note else doc


# ---------------------------------------------------------------------------
# PDF: the text layer, page by page, line breaks and hyphenation repaired


def read_pdf(
    name: str,
    data: bytes,
    limits: ReadLimits = ReadLimits(),
    known_word: Callable[[str], bool] | None = None,
) -> SourceDocument:
    """The text layer of a PDF with the page of every offset.

    Refused: encrypted files that do not open with an empty password, files with no text
    layer (scanned images: run OCR first), malformed or truncated files. Reading stops at
    ``limits.max_pages`` pages, ``limits.max_chars`` characters or ``limits.max_seconds``,
    and the document is then flagged incomplete. pypdf's own caps on decompressed stream
    sizes stop decompression bombs.
    """
    check_size(name, data, limits.max_bytes)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError(f"{name} is not a PDF file (no %PDF header)")
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
    except ImportError:
        raise _missing("pypdf") from None
    known = known_word or _no_vocabulary
    deadline = time.monotonic() + limits.max_seconds
    with _PypdfWarnings() as warnings:
        doc, total = _read_pdf(name, data, limits, known, deadline, PdfReader, DependencyError, FileNotDecryptedError, PyPdfError)
    limited = [w for w in warnings.messages if "limit" in w.lower()]
    if not doc.text.strip():
        if limited:
            raise InputError(
                f"{name}: a content stream inflates past the decompression limit (a decompression bomb?); not read"
            )
        if total == 0:
            raise InputError(f"{name}: the PDF has no pages")
        raise InputError(f"{name}: the PDF has no text layer (scanned or image-only pages); run OCR on it first")
    if limited and not doc.incomplete:
        doc = replace(doc, incomplete=True, reason="some content streams inflate past the decompression limit and were skipped")
    return doc


def _probe_contents(page: object) -> None:
    """Decode an empty page's content stream again so that a tripped decompression cap is logged."""
    try:
        contents = page.get_contents()  # type: ignore[attr-defined]
        if contents is not None:
            contents.get_data()
    except Exception as exc:
        logging.getLogger("pypdf").warning("content stream not read: %s", exc)


class _PypdfWarnings(logging.Handler):
    """Collect pypdf's warnings (it logs, rather than raises, on skipped streams) without printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._logger = logging.getLogger("pypdf")

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 100:
            self.messages.append(record.getMessage()[:200])

    def __enter__(self) -> "_PypdfWarnings":
        self._saved = (self._logger.propagate, self._logger.level)
        self._logger.addHandler(self)
        self._logger.propagate = False
        self._logger.setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate, level = self._saved
        self._logger.setLevel(level)


def _read_pdf(name, data, limits, known, deadline, PdfReader, DependencyError, FileNotDecryptedError, PyPdfError):  # type: ignore[no-untyped-def]
    """The reading loop of :func:`read_pdf`: (document, pages the file declares)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise InputError(f"{name} is encrypted ({exc}); save an unencrypted copy") from None
            if not ok:
                raise InputError(f"{name} is encrypted with a password; save an unencrypted copy")
        total = len(reader.pages)
        builder = TextBuilder(limits.max_chars, deadline)
        last = ""
        pages_read = 0
        for i in range(min(total, limits.max_pages)):
            if builder.full:
                break
            page = reader.pages[i]
            page_text = page.extract_text() or ""
            pages_read += 1
            if not page_text.strip():
                _probe_contents(page)  # pypdf drops a stream over its decompression caps silently
            paragraphs = page_paragraphs(page_text, known)
            if paragraphs and continues(last, paragraphs[0]):
                # A sentence running over the page break stays one paragraph; the page starts inside it.
                builder.extend_last(
                    paragraphs.pop(0), lambda a, b: join_hyphenated(a, b, known) or f"{a} {b}", new_page=True
                )
            else:
                builder.new_page()
            for para in paragraphs:
                builder.add_paragraph(para)
            if paragraphs:
                last = paragraphs[-1]
        if total > limits.max_pages:
            builder.limit(f"only the first {limits.max_pages:,} of {total:,} pages were read (page limit)")
        meta = {"pageCount": total, "pagesRead": pages_read}
        title = _pdf_title(reader)
        if title:
            meta["title"] = title
    except InputError:
        raise
    except FileNotDecryptedError:
        raise InputError(f"{name} is encrypted with a password; save an unencrypted copy") from None
    except (PyPdfError, MemoryError, RecursionError) as exc:
        raise InputError(f"{name}: cannot read PDF ({type(exc).__name__}: {_short(exc)})") from None
    except Exception as exc:  # a malformed file can make the parser fail in any way
        raise InputError(f"{name}: cannot read PDF, the file looks damaged ({type(exc).__name__}: {_short(exc)})") from None
    return builder.build(name, "pdf", meta), total


def _pdf_title(reader: object) -> str | None:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
        title = meta.title if meta else None
    except Exception:
        return None
    return str(title)[:200] if title else None


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or "no detail"


# ---------------------------------------------------------------------------
# Word .docx: body paragraphs and table cells, each offset mapped to its paragraph index


def _check_zip(name: str, data: bytes, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            unpacked = sum(i.file_size for i in infos)
    except zipfile.BadZipFile:
        raise InputError(f"{name} is not a valid .docx (not a zip archive; damaged or truncated)") from None
    except Exception as exc:
        raise InputError(f"{name} is not a valid .docx ({type(exc).__name__}: {_short(exc)})") from None
    if "word/document.xml" not in names:
        raise InputError(f"{name} is not a Word .docx file (no word/document.xml inside)")
    if unpacked > limits.max_unzipped_bytes:
        raise InputError(
            f"{name} unpacks to {unpacked // (1024 * 1024)} MB, over the {limits.max_unzipped_bytes // (1024 * 1024)} MB limit"
        )


def read_docx(name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> SourceDocument:
    """The text of a Word document; ``paragraph_at`` gives the Word paragraph's 1-based index."""
    check_size(name, data, limits.max_bytes)
    _check_zip(name, data, limits)
    try:
        import docx
        from docx.table import Table
    except ImportError:
        raise _missing("python-docx") from None
    deadline = time.monotonic() + limits.max_seconds
    builder = TextBuilder(limits.max_chars, deadline)
    number = 0

    def add_block(block: object) -> None:
        nonlocal number
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    for inner in cell.iter_inner_content():
                        add_block(inner)
            return
        number += 1
        builder.add_paragraph(block.text, number)  # type: ignore[attr-defined]

    try:
        document = docx.Document(io.BytesIO(data))
        for block in document.iter_inner_content():
            if builder.full:
                break
            add_block(block)
        title = document.core_properties.title or None
    except InputError:
        raise
    except Exception as exc:  # python-docx and lxml fail in many ways on damaged files
        raise InputError(f"{name}: cannot read .docx, the file looks damaged ({type(exc).__name__}: {_short(exc)})") from None
    doc = builder.build(name, "docx", {"paragraphCount": number, **({"title": title} if title else {})})
    if not doc.text.strip():
        raise InputError(f"{name}: the Word document has no text")
    return doc


# ---------------------------------------------------------------------------


def read_document_bytes(name: str, data: bytes, limits: ReadLimits = ReadLimits(),
                        known_word: Callable[[str], bool] | None = None) -> SourceDocument:
    """Read a document of any known format from its bytes; the format comes from ``name``.

    ``known_word(lower_case_word)`` repairs PDF hyphenation ("infor-" + "mation"); callers
    pass :func:`unspin.lexicon.known_word` (the readers do not load the lexicon themselves).
    """
    fmt = format_of(name)
    if fmt == "pdf":
        return read_pdf(name, data, limits, known_word)
    if fmt == "docx":
        return read_docx(name, data, limits)
    if fmt == "html":
        return read_html(name, data, limits)
    return read_plain(name, data, fmt, limits)
