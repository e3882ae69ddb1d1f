"""The spinners' run-time tables: gzip TSV files shipped in ``unspin/data/spinner-*.tsv.gz``.

Each file starts with one header line::

    # format=<name>\\tversion=<n>\\tsources=<...>\\tlicences=<...>

checked on load; every further line is ``kind<TAB>key<TAB>value[<TAB>...]``. The files are
built from their raw sources by ``scripts/build_spinner_data.py`` and loaded once per process.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import DataError

TABLE_FORMAT = "unspin-spinner-table"
TABLE_VERSION = 1

#: Words the spinners never swap on their own (function words, auxiliaries, pronouns).
#: Connective phrases made of them are handled by each profile's explicit rules.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    ever every few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me might more most must my myself neither no nor not
    now of off on once only or other ought our ours ourselves out over own same shall she should
    so some such than that the their theirs them themselves then there these they this those
    through to too under until up upon us very was we were what when where which while who whom
    whose why will with within without would yet you your yours yourself yourselves mr mrs ms dr
    st jr one two three four five six seven eight nine ten first second many much may let said
    says say get got made make like well even still back way new old""".split()
)


@dataclass(frozen=True)
class Table:
    """One loaded table: its header fields and its rows grouped by kind."""

    name: str
    header: dict[str, str]
    rows: dict[str, tuple[tuple[str, ...], ...]]

    @property
    def version(self) -> str:
        return f"{self.header.get('format')}.v{self.header.get('version')}"


def parse_header(line: str, source: str) -> dict[str, str]:
    """Parse and check a header line.

    >>> parse_header("# format=unspin-spinner-table\\tversion=1\\tsources=x\\tlicences=y", "t")["sources"]
    'x'
    >>> parse_header("word\\tx", "t")
    Traceback (most recent call last):
    ...
    unspin.errors.DataError: t has no header line; rebuild it with scripts/build_spinner_data.py
    """
    if not line.startswith("# "):
        raise DataError(f"{source} has no header line; rebuild it with scripts/build_spinner_data.py")
    fields = dict(part.split("=", 1) for part in line[2:].rstrip("\n").split("\t") if "=" in part)
    if fields.get("format") != TABLE_FORMAT or fields.get("version") != str(TABLE_VERSION):
        raise DataError(
            f"{source} has format {fields.get('format')!r} version {fields.get('version')!r}, "
            f"expected {TABLE_FORMAT!r} version {TABLE_VERSION}; rebuild it with scripts/build_spinner_data.py"
        )
    for key in ("sources", "licences"):
        if not fields.get(key):
            raise DataError(f"{source} header lacks {key!r}; rebuild it with scripts/build_spinner_data.py")
    return fields


def read_table(path: Path | str, name: str | None = None) -> Table:
    """Read a table file (gzip TSV with header) from ``path``."""
    path = Path(path)
    label = name or path.name
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            header = parse_header(fh.readline(), label)
            grouped: dict[str, list[tuple[str, ...]]] = {}
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3:
                    raise DataError(f"{label}: malformed row {line[:60]!r}; rebuild the table")
                grouped.setdefault(parts[0], []).append(tuple(parts[1:]))
    except FileNotFoundError:
        raise DataError(f"spinner table {label} is missing; reinstall unspin or run scripts/build_spinner_data.py") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"spinner table {label} is corrupt ({exc}); reinstall unspin") from None
    return Table(label, header, {k: tuple(v) for k, v in grouped.items()})


@cache
def load_table(name: str) -> Table:
    """Load the shipped table ``unspin/data/spinner-<name>.tsv.gz`` once per process."""
    filename = f"spinner-{name}.tsv.gz"
    ref = resources.files("unspin").joinpath("data", filename)
    with resources.as_file(ref) as path:
        return read_table(path, filename)


def ranked_lists(table: Table, kind: str) -> dict[str, tuple[str, ...]]:
    """Rows ``kind, key, v1|v2|...`` as a dict key -> ranked values."""
    return {row[0]: tuple(row[1].split("|")) for row in table.rows.get(kind, ())}


def counted_lists(table: Table, kind: str) -> dict[str, tuple[tuple[str, int], ...]]:
    """Rows ``kind, key, value, count`` grouped as key -> ((value, count), ...), most frequent first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for row in table.rows.get(kind, ()):
        out.setdefault(row[0], []).append((row[1], int(row[2])))
    return {k: tuple(sorted(v, key=lambda p: (-p[1], p[0]))) for k, v in out.items()}
