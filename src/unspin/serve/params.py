"""The JSON endpoints' request fields: one table that the OpenAPI document shows and the routes check.

Each field is stated once, as a JSON Schema of its value (:data:`FIELDS`); each request body
lists its fields (:data:`REQUESTS`). :func:`request_schema` gives the body's schema for
``/openapi.json``, and :func:`check_request` checks a decoded body against the same schema
(unknown and missing fields, types, enums, bounds), so a limit changed here changes what is
documented and what is refused together. The validator understands exactly the keywords in
:data:`KEYWORDS`; a test keeps the table within them. What depends on the server rather than
on the request (deep mode on a fast server, ``useIndex`` without an index, the server's word
cap) stays in the routes.

>>> check_request({"text": "A big firm.", "top": 3}, "TraceRequest")
{'text': 'A big firm.', 'top': 3}
>>> check_request({"text": "x"}, "TraceRequest")["top"]
5
>>> check_request({"text": "x", "top": 99}, "TraceRequest")
Traceback (most recent call last):
...
unspin.serve.errors.ApiError: field 'top' must be an integer in 1-50, got 99
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..config import MODES
from . import bodies
from .errors import ApiError


@dataclass(frozen=True)
class Field:
    """One request field: the JSON Schema of its value, whether a body must have it, and the
    :class:`unspin.Config` field it sets (named in error messages when the names differ)."""

    schema: Mapping[str, Any]
    required: bool = False
    config: str | None = None


FIELDS: dict[str, Field] = {
    "text": Field({"type": "string", "description": "The text (a UTF-8 JSON string)"}, required=True),
    "mode": Field({"enum": list(MODES), "description": "Engine mode; default: the server's --mode"}, config="mode"),
    "threshold": Field({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
                        "description": "Report a span when its probability of being spun is above this; "
                                       "default: the engine's flag_threshold"}, config="flag_threshold"),
    "maxWords": Field({"type": "integer", "minimum": 1,
                       "description": "Check at most this many words (capped by the server)"}, config="max_words"),
    "useIndex": Field({"type": "boolean", "description": "Restore from the matched source in the server's trace index"}),
    "top": Field({"type": "integer", "minimum": 1, "maximum": 50, "default": 5,
                  "description": "Sources to return, best first"}),
}
_ENGINE = ("text", "mode", "threshold", "maxWords")
REQUESTS: dict[str, tuple[str, ...]] = {
    "CheckRequest": _ENGINE,
    "RestoreRequest": (*_ENGINE, "useIndex"),
    "TraceRequest": ("text", "top"),
}
#: the JSON Schema keywords :func:`check_request` enforces (plus the annotations it reads or shows)
KEYWORDS = frozenset({"type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                      "default", "description"})
TYPES = ("string", "number", "integer", "boolean")


def request_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of request body ``name`` (a key of :data:`REQUESTS`), for the OpenAPI document."""
    names = REQUESTS[name]
    return {
        "type": "object",
        "required": [n for n in names if FIELDS[n].required],
        "additionalProperties": False,
        "properties": {n: dict(FIELDS[n].schema) for n in names},
    }


def check_request(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The fields of a decoded JSON body checked against :func:`request_schema` (``name``), with
    defaults filled in; the first problem is an :class:`ApiError` 422 with a one-line message."""
    names = REQUESTS[name]
    unknown = sorted(set(doc) - set(names))
    if unknown:
        raise ApiError(422, f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(names))}")
    out: dict[str, Any] = {}
    for n in names:
        f = FIELDS[n]
        if n in doc:
            out[n] = check_value(n, doc[n], f)
        elif f.required:
            example = json.dumps({r: "..." for r in names if FIELDS[r].required})
            raise ApiError(422, f"missing field {n!r}: send {example}")
        elif "default" in f.schema:
            out[n] = f.schema["default"]
    return out


def check_value(name: str, value: Any, f: Field) -> Any:
    """``value`` if it fits field ``name``'s schema, else an ApiError 422 saying what fits."""
    schema = f.schema
    if schema.get("type") == "string":
        return bodies.check_text(value, name)  # also refuses unpaired surrogates
    if not fits(value, schema):
        engine = f" (the engine's {f.config})" if f.config and f.config != name else ""
        raise ApiError(422, f"field {name!r} must be {expected(schema)}, got {value!r}{engine}")
    return value


def fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """True when ``value`` (decoded JSON) satisfies ``schema`` (the keywords of :data:`KEYWORDS`).

    Stricter than JSON Schema in one way, on purpose: an "integer" must be a JSON integer
    (``5``, not ``5.0``), and ``true``/``false`` are never numbers.

    >>> fits(0.5, {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}), fits(True, {"type": "number"})
    (True, False)
    """
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int if kind == "integer" else (int, float)):
            return False
        return (value >= schema.get("minimum", value) and value <= schema.get("maximum", value)
                and ("exclusiveMinimum" not in schema or value > schema["exclusiveMinimum"])
                and ("exclusiveMaximum" not in schema or value < schema["exclusiveMaximum"]))
    return kind is None or kind == "string" and isinstance(value, str)


def expected(schema: Mapping[str, Any]) -> str:
    """What fits ``schema``, in words.

    >>> expected({"enum": ["deep", "fast"]}), expected({"type": "integer", "minimum": 1, "maximum": 50})
    ("'deep' or 'fast'", 'an integer in 1-50')
    >>> expected({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}), expected({"type": "integer", "minimum": 1})
    ('a number in (0, 1)', 'an integer of at least 1')
    """
    if "enum" in schema:
        return " or ".join(map(repr, schema["enum"]))
    kind = schema.get("type")
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        return "a string"
    lo_open, hi_open = "exclusiveMinimum" in schema, "exclusiveMaximum" in schema
    lo = schema.get("exclusiveMinimum", schema.get("minimum"))
    hi = schema.get("exclusiveMaximum", schema.get("maximum"))
    what = "an integer" if kind == "integer" else "a number"
    if lo is not None and hi is not None:
        if kind == "integer" and not (lo_open or hi_open):
            return f"{what} in {lo}-{hi}"
        return f"{what} in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{what} {'above' if lo_open else 'of at least'} {lo}"
    if hi is not None:
        return f"{what} {'below' if hi_open else 'of at most'} {hi}"
    return what


__all__ = ["FIELDS", "Field", "KEYWORDS", "REQUESTS", "TYPES", "check_request", "check_value", "expected", "fits",
           "request_schema"]
