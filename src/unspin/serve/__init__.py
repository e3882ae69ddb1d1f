"""The HTTP service and its web page: ``unspin serve``.

One Starlette application (:func:`create_app`) exposes the library over HTTP:

- ``POST /v1/check``, ``/v1/restore``, ``/v1/review`` (check + restore in one analysis, what the
  page uses), ``/v1/trace`` (when an index is configured), ``GET /v1/health``, ``/openapi.json``;
- ``POST /v2/check`` and ``GET /v2/languages``: LanguageTool's HTTP API, so LanguageTool clients
  (editor plugins, the browser add-on with a custom server URL) show spun phrases as matches;
- ``GET /``: a plain HTML/CSS/JS page (no build step, no CDN) that eats the API's own JSON.

The JSON comes from :mod:`unspin.serialize`, the serialiser the CLI uses. Offsets are code
points on ``/v1``; ``/v2/check`` converts them once, here at the edge, to UTF-16 code units.
Starlette and uvicorn are imported only by :mod:`unspin.serve.app` (the ``serve`` extra).
"""

from __future__ import annotations

from .settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]


def create_app(settings: ServeSettings | None = None):  # type: ignore[no-untyped-def]
    """Build the ASGI application (imports Starlette; needs the ``serve`` extra)."""
    from .app import create_app as _create

    return _create(settings or ServeSettings())
