"""The OpenAPI 3.1 description of the HTTP API, served at ``/openapi.json``.

Response bodies are described by the JSON Schemas the CLI's output is tested against
(``unspin/data/check.schema.json`` and ``restore.schema.json``), hoisted into
``components.schemas`` so there is one description of each document. Request bodies come from
the table the routes check requests against (:mod:`unspin.serve.params`).

>>> s = spec()
>>> s["openapi"], sorted(s["paths"])[:3]
('3.1.0', ['/openapi.json', '/v1/check', '/v1/extract'])
>>> "Check" in s["components"]["schemas"] and "Check_match" in s["components"]["schemas"]
True
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from .. import __version__
from .errors import CODES
from .params import REQUESTS, request_schema


def _hoist(name: str, schema: dict[str, Any], out: dict[str, Any]) -> None:
    """Put ``schema`` and its ``$defs`` into ``out`` as ``name`` and ``name_<def>``, rewriting refs."""
    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (f"#/components/schemas/{name}_{v.split('/')[-1]}" if k == "$ref" and isinstance(v, str)
                        and v.startswith("#/$defs/") else rewrite(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(x) for x in node]
        return node

    schema = dict(schema)
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    out[name] = rewrite(schema)
    for k, v in defs.items():
        out[f"{name}_{k}"] = rewrite(v)


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": CODES[c].replace("_", " "), "content": _json("Error")} for c in codes}


@cache
def _spec() -> str:
    data = resources.files("unspin") / "data"
    schemas: dict[str, Any] = {}
    _hoist("Check", json.loads((data / "check.schema.json").read_text(encoding="utf-8")), schemas)
    _hoist("Restore", json.loads((data / "restore.schema.json").read_text(encoding="utf-8")), schemas)
    for name in REQUESTS:  # the request bodies: the same table the routes check requests against
        schemas[name] = request_schema(name)
    schemas["Review"] = {
        "type": "object", "required": ["software", "input", "check", "restore"],
        "properties": {"software": {"$ref": "#/components/schemas/Check_software"}, "input": {"type": "string"},
                       "check": {"$ref": "#/components/schemas/Check"}, "restore": {"$ref": "#/components/schemas/Restore"}},
    }
    schemas["Error"] = {
        "type": "object", "required": ["software", "error"],
        "properties": {
            "software": {"$ref": "#/components/schemas/Check_software"},
            "error": {"type": "object", "required": ["status", "code", "message"], "properties": {
                "status": {"type": "integer"}, "code": {"enum": sorted(set(CODES.values()))}, "message": {"type": "string"}}},
        },
    }
    common = _errors(400, 401, 408, 413, 415, 422, 500, 503)
    paths = {
        "/v1/check": {"post": {"summary": "Find spun spans and score the document (offsets in code points)",
                               "requestBody": {"required": True, "content": _json("CheckRequest")},
                               "responses": {"200": {"description": "the report", "content": _json("Check")}, **common}}},
        "/v1/restore": {"post": {"summary": "Restore the most likely original wording, with every edit",
                                 "requestBody": {"required": True, "content": _json("RestoreRequest")},
                                 "responses": {"200": {"description": "the restoration", "content": _json("Restore")},
                                               **common, **_errors(409)}}},
        "/v1/review": {"post": {"summary": "Check and restore in one analysis (what the web page uses)",
                                "requestBody": {"required": True, "content": _json("RestoreRequest")},
                                "responses": {"200": {"description": "report and restoration", "content": _json("Review")},
                                              **common, **_errors(409)}}},
        "/v1/trace": {"post": {"summary": "Find the source of a text in the server's trace index (409 when none is configured)",
                               "requestBody": {"required": True, "content": _json("TraceRequest")},
                               "responses": {"200": {"description": "ranked sources with aligned passages"}, **common, **_errors(409)}}},
        "/v1/extract": {"post": {"summary": "Text of an uploaded file (multipart field 'file'); no server disk access",
                                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                                     "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                                 "responses": {"200": {"description": "the file's text"}, **common}}},
        "/v1/health": {"get": {"summary": "Status, limits and queue of this server",
                               "responses": {"200": {"description": "status"}}}},
        "/v2/check": {"post": {"summary": "LanguageTool-compatible check (offsets in UTF-16 code units)",
                               "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                                   "type": "object", "required": ["language"], "properties": {
                                       "text": {"type": "string"}, "data": {"type": "string", "description": "LanguageTool annotation JSON"},
                                       "language": {"type": "string", "description": "'auto' or an English code such as en-US"},
                                       "apiKey": {"type": "string"}, "disabledRules": {"type": "string"},
                                       "disabledCategories": {"type": "string"}}}}}},
                               "responses": {"200": {"description": "LanguageTool-shaped matches"}, **common}}},
        "/v2/languages": {"get": {"summary": "Languages (English variants)", "responses": {"200": {"description": "list"}}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    }
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "unspin", "version": __version__,
                 "description": "Find the words an article spinner swapped and restore the original wording. "
                                "Every error has the body in components.schemas.Error."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
        "security": [{}, {"bearer": []}, {"apiKey": []}],
    }
    return json.dumps(doc)


def spec() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy each call)."""
    return json.loads(_spec())
