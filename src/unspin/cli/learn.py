"""``unspin learn``: learn a spinner's dictionary from a batch of its output."""

from __future__ import annotations

import sys
import time

import click


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class _Bar:
    """A progress bar on stderr: documents, words/s, ETA (redrawn in place on a terminal)."""

    def __init__(self, enabled: bool, words_total: int) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.words_total = words_total
        self.words_reused = 0
        self.last = 0.0
        self.last_done = -1

    def __call__(self, p) -> None:  # p: unspin.learn.Progress
        if not self.enabled:
            return
        now = time.monotonic()
        final = p.done >= p.total
        step = max(1, p.total // 20)
        if self.tty:
            if not final and now - self.last < 0.5:
                return
        elif not final and p.done - self.last_done < step and p.done != p.reused:
            return
        self.last, self.last_done = now, p.done
        width = 24
        fill = int(width * p.done / p.total) if p.total else width
        left = max(0, self.words_total - self.words_reused - p.words) if p.words else None
        eta = p.eta_seconds(left) if left is not None else None
        line = (f"learn [{'#' * fill}{'.' * (width - fill)}] {p.done}/{p.total} documents"
                f" ({p.reused} cached)  {p.words_per_second:,.0f} words/s  ETA {_duration(0 if final else eta)}")
        if self.tty:
            click.echo("\r" + line, err=True, nl=final)
        else:
            click.echo(line, err=True)


@click.command("learn")
@click.argument("inputs", nargs=-1, required=True, metavar="DIR|FILES...")
@click.option("--out", "-o", "out", required=True, metavar="PATH", help="Where to write the dictionary ('-': stdout).")
@click.option("--format", "fmt", type=click.Choice(["tsv", "pps"]), default="tsv", show_default=True,
              help="tsv: versioned spun<TAB>original<TAB>confidence... list (loads with --pairs/--channel); "
                   "pps: the Problematic Paper Screener's fingerprint CSV shape.")
@click.option("--cache", "cache", metavar="PATH", help="Per-document evidence cache (JSON lines) [default: OUT.evidence.jsonl].")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Local worker processes.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Run the per-document work on this Dask scheduler.")
@click.option("--min-docs", default=3, show_default=True, type=click.IntRange(1), help="Keep swaps seen in at least this many documents.")
@click.option("--min-confidence", default=None, type=click.FloatRange(0.0, 1.0),
              help="Keep swaps whose learned confidence is at least this [default: 0.8 with --method null, "
                   "where it is 1 - the swap's local false discovery rate; 0.5 with --method em, where it is "
                   "P(original | spun wording)].")
@click.option("--fast", is_flag=True, help="Learn from fast-mode (n-gram) evidence: quick but much weaker (see README).")
@click.option("--model", metavar="NAME|PATH", help="Language model: a registered name or a GGUF file.")
@click.option("--max-words", type=int, help="Score at most this many words per document.")
@click.option("--all-candidates", is_flag=True,
              help="Deep mode: rescore the best 4 candidates per slot with the whole right context, "
                   "not only the best one (more evidence per document; slower).")
@click.option("--method", type=click.Choice(["null", "em"]), default=None,
              help="How the batch is fitted: null = p-values against clean text, each swap pooled over the batch "
                   "(default in deep mode); em = the batch EM (default with --fast or --all-candidates).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or skip log.")
def learn_command(inputs, out, fmt, cache, jobs, scheduler, min_docs, min_confidence, fast, model, max_words,
                  all_candidates, method, quiet) -> None:
    """Learn the dictionary of the spinner that wrote the documents in DIR|FILES.

    Every document is scored once (deep mode: the language model's evidence for each
    candidate original) and cached; each swap's occurrences are then judged together
    against clean text over the whole batch (--method em: the older batch EM). Re-running,
    or adding documents, reuses the cache. The output and the cache are never read as
    documents, wherever they are written. A document whose scoring fails is skipped with its
    reason (on stderr and in the dictionary's header).
    """
    from ..config import Config
    from ..errors import InputError
    from ..learn.dictionary import Dictionary, dictionary_pps, dictionary_tsv, write_dictionary
    from ..learn.run import collect, learn

    if cache is None:
        if out == "-":
            raise InputError("with --out -, give the evidence cache path with --cache")
        cache = out + ".evidence.jsonl"
    kw: dict = {"mode": "fast" if fast else "deep"}
    if model:
        kw["model"] = model
    if max_words is not None:
        kw["max_words"] = max_words
    config = Config(**kw)

    def log(msg: str) -> None:
        if not quiet:
            click.echo(f"unspin: {msg}", err=True)

    # The dictionary and its cache may be written inside the input folder: never read them back.
    items, skipped = collect(inputs, log, exclude=[out, cache])
    if not items:
        raise InputError(f"none of the {len(skipped)} input file(s) is usable English text; see the skip reasons above")
    bar = _Bar(not quiet, sum(it.words for it in items))
    from ..learn.evidence import EvidenceCache, settings_key

    cached = EvidenceCache(cache, settings_key(config, all_candidates))
    bar.words_reused = sum(it.words for it in items if it.sha256 in cached)
    del cached
    run = learn(items=items, config=config, cache_path=cache, jobs=jobs, scheduler=scheduler,
                log=log, progress=bar, full_rescoring=all_candidates, method=method)
    if run.failed and not run.used:
        from ..errors import UnspinError

        name, reason = run.failed[0]
        raise UnspinError(f"every document failed to score ({len(run.failed)}); the first, {name}: {reason}")
    skipped = [*skipped, *run.failed]  # documents whose scoring failed: in the header, with the reason
    if min_confidence is None:
        min_confidence = run.fit.settings.min_confidence
    chosen = run.fit.select(min_docs, min_confidence)
    settings = {
        "mode": config.mode, "model": config.model, "lexicon": config.lexicon, "evidence_key": run.key,
        "all_candidates": str(all_candidates).lower(),
        "documents": str(len(run.used)), "skipped": str(len(skipped)), "min_docs": str(min_docs),
        "min_confidence": str(min_confidence), "batch_model": run.fit.settings.as_header(),
        "iterations": str(run.fit.iterations), "converged": str(run.fit.converged).lower(),
    }
    d = Dictionary(chosen, settings, tuple((it.sha256, it.name) for it in run.used), tuple(skipped))
    if out == "-":
        click.echo(dictionary_tsv(d) if fmt == "tsv" else dictionary_pps(d), nl=False)
    else:
        write_dictionary(d, out, fmt)
    rates = sorted(run.fit.doc_rates)
    median = rates[len(rates) // 2] if rates else 0.0
    where = "stdout" if out == "-" else out
    if chosen:
        click.echo(f"unspin: learned {len(chosen)} swap(s) from {len(run.used)} document(s) "
                   f"({run.computed} scored, {run.reused} from the cache, {len(skipped)} skipped; "
                   f"median spin rate {median:.2f}) -> {where}", err=True)
    else:
        click.echo(f"unspin: no swap was seen in at least {min_docs} document(s) with confidence >= "
                   f"{min_confidence}: the batch does not look spun by one source (median spin rate "
                   f"{median:.2f}, {len(run.used)} document(s)); wrote an empty dictionary -> {where}", err=True)
    if fast:
        click.echo("unspin: note: learned from fast-mode evidence, which finds far fewer true swaps than "
                   "deep mode; use it for a first look only", err=True)


def register(main: click.Group) -> None:
    """Add ``learn`` to the ``unspin`` command group."""
    main.add_command(learn_command)
