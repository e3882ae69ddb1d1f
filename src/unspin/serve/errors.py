"""One JSON error body for every error the server returns.

>>> body = error_body(413, "request body is larger than 1,048,576 bytes")
>>> body["error"]["status"], body["error"]["code"], body["software"]["name"]
(413, 'payload_too_large', 'unspin')
"""

from __future__ import annotations

from typing import Any

from ..serialize import software

CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    500: "internal_error",
    503: "busy",
}


class ApiError(Exception):
    """An error to send as JSON with an HTTP status; ``message`` names the problem and the fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_body(status: int, message: str) -> dict[str, Any]:
    """The canonical error document: ``{"software": ..., "error": {status, code, message}}``."""
    return {
        "software": software(),
        "error": {"status": status, "code": CODES.get(status, "error"), "message": message},
    }
