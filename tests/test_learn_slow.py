"""`unspin learn` on a real Dask LocalCluster and with the real language model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin import Config
from unspin.learn import learn, read_dictionary
from unspin.learn.evidence import EvidenceCache


TEXTS = [
    "The sufferers purchased numerous apples in line with the plan of the county.",
    "Numerous sufferers said the doctors purchased new beds in line with the rules.",
    "In line with the report, numerous farmers purchased land near the river last year.",
    "The company purchased numerous trucks, in line with its promise to the sufferers.",
    "Numerous teachers purchased books in line with the new school programme this spring.",
    "She purchased numerous gifts for the sufferers in line with the family custom.",
]


def _folder(tmp_path: Path, texts: list[str]) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i, t in enumerate(texts):
        (folder / f"d{i}.txt").write_text(t, encoding="utf-8")
    return folder


@pytest.mark.dask
def test_dask_local_cluster_computes_what_the_local_run_computes(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    folder = _folder(tmp_path, TEXTS)
    cfg = Config(mode="fast")
    local = learn([folder], config=cfg, cache_path=tmp_path / "local.jsonl")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as cluster:
        remote = learn([folder], config=cfg, cache_path=tmp_path / "dask.jsonl", scheduler=cluster.scheduler_address)
    assert remote.computed == len(TEXTS)
    assert remote.fit.swaps == local.fit.swaps
    a = EvidenceCache(tmp_path / "local.jsonl", local.key)
    b = EvidenceCache(tmp_path / "dask.jsonl", remote.key)
    assert {s: a.get(s) for s in map(lambda it: it.sha256, local.used)} == {s: b.get(s) for s in map(lambda it: it.sha256, remote.used)}


@pytest.mark.dask
def test_cli_scheduler_option_on_a_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from click.testing import CliRunner

    from unspin.cli import main

    folder = _folder(tmp_path, TEXTS[:3])
    out = tmp_path / "s.tsv"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as cluster:
        r = CliRunner().invoke(main, ["learn", str(folder), "--out", str(out), "--fast",
                                      "--scheduler", cluster.scheduler_address], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert len(read_dictionary(out).sources) == 3
    r = CliRunner().invoke(main, ["learn", str(folder), "--out", str(out), "--fast", "--cache", str(tmp_path / "c.jsonl"),
                                  "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.stderr


@pytest.mark.neural
def test_small_real_deep_run_and_channel(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from unspin.engine.pipeline import score

    cfg = Config(n_threads=1)
    folder = _folder(tmp_path, TEXTS[:2])
    run = learn([folder], config=cfg, cache_path=tmp_path / "deep.jsonl")
    assert run.computed == 2 and run.key.startswith("deep-")
    ev = EvidenceCache(tmp_path / "deep.jsonl", run.key)
    slots = [s for it in run.used for s in ev.get(it.sha256).slots]
    assert slots and all(abs(m) < 1e6 for s in slots for _c, m, _p in s.cands)
    # Spun wording: the LM prefers some candidate original to the text somewhere, and not everywhere.
    margins = [m for s in slots for _c, m, _p in s.cands]
    assert any(m > 0 for m in margins) and any(m < 0 for m in margins)
    # A learned channel entry becomes a candidate the LM scores in context.
    scored = score("The zorbly children played in the park.", Config(n_threads=1, channel=(("zorbly", "happy", 0.9),)))
    hits = [x for seg in scored.segments for x in seg if x.slot.text == "zorbly"]
    assert hits and hits[0].slot.candidates[0].text == "happy" and hits[0].slot.candidates[0].channel == 0.9
    # The slot is priced by the LM (which candidates get rescored is the deep scorer's choice).
    assert any(c > -1e8 for c in hits[0].cands)


def _symbols_text() -> str:
    """Text dense in symbols (a table of punctuation runs): 52 words, about 2,300 model tokens."""
    prose = "The sufferers purchased numerous apples in line with the plan of the county"
    blob = "|=#=|~~*~~|<->|::|//|##|%%|^^|&&|=#=|~~*~~|;;|@@|<=>|$$|!=|++|&&|=#=|"
    return " ".join(f"{w} {blob}" for _ in range(4) for w in prose.split()) + "."


@pytest.mark.neural
def test_batch_with_a_symbol_dense_document_and_a_failing_one_finishes(tmp_path: Path) -> None:
    """Issue 16: a word-count segment of symbols overflows the model's context (the v1 run
    stopped with "segment of 2759 tokens exceeds the context window"); it is now scored in
    token-bounded passes. A document that does fail (a lone surrogate: the model's UTF-8
    tokenizer cannot encode it) is skipped with its reason and the run finishes."""
    pytest.importorskip("llama_cpp")
    from unspin.engine.lm import load_model
    from unspin.learn.evidence import text_sha256
    from unspin.learn.run import BatchItem
    from unspin.text import tokenize

    cfg = Config(n_threads=1)
    symbols = _symbols_text()
    doc = tokenize(symbols)
    assert doc.word_count < cfg.segment_words  # one word-count segment ...
    lm = load_model(cfg.model, 1)
    assert len(lm.tokenize(symbols)) > lm.max_pass_tokens  # ... that overflows one pass
    bad = "The sufferers purchased numerous \ud800 apples in line with the plan of the county."
    items = [
        BatchItem("prose.txt", text_sha256(TEXTS[0]), TEXTS[0], 13),
        BatchItem("symbols.txt", text_sha256(symbols), symbols, doc.word_count),
        BatchItem("bad.txt", "0" * 64, bad, 14),
    ]
    logged: list[str] = []
    run = learn(items=items, config=cfg, cache_path=tmp_path / "c.jsonl", log=logged.append)
    assert [it.name for it in run.used] == ["prose.txt", "symbols.txt"]
    assert [name for name, _ in run.failed] == ["bad.txt"] and "UnicodeEncodeError" in run.failed[0][1]
    assert any(m.startswith("skipped bad.txt: ") for m in logged)
    ev = EvidenceCache(tmp_path / "c.jsonl", run.key).get(text_sha256(symbols))
    assert ev is not None and len(ev.slots) >= 20  # the slots of both halves were scored
    assert {s.text for s in ev.slots} >= {"sufferers", "purchased", "numerous"}
