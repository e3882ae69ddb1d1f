"""Screen one document: read it, check it, match the known-phrase list, build its result row.

:func:`screen_document` is a pure function of (name, bytes, options) apart from the engine's
cached data, so it runs the same in-process, in a local worker or on a Dask worker. It never
raises for a bad document: the row gets an ``error`` field and the batch goes on.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import __version__
from ..config import Config
from ..errors import UnspinError
from ..readers.document import ReadLimits, SourceDocument
from ..readers.fingerprints import FingerprintList
from ..readers.formats import read_document_bytes
from ..results import RISK_LEVELS, Report
from .matching import FingerprintMatch, Matcher, find_fingerprints, normalize_phrase

ROW_VERSION = 1
SENTENCE_CHARS = 400  # the sentence shown with a finding is cut to about this length
MAX_LIST_MATCHES = 100  # list matches kept per row (all are counted in fingerprintCount)
_SENT_BREAK = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s|\n\s*\n")


@dataclass(frozen=True)
class ScreenOptions:
    """What every document of a batch is checked with (picklable: sent to every worker).

    mode:          "fast" (default for screening) or "deep" (the language model).
    top:           findings kept per document, most confident first.
    fingerprints:  a known-phrase list, or None.
    allow:         phrases normal in the field, lower-cased: never reported as list matches,
                   and never checked by the engine (``Config.allow``), so they raise neither
                   a document's findings nor its score, risk or ``cleanP``.
    channel:       a learned spinner dictionary, (spun, original, confidence) triples.
    limits:        per-document reading limits.
    max_words:     words checked per document (None: the mode's default).
    lists:         sha256 of each list file used, by role, for the reports.
    """

    mode: str = "fast"
    top: int = 10
    fingerprints: FingerprintList | None = None
    allow: tuple[str, ...] = ()
    channel: tuple[tuple[str, str, float], ...] = ()
    limits: ReadLimits = field(default_factory=ReadLimits)
    max_words: int | None = None
    lists: tuple[tuple[str, str], ...] = ()

    def config(self) -> Config:
        kw: dict[str, Any] = {"mode": self.mode}
        if self.max_words is not None:
            kw["max_words"] = self.max_words
        if self.channel:
            kw["channel"] = self.channel
        if self.allow:
            kw["allow"] = self.allow
        return Config(**kw)


@lru_cache(maxsize=4)
def _matcher(fingerprints: FingerprintList | None, allow: tuple[str, ...]) -> Matcher:
    return Matcher(fingerprints.entries if fingerprints else (), allow)


def sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding ``text[start:end]`` (cut to ~400 characters) and the span's offset in it."""
    lo = max(0, start - SENTENCE_CHARS)
    s = lo
    for m in _SENT_BREAK.finditer(text, lo, start):
        s = m.end()
    m = _SENT_BREAK.search(text, end, min(len(text), end + SENTENCE_CHARS))
    e = m.start() + 1 if m and not m.group().startswith("\n") else (m.start() if m else min(len(text), end + SENTENCE_CHARS))
    if e - s > SENTENCE_CHARS:
        half = (SENTENCE_CHARS - (end - start)) // 2
        s = max(s, start - max(half, 0))
        e = min(e, end + max(half, 0))
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    sentence = " ".join(raw.split())
    # Offsets inside the collapsed sentence: collapse the prefix the same way.
    prefix = " ".join(text[s + lead : start].split())
    offset = len(prefix) + (1 if prefix and text[start - 1].isspace() else 0)
    return sentence, min(offset, len(sentence))


def _where(doc: SourceDocument, start: int, end: int) -> dict[str, Any]:
    sentence, offset = sentence_around(doc.text, start, end)
    return {
        "offset": start,
        "length": end - start,
        "page": doc.page_at(start),
        "paragraph": doc.paragraph_at(start),
        "sentence": sentence,
        "sentenceOffset": offset,
    }


def _findings(doc: SourceDocument, report: Report, top: int) -> list[dict[str, Any]]:
    """The ``top`` most confident findings, in text order, each with where it is.

    Allow-listed phrases are not among them because the engine never checked them
    (``Config.allow``), rather than being dropped here: dropping them after the fact would
    leave the score and risk they raised (fast mode's screening statistic and engine v3's
    test against clean text are taken over all checked words, not over the findings).
    """
    best = sorted(report.findings, key=lambda f: -f.confidence)[:top]
    rows = []
    for f in sorted(best, key=lambda f: f.start):
        rows.append(
            {
                "text": f.text,
                "replacement": f.replacements[0].value if f.replacements else None,
                "confidence": round(f.confidence, 4),
                "rule": f.rule,
                **_where(doc, f.start, f.end),
            }
        )
    return rows


def _matches(doc: SourceDocument, matches: list[FingerprintMatch]) -> list[dict[str, Any]]:
    return [
        {
            "text": m.text,
            "expected": m.expected,
            "query": m.query,
            "kind": m.kind,
            "papers": m.papers,
            **_where(doc, m.start, m.end),
        }
        for m in matches
    ]


def base_row(name: str, sha256: str | None, options: ScreenOptions) -> dict[str, Any]:
    """A row with every field present and nothing measured yet (also used for error rows)."""
    return {
        "rowVersion": ROW_VERSION,
        "path": name,
        "sha256": sha256,
        "format": None,
        "words": 0,
        "pages": None,
        "score": None,
        "cleanP": None,
        "risk": None,
        "flagged": 0,
        "findings": [],
        "fingerprints": [],
        "fingerprintCount": 0,
        "fingerprintList": options.fingerprints.sha256 if options.fingerprints else None,
        "lists": dict(options.lists),
        "mode": options.mode,
        "model": None,
        "dataVersion": None,
        "incomplete": False,
        "reason": None,
        "note": None,
        "error": None,
        "seconds": 0.0,
        "cpuSeconds": 0.0,
        "software": {"name": "unspin", "version": __version__},
    }


def screen_document(name: str, data: bytes, options: ScreenOptions) -> dict[str, Any]:
    """The result row of one document; bad input gives a row with ``error`` set."""
    t0, c0 = time.perf_counter(), time.process_time()
    row = base_row(name, hashlib.sha256(data).hexdigest(), options)
    try:
        from ..lexicon import known_word

        doc = read_document_bytes(name, data, options.limits, known_word)
        row["format"] = doc.format
        row["pages"] = doc.pages
        from ..api import check

        report = check(doc.text, options.config())
        findings = _findings(doc, report, options.top)
        matcher = _matcher(options.fingerprints, options.allow)
        matches = find_fingerprints(doc.text, matcher) if options.fingerprints else []
        reasons = [r for r in (doc.reason, report.reason) if r]
        row.update(
            words=report.words,
            score=round(float(report.score), 4),
            cleanP=report.clean_p,
            risk=report.risk,
            flagged=report.flagged,
            findings=findings,
            fingerprints=_matches(doc, matches[:MAX_LIST_MATCHES]),
            fingerprintCount=len(matches),
            model=report.model,
            dataVersion=report.data_version,
            incomplete=bool(doc.incomplete or report.incomplete),
            reason="; ".join(reasons) or None,
            note=doc.note,
        )
    except UnspinError as exc:
        row["error"] = str(exc)
    except MemoryError:
        row["error"] = f"{name}: out of memory while reading or checking; split the file"
    except Exception as exc:  # a bug or a library failure on one file must not stop the batch
        row["error"] = f"{name}: internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
    row["seconds"] = round(time.perf_counter() - t0, 4)
    row["cpuSeconds"] = round(time.process_time() - c0, 4)  # this process's CPU time: per-core speed on a busy machine
    return row


def risk_rank(row: dict[str, Any]) -> tuple[int, float, float, int]:
    """Sort key, most suspicious first: risk level, then the p-value against clean text
    (fast mode; it separates documents whose score rounds to 0), then score, then list matches."""
    risk = RISK_LEVELS.index(row["risk"]) if row.get("risk") in RISK_LEVELS else -1
    clean_p = row.get("cleanP")
    return (-risk, 1.0 if clean_p is None else float(clean_p), -(row.get("score") or 0.0),
            -int(row.get("fingerprintCount") or len(row.get("fingerprints") or ())))


def standing_text(clean_p: float | None) -> str:
    """The p-value against clean text in words a person can compare.

    >>> standing_text(0.031)
    'above 97% of clean text of its length (p = 0.031)'
    >>> standing_text(0.0004)
    'above 99.96% of clean text of its length (p = 0.0004)'
    >>> standing_text(2e-09)
    'above 99.99% of clean text of its length (p = 2e-09)'
    >>> standing_text(None)
    ''
    """
    if clean_p is None:
        return ""
    p = float(clean_p)
    above = 100.0 * (1.0 - p)
    if p >= 0.01:
        share = f"{above:.0f}%"
    elif p >= 0.001:
        share = f"{above:.1f}%"
    else:
        share = f"{min(above, 99.99):.2f}%"
    return f"above {share} of clean text of its length (p = {p:.2g})"


__all__ = ["ROW_VERSION", "ScreenOptions", "base_row", "normalize_phrase", "risk_rank", "screen_document",
           "sentence_around", "standing_text"]
