"""Drive a learning run: read the batch, skip bad input, compute or reuse evidence, fit.

I/O lives here (reading files, the evidence cache, processes, Dask); the model is
:func:`unspin.learn.pooled.fit_batch_null` (deep mode) or :func:`unspin.learn.em.fit_batch`.
The process that calls :func:`learn` is the only writer of the cache: local worker processes
and Dask workers compute evidence and return it, the driver appends each record as it arrives. An interrupted run therefore keeps every finished
document, and a re-run (or an enlarged batch) computes only the documents not in the cache.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..config import Config, replace_config
from ..english import MIN_ENGLISH_SHARE
from ..errors import ConfigError, InputError
from .em import BatchFit, Settings, fit_batch
from .evidence import DocEvidence, EvidenceCache, extract, settings_key, text_sha256

MAX_DOC_BYTES = 64 * 1024 * 1024
MIN_WORDS = 5
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


@dataclass(frozen=True, slots=True)
class BatchItem:
    """A readable, English, not-yet-seen document of the batch."""

    name: str
    sha256: str
    text: str
    words: int


@dataclass(frozen=True)
class LearnRun:
    """What a run did: the fit, the documents used, skipped, computed and reused."""

    fit: BatchFit
    used: tuple[BatchItem, ...]
    skipped: tuple[tuple[str, str], ...]
    computed: int
    reused: int
    key: str
    seconds: float
    words_computed: int
    failed: tuple[tuple[str, str], ...] = ()  # (name, reason): documents whose scoring failed


@dataclass
class Progress:
    """Counters the driver updates after each document (for a progress bar)."""

    total: int
    done: int = 0
    reused: int = 0
    words: int = 0  # words of documents computed in this run
    started: float = field(default_factory=time.monotonic)

    @property
    def words_per_second(self) -> float:
        dt = time.monotonic() - self.started
        return self.words / dt if dt > 0 else 0.0

    def eta_seconds(self, words_left: int) -> float | None:
        wps = self.words_per_second
        return words_left / wps if wps > 0 and self.words else None


def english_share(text: str) -> tuple[int, float]:
    """(words, share of them that are English function words: :func:`unspin.english.english_share`).

    >>> english_share("The cat sat on the mat.")[1] > 0.3
    True
    >>> english_share("Der Hund läuft über die Straße und bellt laut.")[1] < 0.15
    True
    """
    from .. import english
    from ..text import tokenize

    doc = tokenize(text[:200_000])
    return doc.word_count, english.english_share(doc)


def screen_bytes(data: bytes, name: str) -> tuple[str | None, str]:
    """``(text, "")`` for a usable document, else ``(None, reason)``."""
    from ..text import decode_bytes, normalize_input

    if not data.strip():
        return None, "empty"
    if len(data) > MAX_DOC_BYTES:
        return None, f"larger than {MAX_DOC_BYTES // (1024 * 1024)} MB"
    try:
        text = normalize_input(decode_bytes(data, name))
    except InputError as exc:
        return None, "binary or not UTF-8 (" + str(exc).split(" (", 1)[-1].split(";")[0].rstrip(")") + ")"
    words, share = english_share(text)
    if words < MIN_WORDS:
        return None, f"too short ({words} words)"
    if share < MIN_ENGLISH_SHARE:  # the language gate of unspin.english
        return None, f"not English (only {share:.0%} English function words)"
    return text, ""


def expand_paths(paths: Iterable[str | os.PathLike[str]], exclude: Iterable[str | os.PathLike[str] | None] = (),
                 log: Callable[[str], None] | None = None) -> list[Path]:
    """Files given, and the files under directories given (recursively, sorted, hidden ones
    skipped), without the run's own outputs (``exclude``: the dictionary, its evidence cache)
    or files an earlier unspin run wrote (see :func:`unspin.readers.inputs.expand_inputs`)."""
    from ..readers.inputs import expand_inputs

    def skip(name: str, reason: str) -> None:
        if log:
            log(f"ignored {name}: {reason}")

    out = expand_inputs(paths, exclude=exclude, on_skip=skip)
    if not out:
        raise InputError("no input files found; give a directory of text files or some files")
    return out


def read_document_text(name: str, data: bytes) -> tuple[str | None, str]:
    """``(text, "")`` of a file's bytes, else ``(None, reason)``: HTML, PDF and Word files
    through their readers (main text, text layer), anything else as UTF-8 text."""
    from ..readers.formats import FORMATS, read_document_bytes

    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt in ("html", "pdf", "docx") and len(data) <= MAX_DOC_BYTES:
        try:
            from ..lexicon import known_word

            doc = read_document_bytes(name, data, known_word=known_word)
        except InputError as exc:
            return None, str(exc).removeprefix(f"{name}: ").removeprefix(name + " ")
        data = doc.text.encode("utf-8")
    return screen_bytes(data, name)


def collect(paths: Iterable[str | os.PathLike[str]],
            log: Callable[[str], None] | None = None,
            exclude: Iterable[str | os.PathLike[str] | None] = ()) -> tuple[list[BatchItem], list[tuple[str, str]]]:
    """Read the batch: usable documents in order, and ``(name, reason)`` for each skipped one.

    ``exclude``: the files this run writes (never read as documents)."""
    from ..text import tokenize

    items: list[BatchItem] = []
    skipped: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for path in expand_paths(paths, exclude, log):
        name = str(path)
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_DOC_BYTES + 1)
        except OSError as exc:
            reason = f"unreadable ({exc.strerror})"
        else:
            text, reason = read_document_text(name, data)
            if text is not None:
                sha = text_sha256(text)
                if sha in seen:
                    reason = f"duplicate of {seen[sha]}"
                else:
                    seen[sha] = name
                    items.append(BatchItem(name, sha, text, tokenize(text).word_count))
                    continue
        skipped.append((name, reason))
        if log:
            log(f"skipped {name}: {reason}")
    return items, skipped


def failure_reason(exc: BaseException) -> str:
    """One line saying why a document's evidence could not be computed."""
    from ..errors import UnspinError

    if isinstance(exc, MemoryError):
        return "out of memory while scoring; split the document"
    if isinstance(exc, TimeoutError):
        return "time limit reached while scoring; split the document"
    detail = " ".join(str(exc).split())[:200]
    if isinstance(exc, UnspinError):
        return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"internal error ({type(exc).__name__}: {detail or 'no detail'})"


def _work(text: str, config: Config, name: str, key: str, full: bool = False) -> str:
    """One document's evidence as a JSON line (the unit of work of processes and Dask workers)."""
    return extract(text, config, name, key, full).to_json()


Failed = Callable[[BatchItem, str], None]


def _compute_local(todo: Sequence[BatchItem], config: Config, key: str, jobs: int,
                   done: Callable[[BatchItem, DocEvidence], None], failed: Failed, full: bool = False) -> None:
    if jobs <= 1:
        for item in todo:
            try:
                rec = extract(item.text, config, item.name, key, full)
            except ConfigError:  # the settings, not the document: every document would fail
                raise
            except Exception as exc:  # one document's failure (model error, memory) must not stop the batch
                failed(item, failure_reason(exc))
                continue
            done(item, rec)
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    threads = max(1, (os.cpu_count() or 1) // jobs)
    cfg = replace_config(config, n_threads=config.n_threads or threads)
    queue = list(reversed(todo))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running = {}
        try:
            while queue or running:
                while queue and len(running) < 2 * jobs:
                    item = queue.pop()
                    running[pool.submit(_work, item.text, cfg, item.name, key, full)] = item
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    item = running.pop(fut)
                    try:
                        line = fut.result()
                    except (BrokenProcessPool, ConfigError):
                        raise
                    except Exception as exc:
                        failed(item, failure_reason(exc))
                        continue
                    done(item, DocEvidence.from_json(line))
        except BaseException as exc:
            for fut in running:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(exc, BrokenProcessPool):
                from ..errors import UnspinError

                raise UnspinError("a worker process died (interrupted or out of memory); the documents "
                                  "finished so far are cached: run the same command again to resume") from None
            raise


def _compute_dask(todo: Sequence[BatchItem], config: Config, key: str, scheduler: str | None,
                  n_workers: int | None, done: Callable[[BatchItem, DocEvidence], None], failed: Failed,
                  full: bool = False) -> None:
    from ..trace.distributed import dask_client

    with dask_client(scheduler, n_workers) as client:
        from distributed import as_completed

        workers = len(client.scheduler_info().get("workers", {})) or 1  # type: ignore[attr-defined]
        queue = list(reversed(todo))
        pending = as_completed()
        owner = {}
        for _ in range(min(len(queue), 2 * workers)):
            item = queue.pop()
            fut = client.submit(_work, item.text, config, item.name, key, full, pure=False)  # type: ignore[attr-defined]
            owner[fut.key] = item
            pending.add(fut)
        for fut in pending:
            item = owner.pop(fut.key)
            try:
                line = fut.result()
            except ConfigError:
                raise
            except Exception as exc:  # the document's error, or its worker died: record it, go on
                failed(item, failure_reason(exc))
            else:
                done(item, DocEvidence.from_json(line))
            if queue:
                nxt = queue.pop()
                f2 = client.submit(_work, nxt.text, config, nxt.name, key, full, pure=False)  # type: ignore[attr-defined]
                owner[f2.key] = nxt
                pending.add(f2)


def learn(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    items: Sequence[BatchItem] | None = None,
    config: Config | None = None,
    cache_path: str | os.PathLike[str],
    settings: Settings | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    dask_workers: int | None = None,
    use_dask: bool = False,
    log: Callable[[str], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
    full_rescoring: bool = False,
    method: str | None = None,
) -> LearnRun:
    """Learn from the files at ``paths`` (or prepared ``items``): evidence per document, then EM.

    ``scheduler`` (``tcp://host:port``) or ``use_dask`` runs the per-document work on Dask;
    otherwise ``jobs`` local processes (1: in this process). ``full_rescoring``: see
    :func:`unspin.learn.evidence.extract`. ``method``: how the batch is fitted, ``"null"``
    (:mod:`unspin.learn.pooled`: p-values against clean text, swaps pooled over the batch; the
    default in deep mode) or ``"em"`` (:mod:`unspin.learn.em`; the default in fast mode and with
    ``full_rescoring``, whose statistics the deep null does not describe). A document whose
    scoring fails (a model error, out of memory, a worker lost) is left out with its reason in
    ``LearnRun.failed`` (and ``log``); the run goes on and fits the others.
    """
    t0 = time.monotonic()
    config = config or Config()
    skipped: list[tuple[str, str]] = []
    if items is None:
        if paths is None:
            raise InputError("give the documents to learn from")
        got, skipped = collect(paths, log)
        items = got
    key = settings_key(config, full_rescoring)
    cache = EvidenceCache(cache_path, key)
    if log and cache.ignored_lines:
        log(f"evidence cache {cache_path}: ignored {cache.ignored_lines} unreadable line(s) (an interrupted write)")
    todo = [it for it in items if it.sha256 not in cache]
    prog = Progress(total=len(items), done=len(items) - len(todo), reused=len(items) - len(todo))
    if progress:
        progress(prog)

    def done(item: BatchItem, rec: DocEvidence) -> None:
        cache.put(rec)
        prog.done += 1
        prog.words += item.words
        if progress:
            progress(prog)

    failures: list[tuple[str, str]] = []

    def failed(item: BatchItem, reason: str) -> None:
        failures.append((item.name, reason))
        prog.done += 1
        if log:
            log(f"skipped {item.name}: {reason}")
        if progress:
            progress(prog)

    if todo:
        if scheduler or use_dask:
            _compute_dask(todo, config, key, scheduler, dask_workers, done, failed, full_rescoring)
        else:
            _compute_local(todo, config, key, jobs, done, failed, full_rescoring)
    from dataclasses import replace

    used = [it for it in items if it.sha256 in cache]
    records = [replace(cache.get(it.sha256), name=it.name) for it in used]  # type: ignore[type-var]
    if method is None:
        method = "null" if config.mode == "deep" and not full_rescoring else "em"
    if method == "null":
        if config.mode != "deep" or full_rescoring:
            raise InputError("--method null needs deep-mode evidence with the engine's own rescoring "
                             "(the clean-text null describes nothing else); use --method em")
        from .pooled import fit_batch_null

        fit = fit_batch_null(records)
    elif method == "em":
        fit = fit_batch(records, settings)
    else:
        raise InputError(f"unknown learning method {method!r}: use null or em")
    return LearnRun(fit, tuple(used), tuple(skipped), len(todo) - len(failures), len(items) - len(todo), key,
                    time.monotonic() - t0, prog.words, tuple(failures))
