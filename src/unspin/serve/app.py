"""The Starlette application: routes, authentication, error handlers, the engine worker.

Starlette (not FastAPI) on purpose: the JSON bodies come from unspin's own serialiser and are
described by its JSON Schemas, so FastAPI's pydantic models would be a second, drifting
description of the same documents (and pydantic a heavy extra dependency); Starlette gives
routing, static files and a test client with two small, BSD-licensed dependencies.
"""

from __future__ import annotations

import hmac
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..config import Config
from ..errors import ConfigError, InputError, UnspinError
from ..results import Report, Restoration
from ..serialize import report_to_json, restoration_to_json, software
from . import bodies
from .errors import ApiError, error_body
from .languagetool import languages, parse_annotation, resolve_language, to_languagetool
from .limits import BodyLimit, WorkQueue
from .params import FIELDS, check_request
from .settings import ServeSettings

log = logging.getLogger("unspin.serve")
STATIC = resources.files("unspin.serve") / "static"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


# -- engine work (runs on the worker thread) ---------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One request's engine work: what to run, on what text, with which limits."""

    text: str
    config: Config
    time_limit: float
    index: str | None = None


def run_restoration(job: Job) -> Restoration:
    """Restore ``job.text`` through the library API, bounded by the time limit; the report and
    edits both come from the one analysis."""
    from ..api import restore_and_explain, restore_from_index

    deadline = time.monotonic() + job.time_limit
    if job.index:
        return restore_from_index(job.text, job.index, job.config, deadline=deadline)
    return restore_and_explain(job.text, job.config, deadline=deadline)


def run_report(job: Job) -> Report:
    return run_restoration(job).report


def run_trace(job: Job, top: int) -> list[dict[str, Any]]:
    from ..trace.search import trace

    assert job.index
    return [m.to_dict() for m in trace(job.text, job.index, top=top)]


# -- request handling ------------------------------------------------------------------------


class Server:
    """The routes of one server process, sharing its settings and its work queue."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.queue = WorkQueue(settings.queue_size, max_wait=max(30.0, settings.effective_time_limit * 2))
        self.started = time.time()
        self.ready = not settings.warm_up

    # authentication
    def authorize(self, request: Request, form_key: str | None = None) -> None:
        key = self.settings.api_key
        if key is None:
            return
        given = request.headers.get("x-api-key")
        auth = request.headers.get("authorization", "")
        if given is None and auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if given is None:
            given = form_key
        if given is None:
            raise ApiError(401, "this server needs an API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
                           {"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise ApiError(401, "the API key is wrong", {"WWW-Authenticate": "Bearer"})

    # request fields (checked against their one description, serve/params.py, before these run)
    def config_from(self, fields: dict[str, Any]) -> Config:
        """The engine settings of a checked request: the fields that set a Config field, the
        server's mode by default, and the server's word cap."""
        kw: dict[str, Any] = {FIELDS[k].config: v for k, v in fields.items() if FIELDS[k].config}
        kw.setdefault("mode", self.settings.mode)
        if kw["mode"] == "deep" and self.settings.mode == "fast":
            raise ApiError(409, "this server runs in fast mode (started with --mode fast); ask for mode 'fast' or restart it without --mode fast")
        if "flag_threshold" in kw:
            kw["flag_threshold"] = float(kw["flag_threshold"])
        limit = self.settings.max_words
        if limit:
            kw["max_words"] = min(kw.get("max_words", limit), limit)
        try:
            return Config(**kw)
        except ConfigError as exc:
            raise ApiError(422, str(exc)) from None

    def job_from(self, doc: dict[str, Any], request: str) -> Job:
        fields = check_request(doc, request)
        index = None
        if fields.get("useIndex"):
            if not self.settings.index:
                raise ApiError(409, "no trace index is configured on this server; start it with --index PATH")
            index = self.settings.index
        return Job(fields["text"], self.config_from(fields), self.settings.effective_time_limit, index)

    async def json_doc(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        return bodies.parse_json(raw, request.headers.get("content-type"))

    async def work(self, fn: Any, *args: Any) -> Any:
        try:
            return await self.queue.run(fn, *args)
        except (InputError, ConfigError) as exc:
            raise ApiError(422, str(exc)) from None

    # endpoints
    async def check(self, request: Request) -> Response:
        self.authorize(request)
        job = self.job_from(await self.json_doc(request), "CheckRequest")
        return JSONResponse(report_to_json(await self.work(run_report, job)))

    async def restore(self, request: Request) -> Response:
        self.authorize(request)
        job = self.job_from(await self.json_doc(request), "RestoreRequest")
        result: Restoration = await self.work(run_restoration, job)
        body = restoration_to_json(result)
        if job.index:
            body["source"] = result.extra.get("source")
        return JSONResponse(body)

    async def review(self, request: Request) -> Response:
        """Check and restore in one analysis: what the web page shows."""
        self.authorize(request)
        job = self.job_from(await self.json_doc(request), "RestoreRequest")
        result: Restoration = await self.work(run_restoration, job)
        restored = restoration_to_json(result)
        if job.index:
            restored["source"] = result.extra.get("source")
        return JSONResponse({"software": software(), "input": result.input,
                             "check": report_to_json(result.report), "restore": restored})

    async def trace(self, request: Request) -> Response:
        self.authorize(request)
        if not self.settings.index:
            raise ApiError(409, "no trace index is configured on this server; start it with --index PATH "
                                "(build one with 'unspin index add INDEX FILES')")
        fields = check_request(await self.json_doc(request), "TraceRequest")
        job = Job(fields["text"], Config(mode="fast"), self.settings.effective_time_limit, self.settings.index)
        matches = await self.work(run_trace, job, fields["top"])
        return JSONResponse({"software": software(), "offsetUnit": "codepoint", "matches": matches})

    async def lt_check(self, request: Request) -> Response:
        """LanguageTool's ``POST /v2/check`` (form fields ``text`` or ``data``, ``language``)."""
        raw = await request.body()
        fields, _files = bodies.parse_form(raw, request.headers.get("content-type"))
        for k, v in request.query_params.items():  # some clients put parameters in the URL
            fields.setdefault(k, v)
        self.authorize(request, fields.get("apiKey"))
        annotated = None
        try:  # LanguageTool answers 400 for a bad language or data parameter
            language = resolve_language(fields.get("language"))
            if "data" in fields and "text" not in fields:
                annotated = parse_annotation(fields["data"])
        except InputError as exc:
            raise ApiError(400, str(exc)) from None
        if annotated is not None:
            text = annotated.plain
        elif "text" in fields:
            text = fields["text"]
        else:
            raise ApiError(400, "missing form field 'text' (or 'data'); send text=...&language=auto")
        disabled = frozenset(
            x.strip() for key in ("disabledRules", "disabledCategories") for x in fields.get(key, "").split(",") if x.strip()
        )
        job = Job(bodies.check_text(text), self.config_from({}), self.settings.effective_time_limit)
        report = await self.work(run_report, job)
        return JSONResponse(to_languagetool(report, language, annotated, disabled))

    async def lt_languages(self, request: Request) -> Response:
        return JSONResponse(languages())

    async def extract(self, request: Request) -> Response:
        """Text of an uploaded file (multipart field ``file``): the page's upload for non-.txt files."""
        self.authorize(request)
        raw = await request.body()
        _fields, files = bodies.parse_form(raw, request.headers.get("content-type"))
        if not files:
            raise ApiError(422, "missing file: send multipart/form-data with a 'file' part")
        part = files[0]
        from .extract import extract_text

        got = await self.work(extract_text, part.filename or "upload", part.data)
        return JSONResponse({"software": software(), "filename": part.filename, **got})

    async def health(self, request: Request) -> Response:
        from .extract import supported_formats

        return JSONResponse({
            "software": software(),
            "status": "ok" if self.ready else "warming-up",
            "mode": self.settings.mode,
            "trace": self.settings.index is not None,
            "auth": self.settings.api_key is not None,
            "limits": {
                "maxBodyBytes": self.settings.max_body_bytes,
                "timeLimitSeconds": self.settings.effective_time_limit,
                "queueSize": self.settings.queue_size,
                "maxWords": self.settings.max_words,
            },
            "queue": {"pending": self.queue.pending, "served": self.queue.served, "rejected": self.queue.rejected},
            "uploadFormats": supported_formats(),
            "uptimeSeconds": round(time.time() - self.started, 1),
        })

    async def openapi(self, request: Request) -> Response:
        from .openapi import spec

        return JSONResponse(spec())

    async def page(self, request: Request) -> Response:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    def warm(self) -> None:
        """Load the shared model with a tiny check, so the first request is not the slow one."""
        try:
            run_report(Job("The quick brown fox jumped over the lazy dog.", Config(mode=self.settings.mode), 60.0))
        finally:
            self.ready = True


# -- error handlers: one JSON body for everything ---------------------------------------------


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}; see /openapi.json for the API"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"method {request.method} is not allowed on {request.url.path}" + (f"; use {allowed}" if allowed else "")
    else:
        message = str(exc.detail)
    return _error(exc.status_code, message, dict(exc.headers or {}))


async def _unspin_error(request: Request, exc: Exception) -> Response:
    status = 422 if isinstance(exc, (InputError, ConfigError)) else 500
    return _error(status, str(exc))


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")


def create_app(settings: ServeSettings) -> Starlette:
    """The ASGI application for ``settings`` (wrapped in the request-body limit)."""
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.warm_up:
            import asyncio

            asyncio.get_running_loop().run_in_executor(server.queue._executor, server.warm)
        yield
        server.queue.close()

    routes = [
        Route("/", server.page, methods=["GET"]),
        Route("/v1/check", server.check, methods=["POST"]),
        Route("/v1/restore", server.restore, methods=["POST"]),
        Route("/v1/review", server.review, methods=["POST"]),
        Route("/v1/trace", server.trace, methods=["POST"]),
        Route("/v1/extract", server.extract, methods=["POST"]),
        Route("/v1/health", server.health, methods=["GET"]),
        Route("/v2/check", server.lt_check, methods=["POST"]),
        Route("/v2/languages", server.lt_languages, methods=["GET"]),
        Route("/openapi.json", server.openapi, methods=["GET"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            UnspinError: _unspin_error,
            Exception: _internal_error,
        },
    )
    app.state.server = server
    if settings.allow_origin:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=[settings.allow_origin], allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type"])
    outer = BodyLimit(app, settings.max_body_bytes, settings.body_timeout)
    outer.state = app.state  # type: ignore[attr-defined]
    return outer  # type: ignore[return-value]
