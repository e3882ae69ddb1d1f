"""Source tracing: fingerprints, the SQLite index, search, and source-aided restoration."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from unspin.errors import IndexError_, InputError, UnspinError
from unspin.results import apply_edits
from unspin.trace import (
    DEFAULT_THRESHOLD,
    FingerprintParams,
    TraceIndex,
    fingerprint,
    restore_from_source,
    search,
    skeleton,
    trace_and_restore,
)

# Short original paragraphs written for these tests.
ORIGINALS = [
    "The city council voted on Tuesday to close the old bridge over the river, which was built in 1932. "
    "Engineers had warned for years that its steel supports were failing, and repairs would cost more "
    "than a new crossing.",
    "Our garden club meets on the first Saturday of every month in the library basement. Members bring "
    "seeds, cuttings and questions, and the oldest member, Margaret Hale, usually answers all of them.",
    "The museum will open a new exhibit of early photographs next spring. Most of the pictures were taken "
    "by traveling portrait makers who carried heavy cameras from town to town across the valley.",
    "Doctors say that regular walking lowers the risk of heart disease and improves sleep. A study of "
    "4,000 adults found that those who walked every day were less likely to need hospital care.",
    "The company reported higher profits in the third quarter, mostly because of strong sales abroad. "
    "Its chief executive said the firm would hire about 300 workers at the plant in Dayton.",
    "When the storm reached the coast, thousands of families left their homes and drove inland. Schools "
    "were turned into shelters, and volunteers cooked hot meals for anyone who needed one.",
    "The library has started lending tools as well as books. Residents can borrow a ladder, a drill or a "
    "sewing machine for a week, and the program has become popular with young couples.",
    "Farmers in the northern counties expect a poor harvest this year after a long dry summer. Many of "
    "them have sold part of their cattle because the price of hay has doubled since June.",
    "The orchestra played a program of old folk songs arranged for strings and brass. The audience stood "
    "and cheered for several minutes when the conductor, Paul Becker, finally put down his baton.",
    "A small bakery on Main Street has won a national prize for its rye bread. The owner learned the "
    "recipe from her grandmother and still bakes every loaf by hand before dawn.",
]


def _spin(text: str, seed: int) -> str:
    from unspin.spinner import spin

    # The thesaurus rewriter at the trace benchmark's setting (unspin.bench.trace.SPIN_PROFILE).
    return spin(text, profile="synonymizer", rate=0.3, seed=seed).spun


def _filler(i: int) -> str:
    return (
        f"Report {i} of the survey counted {i * 7 + 3} houses near the harbor and {i * 3 + 1} shops. "
        f"The team of {i % 9 + 2} students checked each building twice during week {i % 50 + 1}."
    )


@pytest.fixture()
def index_path(tmp_path: Path) -> Path:
    path = tmp_path / "sources.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(f"orig/{i:02d}.txt", t) for i, t in enumerate(ORIGINALS)])
    return path


# -- fingerprints -------------------------------------------------------------------


def test_skeleton_ignores_synonym_swaps_and_keeps_anchors() -> None:
    a = "The jury said on Friday that the election was conducted in 1962 by Mayor Hartsfield."
    b = "The panel stated on Friday that the ballot was managed in 1962 by Mayor Hartsfield."
    assert skeleton(a) == skeleton(b)
    assert "hartsfield" in skeleton(a) and "1962" in skeleton(a)
    assert fingerprint(a).signature == fingerprint(b).signature


def test_skeleton_collapses_phrase_for_word_and_reads_number_words() -> None:
    assert skeleton("He bought three apples.") == skeleton("He purchased 3 red apples.")


def test_fingerprint_differs_for_unrelated_text() -> None:
    a = fingerprint(ORIGINALS[0])
    b = fingerprint(ORIGINALS[1])
    assert a.signature != b.signature
    assert len(a.signature) == 4 * FingerprintParams().num_perm
    assert len(a.band_keys) == FingerprintParams().bands


def test_spun_text_keeps_most_of_its_fingerprint() -> None:
    import numpy as np

    from unspin.trace.fingerprint import signature_array

    for seed, text in enumerate(ORIGINALS):
        a = signature_array(fingerprint(text).signature)
        b = signature_array(fingerprint(_spin(text, seed)).signature)
        other = signature_array(fingerprint(ORIGINALS[(seed + 1) % len(ORIGINALS)]).signature)
        assert np.mean(a == b) > np.mean(a == other)


def test_params_validated() -> None:
    with pytest.raises(UnspinError):
        FingerprintParams(num_perm=64, bands=10, rows=2)


# -- index --------------------------------------------------------------------------


def test_index_round_trip(index_path: Path) -> None:
    with TraceIndex(index_path) as ix:
        st = ix.stats()
        assert st.documents == len(ORIGINALS)
        assert st.band_rows > 0
        docs = list(ix.iter_documents())
    assert [d.text for d in docs] == ORIGINALS
    assert docs[3].path == "orig/03.txt"


def test_duplicates_are_skipped_and_reported(index_path: Path, tmp_path: Path) -> None:
    f = tmp_path / "copy.txt"
    f.write_text(ORIGINALS[2], encoding="utf-8")
    with TraceIndex(index_path) as ix:
        res = ix.add([f, ("again", ORIGINALS[4]), ("new", "A brand new text about the river and the bridge.")])
        assert len(res.added) == 1
        assert [d.path for d in res.duplicates] == [str(f), "again"]
        assert res.duplicates[0].existing_path == "orig/02.txt"
        assert len(ix) == len(ORIGINALS) + 1


def test_other_parameters_are_refused(index_path: Path) -> None:
    with pytest.raises(IndexError_, match="other parameters.*k=4"):
        TraceIndex(index_path, FingerprintParams(k=5))
    with TraceIndex(index_path, FingerprintParams()) as ix:  # the same parameters are fine
        assert len(ix) == len(ORIGINALS)


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="no index at"):
        TraceIndex(tmp_path / "nope.db")


@pytest.mark.parametrize(
    "content",
    [b"", b"this is just a text file\n", os.urandom(4096), b"SQLite format 3\x00" + os.urandom(4000)],
    ids=["empty", "text", "random", "fake-header"],
)
def test_foreign_or_corrupt_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(IndexError_):
        with TraceIndex(path) as ix:
            search(ix, ORIGINALS[0])
    assert path.read_bytes() == content  # refused without being touched


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE people(name TEXT)")
    with pytest.raises(IndexError_, match="not an unspin trace index"):
        TraceIndex(path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    with pytest.raises(IndexError_, match="not an unspin trace index"):
        TraceIndex(path)


def test_damaged_index_raises_index_error_not_sqlite_error(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(f"f{i}", _filler(i)) for i in range(400)] + [("orig", ORIGINALS[0])])
    data = bytearray(path.read_bytes())
    assert not Path(f"{path}-wal").exists()  # the last connection checkpointed
    mid = len(data) // 2
    data[mid : mid + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data[: len(data) - 4096]))
    with pytest.raises(IndexError_):
        with TraceIndex(path) as ix:
            search(ix, _spin(ORIGINALS[0], 1))
            ix.stats()
            list(ix.iter_documents())


def test_empty_index_returns_no_match(tmp_path: Path) -> None:
    with TraceIndex(tmp_path / "empty.db", create=True) as ix:
        assert search(ix, ORIGINALS[0]) == ()
        assert ix.stats().documents == 0


def test_empty_query_is_an_input_error(index_path: Path) -> None:
    with TraceIndex(index_path) as ix, pytest.raises(InputError):
        search(ix, "   ")


# -- search -------------------------------------------------------------------------


@pytest.fixture()
def big_index(tmp_path: Path) -> Path:
    path = tmp_path / "big.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(f"orig/{i:02d}.txt", t) for i, t in enumerate(ORIGINALS)])
        ix.add([(f"filler/{i}", _filler(i)) for i in range(300)])
    return path


def test_spun_text_is_traced_to_its_source(big_index: Path) -> None:
    with TraceIndex(big_index) as ix:
        for i, text in enumerate(ORIGINALS):
            spun = _spin(text, 100 + i)
            assert spun != text
            matches = search(ix, spun, top=3)
            assert matches, spun
            assert matches[0].path == f"orig/{i:02d}.txt"
            assert matches[0].score >= DEFAULT_THRESHOLD
            assert matches[0].passages
            p = matches[0].passages[0]
            assert spun[p.query_start : p.query_end] == p.query_text
            assert text[p.source_start : p.source_end] == p.source_text


def test_unrelated_and_foreign_queries_return_nothing(big_index: Path) -> None:
    unrelated = [
        "The history of the printing press shows how quickly new ideas can spread once copies are cheap.",
        "She packed her bags, locked the door and walked to the station without looking back at the house.",
        "Volcanoes release gases from deep inside the earth, and some eruptions change the weather for years.",
    ]
    foreign = [
        "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss zu schließen.",
        "Le conseil municipal a voté mardi la fermeture du vieux pont sur la rivière, construit en 1932.",
    ]
    with TraceIndex(big_index) as ix:
        for q in unrelated + foreign:
            assert search(ix, q) == (), q


def test_excerpt_of_a_long_source_is_found(tmp_path: Path) -> None:
    long_source = " ".join(ORIGINALS)
    path = tmp_path / "long.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([("long", long_source)] + [(f"filler/{i}", _filler(i)) for i in range(50)])
        spun = _spin(" ".join(ORIGINALS[3:6]), 5)
        matches = search(ix, spun)
    assert matches and matches[0].path == "long"


# -- restoration --------------------------------------------------------------------


def test_restore_from_source_reproduces_the_source() -> None:
    for i, text in enumerate(ORIGINALS):
        spun = _spin(text, 200 + i)
        edits = restore_from_source(spun, text, doc_id=7)
        assert apply_edits(spun, edits) == text
        assert all(e.source == "source:7" and e.old != e.new for e in edits)
        assert all(spun[e.start : e.end] == e.old for e in edits)


def test_restore_leaves_unaligned_sentences_alone() -> None:
    text = ORIGINALS[0]
    extra = " Meanwhile, my cousin repaints her kitchen cupboards a cheerful yellow every spring."
    spun = _spin(text, 3) + extra
    restored = apply_edits(spun, restore_from_source(spun, text))
    assert restored == text + extra


def test_restore_identical_text_makes_no_edits() -> None:
    assert restore_from_source(ORIGINALS[1], ORIGINALS[1]) == ()


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.sampled_from("the a of river bridge old new , . built in 1932 was and".split()), min_size=1, max_size=30),
    hs.lists(hs.sampled_from("the a of stream span ancient fresh , . made in 1932 was and".split()), min_size=1, max_size=30),
)
def test_restore_edits_always_apply(a: list[str], b: list[str]) -> None:
    spun, source = " ".join(a), " ".join(b)
    edits = restore_from_source(spun, source)
    out = apply_edits(spun, edits)  # never overlapping, always matching the text
    assert isinstance(out, str)


def test_trace_and_restore_end_to_end(big_index: Path) -> None:
    spun = _spin(ORIGINALS[8], 42)
    match, edits = trace_and_restore(spun, big_index)
    assert match is not None and match.path == "orig/08.txt"
    assert apply_edits(spun, edits) == ORIGINALS[8]
    assert all(e.source == f"source:{match.doc_id}" for e in edits)
    none, no_edits = trace_and_restore("Ein ganz anderer Text ohne jede Quelle in diesem Index.", big_index)
    assert none is None and no_edits == ()


# -- robustness: interrupted builds and concurrent readers --------------------------

_WRITER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from unspin.trace import TraceIndex
    path, mode = sys.argv[1], sys.argv[2]
    items = [(f"f{i}", f"Report {i} of the survey counted {i * 7 + 3} houses near the harbor. "
                       f"The team checked each building twice during week {i}.") for i in range(200)]
    batches = 0
    def progress(n):
        global batches
        batches += 1
        if mode == "kill" and batches == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "handshake":
            Path(f"{path}.done{batches}").touch()
            while not Path(f"{path}.ack{batches}").exists():
                time.sleep(0.01)
    with TraceIndex(path, create=True) as ix:
        ix.add(items, batch_size=20, progress=progress)
    """
)


def test_killed_build_leaves_a_usable_index(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(path), "kill"], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    with TraceIndex(path) as ix:
        assert len(ix) == 60  # three whole batches, nothing half-written
        assert search(ix, "Report 12 of the survey counted 87 houses near the harbor. The team checked each "
                      "building twice during week 12.")[0].path == "f12"
        res = ix.add([(f"f{i}", _filler(i)) for i in range(3)] + [("f5-again", ix.document(6).text)])
        assert len(res.duplicates) == 1 and len(res.added) == 3


def test_reader_sees_whole_batches_while_a_writer_adds(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), "handshake"])
    try:
        seen = []
        for batch in range(1, 11):
            done = Path(f"{path}.done{batch}")
            while not done.exists():
                assert proc.poll() is None, "writer died"
                import time

                time.sleep(0.01)
            with TraceIndex(path) as ix:  # a reader, while the writer keeps its connection open
                seen.append(len(ix))
                assert search(ix, ix.document(1).text)[0].doc_id == 1
            Path(f"{path}.ack{batch}").touch()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
    assert seen == [20 * b for b in range(1, 11)]


def test_reader_is_not_blocked_by_an_open_write_transaction(index_path: Path) -> None:
    with TraceIndex(index_path) as writer, TraceIndex(index_path, timeout=1.0) as reader:
        writer._conn.execute("BEGIN IMMEDIATE")
        writer._conn.execute("INSERT INTO meta(key, value) VALUES ('note', 'pending')")
        try:
            spun = _spin(ORIGINALS[1], 9)
            assert search(reader, spun)[0].path == "orig/01.txt"
            assert len(reader) == len(ORIGINALS)
        finally:
            writer._conn.execute("ROLLBACK")


def test_query_spun_from_several_sources_finds_each(big_index: Path) -> None:
    parts = [ORIGINALS[0], ORIGINALS[4], ORIGINALS[7]]
    spun = " ".join(_spin(t, 50 + i) for i, t in enumerate(parts))
    with TraceIndex(big_index) as ix:
        found = {m.path for m in search(ix, spun, top=5)}
    assert {"orig/00.txt", "orig/04.txt", "orig/07.txt"} <= found
    match, edits = trace_and_restore(spun, big_index, top=3)
    assert match is not None
    assert apply_edits(spun, edits) == " ".join(parts)


def test_unreadable_files_are_skipped_and_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ORIGINALS[0], encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01binary")
    with TraceIndex(tmp_path / "i.db", create=True) as ix:
        res = ix.add([bad, good])
        assert len(res.added) == 1 and [p for p, _ in res.unreadable] == [str(bad)]
        with pytest.raises(InputError):
            ix.add([3.14])  # type: ignore[list-item]
