"""One serialiser for the CLI and any HTTP front end: LanguageTool-shaped JSON.

Offsets and lengths are Unicode code points (Python string indices); the schema in
``unspin/data/check.schema.json`` says so. :func:`utf16_offsets` converts at the edge
for clients (browsers) that count UTF-16 code units.
"""

from __future__ import annotations

from typing import Any

from . import API_VERSION, __version__
from .results import Finding, Report, Restoration

CONTEXT_CHARS = 40
CATEGORY = {"id": "SPIN", "name": "Article spinning"}
RULES = {
    "UNSPIN_SYNONYM_SWAP": "A word a synonym spinner likely swapped in for the original",
    "UNSPIN_PHRASE_SWAP": "A phrase a synonym spinner likely wrote in place of the original",
    "UNSPIN_SOURCE_ALIGNED": "Wording that differs from the aligned source document",
}


def software() -> dict[str, Any]:
    return {"name": "unspin", "version": __version__, "apiVersion": API_VERSION}


def _context(text: str, start: int, end: int) -> dict[str, Any]:
    lo = max(0, start - CONTEXT_CHARS)
    hi = min(len(text), end + CONTEXT_CHARS)
    prefix = "..." if lo > 0 else ""
    suffix = "..." if hi < len(text) else ""
    snippet = text[lo:hi].replace("\n", " ")
    return {"text": prefix + snippet + suffix, "offset": len(prefix) + start - lo, "length": end - start}


def finding_to_match(report: Report, f: Finding) -> dict[str, Any]:
    best = f.replacements[0].value if f.replacements else ""
    return {
        "message": f"Possibly spun: {f.text!r} may originally have been {best!r}. {f.evidence}.",
        "shortMessage": "Possibly spun",
        "offset": f.start,
        "length": f.end - f.start,
        "replacements": [{"value": r.value, "confidence": r.confidence} for r in f.replacements],
        "confidence": f.confidence,
        "rule": {"id": f.rule, "description": RULES.get(f.rule, f.rule), "category": dict(CATEGORY)},
        "context": _context(report.text, f.start, f.end),
        "sentence": report.text[f.sentence_start : f.sentence_end],
    }


def spin_block(report: Report) -> dict[str, Any]:
    return {
        "score": report.score,
        "risk": report.risk,
        "words": report.words,
        "flagged": report.flagged,
        "incomplete": report.incomplete,
        "reason": report.reason,
        "mode": report.mode,
        "model": report.model,
        "dataVersion": report.data_version,
        "share": None if report.spin_share is None else dict(zip(("estimate", "low", "high"), report.spin_share)),
        "nullPValue": report.null_p_value,
    }


def timing_block(elapsed: float, words: int) -> dict[str, Any]:
    """How long the work took (wall seconds, whole call) and the words per second.

    >>> timing_block(2.0, 500)
    {'elapsedSeconds': 2.0, 'wordsPerSecond': 250.0}
    """
    return {"elapsedSeconds": round(elapsed, 3), "wordsPerSecond": round(words / elapsed, 1) if elapsed > 0 else None}


def report_to_json(report: Report, elapsed: float | None = None) -> dict[str, Any]:
    """The /v2/check-shaped object for a report (``elapsed``: wall seconds, adds ``timing``).

    >>> from unspin.results import Report
    >>> r = Report("hi", (), 0.0, "clean", 1, "fast", "ngram.v1", "thesaurus.v1")
    >>> d = report_to_json(r)
    >>> d["software"]["name"], d["matches"], d["spin"]["risk"], d["offsetUnit"]
    ('unspin', [], 'clean', 'codepoint')
    """
    out = {
        "software": software(),
        "language": {"name": "English", "code": "en"},
        "offsetUnit": "codepoint",
        "matches": [finding_to_match(report, f) for f in report.findings],
        "spin": spin_block(report),
    }
    if elapsed is not None:
        out["timing"] = timing_block(elapsed, report.words)
    return out


def restoration_to_json(r: Restoration, elapsed: float | None = None) -> dict[str, Any]:
    """A restoration as JSON; a source-aided one (``restore --index``) carries its ``source`` block;
    ``elapsed`` (wall seconds) adds a ``timing`` block."""
    out: dict[str, Any] = {
        "software": software(),
        "offsetUnit": "codepoint",
        "text": r.text,
        "edits": [
            {
                "offset": e.start,
                "length": e.end - e.start,
                "old": e.old,
                "new": e.new,
                "confidence": e.confidence,
                "source": e.source,
                "evidence": e.evidence,
            }
            for e in r.edits
        ],
        "spin": spin_block(r.report),
    }
    if "source" in r.extra:
        out["source"] = r.extra["source"]
    if elapsed is not None:
        out["timing"] = timing_block(elapsed, r.report.words)
    return out


def utf16_offsets(text: str, offset: int, length: int) -> tuple[int, int]:
    """Convert a code-point (offset, length) in ``text`` to UTF-16 code units.

    >>> utf16_offsets("\U0001F600 spun", 2, 4)
    (3, 4)
    """
    def units(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    return units(text[:offset]), units(text[offset : offset + length])
