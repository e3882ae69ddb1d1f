"""The one reader for ``spun<TAB>original`` pair lists.

Used by ``--pairs`` (user pairs added to the lexicon), the phrase-list baseline of the
benchmarks and ``--fingerprints`` TSV lists, so the same file gives the same phrases
everywhere. The format, line by line (UTF-8):

* blank lines and lines starting with ``#`` are skipped;
* the first other line is skipped when it is a header (``tortured<TAB>expected`` or
  ``spun<TAB>original``);
* every other line is ``spun<TAB>original``; further columns are ignored; cells are
  stripped and ``\\"`` is unescaped to ``"`` (and ``\\\\`` to ``\\``), as the Problematic
  Paper Screener's TSV export writes them.

>>> parse_pairs('tortured\\texpected\\n# a comment\\nprofound learning\\tdeep learning\\nAI draws near\\tAI approaches (as in \\\\"methods\\\\")\\n')
(('profound learning', 'deep learning'), ('AI draws near', 'AI approaches (as in "methods")'))
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .textfile import read_text_file

MAX_PAIRS = 1_000_000
_HEADER_LEFT = ("tortured", "spun", "fingerprint", "tortured phrase")
_HEADER_RIGHT = ("expected", "original", "expected text")
_ESCAPE = re.compile(r'\\(["\\])')


def unescape(cell: str) -> str:
    r"""Strip a cell and undo ``\"`` and ``\\`` escapes.

    >>> unescape(' say \\"hi\\" ')
    'say "hi"'
    """
    return _ESCAPE.sub(r"\1", cell.strip())


def _is_header(cols: list[str]) -> bool:
    return cols[0].strip().lower() in _HEADER_LEFT and cols[1].strip().lower() in _HEADER_RIGHT


def parse_pairs(text: str, source: str = "pairs", limit: int = MAX_PAIRS) -> tuple[tuple[str, str], ...]:
    """Parse pair-list text; errors name ``source`` and the line."""
    pairs: list[tuple[str, str]] = []
    first = True
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise InputError(f"{source}:{n}: expected 'spun<TAB>original', got {line[:60]!r}")
        if first and _is_header(cols):
            first = False
            continue
        first = False
        spun, original = unescape(cols[0]), unescape(cols[1])
        if not spun or not original:
            raise InputError(f"{source}:{n}: expected 'spun<TAB>original', got {line[:60]!r}")
        pairs.append((spun, original))
        if len(pairs) > limit:
            raise InputError(f"{source} holds more than {limit:,} pairs; split it")
    if not pairs:
        raise InputError(f"{source} holds no spun<TAB>original pairs")
    return tuple(pairs)


def read_pairs(path: str | Path, limit: int = MAX_PAIRS) -> tuple[tuple[str, str], ...]:
    """Read a ``spun<TAB>original`` file (see the module doc for the format)."""
    return parse_pairs(read_text_file(path, allow_empty=True), str(path), limit)
