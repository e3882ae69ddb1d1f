"""Request bodies: JSON, URL-encoded forms and multipart forms, decoded strictly as UTF-8.

Every problem becomes an :class:`ApiError` with the right status: 415 for a content type the
endpoint does not take, 400 for malformed JSON or form data and for bytes that are not UTF-8,
422 for a well-formed body with missing, unknown or mistyped fields. The body has already been
bounded by :class:`unspin.serve.limits.BodyLimit` when these functions see it.

>>> parse_urlencoded(b"text=caf%C3%A9+au+lait&language=en-US")
{'text': 'café au lait', 'language': 'en-US'}
>>> parse_urlencoded(b"text=caf%E9")
Traceback (most recent call last):
...
unspin.serve.errors.ApiError: form field 'text' is not valid UTF-8 (invalid byte 0xe9 at offset 3); percent-encode UTF-8 bytes
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .errors import ApiError

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_FIELDS = 64


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into its lower-cased media type and parameters.

    >>> media_type('application/json; charset="UTF-8"')
    ('application/json', {'charset': 'utf-8'})
    """
    if not content_type:
        return "", {}
    head, *rest = content_type.split(";")
    params = {}
    for part in rest:
        if "=" in part:
            k, v = part.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower() if k.strip().lower() == "charset" else v.strip().strip('"')
    return head.strip().lower(), params


def _check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, f"charset {charset!r} is not supported; send UTF-8 (charset=utf-8)")


def decode_utf8(data: bytes, what: str) -> str:
    """Decode ``data`` as UTF-8, or raise a 400 naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"{what} is not valid UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "percent-encode UTF-8 bytes" if what.startswith("form") else
                            f"{what} is not valid UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "send UTF-8") from None


def parse_json(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """A JSON object from a request body sent as ``application/json`` in UTF-8."""
    mtype, params = media_type(content_type)
    if mtype != "application/json":
        raise ApiError(415, f"send the body as application/json, e.g. {{\"text\": \"...\"}}; got {mtype or 'no Content-Type'}")
    _check_charset(params)
    text = decode_utf8(raw, "request body")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise ApiError(422, f"the JSON body must be an object such as {{\"text\": \"...\"}}, not {type(doc).__name__}")
    return doc


def parse_urlencoded(raw: bytes) -> dict[str, str]:
    """Fields of an ``application/x-www-form-urlencoded`` body (last value wins), strictly UTF-8."""
    try:
        # Latin-1 maps each byte (raw or percent-encoded) to one character and back, so the
        # UTF-8 decoding below sees the client's exact bytes and can refuse invalid ones.
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1", max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise ApiError(400, f"malformed form data: {exc}") from None
    out: dict[str, str] = {}
    for k, v in pairs:
        name = decode_utf8(k.encode("latin-1"), "form field name")
        out[name] = decode_utf8(v.encode("latin-1"), f"form field {name!r}")
    return out


@dataclass(frozen=True)
class Part:
    """One part of a multipart body: its field name, file name (None for plain fields) and bytes."""

    name: str
    filename: str | None
    data: bytes


def parse_multipart(raw: bytes, params: dict[str, str]) -> list[Part]:
    """Parts of a ``multipart/form-data`` body, bytes kept raw (decoded later, strictly)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    boundary = params.get("boundary")
    if not boundary:
        raise ApiError(400, "malformed multipart body: the Content-Type has no boundary")
    parts: list[Part] = []
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "data": bytearray()}

    def on_part_begin() -> None:
        state.update(headers={}, data=bytearray())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["data"].extend(data[start:end])

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state.update(field=b"", value=b"")

    def on_part_end() -> None:
        if len(parts) >= MAX_FIELDS:
            raise ApiError(400, f"malformed multipart body: more than {MAX_FIELDS} parts")
        _, options = parse_options_header(state["headers"].get(b"content-disposition", b""))
        if b"name" not in options:
            raise ApiError(400, "malformed multipart body: a part has no Content-Disposition name")
        name = decode_utf8(options[b"name"], "multipart field name")
        filename = decode_utf8(options[b"filename"], "multipart file name") if b"filename" in options else None
        parts.append(Part(name, filename, bytes(state["data"])))

    callbacks = {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
    }
    try:
        parser = MultipartParser(boundary.encode("latin-1"), callbacks)  # type: ignore[arg-type]
        parser.write(raw)
        parser.finalize()
    except ApiError:
        raise
    except Exception as exc:  # python-multipart raises its own hierarchy for malformed input
        raise ApiError(400, f"malformed multipart body: {exc}") from None
    if not parts and raw.strip():
        raise ApiError(400, "malformed multipart body: no parts found (wrong boundary?)")
    return parts


def parse_form(raw: bytes, content_type: str | None) -> tuple[dict[str, str], list[Part]]:
    """Text fields and file parts of a URL-encoded or multipart form body."""
    mtype, params = media_type(content_type)
    if mtype == "application/x-www-form-urlencoded":
        return parse_urlencoded(raw), []
    if mtype == "multipart/form-data":
        parts = parse_multipart(raw, params)
        fields = {p.name: decode_utf8(p.data, f"form field {p.name!r}") for p in parts if p.filename is None}
        return fields, [p for p in parts if p.filename is not None]
    raise ApiError(415, "send the form as application/x-www-form-urlencoded or multipart/form-data; "
                        f"got {mtype or 'no Content-Type'}")


def check_text(value: Any, field: str = "text") -> str:
    """``value`` as the text to check: a string without unpaired surrogates (422 otherwise)."""
    if not isinstance(value, str):
        raise ApiError(422, f"field {field!r} must be a string, got {type(value).__name__}")
    m = _SURROGATE.search(value)
    if m:
        raise ApiError(422, f"field {field!r} contains an unpaired UTF-16 surrogate at code point {m.start()}; send valid Unicode")
    return value
