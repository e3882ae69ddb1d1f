"""Screening many documents: read, check, match known phrases, write resumable results, report.

>>> from unspin.screening import ScreenOptions, screen_document
>>> row = screen_document("empty.pdf", b"", ScreenOptions())
>>> row["error"]
'empty.pdf is not a PDF file (no %PDF header)'
"""

from __future__ import annotations

from .document import ScreenOptions, risk_rank, screen_document
from .matching import FingerprintMatch, Matcher, find_fingerprints
from .report import latest_rows, to_csv, to_html, write_reports
from .results import ResultLog, read_rows
from .run import Summary, expand_inputs, screen_paths

__all__ = [
    "FingerprintMatch",
    "Matcher",
    "ResultLog",
    "ScreenOptions",
    "Summary",
    "expand_inputs",
    "find_fingerprints",
    "latest_rows",
    "read_rows",
    "risk_rank",
    "screen_document",
    "screen_paths",
    "to_csv",
    "to_html",
    "write_reports",
]
