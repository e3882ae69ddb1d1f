"""Run the stages over a text: segment -> slots -> scores -> decisions -> findings/edits.

Work is bounded: the text is cut at ``max_words`` words (the result is then flagged
``incomplete``) and processed in segments of about ``segment_words`` words, so memory does
not grow with the input.
"""

from __future__ import annotations

import math
from functools import cache
from dataclasses import dataclass
from typing import Protocol, Sequence

from .. import __version__
from ..config import Config
from ..lexicon import Lexicon, load_lexicon, with_user_pairs
from ..results import Edit, Finding, Replacement, Report
from ..text import Document, tokenize
from .candidates import CandidateGenerator, Slot
from .decode import Decision, Tuning, choose, decide
from .ngram import NgramScorer

DEFAULT_MAX_WORDS = {"deep": 6_000, "fast": 500_000}
DEFAULT_MAX_CANDIDATES = {"deep": 40, "fast": 12}
# Risk levels from the spin score (documented in README "How the score works").
RISK_CUTS = ((0.6, "high"), (0.3, "suspicious"), (0.1, "low"))
SCORE_SCALE = 0.04  # density of spun words at which the score reaches 1 - 1/e


class Scorer(Protocol):
    name: str

    def score_segment(self, doc: Document, slots: Sequence[Slot]) -> list[tuple[float, list[float]]]:
        """For each slot: (log-score of keeping its text, [log-score of each candidate])."""
        ...


class FastScorer:
    """Bigram-statistics scorer used by ``mode="fast"``."""

    name = "ngram.v1"

    def __init__(self, lexicon: Lexicon) -> None:
        self.ngram = NgramScorer(lexicon)

    def score_segment(self, doc: Document, slots: Sequence[Slot]) -> list[tuple[float, list[float]]]:
        out = []
        toks = doc.tokens
        for s in slots:
            prev = toks[s.first - 1].lower if s.first > 0 and toks[s.first - 1].is_word else ""
            nxt = toks[s.last].lower if s.last < len(toks) and toks[s.last].is_word else ""
            keep = self.ngram.association(prev, tuple(t.lower for t in toks[s.first : s.last]), nxt)
            cands = [self.ngram.association(prev, tuple(c.text.lower().split()), nxt) for c in s.candidates]
            out.append((keep, cands))
        return out


@dataclass(frozen=True)
class Analysis:
    report: Report
    edits: tuple[Edit, ...]


def _segments(doc: Document, limit_token: int, segment_words: int) -> list[tuple[int, int]]:
    """Token ranges of about ``segment_words`` words, cut at sentence ends where possible."""
    segs: list[tuple[int, int]] = []
    start = 0
    words = 0
    for sent in doc.sentences:
        if sent.first_token >= limit_token:
            break
        last = min(sent.last_token, limit_token)
        n = sum(1 for t in doc.tokens[sent.first_token : last] if t.is_word)
        if words and words + n > segment_words:
            segs.append((start, sent.first_token))
            start, words = sent.first_token, 0
        if n > segment_words:  # one very long "sentence": cut it by word count
            i = sent.first_token
            count = 0
            for k in range(sent.first_token, last):
                if doc.tokens[k].is_word:
                    count += 1
                    if count >= segment_words:
                        segs.append((i, k + 1))
                        i, count = k + 1, 0
            start, words = i, count
            continue
        words += n
    end = min(limit_token, len(doc.tokens))
    if start < end:
        segs.append((start, end))
    return segs


def _mid_sentence_capital(doc: Document, slot: Slot) -> bool:
    tok = doc.tokens[slot.first]
    if not tok.text[:1].isupper():
        return False
    if slot.first == 0:
        return False
    prev = doc.tokens[slot.first - 1]
    if prev.kind == "punct" and prev.text in ".!?:\"'\u201c\u2018(":
        return False
    gap = doc.text[prev.end : tok.start]
    return "\n" not in gap


@dataclass(frozen=True)
class ScoredSlot:
    slot: Slot
    keep: float
    cands: tuple[float, ...]
    mid_sentence_capital: bool


@dataclass(frozen=True)
class Scored:
    """Everything the decision needs; independent of :class:`Tuning` (so tuning is cheap)."""

    text: str
    doc: Document
    segments: tuple[tuple[ScoredSlot, ...], ...]
    words: int
    scorer: str
    data_version: str
    mode: str
    incomplete: bool
    reason: str | None


def score(text: str, config: Config, scorer: Scorer | None = None) -> Scored:
    """Stage 1: find slots and score every hypothesis in context."""
    lexicon = load_lexicon(config.lexicon)
    if config.user_pairs:
        lexicon = with_user_pairs(lexicon, config.user_pairs)
    if scorer is None:
        scorer = FastScorer(lexicon) if config.mode == "fast" else _deep_scorer(config)
    max_words = config.max_words or DEFAULT_MAX_WORDS[config.mode]
    # Bound memory before tokenising: cut very long inputs at ~20 characters per word.
    incomplete = False
    reason = None
    char_cap = max_words * 20
    work_text = text
    if len(text) > char_cap:
        cut = text.rfind(" ", 0, char_cap)
        work_text = text[: cut if cut > 0 else char_cap]
    doc = tokenize(work_text)
    limit_token = len(doc.tokens)
    seen = 0
    for k, t in enumerate(doc.tokens):
        if t.is_word:
            seen += 1
            if seen > max_words:
                limit_token = k
                break
    if limit_token < len(doc.tokens) or len(work_text) < len(text):
        incomplete = True
        reason = f"only the first {max_words:,} words were checked (max_words); split the text to check the rest"
    max_candidates = config.max_candidates or DEFAULT_MAX_CANDIDATES[config.mode]
    generator = (
        CandidateGenerator(lexicon, max_candidates)
        if config.user_pairs
        else _shared_generator(config.lexicon, max_candidates)
    )
    segments = []
    for first, last in _segments(doc, limit_token, config.segment_words):
        slots = generator.find_slots(doc, first, last)
        if not slots:
            continue
        scores = scorer.score_segment(doc, slots)
        segments.append(
            tuple(
                ScoredSlot(s, keep, tuple(cands), _mid_sentence_capital(doc, s))
                for s, (keep, cands) in zip(slots, scores)
            )
        )
    words = sum(1 for t in doc.tokens[:limit_token] if t.is_word)
    return Scored(text, doc, tuple(segments), words, scorer.name, lexicon.version, config.mode, incomplete, reason)


def finish(scored: Scored, config: Config, tuning: Tuning | None = None) -> Analysis:
    """Stage 2: decide per slot, choose jointly, build findings, edits and the score."""
    tuning = tuning or default_tuning(config.mode)
    findings: list[Finding] = []
    edits: list[Edit] = []
    doc = scored.doc
    pooled = _pooled_evidence(scored) if tuning.pool_weight else {}
    for segment in scored.segments:
        decisions = [
            decide(
                x.slot,
                x.keep,
                x.cands,
                tuning,
                x.mid_sentence_capital,
                _bonus(x, pooled, tuning.pool_weight) if pooled else None,
            )
            for x in segment
        ]
        for d in choose(decisions, config.flag_threshold):
            findings.append(_finding(doc, d))
            if d.gain <= 0:
                # Spun in total probability, but no single original beats the text itself:
                # report the span, do not rewrite it.
                continue
            best, conf = d.ranked[0]
            is_user = any(c.user and c.text == best for c in d.slot.candidates)
            source = "user-list" if is_user else "lexicon+" + scored.scorer
            edits.append(Edit(d.slot.start, d.slot.end, d.slot.text, best, round(conf, 3), source, d.evidence))
    if scored.mode == "fast":
        # Fast mode's per-span decisions are deliberately conservative (few false changes),
        # so the document score comes from the screening model over all slots instead.
        from .screen import fast_document_score

        slots = [x for seg in scored.segments for x in seg]
        value = round(fast_document_score(doc, load_lexicon(config.lexicon), slots), 4)
        risk = risk_level(value, max(len(findings), 3))
    else:
        value = spin_score(findings, scored.words)
        risk = risk_level(value, len(findings))
    report = Report(
        text=scored.text,
        findings=tuple(findings),
        score=value,
        risk=risk,
        words=scored.words,
        mode=scored.mode,
        model=scored.scorer,
        data_version=scored.data_version,
        incomplete=scored.incomplete,
        reason=scored.reason,
    )
    return Analysis(report, tuple(edits))


def _pooled_evidence(scored: Scored) -> dict[tuple[str, str], tuple[float, int]]:
    """Sum and count of LM log-ratios (candidate vs text) per (spun surface, candidate).

    Spinners reuse one favourite synonym per word, so the same swap recurs through a
    document; each occurrence's context is evidence about the others.
    """
    acc: dict[tuple[str, str], list[float]] = {}
    for segment in scored.segments:
        for x in segment:
            key = x.slot.text.lower()
            for c, sc in zip(x.slot.candidates, x.cands):
                if sc > -1e8:
                    acc.setdefault((key, c.text.lower()), []).append(sc - x.keep)
    return {k: (sum(v), len(v)) for k, v in acc.items() if len(v) > 1}


def _bonus(x: ScoredSlot, pooled: dict[tuple[str, str], tuple[float, int]], weight: float) -> list[float]:
    key = x.slot.text.lower()
    out = []
    for c, sc in zip(x.slot.candidates, x.cands):
        total, n = pooled.get((key, c.text.lower()), (0.0, 0))
        if n > 1 and sc > -1e8:
            others = (total - (sc - x.keep)) / (n - 1)
            out.append(weight * others)
        else:
            out.append(0.0)
    return out


def analyse(text: str, config: Config, scorer: Scorer | None = None, tuning: Tuning | None = None) -> Analysis:
    """Check ``text`` and compute the restoration edits."""
    return finish(score(text, config, scorer), config, tuning)


def _finding(doc: Document, d: Decision) -> Finding:
    sent = next((s for s in doc.sentences if s.first_token <= d.slot.first < s.last_token), None)
    reps = tuple(Replacement(t, round(p, 3)) for t, p in d.ranked[:5])
    return Finding(
        start=d.slot.start,
        end=d.slot.end,
        text=d.slot.text,
        replacements=reps,
        confidence=round(d.p_spun, 3),
        rule="UNSPIN_SYNONYM_SWAP" if d.slot.n_words == 1 else "UNSPIN_PHRASE_SWAP",
        evidence=d.evidence,
        sentence_start=sent.start if sent else d.slot.start,
        sentence_end=sent.end if sent else d.slot.end,
    )


def spin_score(findings: Sequence[Finding], words: int) -> float:
    """Document spin score in [0, 1]: 1 - exp(-density / SCORE_SCALE).

    ``density`` is the summed confidence of the findings per word. A text with 4% of its
    words confidently flagged scores 0.63.

    >>> spin_score([], 100)
    0.0
    """
    if words <= 0 or not findings:
        return 0.0
    density = sum(f.confidence for f in findings) / words
    return round(1.0 - math.exp(-density / SCORE_SCALE), 4)


def risk_level(score: float, n_findings: int) -> str:
    """Risk from the score: >= 0.6 high, >= 0.3 suspicious, >= 0.1 low, else clean.

    Fewer than three findings never rate above "low": one odd word is not a spun text.

    >>> risk_level(0.7, 10), risk_level(0.7, 2), risk_level(0.05, 1)
    ('high', 'low', 'clean')
    """
    level = "clean"
    for cut, name in RISK_CUTS:
        if score >= cut:
            level = name
            break
    if n_findings < 3 and level in ("suspicious", "high"):
        level = "low"
    return level


def default_tuning(mode: str) -> Tuning:
    """Decision parameters per mode, tuned on the dev profile (``scripts/tune_engine.py``).

    The negative multi-word bonus corrects a length bias: a one-word candidate for a
    multi-word span pays for fewer tokens, so the LM favours it whatever the context.
    """
    if mode == "fast":
        return Tuning(rho=0.03, lm_weight=0.5, prior_weight=2.0, multiword_bonus=-3.0)
    return Tuning(rho=0.03, lm_weight=0.75, prior_weight=1.0, multiword_bonus=-3.0, pool_weight=0.0)


def _deep_scorer(config: Config) -> Scorer:
    from .neural import NeuralScorer

    return NeuralScorer.for_config(config)


@cache
def _shared_generator(name: str, max_candidates: int) -> CandidateGenerator:
    return CandidateGenerator(load_lexicon(name), max_candidates)
