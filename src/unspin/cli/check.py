"""`unspin check` and `unspin restore`: the main job, over files or stdin."""

from __future__ import annotations

import json
import sys
import time

import click

from ..config import Config
from ..readers import MAX_INPUT_BYTES, read_input_text
from ..results import RISK_LEVELS, Report, Restoration

__all__ = ["MAX_INPUT_BYTES", "check", "read_input", "restore"]


def read_input(path: str) -> str:
    """The text to check in FILE or '-' (stdin): .pdf, .docx and .html by format, else UTF-8 text.

    One reader for every command (:mod:`unspin.readers`): the size limit and decoding checks
    live there.
    """
    from ..lexicon import known_word

    return read_input_text(path, known_word)


def _config(fast: bool, model: str | None, threshold: float | None, max_words: int | None, pairs: str | None,
            channel: str | None = None) -> Config:
    kw: dict = {"mode": "fast" if fast else "deep"}
    if model:
        kw["model"] = model
    if threshold is not None:
        kw["flag_threshold"] = threshold
    if max_words is not None:
        kw["max_words"] = max_words
    if pairs:
        from ..lexicon import read_user_pairs

        kw["user_pairs"] = read_user_pairs(pairs)
    if channel:
        from ..learn.dictionary import read_channel

        kw["channel"] = read_channel(channel)
    return Config(**kw)


_common = [
    click.option("--fast", is_flag=True, help="No neural model: n-gram statistics only (20x+ faster)."),
    click.option("--model", metavar="NAME|PATH", help="Language model: a registered name or a GGUF file."),
    click.option("--threshold", type=float, help="Flag spans whose spin probability is at least this (0-1)."),
    click.option("--max-words", type=int, help="Check at most this many words (the rest is reported as unchecked)."),
    click.option("--pairs", metavar="TSV", help="Your own list of 'spun<TAB>original' pairs to add to the lexicon."),
    click.option("--channel", metavar="TSV", help="A spinner dictionary learned by `unspin learn`: its swaps become candidates with their learned confidence (the LM still decides)."),
]


def _with_common(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


def _paint(report: Report, color: bool) -> str:
    out = []
    pos = 0
    text = report.text
    for f in report.findings:
        out.append(text[pos : f.start])
        best = f.replacements[0].value if f.replacements else "?"
        span = f"[{text[f.start:f.end]} -> {best}]"
        out.append(click.style(span, fg="red", bold=True) if color else span)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def render_report(report: Report, color: bool) -> str:
    lines = [
        f"spin score {report.score:.2f}  risk: {report.risk}  "
        f"({report.flagged} of {report.words} words flagged; mode {report.mode}, model {report.model}, data {report.data_version})"
    ]
    if report.incomplete:
        lines.append(f"INCOMPLETE: {report.reason}")
    if report.mode == "fast":
        lines.append(
            "fast mode: the score comes from document-level screening statistics; only spans with "
            "strong evidence are listed. Run without --fast to find and restore spans."
        )
    for f in report.findings:
        reps = ", ".join(f"{r.value} ({r.confidence:.2f})" for r in f.replacements[:3])
        lines.append(f"  {f.start}-{f.end}  {f.text!r} -> {reps}   confidence {f.confidence:.2f}")
    lines.append("")
    lines.append(_paint(report, color))
    return "\n".join(lines)


@click.command()
@click.argument("file", default="-")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(RISK_LEVELS[1:]),
    help="Exit with status 1 when the risk is at least this level.",
)
@_with_common
def check(file: str, fmt: str, fail_on: str | None, fast: bool, model, threshold, max_words, pairs, channel=None) -> None:
    """Find spun words and phrases in FILE ('-' for stdin) and score the document."""
    from ..api import check as check_text
    from ..serialize import report_to_json

    from .progress import terminal_progress

    text = read_input(file)
    bar = terminal_progress()
    t0 = time.monotonic()
    try:
        report = check_text(text, _config(fast, model, threshold, max_words, pairs, channel), progress=bar)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.monotonic() - t0
    if fmt == "json":
        click.echo(json.dumps(report_to_json(report, elapsed=elapsed), ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(report, color=sys.stdout.isatty()))
    if fail_on and RISK_LEVELS.index(report.risk) >= RISK_LEVELS.index(fail_on):
        sys.exit(1)


def _word_diff(r: Restoration, color: bool) -> str:
    out = []
    pos = 0
    for e in sorted(r.edits, key=lambda e: e.start):
        out.append(r.input[pos : e.start])
        old = f"[-{e.old}-]"
        new = f"{{+{e.new}+}}"
        if color:
            old, new = click.style(old, fg="red"), click.style(new, fg="green")
        out.append(old + new)
        pos = e.end
    out.append(r.input[pos:])
    return "".join(out)


@click.command()
@click.argument("file", default="-")
@click.option("--diff", is_flag=True, help="Show a word diff ([-spun-]{+original+}) instead of the restored text.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--index", "index_path", metavar="INDEX", help="A trace index: restore from the matched source where found.")
@_with_common
def restore(file: str, diff: bool, fmt: str, index_path: str | None, fast: bool, model, threshold, max_words, pairs, channel=None) -> None:
    """Print FILE ('-' for stdin) with spun wording restored to the most likely original."""
    from ..serialize import restoration_to_json

    from .progress import terminal_progress

    text = read_input(file)
    config = _config(fast, model, threshold, max_words, pairs, channel)
    t0 = time.monotonic()
    if index_path:
        from ..api import restore_from_index

        result = restore_from_index(text, index_path, config)
    else:
        from ..api import restore_and_explain

        bar = terminal_progress()
        try:
            result = restore_and_explain(text, config, progress=bar)
        finally:
            if bar is not None:
                bar.close()
    elapsed = time.monotonic() - t0
    if fmt == "json":
        click.echo(json.dumps(restoration_to_json(result, elapsed=elapsed), ensure_ascii=False, indent=2))
    elif diff:
        click.echo(_word_diff(result, color=sys.stdout.isatty()))
    else:
        click.echo(result.text, nl=not result.text.endswith("\n"))
    if result.report.incomplete:
        click.echo(f"unspin: warning: {result.report.reason}", err=True)
    if index_path and fmt != "json":
        src = result.extra.get("source")
        if src:
            click.echo(f"unspin: restored from source {src.get('docId')} ({src.get('path')}), score {src.get('score'):.2f}", err=True)
        else:
            click.echo("unspin: no source found in the index; restored by the language model", err=True)


def register(main: click.Group) -> None:
    main.add_command(check)
    main.add_command(restore)
