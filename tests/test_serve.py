"""The HTTP API through Starlette's TestClient: every endpoint, every error, one error body.

Fast mode (no neural model) except the one deep-mode test marked slow. The server's JSON must
be exactly what the library and the CLI serialise (one serialiser), so the tests compare with
:mod:`unspin.serialize` applied to the library's own results.
"""

from __future__ import annotations

import asyncio
import json
import threading

import jsonschema
import pytest
from starlette.testclient import TestClient

import unspin
from unspin import Config
from unspin.serialize import report_to_json, restoration_to_json
from unspin.serve import ServeSettings, create_app
from unspin.serve.errors import ApiError
from unspin.serve.limits import WorkQueue
from unspin.serve.openapi import spec

from conftest import EXAMPLES, FAST_FLAGGED, validate

FAST = Config(mode="fast")
KEY = "s3cret-key-for-tests"


def client(**kw: object) -> TestClient:
    settings = ServeSettings(**{"mode": "fast", "warm_up": False, **kw})  # type: ignore[arg-type]
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def api() -> TestClient:
    return client()


def assert_error(resp, status: int, *words: str) -> dict:
    """The one error shape: JSON, the status repeated in the body, a message naming the problem."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"software", "error"}
    assert body["software"]["name"] == "unspin" and body["software"]["apiVersion"] >= 1
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    message = body["error"]["message"]
    assert "Traceback" not in message and "<html" not in message.lower()
    for w in words:
        assert w.lower() in message.lower(), message
    return body


# -- /v1: the library over HTTP, serialised exactly like the CLI ----------------------------


def test_health_reports_limits_and_status(api: TestClient) -> None:
    body = api.get("/v1/health").json()
    assert body["status"] == "ok" and body["mode"] == "fast" and body["trace"] is False
    assert body["limits"]["maxBodyBytes"] == 1024 * 1024 and body["limits"]["queueSize"] == 8
    assert ".txt" in body["uploadFormats"]


def test_check_is_the_library_report_serialised_once(api: TestClient) -> None:
    resp = api.post("/v1/check", json={"text": FAST_FLAGGED})
    assert resp.status_code == 200
    body = resp.json()
    validate(body, "check")
    assert body["matches"], "the fast engine flags spans in this text"
    assert body == json.loads(json.dumps(report_to_json(unspin.check(FAST_FLAGGED, FAST))))


def test_restore_replays_and_matches_the_library(api: TestClient) -> None:
    body = api.post("/v1/restore", json={"text": FAST_FLAGGED}).json()
    validate(body, "restore")
    assert body["edits"]
    expected = restoration_to_json(unspin.restore_and_explain(FAST_FLAGGED, FAST))
    assert body == json.loads(json.dumps(expected))
    # applying the edits (code-point offsets) to the input reproduces the restored text
    out, pos = [], 0
    for e in body["edits"]:
        assert FAST_FLAGGED[e["offset"] : e["offset"] + e["length"]] == e["old"]
        out += [FAST_FLAGGED[pos : e["offset"]], e["new"]]
        pos = e["offset"] + e["length"]
    assert "".join(out) + FAST_FLAGGED[pos:] == body["text"]


def test_review_is_check_and_restore_of_one_analysis(api: TestClient) -> None:
    body = api.post("/v1/review", json={"text": FAST_FLAGGED, "threshold": 0.5}).json()
    assert body["input"] == FAST_FLAGGED
    validate(body["check"], "check")
    validate(body["restore"], "restore")
    assert body["check"]["spin"] == body["restore"]["spin"]
    spans = {(m["offset"], m["length"]) for m in body["check"]["matches"]}
    assert all((e["offset"], e["length"]) in spans for e in body["restore"]["edits"])


def test_clean_text_comes_back_unchanged(api: TestClient) -> None:
    original = (EXAMPLES / "original-science.txt").read_text(encoding="utf-8")
    body = api.post("/v1/restore", json={"text": original}).json()
    assert body["text"] == original and body["edits"] == []
    assert body["spin"]["risk"] == "clean"


def test_max_words_and_time_limit_flag_partial_results(api: TestClient) -> None:
    body = api.post("/v1/check", json={"text": FAST_FLAGGED, "maxWords": 10}).json()
    assert body["spin"]["incomplete"] is True and body["spin"]["words"] == 10
    assert "max_words" in body["spin"]["reason"]
    # a time limit that has passed before the first segment starts: nothing checked, flagged
    tight = client(time_limit=1e-9)
    body = tight.post("/v1/check", json={"text": FAST_FLAGGED * 3}).json()
    validate(body, "check")
    assert body["spin"]["incomplete"] is True and "time limit" in body["spin"]["reason"]
    assert body["spin"]["words"] < len((FAST_FLAGGED * 3).split())


def test_server_word_cap_applies_to_every_request() -> None:
    capped = client(max_words=12)
    body = capped.post("/v1/check", json={"text": FAST_FLAGGED, "maxWords": 1000}).json()
    assert body["spin"]["words"] == 12 and body["spin"]["incomplete"] is True


# -- errors: one JSON body for every status ---------------------------------------------------


def test_unknown_route_and_wrong_method_are_json(api: TestClient) -> None:
    assert_error(api.get("/nope"), 404, "/nope", "openapi")
    assert_error(api.get("/static/nope.js"), 404)
    body = assert_error(api.get("/v1/check"), 405, "POST")
    assert body["error"]["code"] == "method_not_allowed"
    assert_error(api.put("/v2/check", content=b"x"), 405)


@pytest.mark.parametrize(
    "content, ctype, status, words",
    [
        (b'{"text": "hi"}', "text/plain", 415, ["application/json"]),
        (b'{"text": "hi"}', None, 415, ["application/json"]),
        (b'{"text": "hi"}', "application/json; charset=latin-1", 415, ["utf-8"]),
        (b'{"text": "hi"', "application/json", 400, ["malformed JSON"]),
        (b"", "application/json", 400, ["malformed JSON"]),
        (b'{"text": "caf\xe9"}', "application/json", 400, ["UTF-8", "0xe9"]),
        (b'["text"]', "application/json", 422, ["object"]),
        (b"{}", "application/json", 422, ["missing", "text"]),
        (b'{"text": 5}', "application/json", 422, ["string"]),
        (b'{"text": "x", "colour": 1}', "application/json", 422, ["colour"]),
        (b'{"text": "\\ud800 lone"}', "application/json", 422, ["surrogate"]),
        (b'{"text": "x", "mode": "turbo"}', "application/json", 422, ["mode"]),
        (b'{"text": "x", "mode": "deep"}', "application/json", 409, ["fast mode"]),
        (b'{"text": "x", "threshold": 1.5}', "application/json", 422, ["flag_threshold"]),
        (b'{"text": "x", "threshold": true}', "application/json", 422, ["threshold"]),
        (b'{"text": "x", "maxWords": 0}', "application/json", 422, ["maxWords"]),
        (b'{"text": "x", "useIndex": true}', "application/json", 409, ["index"]),
        (b"[" * 100_000, "application/json", 400, ["JSON"]),
    ],
)
def test_bad_requests_get_a_clear_json_error(api: TestClient, content: bytes, ctype: str | None, status: int, words: list[str]) -> None:
    headers = {"content-type": ctype} if ctype else {}
    assert_error(api.post("/v1/restore", content=content, headers=headers), status, *words)


def test_binary_text_is_refused(api: TestClient) -> None:
    assert_error(api.post("/v1/check", json={"text": "\x01\x02\x03\x04" * 50}), 422, "binary")


def test_oversized_bodies_get_413_declared_or_streamed() -> None:
    small = client(max_body_bytes=4096)
    big = json.dumps({"text": "word " * 2000}).encode()
    assert_error(small.post("/v1/check", content=big, headers={"content-type": "application/json"}), 413, "4,096")

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 1000

    assert_error(small.post("/v1/check", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert_error(small.post("/v2/check", content=b"text=" + b"a" * 5000,
                            headers={"content-type": "application/x-www-form-urlencoded"}), 413)


def test_unhandled_exceptions_become_json_500(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: the engine step raises something unexpected; the handler is under test.
    import unspin.serve.app as app_module

    def boom(job: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app_module, "run_report", boom)
    body = assert_error(client().post("/v1/check", json={"text": "hello"}), 500, "RuntimeError")
    assert "disk on fire" not in body["error"]["message"]


def test_api_key_required_when_configured() -> None:
    c = client(api_key=KEY)
    assert c.get("/v1/health").status_code == 200  # public: says whether a key is needed
    assert c.get("/v1/health").json()["auth"] is True
    resp = c.post("/v1/check", json={"text": "hello"})
    assert_error(resp, 401, "API key")
    assert resp.headers["www-authenticate"] == "Bearer"
    assert_error(c.post("/v1/check", json={"text": "hello"}, headers={"Authorization": "Bearer wrong-key-123"}), 401, "wrong")
    assert c.post("/v1/check", json={"text": "hello"}, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    assert c.post("/v1/check", json={"text": "hello"}, headers={"X-API-Key": KEY}).status_code == 200
    assert_error(c.post("/v2/check", data={"text": "hello", "language": "en"}), 401)
    assert c.post("/v2/check", data={"text": "hello", "language": "en", "apiKey": KEY}).status_code == 200
    assert c.get("/").status_code == 200  # the page itself is public; it sends the key


def test_settings_are_validated() -> None:
    from unspin.errors import ConfigError

    for kw in ({"mode": "slow"}, {"port": 0}, {"max_body_bytes": 10}, {"queue_size": 0}, {"api_key": "short"}, {"time_limit": 0}):
        with pytest.raises(ConfigError):
            ServeSettings(**kw)  # type: ignore[arg-type]


def test_work_queue_refuses_beyond_its_size_and_recovers() -> None:
    async def scenario() -> tuple[int, list[object]]:
        q = WorkQueue(size=1, max_wait=60)
        release = threading.Event()
        first = asyncio.ensure_future(q.run(release.wait, 30))
        await asyncio.sleep(0.05)
        got: list[object] = []
        try:
            await q.run(lambda: "second")
        except ApiError as exc:
            got.append(exc.status)
            got.append(exc.headers.get("Retry-After"))
        release.set()
        await first
        got.append(await q.run(lambda: "third"))
        q.close()
        return q.rejected, got

    rejected, got = asyncio.run(scenario())
    assert rejected == 1 and got == [503, "5", "third"]


# -- /v1/trace --------------------------------------------------------------------------------


def test_trace_without_an_index_is_a_clear_409(api: TestClient) -> None:
    assert_error(api.post("/v1/trace", json={"text": "hello"}), 409, "--index")


def test_trace_and_source_restoration_with_an_index(tmp_path) -> None:
    from unspin.spinner import spin
    from unspin.trace import TraceIndex

    originals = sorted(EXAMPLES.glob("original-*.txt"))
    path = tmp_path / "ix.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(p.name, p.read_text(encoding="utf-8")) for p in originals])
    c = client(index=str(path))
    original = originals[0].read_text(encoding="utf-8")
    spun = spin(original, profile="synonymizer", rate=0.3, seed=3).spun
    body = c.post("/v1/trace", json={"text": spun, "top": 2}).json()
    assert body["matches"] and body["matches"][0]["path"] == originals[0].name
    assert_error(c.post("/v1/trace", json={"text": spun, "top": 0}), 422, "top")
    restored = c.post("/v1/restore", json={"text": spun, "useIndex": True}).json()
    validate(restored, "restore")
    assert restored["source"]["path"] == originals[0].name
    assert any(e["source"].startswith("source:") for e in restored["edits"])


# -- /v2: LanguageTool ------------------------------------------------------------------------


def lt_check(c: TestClient, **fields: str):
    return c.post("/v2/check", data=fields)


def test_languagetool_check_shape_and_utf16_offsets(api: TestClient) -> None:
    text = "\U0001F600 e\u0301t\u00e9.\n\n" + FAST_FLAGGED
    body = lt_check(api, text=text, language="auto").json()
    assert body["software"]["name"] == "unspin"
    assert body["language"]["detectedLanguage"]["code"] == "en-US"
    assert body["warnings"] == {"incompleteResults": False}
    assert body["offsetUnit"] == "utf16"
    report = unspin.check(text, FAST)
    assert len(body["matches"]) == len(report.findings) > 0
    units = text.encode("utf-16-le")
    for m, f in zip(body["matches"], report.findings):
        assert units[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le") == f.text
        assert m["offset"] == f.start + 1  # the emoji: 1 code point, 2 units; the combining acute: 1 and 1
        ctx = m["context"]
        cu = ctx["text"].encode("utf-16-le")
        assert cu[2 * ctx["offset"] : 2 * (ctx["offset"] + ctx["length"])].decode("utf-16-le") == f.text
        assert m["type"] == {"typeName": "Other"} and m["rule"]["issueType"] == "style"
        assert m["rule"]["category"]["id"] == "SPIN" and m["replacements"][0]["value"]


def test_languagetool_multipart_query_and_filters(api: TestClient) -> None:
    url = api.post("/v2/check", files={"text": (None, FAST_FLAGGED), "language": (None, "en-GB")}).json()
    assert url["language"]["code"] == "en-GB" and url["matches"]
    q = api.post("/v2/check?language=en-US", data={"text": FAST_FLAGGED}).json()
    assert len(q["matches"]) == len(url["matches"])
    off = lt_check(api, text=FAST_FLAGGED, language="en-US", disabledCategories="SPIN").json()
    assert off["matches"] == []


def test_languagetool_data_annotation_offsets_include_markup(api: TestClient) -> None:
    plain = lt_check(api, text=FAST_FLAGGED, language="en-US").json()["matches"]
    head, tail = FAST_FLAGGED[:40], FAST_FLAGGED[40:]
    data = {"annotation": [{"markup": "<p class='\U0001F600'>"}, {"text": head}, {"markup": "<br/>", "interpretAs": ""},
                           {"text": tail}, {"markup": "</p>"}]}
    doc = "<p class='\U0001F600'>" + head + "<br/>" + tail + "</p>"
    got = lt_check(api, data=json.dumps(data), language="en-US").json()["matches"]
    assert len(got) == len(plain) > 0
    units = doc.encode("utf-16-le")
    for m, p in zip(got, plain):
        assert units[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le") == FAST_FLAGGED[p["offset"] : p["offset"] + p["length"]]


@pytest.mark.parametrize(
    "content, ctype, status, words",
    [
        (b"text=hello", "application/x-www-form-urlencoded", 400, ["language"]),
        (b"language=en-US", "application/x-www-form-urlencoded", 400, ["text"]),
        (b"text=hello&language=de-DE", "application/x-www-form-urlencoded", 400, ["de-DE", "English"]),
        (b"text=caf%E9&language=en", "application/x-www-form-urlencoded", 400, ["UTF-8", "0xe9"]),
        (b"text=caf\xe9&language=en", "application/x-www-form-urlencoded", 400, ["UTF-8"]),
        (b"data=%7Bnope&language=en", "application/x-www-form-urlencoded", 400, ["data", "JSON"]),
        (b'data={"annotation":[{"x":1}]}&language=en', "application/x-www-form-urlencoded", 400, ["annotation[0]"]),
        (b'{"text": "hello", "language": "en"}', "application/json", 415, ["form"]),
        (b"--zz\r\nnot a part", "multipart/form-data; boundary=zz", 400, ["multipart"]),
        (b"text=x", "multipart/form-data", 400, ["boundary"]),
    ],
)
def test_languagetool_bad_requests(api: TestClient, content: bytes, ctype: str, status: int, words: list[str]) -> None:
    assert_error(api.post("/v2/check", content=content, headers={"content-type": ctype}), status, *words)


def test_languagetool_languages(api: TestClient) -> None:
    langs = api.get("/v2/languages").json()
    assert {"name": "English (US)", "code": "en", "longCode": "en-US"} in langs


# -- the page, the OpenAPI spec, uploads ------------------------------------------------------


def test_page_and_static_files_need_no_external_resources(api: TestClient) -> None:
    import re

    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for name in ("app.js", "style.css"):
        r = api.get(f"/static/{name}")
        assert r.status_code == 200
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", r.text) and "@import" not in r.text
    assert not re.search(r"(src|href)=[\"'](https?:)?//", page.text)
    assert "/v1/review" in api.get("/static/app.js").text  # the page eats the API's own JSON


def test_openapi_describes_every_route(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    assert doc == spec() and doc["openapi"].startswith("3.1")
    app = create_app(ServeSettings(mode="fast", warm_up=False)).app  # type: ignore[attr-defined]
    paths = {r.path for r in app.routes if getattr(r, "methods", None)} - {"/"}
    assert paths <= set(doc["paths"])
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"].split("/")[-1])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert refs <= set(doc["components"]["schemas"]), refs - set(doc["components"]["schemas"])


def test_upload_extracts_text_without_touching_the_disk(api: TestClient) -> None:
    r = api.post("/v1/extract", files={"file": ("essay.txt", "caf\u00e9 au lait".encode(), "text/plain")})
    assert r.status_code == 200 and r.json()["text"] == "caf\u00e9 au lait"
    assert_error(api.post("/v1/extract", files={"file": ("essay.txt", b"caf\xe9", "text/plain")}), 422, "UTF-8")
    assert_error(api.post("/v1/extract", files={"file": ("x.exe", b"MZ", "application/octet-stream")}), 422, ".exe")
    assert_error(api.post("/v1/extract", data={"nofile": "1"}), 422, "file")
    # a path is only a name here: nothing is opened on the server
    r = api.post("/v1/extract", files={"file": ("/etc/passwd.txt", b"just text", "text/plain")})
    assert r.json()["text"] == "just text"


# -- request fields: one description, documented and checked ----------------------------------


def test_request_schemas_use_only_what_the_validator_enforces() -> None:
    from unspin.serve.params import FIELDS, KEYWORDS, TYPES

    for name, f in FIELDS.items():
        assert set(f.schema) <= KEYWORDS, (name, set(f.schema) - KEYWORDS)
        assert f.schema.get("type", "string") in TYPES or "enum" in f.schema, name


SAMPLES = (-1, 0, 0.5, 1, 1.5, 5, 50, 51, 10**9, True, False, None, "x", "fast", "deep", "turbo", [], {})


@pytest.mark.parametrize("request_name", ["CheckRequest", "RestoreRequest", "TraceRequest"])
def test_routes_refuse_exactly_what_the_openapi_document_refuses(request_name: str) -> None:
    """Every field of every request body, with values inside, at and beyond its bounds and of
    the wrong type: the check the routes run agrees with the published schema (jsonschema)."""
    from unspin.serve.params import check_request

    schema = spec()["components"]["schemas"][request_name]
    validator = jsonschema.Draft202012Validator(schema)
    for field in schema["properties"]:
        for value in SAMPLES:
            doc = {"text": "A firm.", field: value}
            published = validator.is_valid(doc)
            try:
                check_request(doc, request_name)
                checked = True
            except ApiError as exc:
                checked = False
                assert exc.status == 422 and repr(field) in exc.message and "\n" not in exc.message
            assert checked == published, (field, value, published)
    assert not validator.is_valid({}) and not validator.is_valid({"text": "x", "colour": 1})


def test_field_errors_say_what_fits(api: TestClient) -> None:
    body = assert_error(api.post("/v1/check", json={"text": "x", "threshold": 0}), 422, "threshold", "(0, 1)", "got 0")
    assert "\n" not in body["error"]["message"]
    assert_error(api.post("/v1/check", json={"text": "x", "mode": "turbo"}), 422, "'deep' or 'fast'", "turbo")
    assert_error(api.post("/v1/restore", json={"text": "x", "useIndex": "yes"}), 422, "useIndex", "true or false")
    assert_error(api.post("/v1/check", json={"text": "x", "maxWords": 2.5}), 422, "maxWords", "integer of at least 1")
    assert_error(api.post("/v1/check", json={"text": "x", "top": 3}), 422, "unknown", "top", "known: maxWords")


# -- deep mode (the neural model) -------------------------------------------------------------


@pytest.mark.neural
def test_deep_mode_review_restores_a_spun_paragraph() -> None:
    spun = (EXAMPLES / "spun-news.txt").read_text(encoding="utf-8").split("\n\n")[1]  # a quote with several swaps
    with TestClient(create_app(ServeSettings(mode="deep")), raise_server_exceptions=False) as c:
        body = c.post("/v1/review", json={"text": spun}).json()
        assert c.get("/v1/health").json()["status"] == "ok"
        lt = c.post("/v2/check", data={"text": spun, "language": "en-US"}).json()
    validate(body["check"], "check")
    validate(body["restore"], "restore")
    assert body["check"]["spin"]["mode"] == "deep" and body["check"]["matches"]
    assert body["restore"]["edits"] and body["restore"]["text"] != spun
    assert len(lt["matches"]) == len(body["check"]["matches"])
