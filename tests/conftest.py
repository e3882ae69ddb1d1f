"""Shared fixtures for the restoration-engine tests.

Nothing here skips, hides or retries anything: no warning filters, and one hook that only adds a
marker. Tests are marked by what they need (``neural``, ``dask``, ``large``, ``browser``, declared
in pyproject.toml); each of those is also ``slow``, so ``pytest -m "not slow"`` leaves all of them
out locally (CI runs everything).

Deep mode loads the neural model once per process: ``unspin.engine.lm.load_model`` is cached
with ``functools.cache``, so every test that uses :func:`deep_config` (or plain ``Config()``)
in the same pytest process shares one load.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from unspin import Config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "src" / "unspin" / "data"


# Spun sentences (spinner output and hand-made swaps). Fast mode is deliberately conservative
# and flags few spans; it must still flag some of these ("workweek", "centuries thousand"), so
# tests that need real matches and edits in fast mode use this text.
FAST_FLAGGED = " ".join([
    "Patients with obesity face a higher risk of pile, per a study issued today by researchers.",
    "The mayor said last workweek that several littler towns would join the scheme.",
    "They dealt with the edges of the problem instead than its core.",
    "In the early springtime of 1913 a few centuries thousand people moved west.",
    "We requirements to help them make nicer choices, numerous families said.",
])


@dataclass(frozen=True)
class Examples:
    """Paths of the files in ``examples/`` (see examples/README.md). They may not exist yet."""

    original_news: Path = EXAMPLES / "original-news.txt"
    original_science: Path = EXAMPLES / "original-science.txt"
    spun_news: Path = EXAMPLES / "spun-news.txt"
    spun_science: Path = EXAMPLES / "spun-science.txt"

    def require(self, name: str) -> Path:
        """The path of example ``name``; skip the calling test (saying why) if it is missing."""
        path: Path = getattr(self, name)
        if not path.is_file():
            pytest.skip(f"{path.relative_to(ROOT)} does not exist; see examples/README.md to make it")
        return path


@pytest.fixture(scope="session")
def examples() -> Examples:
    return Examples()


@pytest.fixture(scope="session")
def fast_config() -> Config:
    return Config(mode="fast")


@pytest.fixture(scope="session")
def deep_config() -> Config:
    """The default (deep) configuration; the model itself is cached per process by the engine."""
    return Config()


@cache
def load_schema(name: str) -> dict:
    """``check`` or ``restore``: the JSON schema shipped in unspin/data."""
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def validate(instance: object, name: str) -> None:
    """Validate ``instance`` against the shipped schema ``name`` (raises on the first error)."""
    import jsonschema

    schema = load_schema(name)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)


def unspin_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m unspin``."""
    exe = Path(sys.executable).with_name("unspin")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("unspin")
    return [found] if found else [sys.executable, "-m", "unspin"]


def run_unspin(
    *args: str,
    stdin: str | bytes | None = None,
    module: bool = False,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process and capture its output as text (UTF-8).

    ``module=True`` runs ``python -m unspin`` instead of the console script. Binary ``stdin``
    is passed through as bytes; the output is still decoded as UTF-8.
    """
    cmd = [sys.executable, "-m", "unspin"] if module else unspin_command()
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [*cmd, *args], input=data, capture_output=True, cwd=cwd or ROOT, timeout=timeout
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace"),
    )


def assert_one_error_line(r: subprocess.CompletedProcess) -> str:
    """The CLI's failure shape: exit 2, nothing on stdout, ONE line on stderr, no traceback."""
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip("\n").split("\n")
    assert len(lines) == 1, r.stderr
    return lines[0]


#: Markers that make a test ``slow`` too (the umbrella that -m "not slow" and the README use).
SLOW_NEEDS = ("neural", "dask", "large", "browser")


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("slow") is None and any(item.get_closest_marker(m) for m in SLOW_NEEDS):
            item.add_marker(pytest.mark.slow)
