"""``unspin screen``: check many documents (PDF, Word, HTML, text) into a resumable JSONL file."""

from __future__ import annotations

import click


def _options(deep: bool, top: int, fingerprints: str | None, allow: str | None, channel: str | None,
             max_words: int | None, max_pages: int, timeout: float):
    from ..readers import ReadLimits, read_allow, read_fingerprints
    from ..screening.document import ScreenOptions

    lists: list[tuple[str, str]] = []
    fp = None
    if fingerprints:
        fp = read_fingerprints(fingerprints)
        lists.append(("fingerprints", fp.sha256))
    allowed: tuple[str, ...] = ()
    if allow:
        allowed, sha = read_allow(allow)
        lists.append(("allow", sha))
    learned: tuple[tuple[str, str, float], ...] = ()
    if channel:
        import hashlib

        from ..readers import read_bytes

        try:
            from ..learn.dictionary import read_channel
        except ImportError as exc:
            from ..errors import ConfigError

            raise ConfigError(f"--channel needs the learn module, which failed to import ({exc})") from None
        learned = read_channel(channel)
        lists.append(("channel", hashlib.sha256(read_bytes(channel)).hexdigest()))
    limits = ReadLimits(max_pages=max_pages, max_seconds=max(1.0, min(timeout, ReadLimits().max_seconds)))
    return ScreenOptions(
        mode="deep" if deep else "fast", top=top, fingerprints=fp, allow=allowed, channel=learned,
        limits=limits, max_words=max_words, lists=tuple(lists),
    )


@click.command("screen")
@click.argument("inputs", nargs=-1, required=True, metavar="DIR|FILE...")
@click.option("--out", "out", required=True, metavar="JSONL", help="Results file (one JSON line per document); a re-run resumes it.")
@click.option("--csv", "csv_path", metavar="FILE", help="Also write a CSV summary, one line per document, ranked.")
@click.option("--html", "html_path", metavar="FILE", help="Also write a self-contained HTML report, most suspicious first.")
@click.option("--deep", is_flag=True, help="Use the language model (slow, accurate) instead of fast screening.")
@click.option("--fingerprints", metavar="FILE", help="Known tortured phrases: 'tortured<TAB>expected' TSV or the Problematic Paper Screener CSV.")
@click.option("--allow", metavar="FILE", help="Phrases normal in your field, one per line: never reported.")
@click.option("--channel", metavar="FILE", help="A learned spinner dictionary (from `unspin learn`) applied to every document.")
@click.option("--jobs", "-j", default=1, show_default=True, type=int, help="Local worker processes (0: screen in this process, no hard limits).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Run on this Dask scheduler ('local' starts a LocalCluster of --jobs workers).")
@click.option("--timeout", default=300.0, show_default=True, type=float, help="Seconds per document before it is stopped (an error row).")
@click.option("--max-memory", "max_memory", default=2048, show_default=True, type=int, help="MB a worker may grow by on one document before it is stopped.")
@click.option("--max-pages", default=2000, show_default=True, type=int, help="Pages read per PDF; the rest is reported as unread.")
@click.option("--max-words", type=int, help="Words checked per document (default: the mode's limit).")
@click.option("--top", default=10, show_default=True, type=int, help="Findings kept per document, most confident first.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line on stderr.")
def screen_command(inputs, out, csv_path, html_path, deep, fingerprints, allow, channel, jobs, scheduler,
                   timeout, max_memory, max_pages, max_words, top, quiet) -> None:
    """Check every document in DIR|FILE... (.pdf .docx .html .md .txt) and write one JSON line each to --out.

    Finished documents (same path, same sha256) already in --out are skipped, so an
    interrupted run continues where it stopped. Unreadable, encrypted or damaged files
    become rows with an "error" field; the batch goes on.
    """
    from ..errors import ConfigError
    from ..screening.report import write_reports
    from ..screening.run import screen_paths

    for name, value, low in (("--top", top, 1), ("--max-pages", max_pages, 1), ("--max-memory", max_memory, 1)):
        if value < low:
            raise ConfigError(f"{name} must be at least {low}, got {value}")
    options = _options(deep, top, fingerprints, allow, channel, max_words, max_pages, timeout)
    summary = screen_paths(
        inputs, out, options, jobs=jobs, scheduler=scheduler, timeout=timeout, memory_mb=max_memory, progress=not quiet,
        exclude=[csv_path, html_path],
    )
    rows = write_reports(out, csv_path, html_path) if (csv_path or html_path) else None
    risks = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_risk.items()))
    parts = [f"{summary.files} files", f"{summary.screened} screened", f"{summary.skipped} already done"]
    if summary.errors:
        parts.append(f"{summary.errors} error" + ("" if summary.errors == 1 else "s"))
    if summary.repaired_bytes:
        parts.append(f"repaired a partial last line ({summary.repaired_bytes} bytes)")
    click.echo(f"unspin screen: {', '.join(parts)}" + (f" ({risks})" if risks else "") + f"; results in {out}", err=True)
    if rows is not None:
        click.echo(f"unspin screen: reports for {len(rows)} documents: {', '.join(p for p in (csv_path, html_path) if p)}", err=True)


def register(main: click.Group) -> None:
    """Add ``screen`` to the ``unspin`` command group."""
    main.add_command(screen_command)
