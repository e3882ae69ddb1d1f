"""The trace index: one SQLite file (WAL mode) holding documents, signatures and LSH bands.

Layout (format ``unspin-trace-index`` version 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)          format, format_version, fp.* parameters
    documents(id, path, sha256 UNIQUE, words, shingles, text)   text is zlib-compressed UTF-8
    signatures(doc PRIMARY KEY, sig)                 num_perm little-endian uint32 (no pickle)
    bands(key, doc, PRIMARY KEY(key, doc)) WITHOUT ROWID   one row per (band key, document)

Every batch of documents is written in one transaction together with its signatures and band
rows, so a build killed halfway leaves the batches before it complete and the index usable;
adding the same files again skips those already in (by SHA-256 of the text). Readers may
query while one writer adds (WAL).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..errors import TraceIndexError, InputError
from ..text import tokenize
from .fingerprint import FINGERPRINT_VERSION, FingerprintParams, fingerprint

FORMAT = "unspin-trace-index"
FORMAT_VERSION = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 BLOB NOT NULL UNIQUE,
    words INTEGER NOT NULL,
    shingles INTEGER NOT NULL,
    text BLOB NOT NULL
);
CREATE TABLE signatures(doc INTEGER PRIMARY KEY, sig BLOB NOT NULL);
CREATE TABLE bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc)) WITHOUT ROWID;
"""

#: Text inputs: a Path is read as a UTF-8 file; a (name, text) pair or a plain str is text.
Item = Path | str | tuple[str, str]


@dataclass(frozen=True, slots=True)
class DocRecord:
    """A document ready to write: computed by :func:`prepare` (in any process), written by the index."""

    path: str
    sha256: bytes
    words: int
    shingles: int
    ztext: bytes
    signature: bytes
    band_keys: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A document skipped because its text is already indexed (or repeated in the same call)."""

    path: str
    existing_id: int
    existing_path: str


@dataclass(frozen=True)
class AddResult:
    """What :meth:`TraceIndex.add` did: ids added, duplicates skipped, empty inputs skipped."""

    added: tuple[int, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    empty: tuple[str, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()  # (path, reason): binary, not UTF-8, ...

    def merge(self, other: AddResult) -> AddResult:
        return AddResult(
            self.added + other.added,
            self.duplicates + other.duplicates,
            self.empty + other.empty,
            self.unreadable + other.unreadable,
        )


@dataclass(frozen=True)
class IndexStats:
    """Size and parameters of an index."""

    path: str
    documents: int
    words: int
    band_rows: int
    file_bytes: int
    params: FingerprintParams
    format_version: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One indexed document, text included."""

    id: int
    path: str
    sha256: str
    words: int
    text: str


def prepare(path: str, text: str, params: FingerprintParams) -> DocRecord:
    """Fingerprint one document (a pure function: safe to run on a Dask worker)."""
    doc = tokenize(text)
    fp = fingerprint(doc, params)
    data = text.encode("utf-8")
    return DocRecord(
        path=path,
        sha256=hashlib.sha256(data).digest(),
        words=fp.words,
        shingles=fp.shingles,
        ztext=zlib.compress(data, 6),
        signature=fp.signature,
        band_keys=fp.band_keys,
    )


def read_item(item: Item) -> tuple[str, str]:
    """Resolve one input to (name, text): a Path is read, a str is text named by its hash."""
    if isinstance(item, Path):
        from ..readers import read_text_file  # the one text reader: size limit, decoding checks

        return str(item), read_text_file(item, allow_empty=True)
    if isinstance(item, tuple) and len(item) == 2:
        return str(item[0]), str(item[1])
    if isinstance(item, str):
        return "text:" + hashlib.sha256(item.encode("utf-8")).hexdigest()[:12], item
    raise InputError(f"cannot index a {type(item).__name__}; give a Path, a str or a (name, text) pair")


def _check_sqlite_header(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise TraceIndexError(f"cannot open index {path}: {exc.strerror or exc}") from None
    if head != _SQLITE_MAGIC:
        what = "an empty file" if not head else "not an SQLite file"
        raise TraceIndexError(f"{path} is not an unspin trace index ({what}); give an index made by `unspin index add`")


class TraceIndex:
    """An open trace index. Use as a context manager, or call :meth:`close`.

    ``params`` given for an existing index must equal the stored ones (else TraceIndexError);
    when omitted, the stored parameters are used. ``create`` allows making a new file.
    """

    params: FingerprintParams

    def __init__(
        self,
        path: str | os.PathLike[str],
        params: FingerprintParams | None = None,
        *,
        create: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if self.path.exists() and not self.path.is_file():
            raise TraceIndexError(f"{self.path} is not a file; give the path of an index file")
        if self.path.exists():
            _check_sqlite_header(self.path)
        elif not create:
            raise TraceIndexError(f"no index at {self.path}; build one with `unspin index add {self.path} FILES`")
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise TraceIndexError(f"cannot open index {self.path}: {exc}") from None
        try:
            self._conn.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
            if exists or not self._create(params or FingerprintParams()):
                self.params = self._load_meta(params)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache per connection
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise TraceIndexError(f"{self.path} is corrupt or not an unspin index ({exc}); rebuild it") from None
        except TraceIndexError:
            self._conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------

    def __enter__(self) -> TraceIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _create(self, params: FingerprintParams) -> bool:
        """Write the schema and header; False if another process created them first."""
        with self._tx():
            if self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                return False
            for stmt in _SCHEMA.strip().split(";"):
                if stmt.strip():
                    self._conn.execute(stmt)
            meta = {"format": FORMAT, "format_version": str(FORMAT_VERSION), **params.to_meta()}
            self._conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", meta.items())
        self.params = params
        return True

    def _load_meta(self, wanted: FingerprintParams | None) -> FingerprintParams:
        try:
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.OperationalError:
            raise TraceIndexError(
                f"{self.path} is an SQLite file but not an unspin trace index (no meta table); "
                "give an index made by `unspin index add`"
            ) from None
        meta = {str(k): str(v) for k, v in rows}
        if meta.get("format") != FORMAT:
            raise TraceIndexError(f"{self.path} is not an unspin trace index (format {meta.get('format')!r})")
        if meta.get("format_version") != str(FORMAT_VERSION):
            raise TraceIndexError(
                f"{self.path} has index format version {meta.get('format_version')}, this unspin reads "
                f"{FORMAT_VERSION}; rebuild the index"
            )
        stored = FingerprintParams.from_meta(meta)
        if stored.version != FINGERPRINT_VERSION:
            raise TraceIndexError(
                f"{self.path} was built with fingerprint {stored.version}, this unspin uses "
                f"{FINGERPRINT_VERSION}; rebuild the index"
            )
        if wanted is not None and wanted != stored:
            raise TraceIndexError(
                f"{self.path} was built with other parameters: {', '.join(stored.differences(wanted))}; "
                "use the index's own parameters or build a new index"
            )
        return stored

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> None:
            self.conn.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *rest: object) -> None:
            if exc_type is None:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute("ROLLBACK")

    def _tx(self) -> TraceIndex._Tx:
        return TraceIndex._Tx(self._conn)

    def _guard(self, what: str) -> Callable[[sqlite3.DatabaseError], TraceIndexError]:
        def wrap(exc: sqlite3.DatabaseError) -> TraceIndexError:
            return TraceIndexError(f"{what} failed on {self.path}: {exc}; the index may be corrupt or locked")

        return wrap

    # -- writing -------------------------------------------------------------------

    def add(
        self,
        items: Iterable[Item],
        *,
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> AddResult:
        """Fingerprint and add documents, one transaction per ``batch_size`` documents.

        A ``Path`` is read as a UTF-8 file, a ``(name, text)`` pair or ``str`` is text.
        Documents whose text is already indexed are skipped and reported as duplicates;
        files that are not UTF-8 text are skipped and reported as unreadable.
        """
        result = AddResult()
        batch: list[DocRecord] = []
        for item in items:
            try:
                name, text = read_item(item)
            except InputError as exc:
                if not isinstance(item, Path):
                    raise
                result = result.merge(AddResult(unreadable=((str(item), str(exc)),)))
                continue
            batch.append(prepare(name, text, self.params))
            if len(batch) >= batch_size:
                result = result.merge(self.add_records(batch))
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            result = result.merge(self.add_records(batch))
            if progress:
                progress(len(batch))
        return result

    def add_records(self, records: Sequence[DocRecord]) -> AddResult:
        """Write prepared records in one transaction (the single writer; see :func:`prepare`)."""
        added: list[int] = []
        dups: list[Duplicate] = []
        empty: list[str] = []
        sig_rows: list[tuple[int, bytes]] = []
        band_rows: list[tuple[int, int]] = []
        try:
            with self._tx():
                cur = self._conn.cursor()
                for rec in records:
                    if rec.words == 0:
                        empty.append(rec.path)
                        continue
                    if len(rec.signature) not in (0, 4 * self.params.num_perm) or len(rec.band_keys) not in (
                        0,
                        self.params.bands,
                    ):
                        raise TraceIndexError(
                            f"record for {rec.path} was fingerprinted with other parameters; "
                            "prepare records with the index's params"
                        )
                    row = cur.execute("SELECT id, path FROM documents WHERE sha256 = ?", (rec.sha256,)).fetchone()
                    if row:
                        dups.append(Duplicate(rec.path, int(row[0]), str(row[1])))
                        continue
                    cur.execute(
                        "INSERT INTO documents(path, sha256, words, shingles, text) VALUES (?, ?, ?, ?, ?)",
                        (rec.path, rec.sha256, rec.words, rec.shingles, rec.ztext),
                    )
                    doc_id = int(cur.lastrowid or 0)
                    added.append(doc_id)
                    if rec.signature:
                        sig_rows.append((doc_id, rec.signature))
                        band_rows.extend((key, doc_id) for key in rec.band_keys)
                # Sorted inserts touch each B-tree page once per batch instead of once per row.
                cur.executemany("INSERT INTO signatures(doc, sig) VALUES (?, ?)", sig_rows)
                band_rows.sort()
                cur.executemany("INSERT OR IGNORE INTO bands(key, doc) VALUES (?, ?)", band_rows)
        except sqlite3.DatabaseError as exc:
            raise self._guard("adding documents")(exc) from None
        return AddResult(tuple(added), tuple(dups), tuple(empty))

    # -- reading -------------------------------------------------------------------

    def candidates(self, keys: Sequence[int], limit: int = 100) -> list[tuple[int, int]]:
        """Documents sharing at least one band key, as (doc id, shared bands), most shared first."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        try:
            rows = self._conn.execute(
                f"SELECT doc, COUNT(*) AS n FROM bands WHERE key IN ({marks}) GROUP BY doc ORDER BY n DESC, doc LIMIT ?",
                (*keys, limit),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._guard("looking up candidates")(exc) from None
        return [(int(d), int(n)) for d, n in rows]

    def document(self, doc_id: int) -> StoredDocument:
        """The stored document with this id (TraceIndexError if there is none)."""
        try:
            row = self._conn.execute(
                "SELECT id, path, sha256, words, text FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._guard("reading a document")(exc) from None
        if row is None:
            raise TraceIndexError(f"no document {doc_id} in {self.path}")
        try:
            text = zlib.decompress(row[4]).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            raise TraceIndexError(f"document {doc_id} in {self.path} is corrupt; rebuild the index") from None
        return StoredDocument(int(row[0]), str(row[1]), bytes(row[2]).hex(), int(row[3]), text)

    def documents(self, doc_ids: Sequence[int]) -> dict[int, StoredDocument]:
        """Several stored documents by id, in one query (missing ids are left out)."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        try:
            rows = self._conn.execute(
                f"SELECT id, path, sha256, words, text FROM documents WHERE id IN ({marks})", tuple(doc_ids)
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._guard("reading documents")(exc) from None
        out: dict[int, StoredDocument] = {}
        for row in rows:
            try:
                text = zlib.decompress(row[4]).decode("utf-8")
            except (zlib.error, UnicodeDecodeError):
                raise TraceIndexError(f"document {row[0]} in {self.path} is corrupt; rebuild the index") from None
            out[int(row[0])] = StoredDocument(int(row[0]), str(row[1]), bytes(row[2]).hex(), int(row[3]), text)
        return out

    def signatures(self, doc_ids: Sequence[int]) -> dict[int, bytes]:
        """Signature bytes of these documents (documents without anchors have none)."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        try:
            rows = self._conn.execute(f"SELECT doc, sig FROM signatures WHERE doc IN ({marks})", tuple(doc_ids))
            return {int(d): bytes(s) for d, s in rows}
        except sqlite3.DatabaseError as exc:
            raise self._guard("reading signatures")(exc) from None

    def iter_documents(self) -> Iterator[StoredDocument]:
        """Every document, in id order."""
        last = 0
        while True:
            try:
                ids = [
                    int(r[0])
                    for r in self._conn.execute("SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT 500", (last,))
                ]
            except sqlite3.DatabaseError as exc:
                raise self._guard("listing documents")(exc) from None
            if not ids:
                return
            for i in ids:
                yield self.document(i)
            last = ids[-1]

    def ids_by_sha256(self) -> dict[bytes, int]:
        """Every document's id keyed by the SHA-256 digest of its text."""
        try:
            rows = self._conn.execute("SELECT id, sha256 FROM documents").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._guard("listing documents")(exc) from None
        return {bytes(s): int(i) for i, s in rows}

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the index file (so its size on disk is the index's)."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise self._guard("checkpointing")(exc) from None

    def __len__(self) -> int:
        try:
            return int(self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise self._guard("counting documents")(exc) from None

    def stats(self) -> IndexStats:
        """Counts, file size and parameters."""
        try:
            docs, words = self._conn.execute("SELECT COUNT(*), COALESCE(SUM(words), 0) FROM documents").fetchone()
            bands = self._conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self._guard("reading statistics")(exc) from None
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return IndexStats(str(self.path), int(docs), int(words), int(bands), size, self.params, FORMAT_VERSION)
