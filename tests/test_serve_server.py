"""A real ``unspin serve`` process on loopback: slow clients, oversized uploads, bursts.

The server runs as a child process (the real CLI entry point, uvicorn, sockets), in fast mode
with a queue of 2 and a 2-second body timeout, so the limits are reached quickly. The point of
every test: the misbehaving client gets a JSON error and the server keeps serving the others.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from conftest import FAST_FLAGGED, ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(*options: str, tries: int) -> Iterator[str]:
    """A real ``unspin serve`` child process on a free loopback port; yields its base URL once
    ``/v1/health`` answers ok (polled ``tries`` times, 0.2 s apart), and stops it afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "unspin", "serve", "--port", str(port), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(tries):
            if proc.poll() is not None:
                raise RuntimeError("server exited: " + proc.stdout.read().decode(errors="replace"))  # type: ignore[union-attr]
            try:
                if httpx.get(base + "/v1/health", timeout=2).json()["status"] == "ok":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not become ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # Fast mode; the lexicon loads at start-up (warm-up).
    with running_server("--mode", "fast", "--queue", "2", "--body-timeout", "2", "--max-body", "65536",
                        "--log-level", "warning", tries=600) as base:
        yield base


def _raw(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _read_response(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, json.loads(rest[:length])


def test_a_stalled_upload_gets_408_while_others_are_served(server: str) -> None:
    slow = _raw(server)
    slow.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{\"te")
    # while that client stalls, another one is served
    r = httpx.post(server + "/v1/check", json={"text": FAST_FLAGGED}, timeout=60)
    assert r.status_code == 200 and r.json()["matches"]
    status, body = _read_response(slow)
    slow.close()
    assert status == 408 and body["error"]["code"] == "request_timeout"


def test_an_idle_connection_does_not_block_the_server(server: str) -> None:
    idle = _raw(server)
    idle.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    try:
        r = httpx.get(server + "/v1/health", timeout=30)
        assert r.status_code == 200
    finally:
        idle.close()


def test_a_declared_huge_body_is_refused_before_it_is_sent(server: str) -> None:
    s = _raw(server)
    s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 50000000\r\n\r\n")
    status, body = _read_response(s)
    s.close()
    assert status == 413 and "65,536" in body["error"]["message"]


def test_a_burst_beyond_the_queue_gets_json_503_and_the_server_recovers(server: str) -> None:
    text = " ".join([FAST_FLAGGED] * 30)  # ~1,500 words: each request keeps the worker busy a while
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def call() -> None:
        r = httpx.post(server + "/v1/check", json={"text": text}, timeout=120)
        with lock:
            results.append(r)

    before = httpx.get(server + "/v1/health").json()["queue"]["rejected"]
    threads = [threading.Thread(target=call) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 1
    for r in results:
        assert r.headers["content-type"].startswith("application/json")
        if r.status_code == 503:
            assert r.json()["error"]["code"] == "busy" and r.headers["retry-after"]
        else:
            assert r.json()["spin"]["words"] > 1000
    after = httpx.get(server + "/v1/health").json()["queue"]
    assert after["rejected"] - before == statuses.count(503)
    assert after["pending"] == 0
    assert httpx.post(server + "/v1/check", json={"text": FAST_FLAGGED}, timeout=60).status_code == 200


def test_the_real_server_speaks_languagetool(server: str) -> None:
    r = httpx.post(server + "/v2/check", data={"text": "\U0001F600 " + FAST_FLAGGED, "language": "auto"}, timeout=60)
    body = r.json()
    m = body["matches"][0]
    units = ("\U0001F600 " + FAST_FLAGGED).encode("utf-16-le")
    c = m["context"]
    cu = c["text"].encode("utf-16-le")
    assert units[2 * m["offset"] : 2 * (m["offset"] + m["length"])] == cu[2 * c["offset"] : 2 * (c["offset"] + c["length"])]
    assert httpx.get(server + "/v2/languages").status_code == 200


@pytest.mark.parametrize("args, words", [
    (["--port", "0"], "port"),
    (["--index", "no/such/index.db"], "unspin index add"),
    (["--queue", "0"], "queue_size"),
    (["--mode", "turbo"], "turbo"),
])
def test_bad_serve_options_are_one_line_errors(args: list[str], words: str) -> None:
    from conftest import assert_one_error_line, run_unspin

    r = run_unspin("serve", *args, timeout=120)
    assert words in assert_one_error_line(r)
