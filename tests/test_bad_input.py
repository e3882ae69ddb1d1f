"""Hostile and odd input: the CLI answers with one clear line (exit 2) or a flagged report,
never a traceback or a hang; the library raises InputError.
"""

from __future__ import annotations

import json
import random
import resource
from pathlib import Path

import pytest

import unspin
from unspin import Config, InputError
from unspin.results import RISK_LEVELS

from conftest import EXAMPLES, assert_one_error_line, run_unspin, validate

FAST = Config(mode="fast")
MB = 1024 * 1024

OTHER_LANGUAGES = {
    "german": (
        "Die Bundesregierung hat am Mittwoch ein neues Gesetz zum Klimaschutz beschlossen. Nach Angaben "
        "des Umweltministeriums sollen die Emissionen bis zum Jahr 2030 um mehr als die H\u00e4lfte sinken. "
        "Kritiker bem\u00e4ngeln jedoch, dass die Ma\u00dfnahmen nicht ausreichen, um die Ziele des Pariser "
        "Abkommens zu erreichen. Die Opposition k\u00fcndigte an, im Bundestag dagegen zu stimmen."
    ),
    "french": (
        "Le gouvernement a pr\u00e9sent\u00e9 mercredi un nouveau projet de loi sur la protection du climat. "
        "Selon le minist\u00e8re de l'Environnement, les \u00e9missions devraient baisser de plus de moiti\u00e9 "
        "d'ici 2030. Les critiques estiment cependant que ces mesures ne suffisent pas pour atteindre les "
        "objectifs de l'accord de Paris. L'opposition a annonc\u00e9 qu'elle voterait contre le texte."
    ),
    "chinese": (
        "\u653f\u5e9c\u661f\u671f\u4e09\u901a\u8fc7\u4e86\u4e00\u9879\u65b0\u7684\u6c14\u5019\u4fdd\u62a4\u6cd5\u3002"
        "\u636e\u73af\u5883\u90e8\u79f0\uff0c\u5230\u0032\u0030\u0033\u0030\u5e74\u6392\u653e\u91cf\u5c06\u51cf\u5c11"
        "\u4e00\u534a\u4ee5\u4e0a\u3002\u7136\u800c\uff0c\u6279\u8bc4\u4eba\u58eb\u8ba4\u4e3a\uff0c\u8fd9\u4e9b\u63aa"
        "\u65bd\u4e0d\u8db3\u4ee5\u5b9e\u73b0\u5df4\u9ece\u534f\u5b9a\u7684\u76ee\u6807\u3002"
    ),
}


def _one_clean_error_line(r) -> str:
    line = assert_one_error_line(r)
    assert line.startswith("unspin: error: ")
    return line


def _english(n_bytes: int, newlines: bool = True) -> str:
    """``n_bytes`` of real English (the example texts repeated), ASCII so bytes == characters."""
    source = (EXAMPLES / "original-news.txt").read_text(encoding="utf-8")
    if not newlines:
        source = " ".join(source.split()) + " "
    assert source.isascii()
    return (source * (n_bytes // len(source) + 1))[:n_bytes]


# -- files the CLI refuses with one line ----------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, data, needles",
    [
        ("empty.txt", b"", ["empty"]),
        ("blank.txt", b"  \n\t\r\n   \n", ["empty"]),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(4096), ["binary", "UTF-8"]),
        ("noisy.png", b"\x89PNG\r\n\x1a\n" + bytes(random.Random(2).randrange(1, 256) for _ in range(4096)), ["binary", "UTF-8"]),
        ("latin1.txt", "Le caf\u00e9 \u00e9tait tr\u00e8s agr\u00e9able, d\u00e9clara-t-il.".encode("latin-1"), ["UTF-8", "0xe9"]),
        ("utf16.txt", "The firm issued a report.".encode("utf-16"), ["binary", "UTF-8"]),
        ("controls.txt", bytes(range(1, 9)) * 500, ["binary"]),
    ],
)
@pytest.mark.parametrize("command", ["check", "restore"])
def test_unusable_files_give_one_line(tmp_path: Path, command: str, name: str, data: bytes, needles: list[str]) -> None:
    path = _write(tmp_path, name, data)
    line = _one_clean_error_line(run_unspin(command, "--fast", str(path)))
    assert any(n in line for n in needles), line
    if name != "controls.txt":  # the control-character check happens after reading, on the text
        assert name in line


def test_same_refusals_on_stdin() -> None:
    assert "stdin" in _one_clean_error_line(run_unspin("check", "--fast", "-", stdin=b""))
    assert "stdin" in _one_clean_error_line(run_unspin("check", "--fast", "-", stdin="caf\u00e9".encode("latin-1")))


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    line = _one_clean_error_line(run_unspin("check", "--fast", str(tmp_path)))
    assert "directory" in line and str(tmp_path) in line


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "absent.txt"
    line = _one_clean_error_line(run_unspin("restore", "--fast", str(missing)))
    assert "no such file" in line and "absent.txt" in line


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.txt", "\ufeffThe firm issued a report.\n".encode("utf-8"))
    r = run_unspin("restore", "--fast", str(path))
    assert r.returncode == 0 and not r.stdout.startswith("\ufeff") and "report." in r.stdout


def test_file_over_the_read_limit_is_refused(tmp_path: Path) -> None:
    from unspin.cli.check import MAX_INPUT_BYTES

    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)  # sparse: NULs, but the size check comes first
    line = _one_clean_error_line(run_unspin("check", "--fast", str(path)))
    assert "larger than" in line and "MB" in line


# -- the library refuses non-text ----------------------------------------------------------------


@pytest.mark.parametrize("bad", [b"The firm issued a report.", bytearray(b"abc"), None, 3.5])
@pytest.mark.parametrize("fn", [unspin.check, unspin.restore, unspin.restore_and_explain])
def test_api_refuses_non_str(fn, bad) -> None:
    with pytest.raises(InputError, match="expected text as str"):
        fn(bad, FAST)


def test_api_refuses_binary_looking_str() -> None:
    with pytest.raises(InputError, match="binary"):
        unspin.check("\x00\x01\x02\x03 PNG " * 100, FAST)


def test_api_accepts_empty_and_blank_text() -> None:
    """Unlike the CLI (which says "empty"), the library answers empty text with an empty report."""
    for text in ("", "   \n\t"):
        report = unspin.check(text, FAST)
        assert (report.findings, report.words, report.risk, report.incomplete) == ((), 0, "clean", False)


# -- big inputs: bounded, flagged, no traceback -----------------------------------------------------


def test_50mb_file_with_a_word_limit_is_flagged_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(_english(50 * MB), encoding="ascii")
    r = run_unspin("check", "--fast", "--max-words", "2000", "--format", "json", str(path), timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    doc = json.loads(r.stdout)
    validate(doc, "check")
    assert doc["spin"]["incomplete"] is True and doc["spin"]["words"] == 2000
    assert "max_words" in doc["spin"]["reason"]


@pytest.mark.large
def test_50mb_file_with_default_limits(tmp_path: Path) -> None:
    """Default fast-mode limits: a clear one-line error or an incomplete-flagged report, in bounded memory."""
    path = tmp_path / "big.txt"
    path.write_text(_english(50 * MB), encoding="ascii")
    assert path.stat().st_size == 50 * MB
    r = run_unspin("check", "--fast", "--format", "json", str(path), timeout=300)
    # ru_maxrss of RUSAGE_CHILDREN is the largest child this process has waited for (KiB on Linux):
    # an upper bound for this child.
    peak_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert peak_bytes < 3 * 1024**3, f"peak RSS {peak_bytes / 1024**3:.2f} GB"
    assert "Traceback" not in r.stderr
    if r.returncode == 2:
        _one_clean_error_line(r)
        return
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(r.stdout)
    validate(doc, "check")
    assert doc["spin"]["incomplete"] is True and doc["spin"]["reason"]
    from unspin.engine.pipeline import DEFAULT_MAX_WORDS

    assert 0 < doc["spin"]["words"] <= DEFAULT_MAX_WORDS["fast"]


def test_one_megabyte_line_without_newline(tmp_path: Path) -> None:
    text = _english(MB, newlines=False).rstrip() + "."
    assert "\n" not in text
    path = tmp_path / "line.txt"
    path.write_text(text, encoding="ascii")
    r = run_unspin("check", "--fast", "--format", "json", str(path), timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    doc = json.loads(r.stdout)
    validate(doc, "check")
    spin = doc["spin"]
    assert spin["words"] > 0 and spin["risk"] in RISK_LEVELS
    assert spin["incomplete"] is (spin["reason"] is not None)
    for m in doc["matches"][:200]:
        assert text[m["offset"] : m["offset"] + m["length"]] in m["sentence"]


# -- other languages: no crash, and no alarm ------------------------------------------------------


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_other_languages_fast(language: str) -> None:
    text = OTHER_LANGUAGES[language]
    r = unspin.restore_and_explain(text, FAST)
    assert r.report.risk in ("clean", "low"), [(e.old, e.new) for e in r.edits]
    assert unspin.apply_edits(text, r.edits) == r.text


def test_other_language_through_the_cli() -> None:
    text = OTHER_LANGUAGES["chinese"] + "\n" + OTHER_LANGUAGES["german"] + "\n"
    r = run_unspin("restore", "--fast", "-", stdin=text)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert r.stdout.startswith(OTHER_LANGUAGES["chinese"])  # UTF-8 in, UTF-8 out


@pytest.mark.neural
@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_other_languages_deep(language: str, deep_config: Config) -> None:
    text = OTHER_LANGUAGES[language]
    r = unspin.restore_and_explain(text, deep_config)
    assert unspin.apply_edits(text, r.edits) == r.text
    assert r.report.risk in ("clean", "low"), [(e.old, e.new) for e in r.edits]


def test_environment_does_not_leak_into_results(monkeypatch) -> None:
    """Locale variables must not change how bytes are read (UTF-8 is the only input encoding)."""
    text = "Le caf\u00e9 est tr\u00e8s bon.\n"
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "C")
    r = run_unspin("restore", "--fast", "-", stdin=text)
    assert r.returncode == 0 and r.stdout == text
