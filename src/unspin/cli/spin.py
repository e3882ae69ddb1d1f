"""``unspin spin``: make labelled test data with a named spinner profile."""

from __future__ import annotations

import click


@click.command("spin")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True), default="-", required=False)
@click.option("--profile", "-p", default="synonymizer", show_default=True, help="Spinner profile (see --list).")
@click.option(
    "--rate",
    "-r",
    default=None,
    type=float,
    help="Substitution rate in [0, 1]; default: the profile's own (about 18% of all words spun, see --list).",
)
@click.option("--seed", "-s", default=0, show_default=True, type=int, help="Random seed; same seed, same output.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: the spun text; jsonl: one record with spun, original and gold edits (code points into spun).",
)
@click.option("--list", "list_profiles", is_flag=True, help="List the spinner profiles and exit.")
def spin_command(file: str, profile: str, rate: float | None, seed: int, fmt: str, list_profiles: bool) -> None:
    """Spin FILE (or - for stdin) and print the spun text or a JSONL record with its gold alignment."""
    from ..spinner import PROFILES, TRANSFER_PROFILES, spin
    from ..readers import read_text_file

    if list_profiles:
        for p in [*PROFILES.values(), *TRANSFER_PROFILES.values()]:
            click.echo(f"{p.name}\t{p.version}\t{p.role}\trate={p.default_rate}\t{p.summary}")
        return
    text = read_text_file(file, allow_empty=True)  # one reader: size limit and decoding checks
    result = spin(text, profile=profile, rate=rate, seed=seed)
    if fmt == "jsonl":
        click.echo(result.to_jsonl())
    else:
        click.echo(result.spun, nl=not result.spun.endswith("\n"))


def register(main: click.Group) -> None:
    """Add ``spin`` to the ``unspin`` command group."""
    main.add_command(spin_command)
