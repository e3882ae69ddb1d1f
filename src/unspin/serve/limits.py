"""Work and size limits: a bounded request body and a bounded queue in front of one worker.

Both are plain asyncio/ASGI code with no web-framework import, so they can be tested alone.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, TypeVar

from .errors import ApiError

T = TypeVar("T")
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` (413) and stalled uploads (408).

    A declared ``Content-Length`` over the limit is refused before any byte is read; a chunked
    body is counted as it streams, and reading stops at the first byte past the limit. The
    errors are raised as :class:`ApiError` inside the application, whose handler turns them into
    the canonical JSON body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
        seen = 0
        limit, timeout = self.max_bytes, self.timeout

        async def limited_receive() -> Message:
            nonlocal seen
            if declared is not None and declared < 0:
                raise ApiError(400, "the Content-Length header is not a number")
            if declared is not None and declared > limit:
                raise ApiError(413, f"request body of {declared:,} bytes is larger than the limit of {limit:,} bytes; "
                                    "split the text or raise --max-body")
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except asyncio.TimeoutError:
                raise ApiError(408, f"the request body did not arrive within {timeout:g} seconds") from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, f"request body is larger than the limit of {limit:,} bytes; "
                                        "split the text or raise --max-body")
            return message

        await self.app(scope, limited_receive, send)


class WorkQueue:
    """Run blocking engine calls on one worker thread, with at most ``size`` waiting or running.

    One thread owns the shared language model (llama.cpp contexts are not thread-safe, and the
    machine has few cores), so requests queue behind each other in arrival order. When ``size``
    requests are already waiting or running, :meth:`run` raises a 503 :class:`ApiError` at once
    rather than letting the queue (and clients' waits) grow without bound. A request that waited
    longer than ``max_wait`` seconds is dropped with 503 before it starts.
    """

    def __init__(self, size: int, max_wait: float) -> None:
        self.size = size
        self.max_wait = max_wait
        self.pending = 0
        self.served = 0
        self.rejected = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-engine")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.pending >= self.size:
            self.rejected += 1
            raise ApiError(503, f"the server is busy ({self.pending} requests queued or running, the limit is "
                                f"{self.size}); retry in a few seconds", {"Retry-After": "5"})
        self.pending += 1
        queued_at = time.monotonic()

        def job() -> T:
            waited = time.monotonic() - queued_at
            if waited > self.max_wait:
                raise ApiError(503, f"the request waited {waited:.0f} s in the queue, longer than {self.max_wait:g} s; "
                                    "retry later", {"Retry-After": "10"})
            return fn(*args)

        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, job)
            self.served += 1
            return result
        finally:
            self.pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
