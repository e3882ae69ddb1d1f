"""End to end in a real browser: Debian's chromium, headless, driven by Playwright.

A real ``unspin serve`` (default deep mode: the neural model) runs on loopback; the test does
what a person would: paste a spun paragraph from ``examples/``, wait for the highlights, hover
one, accept its restoration, accept all, and read, copy and download the restored text.
Playwright drives the system browser at /usr/bin/chromium (never a downloaded one).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import EXAMPLES
from test_serve_server import running_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser, pytest.mark.neural]  # a deep-mode server


@pytest.fixture(scope="module")
def deep_server() -> Iterator[str]:
    # Loading the model takes a while on a busy machine.
    with running_server("--log-level", "warning", tries=1500) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_paste_highlight_accept_and_copy_back(deep_server: str, browser, tmp_path) -> None:
    # the second paragraph of the example: a quote with several spun words (deep mode is slow on
    # a contended machine, so one paragraph)
    spun = (EXAMPLES / "spun-news.txt").read_text(encoding="utf-8").split("\n\n")[1]
    context = browser.new_context(accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=deep_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(deep_server + "/")
    page.wait_for_function("document.getElementById('server-status').textContent.includes('deep')")
    page.fill("#input", spun)
    with page.expect_response("**/v1/review", timeout=900_000) as resp:
        page.click("#check")
    review = resp.value.json()  # the API's own JSON, which the page renders
    page.wait_for_selector("#doc mark.spun")

    # the document's score and risk are shown
    assert page.text_content("#risk") in ("clean", "low", "suspicious", "high")
    assert page.text_content("#score").endswith("%")
    marks = page.locator("#doc mark.spun")
    n = marks.count()
    assert n == len(review["check"]["matches"]) >= 1
    classes = " ".join(marks.nth(i).get_attribute("class") for i in range(n))
    assert "conf-" in classes
    assert page.input_value("#restored") == spun  # nothing accepted yet

    # hover the first highlight: the likely original and an Accept button appear
    first = marks.first
    old = first.text_content()
    prefix = page.evaluate("""() => { const d = document.getElementById('doc'); const m = d.querySelector('mark.spun');
        const r = document.createRange(); r.setStart(d, 0); r.setEndBefore(m); return r.toString(); }""")
    first.hover()
    page.wait_for_selector("#tip:not([hidden]) button.accept")
    new = page.text_content("#tip strong")
    assert new and new != old
    page.click("#tip button.accept")
    restored = page.input_value("#restored")
    assert restored == prefix + new + spun[len(prefix) + len(old):]
    assert "accepted" in page.locator("#doc mark.spun").first.get_attribute("class")

    # keyboard: reject the next one (if any), then accept all
    if n > 1:
        second = page.locator("#doc mark.spun").nth(1)
        second.focus()
        page.keyboard.press("r")
        assert "rejected" in page.locator("#doc mark.spun").nth(1).get_attribute("class")
    page.click("#accept-all")
    restored_all = page.input_value("#restored")
    # "accept all" takes every rewrite of the API's restoration, and keeps the user's own choice
    # on a highlight the engine reported but did not rewrite (the first one, accepted above)
    api = review["restore"]
    assert review["input"] == spun and all(e["offset"] >= len(prefix) for e in api["edits"])  # none before it
    if any(e["offset"] == len(prefix) for e in api["edits"]):
        expected = api["text"]
    else:
        expected = prefix + new + api["text"][len(prefix) + len(old):]
    assert restored_all == expected != spun
    assert page.text_content("#doc") == restored_all

    # copy and download give back the restored wording
    page.click("#copy")
    page.wait_for_function("document.getElementById('copied').textContent.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == restored_all
    with page.expect_download() as dl:
        page.click("#download")
    path = tmp_path / "restored.txt"
    dl.value.save_as(path)
    assert path.read_text(encoding="utf-8") == restored_all
    assert errors == []
    context.close()


def test_upload_a_text_file_and_see_errors_as_messages(deep_server: str, browser, tmp_path) -> None:
    page = browser.new_page()
    page.goto(deep_server + "/")
    f = tmp_path / "essay.txt"
    f.write_text("Caf\u00e9 \U0001F600 text from a file.", encoding="utf-8")
    page.set_input_files("#file", str(f))
    page.wait_for_function("document.getElementById('input').value.length > 0")
    assert page.input_value("#input") == "Caf\u00e9 \U0001F600 text from a file."
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9")
    page.set_input_files("#file", str(bad))
    page.wait_for_selector("#error:not([hidden])")
    assert "UTF-8" in page.text_content("#error")
    page.fill("#input", "   ")
    page.click("#check")
    assert "Paste some English text" in page.text_content("#error")
    page.close()
