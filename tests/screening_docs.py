"""Make real test documents: PDFs with reportlab (BSD), Word files with python-docx (MIT).

Shared by tests/test_readers.py and tests/test_screening*.py. Nothing here is a stand-in: the
files are real PDFs and .docx files that the readers parse with pypdf and python-docx.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Sequence


def pdf_lines(path: Path, pages: Sequence[Sequence[str]], encrypt: str | None = None) -> Path:
    """A PDF whose page i shows the given lines, one drawString each (exact line breaks)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for lines in pages:
        y = 800
        for line in lines:
            if line:
                c.drawString(60, y, line)
            y -= 16
        c.drawString(290, 40, str(c.getPageNumber()))  # a page number in the footer
        c.showPage()
    c.save()
    return path


def pdf_paragraphs(path: Path, paragraphs: Sequence[str], page_break_every: int | None = None) -> Path:
    """A PDF typeset by reportlab's platypus (wrapped lines, flowing over pages)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate
    from xml.sax.saxutils import escape

    style = getSampleStyleSheet()["BodyText"]
    flow = []
    for i, p in enumerate(paragraphs, 1):
        flow.append(Paragraph(escape(p), style))
        if page_break_every and i % page_break_every == 0 and i < len(paragraphs):
            flow.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4).build(flow)
    return path


def pdf_image_only(path: Path) -> Path:
    """A PDF with drawings but no text layer (as a scanned page looks to a text extractor)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(3):
        c.rect(50 + 20 * i, 50 + 20 * i, 300, 400, fill=1)
    c.showPage()
    c.save()
    return path


def pdf_bomb(path: Path, inflated_mb: int = 300) -> Path:
    """A one-page PDF whose content stream inflates to ``inflated_mb`` MB (a decompression bomb)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    body = b"".join(comp.compress(chunk) for _ in range(inflated_mb)) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length " + str(len(body)).encode() + b" /Filter /FlateDecode >>\nstream\n" + body + b"\nendstream",
    ]
    return path.write_bytes(_assemble(objects)) and path


def pdf_claims_pages(path: Path, count: int) -> Path:
    """A PDF whose page tree claims ``count`` pages but holds one (a hostile page count)."""
    content = b"BT /F1 12 Tf 72 720 Td (A single real page of text.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count " + str(count).encode() + b" >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return path.write_bytes(_assemble(objects)) and path


def _assemble(objects: Sequence[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx_file(path: Path, paragraphs: Sequence[str], table: Sequence[Sequence[str]] | None = None) -> Path:
    """A Word document with these paragraphs ('' makes an empty paragraph) and an optional table."""
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    d.save(str(path))
    return path
