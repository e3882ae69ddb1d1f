"""``unspin bench``: spin clean documents, run the engine and baselines, report the metrics."""

from __future__ import annotations

import json

import click


@click.command("bench")
@click.option("--profile", "-p", "profiles", multiple=True, help="Spinner profile(s); default: all.")
@click.option("--docs", "-n", default=50, show_default=True, type=int, help="Documents to spin (spread over the split).")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(["fast", "deep"]),
    help="Engine mode(s), repeatable (--mode fast --mode deep); default: fast.",
)
@click.option("--rate", "-r", default=0.3, show_default=True, type=float, help="Substitution rate in [0, 1].")
@click.option("--seed", "-s", default=0, show_default=True, type=int, help="Spinner seed.")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--corpus", type=click.Path(dir_okay=False), help="Corpus file (.jsonl[.gz] with text, or plain text) instead of a split.")
@click.option("--phrase-list", type=click.Path(dir_okay=False), help="tortured<TAB>expected list for the phrase-list baseline.")
@click.option("--no-engine", is_flag=True, help="Run the baselines only.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def bench_command(
    profiles: tuple[str, ...],
    docs: int,
    modes: tuple[str, ...],
    rate: float,
    seed: int,
    split: str,
    corpus: str | None,
    phrase_list: str | None,
    no_engine: bool,
    as_json: bool,
) -> None:
    """Benchmark unspin against spun text with exact gold alignments.

    Reports per profile and system: span detection P/R/F1, exact restoration of gold spans,
    false changes per 1,000 words of unspun text, ROC AUC of the document score (spun vs clean),
    words per second and peak memory. Baselines: "change nothing" and "phrase list".
    """
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


def register(main: click.Group) -> None:
    """Add ``bench`` to the ``unspin`` command group."""
    main.add_command(bench_command)
