"""`unspin index add|stats` and `unspin trace` through the real entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_trace import ORIGINALS, _spin


def _unspin(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else ([shutil.which("unspin")] if shutil.which("unspin") else [sys.executable, "-m", "unspin"])
    return subprocess.run([*cmd, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    orig = tmp_path / "originals"
    orig.mkdir()
    for i, text in enumerate(ORIGINALS):
        (orig / f"doc{i:02d}.txt").write_text(text + "\n", encoding="utf-8")
    (orig / "notes.md").write_text("not indexed: wrong pattern", encoding="utf-8")
    return tmp_path


def test_index_add_stats_and_trace(folder: Path) -> None:
    r = _unspin("index", "add", "idx.db", "originals", cwd=folder)
    assert r.returncode == 0, r.stderr
    assert f"added {len(ORIGINALS)} document(s)" in r.stdout

    (folder / "copy.txt").write_text(ORIGINALS[3] + "\n", encoding="utf-8")
    r = _unspin("index", "add", "idx.db", "copy.txt", "--format", "json", cwd=folder)
    body = json.loads(r.stdout)
    assert body["added"] == 0 and body["duplicates"][0]["existingPath"].endswith("doc03.txt")

    r = _unspin("index", "stats", "idx.db", "--format", "json", cwd=folder)
    stats = json.loads(r.stdout)
    assert stats["documents"] == len(ORIGINALS) and stats["params"]["k"] == 4

    spun = _spin(ORIGINALS[5], 11)
    (folder / "spun.txt").write_text(spun, encoding="utf-8")
    r = _unspin("trace", "idx.db", "spun.txt", "--format", "json", cwd=folder)
    assert r.returncode == 0, r.stderr
    matches = json.loads(r.stdout)["matches"]
    assert matches[0]["path"].endswith("doc05.txt")
    p = matches[0]["passages"][0]
    assert spun[p["query"]["start"] : p["query"]["end"]] == p["query"]["text"]

    r = _unspin("trace", "idx.db", "-", cwd=folder, stdin=spun)
    assert r.returncode == 0 and "doc05.txt" in r.stdout and " | " in r.stdout


def test_trace_without_match_says_so(folder: Path) -> None:
    _unspin("index", "add", "idx.db", "originals", cwd=folder)
    r = _unspin("trace", "idx.db", "-", cwd=folder, stdin="Die Katze schläft auf dem warmen Sofa im Wohnzimmer.")
    assert r.returncode == 0 and "no source found" in r.stdout


def test_foreign_index_is_one_line_error_exit_2(folder: Path) -> None:
    (folder / "fake.db").write_text("hello", encoding="utf-8")
    (folder / "q.txt").write_text(ORIGINALS[0], encoding="utf-8")
    r = _unspin("trace", "fake.db", "q.txt", cwd=folder)
    assert r.returncode == 2
    assert r.stderr.startswith("unspin: error:") and "not an unspin trace index" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_parameter_mismatch_on_add_exit_2(folder: Path) -> None:
    _unspin("index", "add", "idx.db", "originals", cwd=folder)
    r = _unspin("index", "add", "idx.db", "originals", "--k", "6", cwd=folder)
    assert r.returncode == 2 and "other parameters" in r.stderr


def test_restore_with_index_gives_back_the_source_wording(folder: Path) -> None:
    """The issue's walk-through: index originals, spin one, restore it from the index."""
    import jsonschema

    from unspin.results import Edit, apply_edits

    assert _unspin("index", "add", "idx.db", "originals", cwd=folder).returncode == 0
    spun = _spin(ORIGINALS[2], 5)
    assert spun != ORIGINALS[2]
    (folder / "spun.txt").write_text(spun, encoding="utf-8")
    r = _unspin("restore", "--fast", "--index", "idx.db", "spun.txt", cwd=folder)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip("\n") == ORIGINALS[2]
    assert "doc02.txt" in r.stderr
    r = _unspin("restore", "--fast", "--index", "idx.db", "--format", "json", "spun.txt", cwd=folder)
    body = json.loads(r.stdout)
    schema_path = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "restore.schema.json"
    jsonschema.validate(body, json.loads(schema_path.read_text(encoding="utf-8")))
    assert body["source"]["path"].endswith("doc02.txt")
    edits = [Edit(e["offset"], e["offset"] + e["length"], e["old"], e["new"], e["confidence"], e["source"]) for e in body["edits"]]
    assert edits and all(e.source.startswith("source:") for e in edits)
    assert apply_edits(spun, edits) == body["text"] == ORIGINALS[2]


def test_index_add_walks_folders_like_screen_and_learn(tmp_path) -> None:
    """``index add`` uses the one walker: --pattern at any depth, sorted, hidden files and unspin outputs left out."""
    from unspin.readers.inputs import expand_inputs

    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel, body in [("b/two.txt", "Two."), ("a.txt", "One."), (".hidden/x.txt", "No."), (".dot.txt", "No."),
                      ("notes.md", "No."), ("b/table.txt", "#unspin-spinner-dictionary\tformat=1\n")]:
        (tmp_path / rel).write_text(body, encoding="utf-8")
    skipped: list[str] = []
    found = expand_inputs([tmp_path, tmp_path / "a.txt"], pattern="*.txt", on_skip=lambda p, why: skipped.append(p))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b/two.txt"]
    assert skipped == [str(tmp_path / "b" / "table.txt")]
