"""`unspin index add|stats` and `unspin trace`: build a source index, trace spun text to it."""

from __future__ import annotations

import json
import shutil
import textwrap

import click

from ..errors import InputError


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    """Wrap each span of ``text`` in [brackets] (the words that differ from the other side)."""
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(text[pos:a])
        out.append("[" + text[a:b] + "]")
        pos = b
    out.append(text[pos:])
    return "".join(out)


def side_by_side(left: str, right: str, width: int) -> str:
    """Two texts in two wrapped columns separated by ' | '."""
    col = max(20, (width - 3) // 2)
    a = textwrap.wrap(left, col) or [""]
    b = textwrap.wrap(right, col) or [""]
    rows = max(len(a), len(b))
    a += [""] * (rows - len(a))
    b += [""] * (rows - len(b))
    return "\n".join(f"{x:<{col}} | {y}" for x, y in zip(a, b))


def render_matches(matches: tuple, width: int | None = None) -> str:
    """The readable view: each source, then each aligned passage side by side, differences in []."""
    if not matches:
        return "no source found at the current threshold"
    width = width or min(160, shutil.get_terminal_size((120, 20)).columns)
    col = max(20, (width - 3) // 2)
    blocks = []
    for rank, m in enumerate(matches, 1):
        lines = [
            f"{rank}. {m.path}  (doc {m.doc_id})  score {m.score:.2f}  source coverage {m.source_coverage:.2f}  "
            f"aligned sentences {len(m.passages)}",
            f"{'spun text':<{col}} | source",
            "-" * col + "-+-" + "-" * col,
        ]
        for p in m.passages:
            # The differences come from the alignment search made; nothing is re-aligned here.
            qs, ss = list(p.query_diffs), list(p.source_diffs)
            lines.append(side_by_side(_mark(p.query_text, qs), _mark(p.source_text, ss), width))
            lines.append(f"{'':<{col}} |   ({p.similarity:.0%} aligned; source chars {p.source_start}-{p.source_end})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _software() -> dict:
    try:
        from ..serialize import software

        return software()
    except ImportError:  # pragma: no cover - the serialiser ships with the package
        from .. import __version__

        return {"name": "unspin", "version": __version__}


@click.group("index")
def index_group() -> None:
    """Build and inspect a trace index of original documents (one SQLite file)."""


@index_group.command("add")
@click.argument("index", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--pattern", default="*.txt", show_default=True, help="Files to take from folders.")
@click.option("--scheduler", metavar="ADDRESS", help="Fingerprint on this Dask scheduler (tcp://host:8786).")
@click.option("--dask", "use_dask", is_flag=True, help="Fingerprint on a local Dask cluster.")
@click.option("--workers", type=int, help="Worker processes for the local Dask cluster.")
@click.option("--k", type=int, help="Skeleton symbols per shingle (new index only).")
@click.option("--bands", type=int, help="LSH bands (new index only).")
@click.option("--rows", type=int, help="Rows per LSH band (new index only).")
@click.option("--seed", type=int, help="MinHash seed (new index only).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def index_add(index, paths, pattern, scheduler, use_dask, workers, k, bands, rows, seed, fmt) -> None:
    """Add FILES and the files in folders to INDEX (created if missing); duplicates are skipped."""
    from pathlib import Path

    from ..trace.fingerprint import FingerprintParams
    from ..readers.inputs import expand_inputs
    from ..trace.index import TraceIndex

    params = None
    if any(v is not None for v in (k, bands, rows, seed)):
        base = FingerprintParams()
        b = bands or base.bands
        r = rows or base.rows
        params = FingerprintParams(k=k or base.k, num_perm=b * r, seed=base.seed if seed is None else seed, bands=b, rows=r)
    files = expand_inputs(paths, pattern=pattern,
                          on_skip=lambda path, reason: click.echo(f"skipped {path}: {reason}", err=True))
    if not files:
        raise InputError(f"no {pattern} files under {', '.join(paths)}; give text files or folders holding them")
    if scheduler or use_dask:
        from ..trace.distributed import add_distributed

        result = add_distributed(index, files, scheduler=scheduler, n_workers=workers, params=params)
    else:
        with TraceIndex(index, params, create=True) as ix:
            result = ix.add(files)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "software": _software(),
                    "index": str(Path(index)),
                    "added": len(result.added),
                    "duplicates": [
                        {"path": d.path, "existingId": d.existing_id, "existingPath": d.existing_path}
                        for d in result.duplicates
                    ],
                    "empty": list(result.empty),
                    "unreadable": [{"path": p, "reason": r} for p, r in result.unreadable],
                },
                indent=2,
            )
        )
        return
    click.echo(f"added {len(result.added)} document(s) to {index}")
    for d in result.duplicates:
        click.echo(f"skipped duplicate: {d.path} (same text as doc {d.existing_id}, {d.existing_path})")
    for e in result.empty:
        click.echo(f"skipped empty: {e}")
    for path, reason in result.unreadable:
        click.echo(f"skipped unreadable: {path} ({reason})")


@index_group.command("stats")
@click.argument("index", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def index_stats(index, fmt) -> None:
    """Show the size and parameters of INDEX."""
    from dataclasses import asdict

    from ..trace.index import TraceIndex

    with TraceIndex(index) as ix:
        st = ix.stats()
    if fmt == "json":
        body = {"software": _software(), **{k: v for k, v in asdict(st).items() if k != "extra"}}
        click.echo(json.dumps(body, indent=2))
        return
    p = st.params
    click.echo(
        f"index: {st.path}\ndocuments: {st.documents}\nwords: {st.words}\nband rows: {st.band_rows}\n"
        f"file size: {st.file_bytes} bytes\nformat version: {st.format_version}\n"
        f"fingerprint: {p.version} k={p.k} num_perm={p.num_perm} bands={p.bands} rows={p.rows} "
        f"seed={p.seed} scheme={p.scheme}"
    )


@click.command("trace")
@click.argument("index", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--top", type=click.IntRange(1, 100), default=3, show_default=True, help="Sources to show.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Minimum score (default 0.5).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def trace_cmd(index, file, top, threshold, fmt) -> None:
    """Find the source of spun FILE ('-' for stdin) in INDEX, with the aligned evidence."""
    from .check import read_input
    from ..trace.search import DEFAULT_THRESHOLD, trace

    text = read_input(file)
    matches = trace(text, index, top=top, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    if fmt == "json":
        body = {"software": _software(), "input": file, "matches": [m.to_dict() for m in matches]}
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    click.echo(render_matches(matches))


def register(main: click.Group) -> None:
    """Add `index` and `trace` to the top-level command group."""
    main.add_command(index_group)
    main.add_command(trace_cmd)
