#!/usr/bin/env python3
"""Bounded load test of ``unspin serve`` on loopback: sustained requests/s and latency percentiles.

Starts its own server (``--mode fast|deep``) on a free loopback port, or targets ``--url``
(loopback addresses only), then runs ``--concurrency`` closed-loop clients (each sends its next
request when the previous one is answered) for ``--duration`` seconds or ``--max-requests``
requests, whichever comes first. Every request is bounded in time. Prints one JSON object:
requests, failures (anything but HTTP 200) by status, requests/s, words/s, latency p50/p90/p99.

    .venv/bin/python scripts/load_test.py --mode fast --concurrency 4 --duration 60
    .venv/bin/python scripts/load_test.py --mode deep --concurrency 2 --duration 180
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def loopback_only(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"load_test: refusing {url}: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(mode: str, queue: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "unspin", "serve", "--mode", mode, "--port", str(port), "--queue", str(queue),
         "--log-level", "warning"], cwd=ROOT)
    return proc, f"http://127.0.0.1:{port}"


async def wait_ready(client, url: str, timeout: float) -> None:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if (await client.get(url + "/v1/health", timeout=2)).json()["status"] == "ok":
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit(f"load_test: server at {url} not ready after {timeout:.0f} s")


async def run(args: argparse.Namespace, url: str) -> dict:
    import httpx

    text = args.text
    words = len(text.split())
    latencies: list[float] = []
    failures: dict[str, int] = {}
    sent = 0
    async with httpx.AsyncClient(timeout=args.request_timeout) as client:
        await wait_ready(client, url, args.ready_timeout)
        for _ in range(args.warmup):
            await client.post(url + args.endpoint, **payload(args, text))
        start = time.monotonic()
        stop_at = start + args.duration

        async def worker() -> None:
            nonlocal sent
            while time.monotonic() < stop_at and sent < args.max_requests:
                sent += 1
                t0 = time.monotonic()
                try:
                    r = await client.post(url + args.endpoint, **payload(args, text))
                    key = None if r.status_code == 200 else str(r.status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                if key is None:
                    latencies.append(time.monotonic() - t0)
                else:
                    failures[key] = failures.get(key, 0) + 1

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.monotonic() - start
        health = (await client.get(url + "/v1/health")).json()
    ok = len(latencies)
    return {
        "mode": health["mode"] if args.mode is None else args.mode,
        "endpoint": args.endpoint,
        "concurrency": args.concurrency,
        "wordsPerRequest": words,
        "seconds": round(elapsed, 1),
        "requests": ok + sum(failures.values()),
        "ok": ok,
        "failures": failures,
        "requestsPerSecond": round(ok / elapsed, 2),
        "wordsPerSecond": round(ok * words / elapsed, 1),
        "latencyMs": {q: round(1000 * percentile(latencies, float(q[1:])), 1) for q in ("p50", "p90", "p99")} if ok else None,
        "serverQueue": health["queue"],
    }


def payload(args: argparse.Namespace, text: str) -> dict:
    if args.endpoint == "/v2/check":
        return {"data": {"text": text, "language": "en-US"}}
    return {"json": {"text": text}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["fast", "deep"], help="start a server in this mode (default: fast unless --url)")
    ap.add_argument("--url", help="an already running server on loopback, e.g. http://127.0.0.1:8080")
    ap.add_argument("--endpoint", default="/v1/check", choices=["/v1/check", "/v1/restore", "/v1/review", "/v2/check"])
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--queue", type=int, default=8, help="the started server's --queue (keep >= concurrency)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (bounded)")
    ap.add_argument("--max-requests", type=int, default=100_000)
    ap.add_argument("--warmup", type=int, default=2, help="requests sent before timing starts")
    ap.add_argument("--text-file", default=str(ROOT / "examples" / "spun-news.txt"))
    ap.add_argument("--paragraphs", type=int, default=1, help="paragraphs of the text file per request")
    ap.add_argument("--words", type=int, help="cut the request text to its first N words")
    ap.add_argument("--request-timeout", type=float, default=600.0)
    ap.add_argument("--ready-timeout", type=float, default=900.0)
    args = ap.parse_args()
    if not 1 <= args.concurrency <= 64 or args.duration > 3600:
        sys.exit("load_test: keep --concurrency in 1-64 and --duration at most 3600 s")
    paragraphs = Path(args.text_file).read_text(encoding="utf-8").split("\n\n")
    args.text = "\n\n".join(paragraphs[: args.paragraphs])
    if args.words:
        args.text = " ".join(args.text.split(" ")[: args.words])
    proc = None
    if args.url:
        loopback_only(args.url)
        url = args.url.rstrip("/")
    else:
        args.mode = args.mode or "fast"
        proc, url = start_server(args.mode, args.queue)
    try:
        result = asyncio.run(run(args, url))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
