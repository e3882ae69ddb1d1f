"""The benchmark harness: spin clean documents, run each system, score what it did.

For each spinner profile and each system (the engine per mode, plus the baselines) it
reports span detection P/R/F1, the exact-restoration rate over gold spans, false changes per
1,000 words on the unspun originals, document-level ROC AUC (spun vs clean), words per second
(system time only) and the process's peak memory.
"""

from __future__ import annotations

import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..errors import ConfigError, DataError, ModelError
from ..spinner import SpunText, check_rate, get_profile, profile_names, spin
from ..text import tokenize
from .corpus import CorpusDoc, default_corpus_path, load_corpus, sample
from .metrics import SpanCounts, changed_words, exact_restorations, roc_auc, span_counts
from .systems import (
    PhraseList,
    System,
    SystemOutput,
    change_nothing,
    default_phrase_list_path,
    engine_available,
    engine_runner,
    read_phrase_list,
)

MODES = ("fast", "deep")


def check_modes(modes: Sequence[str]) -> None:
    """Refuse a mode the benchmarks do not know, with one line naming the known ones."""
    for m in modes:
        if m not in MODES:
            raise ConfigError(f"unknown mode {m!r}; known: {', '.join(MODES)}")


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table."""

    profile: str
    system: str
    mode: str
    docs: int
    words: int
    gold_spans: int
    findings: int
    precision: float | None
    recall: float | None
    f1: float | None
    exact: int
    exact_rate: float | None
    false_changes: int
    false_changes_per_1k: float | None
    auc: float | None
    seconds: float
    words_per_second: float | None
    peak_memory_mb: float
    skipped: str | None = None


@dataclass(frozen=True)
class BenchResult:
    """All rows plus the settings that produced them."""

    rows: tuple[Row, ...]
    settings: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"settings": self.settings, "rows": [asdict(r) for r in self.rows]}


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(run: Callable[[str], SystemOutput], text: str) -> tuple[SystemOutput, float]:
    t0 = time.perf_counter()
    out = run(text)
    return out, time.perf_counter() - t0


def evaluate(
    system: System,
    profile: str,
    spun: Sequence[SpunText],
    clean_outputs: Sequence[SystemOutput] | None = None,
    clean_seconds: float = 0.0,
) -> tuple[Row, list[SystemOutput], float]:
    """Score one system on spun documents and their originals.

    ``clean_outputs`` (the system's outputs on the originals) may be passed in to avoid
    recomputing them for a second profile; returns them for reuse with their time.
    """
    if system.run is None:
        row = Row(profile, system.name, system.mode, len(spun), 0, 0, 0, None, None, None, 0, None, 0, None,
                  None, 0.0, None, round(peak_memory_mb(), 1), system.skipped or "skipped")
        return row, [], 0.0
    counts = SpanCounts()
    exact = gold_total = 0
    seconds = 0.0
    words_spun = 0
    spun_scores: list[float] = []
    for st in spun:
        out, dt = _timed(system.run, st.spun)
        seconds += dt
        words_spun += tokenize(st.spun).word_count
        gold = [(e.spun_start, e.spun_end) for e in st.edits]
        counts = counts + span_counts(out.findings, gold)
        flags = exact_restorations([(e.spun_start, e.spun_end, e.original_text) for e in st.edits], out.edits, out.text)
        exact += sum(flags)
        gold_total += len(flags)
        spun_scores.append(out.score)
    if clean_outputs is None:
        clean_outputs = []
        clean_seconds = 0.0
        for st in spun:
            out, dt = _timed(system.run, st.original)
            clean_seconds += dt
            clean_outputs.append(out)
    seconds += clean_seconds
    words_clean = sum(tokenize(st.original).word_count for st in spun)
    false = sum(changed_words(st.original, out.edits) for st, out in zip(spun, clean_outputs))
    auc = roc_auc(spun_scores, [o.score for o in clean_outputs])
    total_words = words_spun + words_clean
    row = Row(
        profile=profile,
        system=system.name,
        mode=system.mode,
        docs=len(spun),
        words=words_clean,
        gold_spans=gold_total,
        findings=counts.findings,
        precision=_round(counts.precision),
        recall=_round(counts.recall),
        f1=_round(counts.f1),
        exact=exact,
        exact_rate=_round(exact / gold_total if gold_total else None),
        false_changes=false,
        false_changes_per_1k=_round(1000.0 * false / words_clean if words_clean else None, 2),
        auc=_round(auc),
        seconds=round(seconds, 3),
        words_per_second=round(total_words / seconds, 1) if seconds > 0 else None,
        peak_memory_mb=round(peak_memory_mb(), 1),
    )
    return row, list(clean_outputs), clean_seconds


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def default_systems(
    modes: Sequence[str],
    phrase_list: Path | str | None,
    engine: Callable[[str], Callable[[str], SystemOutput]] | None = engine_runner,
) -> list[System]:
    """Baselines first, then the engine once per mode (``engine=None``: baselines only)."""
    systems = [System("change nothing", "-", change_nothing)]
    path = Path(phrase_list) if phrase_list is not None else default_phrase_list_path()
    if path is None:
        systems.append(System("phrase list", "-", None, "skipped: no list"))
    else:
        pl: PhraseList = read_phrase_list(path)
        systems.append(System("phrase list", "-", pl))
    if engine is not None:
        why = engine_available() if engine is engine_runner else None
        for mode in modes:
            if why:
                systems.append(System("unspin", mode, None, f"skipped: {why}"))
            else:
                systems.append(System("unspin", mode, engine(mode)))
    return systems


def choose_documents(docs: int, split: str = "test", corpus: Path | str | None = None) -> tuple[Path, tuple[CorpusDoc, ...]]:
    """``docs`` documents spread over a split (or a corpus file), validated; returns (path, docs)."""
    if isinstance(docs, bool) or not isinstance(docs, int) or docs < 1:
        raise ConfigError(f"--docs must be a positive number of documents, got {docs!r}")
    path = Path(corpus) if corpus is not None else default_corpus_path(split)
    return path, sample(load_corpus(path), docs)


def profile_rates(profiles: Sequence[str] | None, rate: float | None) -> dict[str, float]:
    """Profile -> the rate to spin it at (its ``default_rate`` when ``rate`` is None), validated."""
    names = tuple(profiles) if profiles else profile_names()
    return {p: check_rate(get_profile(p).default_rate if rate is None else rate) for p in names}


def spin_documents(chosen: Sequence[CorpusDoc], profile: str, rate: float, seed: int = 0) -> list[SpunText]:
    """Every chosen document spun with one profile, rate and seed."""
    return [spin(d.text, profile=profile, rate=rate, seed=seed) for d in chosen]


def run_stats(
    profiles: Sequence[str] | None = None,
    docs: int = 50,
    rate: float | None = None,
    seed: int = 0,
    split: str = "test",
    corpus: Path | str | None = None,
    slots: bool = True,
) -> dict[str, object]:
    """Measured statistics of each profile (:mod:`unspin.bench.profile_stats`) as a JSON-able dict."""
    from .profile_stats import profile_stats

    rates = profile_rates(profiles, rate)
    path, chosen = choose_documents(docs, split, corpus)
    rows = [profile_stats(spin_documents(chosen, p, r, seed), p, slots=slots) for p, r in rates.items()]
    settings = {"docs": len(chosen), "rate": rates, "seed": seed, "corpus": str(path),
                "split": split if corpus is None else None}
    return {"settings": settings, "stats": rows}


def run_funnel(
    profiles: Sequence[str] | None = None,
    modes: Sequence[str] = ("fast",),
    docs: int = 30,
    rate: float | None = None,
    seed: int = 0,
    split: str = "test",
    corpus: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """The restoration funnel (:mod:`unspin.bench.funnel`) per profile and mode."""
    from .funnel import funnel

    check_modes(modes)
    rates = profile_rates(profiles, rate)
    path, chosen = choose_documents(docs, split, corpus)
    rows = []
    for p, r in rates.items():
        spun = spin_documents(chosen, p, r, seed)
        for m in modes:
            if progress:
                progress(f"funnel {p} ({m})")
            t0 = time.perf_counter()
            rows.append((funnel(spun, m), round(time.perf_counter() - t0, 1)))
    settings = {"docs": len(chosen), "rate": rates, "seed": seed, "corpus": str(path),
                "split": split if corpus is None else None, "modes": list(modes)}
    return {"settings": settings, "funnel": [f for f, _ in rows], "seconds": [t for _, t in rows]}


def run_bench(
    profiles: Sequence[str] | None = None,
    modes: Sequence[str] = ("fast",),
    docs: int = 50,
    rate: float | None = None,
    seed: int = 0,
    split: str = "test",
    corpus: Path | str | None = None,
    phrase_list: Path | str | None = None,
    systems: Sequence[System] | None = None,
    engine: Callable[[str], Callable[[str], SystemOutput]] | None = engine_runner,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    """Run the benchmark; see the module docstring. All arguments are validated first.

    ``rate`` None spins each profile at its own ``default_rate`` (about 18% of all words).
    """
    profiles = tuple(profiles) if profiles else profile_names()
    rates = {p: get_profile(p).default_rate if rate is None else rate for p in profiles}
    check_modes(modes)
    rates = {p: check_rate(r) for p, r in rates.items()}
    if isinstance(docs, bool) or not isinstance(docs, int) or docs < 1:
        raise ConfigError(f"--docs must be a positive number of documents, got {docs!r}")
    path = Path(corpus) if corpus is not None else default_corpus_path(split)
    chosen: tuple[CorpusDoc, ...] = sample(load_corpus(path), docs)
    if systems is None:
        systems = default_systems(modes, phrase_list, engine)
    rows: list[Row] = []
    clean_cache: dict[tuple[str, str], tuple[list[SystemOutput], float]] = {}
    for profile in profiles:
        spun = [spin(d.text, profile=profile, rate=rates[profile], seed=seed) for d in chosen]
        for system in systems:
            if progress:
                progress(f"{profile}: {system.name} ({system.mode})")
            key = (system.name, system.mode)
            cached = clean_cache.get(key)
            try:
                row, clean, secs = evaluate(system, profile, spun, *(cached or (None, 0.0)))
            except (ModelError, DataError, ImportError) as exc:
                if system.mode == "-":
                    raise
                row, clean, secs = evaluate(System(system.name, system.mode, None, f"skipped: {exc}"), profile, spun)
            if clean:
                clean_cache[key] = (clean, secs)
            rows.append(row)
    settings = {
        "profiles": list(profiles),
        "modes": list(modes),
        "docs": len(chosen),
        "rate": rates,
        "seed": seed,
        "corpus": str(path),
        "split": split if corpus is None else None,
        "offsets": "code points",
        "peak_memory": "process-wide maximum resident set size so far (getrusage), in MB",
    }
    return BenchResult(tuple(rows), settings)


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}" if pct else f"{x:.3f}"


def _rates(rates: object) -> str:
    if isinstance(rates, dict):
        return ", ".join(f"{k}={v}" for k, v in rates.items())
    return str(rates)


def format_table(result: BenchResult) -> str:
    """A readable fixed-width table (P/R/F1 and exact in %, FC = false changes per 1k words)."""
    head = ("profile", "system", "mode", "P%", "R%", "F1%", "exact%", "FC/1k", "AUC", "words/s", "peak MB")
    lines = [head]
    for r in result.rows:
        if r.skipped:
            lines.append((r.profile, r.system, r.mode, r.skipped, "", "", "", "", "", "", ""))
            continue
        lines.append(
            (
                r.profile,
                r.system,
                r.mode,
                _fmt(r.precision, True),
                _fmt(r.recall, True),
                _fmt(r.f1, True),
                _fmt(r.exact_rate, True),
                "-" if r.false_changes_per_1k is None else f"{r.false_changes_per_1k:.2f}",
                _fmt(r.auc),
                "-" if r.words_per_second is None else f"{r.words_per_second:,.0f}",
                f"{r.peak_memory_mb:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in lines if not (len(row) > 3 and row[3].startswith("skipped") and i == 3)) for i in range(len(head))]
    out = []
    for row in lines:
        if row[3].startswith("skipped"):
            out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row[:3])) + "  " + row[3])
        else:
            out.append("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(row)))
    s = result.settings
    out.append(
        f"\n{s.get('docs')} documents from {s.get('corpus')}, rate {_rates(s.get('rate'))}, seed {s.get('seed')}; "
        "gold spans per profile: " + ", ".join(sorted({f"{r.profile}={r.gold_spans}" for r in result.rows if not r.skipped}))
    )
    return "\n".join(out)
