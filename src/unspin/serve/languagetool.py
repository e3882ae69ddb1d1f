"""LanguageTool's HTTP API (``/v2/check``, ``/v2/languages``) over unspin's own serialiser.

The matches come from :func:`unspin.serialize.report_to_json` (one serialiser for CLI and
HTTP); this module only reshapes them for LanguageTool clients:

- offsets and lengths become UTF-16 code units (what JavaScript and Java count), converted once
  here for ``offset``/``length`` and ``context.offset``/``context.length``;
- LanguageTool's extra fields are added (``type``, ``rule.issueType``, ``warnings``,
  ``language.detectedLanguage``, ``sentenceRanges``);
- text given as LanguageTool's ``data`` annotation (text and markup parts) is checked as plain
  text, and offsets are mapped back into the annotated document, markup included.

>>> from unspin.results import Finding, Replacement, Report
>>> text = "\U0001F600 a nicer day"
>>> f = Finding(4, 9, "nicer", (Replacement("better", 0.8),), 0.8, "UNSPIN_SYNONYM_SWAP", "e", 0, 15)
>>> r = Report(text, (f,), 0.5, "high", 3, "fast", "ngram.v1", "thesaurus.v1")
>>> m = to_languagetool(r)["matches"][0]
>>> m["offset"], m["length"], m["replacements"][0]["value"]
(5, 5, 'better')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..results import Report
from ..serialize import report_to_json

LANGUAGES = (
    ("English", "en", "en"),
    ("English (US)", "en", "en-US"),
    ("English (GB)", "en", "en-GB"),
    ("English (Australian)", "en", "en-AU"),
    ("English (Canadian)", "en", "en-CA"),
    ("English (New Zealand)", "en", "en-NZ"),
    ("English (South African)", "en", "en-ZA"),
)
_BY_CODE = {long.lower(): (name, long) for name, _, long in LANGUAGES}


def languages() -> list[dict[str, str]]:
    """The ``/v2/languages`` list: English variants (unspin's lexicon and model are English)."""
    return [{"name": name, "code": code, "longCode": long} for name, code, long in LANGUAGES]


def resolve_language(code: str | None) -> tuple[str, str]:
    """(name, longCode) for a ``language`` parameter; ``auto`` means English.

    >>> resolve_language("en-GB")
    ('English (GB)', 'en-GB')
    >>> resolve_language("de-DE")
    Traceback (most recent call last):
    ...
    unspin.errors.InputError: language 'de-DE' is not supported; unspin checks English: use 'auto', 'en' or one of en-US, en-GB, en-AU, en-CA, en-NZ, en-ZA
    """
    if code is None or not code.strip():
        raise InputError("missing form field 'language'; give 'auto' or an English code such as 'en-US'")
    key = code.strip().lower()
    if key == "auto" or key.startswith("auto"):
        return "English (US)", "en-US"
    if key in _BY_CODE:
        return _BY_CODE[key]
    if key.split("-")[0] == "en":
        return "English", "en"
    longs = ", ".join(long for _, _, long in LANGUAGES[1:])
    raise InputError(f"language {code!r} is not supported; unspin checks English: use 'auto', 'en' or one of {longs}")


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units.

    >>> utf16_len("e\u0301\U0001F600")
    4
    """
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


@dataclass(frozen=True)
class Annotated:
    """LanguageTool's ``data`` parameter: the plain text to check, and how to map offsets back.

    ``pieces`` are (plain_start, original_start, plain_length, original_length, is_markup) in
    code points; ``original`` is the annotated document (text and markup concatenated), which
    is what LanguageTool's offsets index.
    """

    plain: str
    original: str
    pieces: tuple[tuple[int, int, int, int, bool], ...]

    def to_original(self, pos: int, end: bool = False) -> int:
        """Map a code-point position in ``plain`` to one in ``original``.

        A span's start maps past any markup that precedes it; its end (``end=True``) maps to
        before any markup that follows it, so a match never covers markup at its edges.
        """
        for p_start, o_start, p_len, o_len, markup in self.pieces:
            inside = p_start < pos <= p_start + p_len if end else p_start <= pos < p_start + p_len
            if inside:
                if markup:
                    return o_start + o_len if end else o_start
                return o_start + (pos - p_start)
        return 0 if end and pos == 0 else len(self.original)


def parse_annotation(data: str) -> Annotated:
    """Parse LanguageTool's ``data`` JSON: ``{"annotation": [{"text": ...} | {"markup": ..., "interpretAs": ...}]}``.

    >>> a = parse_annotation('{"annotation": [{"text": "A "}, {"markup": "<b>"}, {"text": "nicer"}, {"markup": "</b>"}]}')
    >>> a.plain, a.original, a.to_original(2), a.to_original(7, end=True)
    ('A nicer', 'A <b>nicer</b>', 5, 10)
    """
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"form field 'data' is not valid JSON ({exc}); give {{\"annotation\": [...]}}") from None
    items = doc.get("annotation") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise InputError("form field 'data' must be a JSON object with an 'annotation' list")
    plain: list[str] = []
    original: list[str] = []
    pieces = []
    p = o = 0
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"data.annotation[{k}] must be an object with 'text' or 'markup'")
        if isinstance(item.get("text"), str) and "markup" not in item:
            t = item["text"]
            pieces.append((p, o, len(t), len(t), False))
            plain.append(t)
            original.append(t)
            p += len(t)
            o += len(t)
        elif isinstance(item.get("markup"), str):
            m = item["markup"]
            shown = item.get("interpretAs", "")
            if not isinstance(shown, str):
                raise InputError(f"data.annotation[{k}].interpretAs must be a string")
            pieces.append((p, o, len(shown), len(m), True))
            plain.append(shown)
            original.append(m)
            p += len(shown)
            o += len(m)
        else:
            raise InputError(f"data.annotation[{k}] must have a string 'text' or 'markup'")
    return Annotated("".join(plain), "".join(original), tuple(pieces))


def to_languagetool(report: Report, language: tuple[str, str] = ("English (US)", "en-US"),
                    annotated: Annotated | None = None, disabled: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The LanguageTool ``/v2/check`` response for ``report`` (offsets in UTF-16 code units).

    ``disabled`` holds rule or category ids the client turned off (``disabledRules``,
    ``disabledCategories``); their matches are left out.
    """
    body = report_to_json(report)
    text = report.text
    doc = annotated.original if annotated else text
    name, code = language
    matches = []
    for f, m in zip(report.findings, body["matches"]):
        if m["rule"]["id"] in disabled or m["rule"]["category"]["id"] in disabled:
            continue
        start, end = f.start, f.end
        if annotated:
            start, end = annotated.to_original(start), annotated.to_original(end, end=True)
        ctx = m["context"]
        c_text = ctx["text"]
        c_off, c_len = ctx["offset"], ctx["length"]
        m = dict(m)
        m["offset"] = utf16_len(doc[:start])
        m["length"] = utf16_len(doc[start:end])
        m["context"] = {
            "text": c_text,
            "offset": utf16_len(c_text[:c_off]),
            "length": utf16_len(c_text[c_off : c_off + c_len]),
        }
        m["type"] = {"typeName": "Other"}
        m["rule"] = {**m["rule"], "issueType": "style", "isPremium": False}
        m["ignoreForIncompleteSentence"] = False
        m["contextForSureMatch"] = 0
        matches.append(m)
    body["language"] = {
        "name": name,
        "code": code,
        "detectedLanguage": {"name": name, "code": code, "confidence": 1.0, "source": "unspin"},
    }
    body["offsetUnit"] = "utf16"
    body["matches"] = matches
    body["warnings"] = {"incompleteResults": report.incomplete}
    return body
