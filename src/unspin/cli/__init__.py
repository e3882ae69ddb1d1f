"""The command line: a thin click layer over the library.

Each command group lives in its own module; this one only assembles them and turns
library errors into one line on stderr.

Exit codes: 0 fine; 1 spin found at or above ``--fail-on``; 2 usage or input error.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import UnspinError


class _Group(click.Group):
    def main(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        """Run the CLI; usage errors become one line on stderr and exit code 2."""
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)  # type: ignore[arg-type]
        except click.UsageError as exc:
            hint = f" (see 'unspin {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else " (see 'unspin --help')"
            click.echo(f"unspin: error: {exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"unspin: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("unspin: aborted", err=True)
            sys.exit(130)
        if isinstance(rv, int):
            sys.exit(rv)
        sys.exit(0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UnspinError as exc:
            click.echo(f"unspin: error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("unspin: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unspin")
def main() -> None:
    """Find the words an article spinner swapped, restore the original, trace the source."""


# Command modules, one per command group. A module that is not there yet is skipped; a module
# that is there but fails to import is an error (a silent skip would hide a broken command).
COMMANDS = ("check", "spin", "bench", "trace", "learn", "screen", "serve")


def _register() -> None:
    import importlib.util

    for name in COMMANDS:
        qualified = f"{__name__}.{name}"
        if importlib.util.find_spec(qualified) is None:
            continue
        module = importlib.import_module(qualified)
        module.register(main)


_register()
