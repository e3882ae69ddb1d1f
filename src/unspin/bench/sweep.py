"""The transfer benchmark and the density sweep (engine v3, step 1).

Every profile, the project's own and the third-party ones (:mod:`unspin.spinner.transfer`),
spun at a sweep of densities (share of ALL words replaced: 0, 2, 5, 10, 18, 30%), plus real
tortured phrases in real sentences (``pps-phrases``, at their own density), on the same
documents (the first ~``words`` words of ``docs`` documents of a split). For each profile,
density and mode it reports what the targets of engine v3 are about:

* ``findings_per_1k``: findings per 1,000 words; at 0% it is the false-alarm rate;
* span precision and recall (a finding is right when it overlaps a gold span), exact
  restorations of gold spans;
* ``never_spun_per_1k``: words changed that the spinner never touched, per 1,000 words, on
  the spun text itself (not only on clean text);
* ``flagged``: share of documents rated suspicious or high; ``zero``: documents with no
  finding; ``over2x``: documents with more findings than twice their gold spans.

The own profiles are spun at the rate that gives the wanted density (their ``rate`` is a
per-opportunity chance: it is scaled by the density each gives at its default rate on these
documents, and capped at 1); the achieved density is measured on the gold and reported.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

from ..errors import ConfigError
from ..spinner import SpunText, get_profile, profile_names, spin
from ..text import tokenize
from .corpus import default_corpus_path, first_words, load_corpus, repo_root, sample
from .harness import check_modes
from .metrics import SpanCounts, exact_restorations, never_spun_words, span_counts

DENSITIES = (0.0, 0.02, 0.05, 0.10, 0.18, 0.30)
PPS_PHRASES = "pps-phrases"


@dataclass(frozen=True)
class SweepRow:
    """One profile at one density in one mode."""

    profile: str
    role: str
    mode: str
    density: float  # asked for
    achieved: float  # gold words / words
    docs: int
    words: int
    gold: int
    findings: int
    findings_per_1k: float
    precision: float | None
    recall: float | None
    exact: float | None
    never_spun_per_1k: float
    flagged: float  # share of documents rated suspicious or high
    zero: int  # documents with no finding
    over2x: int  # documents with more findings than twice their gold spans
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def documents(split: str, docs: int, words: int) -> list[str]:
    """The first ~``words`` words of ``docs`` documents spread over a split."""
    chosen = sample(load_corpus(default_corpus_path(split)), docs)
    return [first_words(d.text, words) for d in chosen]


def pps_phrase_documents(
    split: str, docs: int, words: int, seed: int = 0, phrase_list: str | None = None
) -> list[SpunText]:
    """Real tortured phrases in real passages of the split (benchmark corpus and registers).

    ``phrase_list``: a ``tortured<TAB>expected`` file; default ``$UNSPIN_PPS_LIST`` or the shared
    ``pps-train.tsv`` beside the checkout.
    """
    from ..spinner.transfer import pps_passages

    texts = [d.text for d in load_corpus(default_corpus_path(split))]
    reg = repo_root() / "benchmarks" / "registers" / f"{split}.jsonl.gz"
    if reg.is_file():
        texts += [d.text for d in load_corpus(reg)]
    return pps_passages(texts, docs, words, seed, phrase_list or os.environ.get("UNSPIN_PPS_LIST"))


def _gold_words(st: SpunText) -> int:
    return sum(tokenize(e.original_text).word_count for e in st.edits)


def _word_count(text: str) -> int:
    return tokenize(text).word_count


def rates_for(profile: str, densities: Sequence[float], texts: Sequence[str], seed: int = 0) -> dict[float, float]:
    """Density -> the profile's ``rate`` that replaces about that share of all words of ``texts`` (at most 1).

    The density the profile gives at its default rate is measured once, on these texts.
    """
    prof = get_profile(profile)
    if prof.role == "transfer" or profile == "contentfarm" or not any(densities):
        return {d: d for d in densities}  # their rate is the share of all words already
    spun = [spin(t, profile=profile, rate=prof.default_rate, seed=seed) for t in texts]
    at_default = sum(map(_gold_words, spun)) / max(1, sum(map(_word_count, texts)))
    return {d: 0.0 if d == 0 else (min(1.0, d * prof.default_rate / at_default) if at_default > 0 else 1.0)
            for d in densities}


def rate_for(profile: str, density: float, texts: Sequence[str], seed: int = 0) -> float:
    """The profile's ``rate`` that replaces about ``density`` of all words of ``texts`` (at most 1)."""
    return rates_for(profile, [density], texts, seed)[density]


def spun_sets(
    profiles: Sequence[str], densities: Sequence[float], texts: Sequence[str], seed: int = 0,
    split: str = "test", words: int = 250,
) -> dict[tuple[str, float], list[SpunText]]:
    """(profile, density) -> the texts spun; density 0 is the clean texts once (profile ``clean``)."""
    out: dict[tuple[str, float], list[SpunText]] = {}
    if 0.0 in densities:
        out[("clean", 0.0)] = [SpunText(t, t, (), "clean", 0.0, seed) for t in texts]
    for p in profiles:
        if p == PPS_PHRASES:
            out[(p, -1.0)] = pps_phrase_documents(split, len(texts), words, seed)
            continue
        rates = rates_for(p, [d for d in densities if d > 0], texts, seed)
        for d, r in rates.items():
            out[(p, d)] = [spin(t, profile=p, rate=r, seed=seed + i) for i, t in enumerate(texts)]
    return out


def evaluate_set(
    profile: str, density: float, spun: Sequence[SpunText], mode: str, run: Callable[[str], object]
) -> SweepRow:
    """Run the engine on every text of one set and score it (see the module docstring)."""
    counts = SpanCounts()
    exact = gold = findings = never = words = gold_words = flagged = zero = over = 0
    t0 = time.perf_counter()
    for st in spun:
        r = run(st.spun)
        fs = [(f.start, f.end) for f in r.report.findings]  # type: ignore[attr-defined]
        g = [(e.spun_start, e.spun_end) for e in st.edits]
        counts = counts + span_counts(fs, g)
        flags = exact_restorations([(e.spun_start, e.spun_end, e.original_text) for e in st.edits],
                                   r.edits, r.text)  # type: ignore[attr-defined]
        exact += sum(flags)
        gold += len(g)
        findings += len(fs)
        never += never_spun_words(st.spun, r.edits, g)  # type: ignore[attr-defined]
        words += _word_count(st.spun)
        gold_words += _gold_words(st)
        flagged += r.report.risk in ("suspicious", "high")  # type: ignore[attr-defined]
        zero += not fs
        over += len(fs) > 2 * len(g)
    secs = time.perf_counter() - t0
    role = "clean" if profile == "clean" else ("transfer" if profile == PPS_PHRASES else get_profile(profile).role)
    clean_words = sum(_word_count(st.original) for st in spun)
    return SweepRow(
        profile=profile, role=role, mode=mode, density=density,
        achieved=round(gold_words / clean_words, 4) if clean_words else 0.0,
        docs=len(spun), words=words, gold=gold, findings=findings,
        findings_per_1k=round(1000 * findings / words, 2) if words else 0.0,
        precision=None if not findings else round(counts.precision, 3),
        recall=None if not gold else round(counts.recall, 3),
        exact=None if not gold else round(exact / gold, 3),
        never_spun_per_1k=round(1000 * never / words, 2) if words else 0.0,
        flagged=round(flagged / len(spun), 3) if spun else 0.0,
        zero=zero, over2x=over, seconds=round(secs, 1),
    )


def engine(mode: str) -> Callable[[str], object]:
    import unspin

    config = unspin.Config(mode=mode)
    return lambda text: unspin.restore_and_explain(text, config)


def run_sweep(
    profiles: Sequence[str] | None = None,
    densities: Sequence[float] = DENSITIES,
    modes: Sequence[str] = ("fast",),
    docs: int = 30,
    words: int = 250,
    split: str = "test",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """The density sweep over every profile (own, transfer and ``pps-phrases`` by default)."""
    names = tuple(profiles) if profiles else profile_names(transfer=True) + (PPS_PHRASES,)
    for p in names:
        if p != PPS_PHRASES:
            get_profile(p)
    check_modes(modes)
    for d in densities:
        if not 0.0 <= d <= 1.0:
            raise ConfigError(f"density must lie in [0, 1], got {d}; give e.g. --density 0.18")
    if isinstance(docs, bool) or not isinstance(docs, int) or docs < 1:
        raise ConfigError(f"--docs must be a positive number of documents, got {docs!r}")
    texts = documents(split, docs, words)
    sets = spun_sets(names, densities, texts, seed, split, words)
    rows = []
    for m in modes:
        run = engine(m)
        for (p, d), spun in sets.items():
            if progress:
                progress(f"sweep {p} at {'its own density' if d < 0 else f'{d:.0%}'} ({m}, {len(spun)} texts)")
            rows.append(evaluate_set(p, d, spun, m, run))
    settings = {"profiles": list(names), "densities": list(densities), "modes": list(modes), "docs": len(texts),
                "words": words, "split": split, "seed": seed}
    return {"settings": settings, "rows": [r.to_dict() for r in rows]}


def sweep_table(rows: Sequence[dict[str, object]]) -> str:
    """A readable table of :func:`run_sweep` rows."""
    head = ("profile", "role", "mode", "density", "achieved", "docs", "gold", "find/1k", "P", "R", "exact",
            "never/1k", "flagged", "zero", ">2x")

    def f(x: object, pct: bool = False) -> str:
        if x is None:
            return "-"
        if isinstance(x, float):
            return f"{100 * x:.1f}%" if pct else f"{x:.3g}" if x < 1 else f"{x:.1f}"
        return str(x)

    lines = [head]
    for r in rows:
        d = float(r["density"])  # type: ignore[arg-type]
        lines.append((str(r["profile"]), str(r["role"]), str(r["mode"]), "own" if d < 0 else f"{d:.0%}",
                      f(r["achieved"], True), str(r["docs"]), str(r["gold"]), f(r["findings_per_1k"]),
                      f(r["precision"]), f(r["recall"]), f(r["exact"], True), f(r["never_spun_per_1k"]),
                      f(r["flagged"], True), str(r["zero"]), str(r["over2x"])))
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(x))
                     for x in lines)
