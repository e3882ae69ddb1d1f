"""`unspin check` / `unspin restore` through the real entry points (child processes).

Fast mode (``--fast``) everywhere except one slow test of the default deep mode.
"""

from __future__ import annotations

import json
import re

import pytest

import unspin
from unspin import Edit, apply_edits
from unspin.results import RISK_LEVELS

from conftest import FAST_FLAGGED, assert_one_error_line, run_unspin, validate

NO_SPIN = "1 2 3. 42, 7 and 9!\n"  # nothing a spinner could have written
SPUN = FAST_FLAGGED + "\n"  # fast mode flags some of it


@pytest.fixture()
def spun_file(tmp_path):
    path = tmp_path / "spun.txt"
    path.write_text(SPUN, encoding="utf-8")
    return path


def _edits(doc: dict) -> list[Edit]:
    return [Edit(e["offset"], e["offset"] + e["length"], e["old"], e["new"], e["confidence"], e["source"], e["evidence"])
            for e in doc["edits"]]


# -- check ------------------------------------------------------------------------------------


def test_check_text_report(spun_file) -> None:
    path = spun_file
    text = path.read_text(encoding="utf-8")
    r = run_unspin("check", "--fast", str(path))
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert re.match(r"spin score \d\.\d\d  risk: (clean|low|suspicious|high)  \(\d+ of \d+ words flagged; mode fast", first)
    assert "\x1b[" not in r.stdout, "no colour when stdout is not a terminal"
    doc = json.loads(run_unspin("check", "--fast", "--format", "json", str(path)).stdout)
    assert doc["matches"]
    for m in doc["matches"]:
        span = text[m["offset"] : m["offset"] + m["length"]]
        assert f"  {m['offset']}-{m['offset'] + m['length']}  {span!r} -> " in r.stdout
        assert f"[{span} -> {m['replacements'][0]['value']}]" in r.stdout


def test_check_json_validates_and_points_into_the_file(examples, spun_file) -> None:
    for path in (examples.require("spun_science"), spun_file):
        r = run_unspin("check", "--fast", "--format", "json", str(path))
        assert r.returncode == 0 and r.stderr == ""
        validate(json.loads(r.stdout), "check")
    text = spun_file.read_text(encoding="utf-8")
    doc = json.loads(r.stdout)
    assert doc["matches"], "fast mode should flag something in SPUN"
    for m in doc["matches"]:
        assert m["sentence"] and text[m["offset"] : m["offset"] + m["length"]] in m["sentence"]


def _untimed(stdout: str) -> dict:
    """The JSON of a CLI call without its ``timing`` block (wall seconds differ run to run)."""
    doc = json.loads(stdout)
    assert doc.pop("timing")["elapsedSeconds"] >= 0
    return doc


def test_stdin_dash_and_default_file_read_stdin(examples) -> None:
    path = examples.require("spun_news")
    text = path.read_text(encoding="utf-8")
    from_file = run_unspin("check", "--fast", "--format", "json", str(path))
    from_dash = run_unspin("check", "--fast", "--format", "json", "-", stdin=text)
    from_default = run_unspin("check", "--fast", "--format", "json", stdin=text)
    assert from_file.returncode == from_dash.returncode == from_default.returncode == 0
    assert _untimed(from_file.stdout) == _untimed(from_dash.stdout) == _untimed(from_default.stdout)
    restored = run_unspin("restore", "--fast", "-", stdin=text)
    assert restored.returncode == 0 and restored.stdout == run_unspin("restore", "--fast", str(path)).stdout


def test_console_script_and_python_m_agree() -> None:
    a = run_unspin("check", "--fast", "--format", "json", "-", stdin=SPUN)
    b = run_unspin("check", "--fast", "--format", "json", "-", stdin=SPUN, module=True)
    assert a.returncode == b.returncode == 0
    assert _untimed(a.stdout) == _untimed(b.stdout)
    assert json.loads(a.stdout)["matches"]


# -- --fail-on ---------------------------------------------------------------------------------


def test_fail_on_exit_codes_follow_the_risk(tmp_path) -> None:
    # Fast mode's verdicts are calibrated to keep clean text of any register and length below
    # "suspicious" (screen.v2); on a 200-word text it cannot flag spinning (BENCHMARKS.md), so
    # this uses a long one: ~6,000 words of test-split prose spun at ~18% of all words.
    from unspin.bench.corpus import default_corpus_path, load_corpus
    from unspin.spinner import spin

    docs, words = [], 0
    for doc in load_corpus(default_corpus_path("test")):
        docs.append(doc.text)
        words += len(doc.text.split())
        if words > 6000:
            break
    path = tmp_path / "long-spun.txt"
    path.write_text(spin("\n\n".join(docs), profile="contentfarm", seed=5).spun, encoding="utf-8")
    risk = json.loads(run_unspin("check", "--fast", "--format", "json", str(path)).stdout)["spin"]["risk"]
    for level in RISK_LEVELS[1:]:
        r = run_unspin("check", "--fast", "--fail-on", level, str(path))
        expected = 1 if RISK_LEVELS.index(risk) >= RISK_LEVELS.index(level) else 0
        assert r.returncode == expected, (risk, level, r.stderr)
        assert r.stdout.startswith("spin score"), "the report is printed whatever the exit code"
        assert "Traceback" not in r.stderr


@pytest.mark.xfail(strict=True, reason="known gap: fast mode rates this 7,700-word contentfarm text 0.03 (clean); "
                   "its verdicts are held to <= 1% false alarms per register and detect about half of 3,000-word "
                   "contentfarm texts (BENCHMARKS.md, fast-mode screening verdicts)")
def test_fast_mode_flags_a_long_heavily_spun_text(tmp_path) -> None:
    from unspin.bench.corpus import default_corpus_path, load_corpus
    from unspin.spinner import spin

    docs = [d.text for d in load_corpus(default_corpus_path("test"))][:12]
    path = tmp_path / "long-spun.txt"
    path.write_text(spin("\n\n".join(docs), profile="contentfarm", seed=5).spun, encoding="utf-8")
    risk = json.loads(run_unspin("check", "--fast", "--format", "json", str(path)).stdout)["spin"]["risk"]
    assert risk in ("suspicious", "high")


def test_fail_on_low_passes_a_clean_text() -> None:
    r = run_unspin("check", "--fast", "--fail-on", "low", "-", stdin=NO_SPIN)
    assert r.returncode == 0, r.stderr
    assert "risk: clean" in r.stdout


# -- restore -----------------------------------------------------------------------------------


def test_restore_text_json_and_diff_agree(spun_file) -> None:
    path = spun_file
    text = path.read_text(encoding="utf-8")
    plain = run_unspin("restore", "--fast", str(path))
    as_json = run_unspin("restore", "--fast", "--format", "json", str(path))
    diff = run_unspin("restore", "--fast", "--diff", str(path))
    assert plain.returncode == as_json.returncode == diff.returncode == 0
    doc = json.loads(as_json.stdout)
    validate(doc, "restore")
    assert doc["edits"], "fast mode should restore something in SPUN"
    edits = _edits(doc)
    assert apply_edits(text, edits) == doc["text"]  # the CLI's explanation replays on the file
    assert plain.stdout == doc["text"] + ("" if doc["text"].endswith("\n") else "\n")
    # The word diff carries both sides: [-old-]{+new+} for exactly the recorded edits.
    marks = re.findall(r"\[-(.*?)-\]\{\+(.*?)\+\}", diff.stdout, flags=re.S)
    assert marks == [(e.old, e.new) for e in sorted(edits, key=lambda e: e.start)]
    pattern = re.compile(r"\[-(.*?)-\]\{\+(.*?)\+\}", flags=re.S)
    assert pattern.sub(lambda m: m.group(1), diff.stdout).rstrip("\n") == text.rstrip("\n")
    assert pattern.sub(lambda m: m.group(2), diff.stdout).rstrip("\n") == doc["text"].rstrip("\n")


def test_restore_leaves_text_without_spin_alone() -> None:
    r = run_unspin("restore", "--fast", "-", stdin=NO_SPIN)
    assert r.returncode == 0 and r.stdout == NO_SPIN and r.stderr == ""


def test_restore_warns_on_stderr_when_incomplete() -> None:
    r = run_unspin("restore", "--fast", "--max-words", "3", "-", stdin=SPUN)
    assert r.returncode == 0
    assert r.stderr.startswith("unspin: warning: ") and r.stderr.count("\n") == 1
    assert "max_words" in r.stderr
    doc = json.loads(run_unspin("restore", "--fast", "--max-words", "3", "--format", "json", "-", stdin=SPUN).stdout)
    assert doc["spin"]["incomplete"] is True and doc["spin"]["words"] == 3


# -- errors: exit 2, one line, no traceback ------------------------------------------------------


@pytest.mark.parametrize(
    "args, stdin, needle",
    [
        (["check", "--fast", "no/such/file.txt"], None, "no such file"),
        (["restore", "--fast", "no/such/file.txt"], None, "no such file"),
        (["check", "--fast", "."], None, "directory"),
        (["check", "--fast", "-"], "", "empty"),
        (["restore", "--fast", "-"], "  \n\t\n", "empty"),
        (["check", "--fast", "-"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (["check", "--fast", "-"], "caf\u00e9 au lait".encode("latin-1"), "UTF-8"),
        (["check", "--fast", "--threshold", "2", "-"], SPUN, "flag_threshold"),
        (["check", "--fast", "--max-words", "0", "-"], SPUN, "max_words"),
        (["check", "--model", "no-such-model", "-"], SPUN, "gemma3-270m.v2"),
    ],
    ids=["missing", "restore-missing", "directory", "empty-stdin", "blank-stdin", "png", "latin-1",
         "threshold", "max-words", "unknown-model"],
)
def test_input_and_option_errors_are_one_line(args: list[str], stdin, needle: str) -> None:
    line = assert_one_error_line(run_unspin(*args, stdin=stdin))
    assert line.startswith("unspin: error: ") and needle in line


USAGE_ERRORS = [
    ["check", "--no-such-option"],
    ["check", "--format", "xml", "-"],
    ["check", "--fail-on", "medium", "-"],
    ["check", "--threshold", "abc", "-"],
    ["check", "a.txt", "b.txt"],
    ["no-such-command"],
]
USAGE_IDS = ["unknown-option", "bad-format", "bad-fail-on", "non-number", "extra-argument", "unknown-command"]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=USAGE_IDS)
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    r = run_unspin(*args, stdin=SPUN)
    assert r.returncode == 2 and r.stdout == ""
    assert "Traceback" not in r.stderr and "error:" in r.stderr.lower()


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=USAGE_IDS)
def test_usage_errors_are_one_line(args: list[str]) -> None:
    assert_one_error_line(run_unspin(*args, stdin=SPUN))


def test_pairs_option_adds_user_pairs(tmp_path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("pile\theart disease\n", encoding="utf-8")
    r = run_unspin("restore", "--fast", "--pairs", str(pairs), "-", stdin=SPUN)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "heart disease" in r.stdout


def test_pairs_option_missing_file_is_one_line(tmp_path) -> None:
    line = assert_one_error_line(run_unspin("check", "--fast", "--pairs", str(tmp_path / "absent.tsv"), "-", stdin=SPUN))
    assert "absent.tsv" in line


# -- version and help ------------------------------------------------------------------------


@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python-m"])
def test_version(module: bool) -> None:
    r = run_unspin("--version", module=module)
    assert r.returncode == 0 and r.stdout.strip() == f"unspin, version {unspin.__version__}"


def test_help() -> None:
    top = run_unspin("--help")
    assert top.returncode == 0 and "Usage:" in top.stdout
    for command in ("check", "restore", "spin"):
        assert re.search(rf"^\s+{command}\s", top.stdout, flags=re.M), command
    assert run_unspin("-h").stdout == top.stdout
    sub = run_unspin("check", "--help")
    assert sub.returncode == 0
    for option in ("--fast", "--format", "--fail-on", "--threshold", "--max-words", "--model"):
        assert option in sub.stdout
    r = run_unspin("restore", "-h")
    assert r.returncode == 0 and "--diff" in r.stdout


def test_no_command_prints_usage() -> None:
    r = run_unspin()
    assert r.returncode in (0, 2) and "Usage:" in (r.stdout + r.stderr)
    assert "Traceback" not in r.stderr


# -- deep mode, once ---------------------------------------------------------------------------


@pytest.mark.neural
def test_deep_restore_of_the_spun_news_example(examples) -> None:
    path = examples.require("spun_news")
    text = path.read_text(encoding="utf-8")
    r = run_unspin("restore", "--format", "json", str(path), timeout=1800)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    doc = json.loads(r.stdout)
    validate(doc, "restore")
    assert doc["spin"]["mode"] == "deep" and doc["spin"]["model"] == "gemma3-270m.v2"
    assert doc["spin"]["incomplete"] is False
    assert apply_edits(text, _edits(doc)) == doc["text"]
    restored = doc["text"]
    # Readable text: same paragraphs, printable, about as many words, mostly the same words.
    assert restored.count("\n") == text.count("\n")
    assert all(c.isprintable() or c in "\n\t" for c in restored)
    words_in, words_out = text.split(), restored.split()
    assert 0.85 <= len(words_out) / len(words_in) <= 1.15
    changed = sum(len(e["old"].split()) for e in doc["edits"])
    assert changed <= 0.5 * len(words_in), "a restoration that rewrites most of the text is not a restoration"
