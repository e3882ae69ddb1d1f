"""Source tracing: find the document a spun text was made from, and restore it from there.

::

    from unspin.trace import TraceIndex, search, trace, restore_from_source, trace_and_restore

    with TraceIndex("sources.db", create=True) as index:
        index.add(Path("originals").glob("*.txt"))
        matches = search(index, spun_text)          # ranked SourceMatch, maybe empty
    match, edits = trace_and_restore(spun_text, "sources.db")

Heavy dependencies (datasketch, dask) are imported only inside the functions that need them.
"""

from __future__ import annotations

from .align import Alignment, align
from .fingerprint import FINGERPRINT_VERSION, Fingerprint, FingerprintParams, fingerprint, skeleton
from .index import AddResult, DocRecord, Duplicate, IndexStats, StoredDocument, TraceIndex, prepare
from .restore import restore_from_source, trace_and_restore
from .search import DEFAULT_THRESHOLD, AlignedPassage, SourceMatch, search, trace, trace_many

__all__ = [
    "AddResult",
    "AlignedPassage",
    "Alignment",
    "DEFAULT_THRESHOLD",
    "DocRecord",
    "Duplicate",
    "FINGERPRINT_VERSION",
    "Fingerprint",
    "FingerprintParams",
    "IndexStats",
    "SourceMatch",
    "StoredDocument",
    "TraceIndex",
    "align",
    "fingerprint",
    "prepare",
    "restore_from_source",
    "search",
    "skeleton",
    "trace",
    "trace_and_restore",
    "trace_many",
]
