"""The spinners' run-time tables: gzip TSV files shipped in ``unspin/data/spinner-*.tsv.gz``.

Each file starts with the header line every unspin data file has (:mod:`unspin.datafiles`)::

    #unspin-spinner-table\\tformat=1\\tversion=spinner-<name>.v1\\tsources=<...>\\tlicences=<...>

checked on load; every further line is ``kind<TAB>key<TAB>value[<TAB>...]``. The files are
built from their raw sources by ``scripts/build_spinner_data.py`` and loaded once per process.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import datafiles
from ..errors import DataError

TABLE_KIND = "spinner-table"
TABLE_FORMAT = 1

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
        return self.header.get("version", "")


_FIX = "rebuild it with scripts/build_spinner_data.py or reinstall unspin"


def parse_header(line: str, source: str) -> dict[str, str]:
    """Parse and check a table's header line.

    >>> parse_header("#unspin-spinner-table\\tformat=1\\tversion=spinner-x.v1\\tsources=x\\tlicences=y", "t")["sources"]
    'x'
    >>> parse_header("word\\tx", "t")
    Traceback (most recent call last):
    ...
    unspin.errors.DataError: t has no unspin header (its first line does not start with '#unspin-<kind>'); rebuild it with scripts/build_spinner_data.py or reinstall unspin
    """
    header = datafiles.parse_header_line(line, source, _FIX)
    return dict(datafiles.check_header(header, TABLE_KIND, TABLE_FORMAT, None, _FIX, ("version", "sources", "licences")).fields)


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
    return read_table(datafiles.path(filename), filename)


def ranked_lists(table: Table, kind: str) -> dict[str, tuple[str, ...]]:
    """Rows ``kind, key, v1|v2|...`` as a dict key -> ranked values."""
    return {row[0]: tuple(row[1].split("|")) for row in table.rows.get(kind, ())}


def counted_lists(table: Table, kind: str) -> dict[str, tuple[tuple[str, int], ...]]:
    """Rows ``kind, key, value, count`` grouped as key -> ((value, count), ...), most frequent first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for row in table.rows.get(kind, ()):
        out.setdefault(row[0], []).append((row[1], int(row[2])))
    return {k: tuple(sorted(v, key=lambda p: (-p[1], p[0]))) for k, v in out.items()}
