"""Run the stages over a text: segment -> slots -> scores -> decisions -> findings/edits.

Work is bounded: the text is cut at ``max_words`` words (the result is then flagged
``incomplete``) and processed in segments of about ``segment_words`` words, so memory does
not grow with the input.
"""

from __future__ import annotations

import time
from functools import cache, partial
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from ..config import Config
from ..lexicon import Lexicon, load_lexicon, with_user_pairs
from ..results import Edit, Finding, Replacement, Report
from ..scoring import document_verdict, findings_score, null_test_risk, risk_level, rule_id
from ..text import Document, tokenize
from ..tuning import Tuning, TuningData, channel_tuning, is_scored, load_tuning, mode_defaults
from .candidates import CandidateGenerator, Slot
from .decision import DecisionSettings, V3Document, load_decision, rewrites, strongest, v3_decisions
from .decode import Decision, choose, decide
from .ngram import NgramScorer
from .scored import Scored, ScoredSlot, mid_sentence_capital

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .null import NullTable

__all__ = ["Analysis", "Scored", "ScoredSlot", "analyse", "default_tuning", "finish", "score", "spin_score", "risk_level"]


def __getattr__(name: str) -> object:
    # Kept for callers of the old module constants; the values live in the tuning file.
    if name == "DEFAULT_MAX_WORDS":
        return {m: mode_defaults(m).max_words for m in ("deep", "fast")}
    if name == "DEFAULT_MAX_CANDIDATES":
        return {m: mode_defaults(m).max_candidates for m in ("deep", "fast")}
    raise AttributeError(name)


class Scorer(Protocol):
    name: str

    def score_segment(self, doc: Document, slots: Sequence[Slot]) -> Sequence[object]:
        """For each slot: (log-score of keeping its text, [log-score of each candidate]), or an
        object with ``keep``, ``cands``, ``keep_first`` and ``cands_first`` (see neural.SlotScores)."""
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


def _scored_slot(doc: Document, s: Slot, result: object) -> ScoredSlot:
    """Accept a scorer's (keep, cands) pair or a richer object with first-sub-token scores."""
    if isinstance(result, tuple):
        keep, cands = result
        return ScoredSlot(s, keep, tuple(cands), mid_sentence_capital(doc, s), keep, tuple(cands))
    return ScoredSlot(s, result.keep, tuple(result.cands), mid_sentence_capital(doc, s),  # type: ignore[attr-defined]
                      result.keep_first, tuple(result.cands_first))  # type: ignore[attr-defined]


Progress = Callable[[int, int], None]


def score(text: str, config: Config, scorer: Scorer | None = None, deadline: float | None = None,
          progress: Progress | None = None) -> Scored:
    """Stage 1: find slots and score every hypothesis in context.

    ``deadline`` (a :func:`time.monotonic` value, used by the HTTP server to bound a request):
    segments not started by then are left unchecked and the result is flagged incomplete.
    ``progress(words_done, words_total)`` is called once before the first segment and after
    each segment (for a progress bar; it must not change anything).
    """
    pending = None
    if scorer is None and config.mode != "fast":
        # The model loads (mostly outside Python's lock) while the lexicon and the first
        # segment's candidates are prepared: a few tenths of a second less per process.
        pending = _loading(_deep_scorer, config)
    lexicon = load_lexicon(config.lexicon)
    if config.user_pairs:
        lexicon = with_user_pairs(lexicon, config.user_pairs)
    if config.channel:  # a learned spinner dictionary (unspin learn): candidates with learned priors
        from ..lexicon.channel import with_channel

        lexicon = with_channel(lexicon, config.channel)
    if scorer is None and pending is None:
        scorer = FastScorer(lexicon)
    defaults = mode_defaults(config.mode)
    max_words = config.max_words or defaults.max_words
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
    max_candidates = config.max_candidates or defaults.max_candidates
    generator = (
        CandidateGenerator(lexicon, max_candidates)
        if config.user_pairs or config.channel
        else _shared_generator(config.lexicon, max_candidates)
    )
    segments = []
    timed_out = False
    total_words = min(seen, max_words)
    done_words = 0
    if progress is not None:
        progress(0, total_words)
    for first, last in _segments(doc, limit_token, config.segment_words):
        if deadline is not None and time.monotonic() >= deadline:
            limit_token, timed_out = first, True
            break
        slots = generator.find_slots(doc, first, last)
        if slots:
            if scorer is None:
                scorer = pending.result()  # type: ignore[union-attr]
            scores = scorer.score_segment(doc, slots)
            segments.append(tuple(_scored_slot(doc, s, r) for s, r in zip(slots, scores)))
        if progress is not None:
            done_words += sum(1 for t in doc.tokens[first:last] if t.is_word)
            progress(min(done_words, total_words), total_words)
    if scorer is None:
        scorer = pending.result()  # type: ignore[union-attr]
    words = sum(1 for t in doc.tokens[:limit_token] if t.is_word)
    if timed_out:
        incomplete = True
        reason = f"the time limit was reached: only the first {words:,} words were checked; split the text to check the rest"
    return Scored(text, doc, tuple(segments), words, scorer.name, lexicon.version, config.mode, incomplete, reason)


def finish(scored: Scored, config: Config, tuning: Tuning | None = None,
           decision: DecisionSettings | None | bool = True, settings: TuningData | None = None,
           null: NullTable | None = None) -> Analysis:
    """Stage 2: decide per slot, choose jointly, build findings, edits and the score.

    Two decisions, one per kind of evidence: deep mode uses engine v3
    (:func:`unspin.engine.decision.v3_decisions`: whether a slot is spun from its p-value
    against clean text, which original from the learned ranker); fast mode, an explicit
    noisy-channel ``tuning``, ``decision=None`` (or False) and decision settings without a
    ranker use the noisy-channel formula (``engine/decode.py``), fast mode because its n-gram
    evidence has no per-slot power against clean text (BENCHMARKS.md, session 10).

    Every tuned number the decision reads is passed in, so that an evaluation can try other
    settings without patching the package: ``decision`` (True: the shipped
    :func:`unspin.engine.decision.load_decision`; or a
    :class:`~unspin.engine.decision.DecisionSettings`), ``settings`` (the tuning file's
    risk model; default: the shipped file) and ``null`` (default: the shipped null table).
    """
    tuned = settings if settings is not None else load_tuning()
    deep: DecisionSettings | None = None  # None: the noisy channel (fast mode, or deep mode asked for it)
    if tuning is None and scored.mode == "deep":
        deep = load_decision() if decision is True else decision if isinstance(decision, DecisionSettings) else None
    findings: list[Finding] = []
    edits: list[Edit] = []
    doc = scored.doc
    threshold = config.flag_threshold
    v3: V3Document | None = None
    rewrite: Callable[[Decision], bool] = _channel_rewrites
    if deep is not None and deep.ranker is not None:
        if null is None:
            from .null import load_null

            null = load_null()
        per_segment, v3 = v3_decisions(scored, config, deep.ranker, null, deep.v3)
        # Report the spans the false-discovery rule admits; rewrite those the rewrite rule admits.
        threshold = v3.threshold
        rewrite = partial(rewrites, settings=deep.v3)
    else:
        tuning = tuning or default_tuning(config.mode)
        pooled = _pooled_evidence(scored) if tuning.pool_weight else {}
        per_segment = [
            [
                decide(x.slot, x.keep, x.cands, tuning, x.mid_sentence_capital,
                       _bonus(x, pooled, tuning.pool_weight) if pooled else None)
                for x in segment
            ]
            for segment in scored.segments
        ]
    chosen = [d for decisions in per_segment for d in choose(decisions, threshold)]
    if v3 is not None and deep is not None and len(chosen) < deep.v3.min_shown \
            and null_test_risk(v3.p_value, tuned) != "clean":
        # The test against clean text rates the document above clean, yet no span is sure enough
        # on its own: show the spans the verdict rests on most (their local fdr as confidence).
        extra = strongest([d for decisions in per_segment for d in decisions], chosen,
                          deep.v3.min_shown - len(chosen))
        chosen = sorted(chosen + extra, key=lambda d: d.slot.first)
    for d in chosen:
        findings.append(_finding(doc, d))
        if not rewrite(d):
            # Spun in total probability, but no single original is likely enough against
            # the text itself (or, engine v3, the span is not sure enough on its own to be
            # rewritten): report the span, do not rewrite it.
            continue
        best, conf = d.ranked[0]
        is_user = any(c.user and c.text == best for c in d.slot.candidates)
        source = "user-list" if is_user else "lexicon+" + scored.scorer
        edits.append(Edit(d.slot.start, d.slot.end, d.slot.text, best, round(conf, 3), source, d.evidence))
    screen = clean_p = None
    if scored.mode == "fast":
        # Fast mode's per-span decisions are deliberately conservative (few false changes),
        # so the document score comes from the screening model over all slots instead.
        from .screen import fast_document_standing

        slots = [x for seg in scored.segments for x in seg]
        screen, clean_p = fast_document_standing(doc, load_lexicon(config.lexicon), slots)
    value, risk = document_verdict(findings, scored.words, scored.mode, screen,
                                   None if v3 is None else v3.p_value, tuned)
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
        clean_p=clean_p,
        spin_share=None if v3 is None else (v3.share.share, v3.share.low, v3.share.high),
        null_p_value=None if v3 is None else float(f"{v3.p_value:.3g}"),
    )
    return Analysis(report, tuple(edits))


def _channel_rewrites(d: Decision) -> bool:
    """The noisy channel's rewrite rule: a reported span is rewritten when its best original's
    log-odds against keeping the text are above 0 (the original is likelier than the text)."""
    return not d.gain <= 0.0


def _pooled_evidence(scored: Scored) -> dict[tuple[str, str], tuple[float, int]]:
    """The same swap elsewhere in the document (:func:`unspin.engine.features.pooled`), with the
    unclipped log-odds the noisy channel's ``pool_weight`` was tuned on."""
    from .features import pooled

    return pooled([x for segment in scored.segments for x in segment], clip=False)


def _bonus(x: ScoredSlot, pooled: dict[tuple[str, str], tuple[float, int]], weight: float) -> list[float]:
    """Per candidate: ``weight`` x the mean evidence for its swap at the document's other places."""
    from .features import others_mean, swap_key

    out = []
    for i, sc in enumerate(x.cands[: len(x.slot.candidates)]):
        others = others_mean(pooled, swap_key(x, i), sc - x.keep) if is_scored(sc) else None
        out.append(0.0 if others is None else weight * others)
    return out


def analyse(
    text: str, config: Config, scorer: Scorer | None = None, tuning: Tuning | None = None, deadline: float | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Check ``text`` and compute the restoration edits (``deadline``, ``progress``: see :func:`score`;
    an allow list, ``config.allow``: see :func:`allow_listed`)."""
    scored = score(text, config, scorer, deadline, progress)
    if config.allow:
        return allow_listed(scored, config, tuning)
    return finish(scored, config, tuning)


def allow_listed(scored: Scored, config: Config, tuning: Tuning | None = None) -> Analysis:
    """The analysis of a text whose allow-listed phrases (``config.allow``, phrases normal in
    the user's field) must neither be reported nor raise the document's rank or risk.

    Findings and edits: a slot whose text is allowed (compared by :func:`unspin.text.phrase_key`)
    is left out before anything is decided, so it is never reported or rewritten and is no
    evidence about the rest of the text. Score and risk: :func:`unspin.scoring.document_verdict`,
    the one rule, over the findings that remain, with each mode's document-level statistic
    taken without the allowed slots:

    * deep mode's score is the remaining findings' density (the noisy channel takes the risk
      from it too);
    * fast mode's score comes from the screening model over every checked slot, not from the
      findings (it is recomputed with its ``clean_p``), and engine v3's risk from its test
      against clean text over every slot (recomputed: the p-value).

    Leaving slots out removes what they contributed, but a verdict over fewer slots can also
    move up: the screening model is not monotone in its rates, the null test over fewer slots
    is less diluted, and the rest's findings can be surer without them. So each part of the
    verdict is the less suspicious of its value without and with the allowed slots (the fast
    score goes with its ``clean_p``; v3's p-value is the larger): allow-listing a phrase can
    lower a verdict, never raise it. The remaining findings, the edits and ``spin_share`` are
    those of the text without the allowed slots. Scoring is done once; the decision stage runs
    a second time only when an allowed phrase occurs.
    """
    from dataclasses import replace

    from ..results import RISK_LEVELS
    from ..text import phrase_key

    allowed = frozenset(phrase_key(a) for a in config.allow)
    kept = tuple(tuple(x for x in seg if phrase_key(x.slot.text) not in allowed) for seg in scored.segments)
    if sum(map(len, kept)) == sum(map(len, scored.segments)):  # no allowed phrase among the slots
        return finish(scored, config, tuning)
    analysis = finish(replace(scored, segments=tuple(seg for seg in kept if seg)), config, tuning)
    mine, full = analysis.report, finish(scored, config, tuning).report
    screen, clean_p = mine.score, mine.clean_p
    if mine.clean_p is not None and full.clean_p is not None and full.clean_p > mine.clean_p:
        screen, clean_p = full.score, full.clean_p
    null_p = mine.null_p_value
    if null_p is not None and full.null_p_value is not None:
        null_p = max(null_p, full.null_p_value)
    value, risk = document_verdict(mine.findings, mine.words, mine.mode, screen if mine.mode == "fast" else None,
                                   null_p)
    value = min(value, full.score)
    risk = min(risk, full.risk, key=RISK_LEVELS.index)
    report = replace(mine, score=value, risk=risk, clean_p=clean_p, null_p_value=null_p)
    return Analysis(report, analysis.edits)


def _finding(doc: Document, d: Decision) -> Finding:
    sent = next((s for s in doc.sentences if s.first_token <= d.slot.first < s.last_token), None)
    reps = tuple(Replacement(t, round(p, 3)) for t, p in d.ranked[:5])
    return Finding(
        start=d.slot.start,
        end=d.slot.end,
        text=d.slot.text,
        replacements=reps,
        confidence=round(d.p_spun, 3),
        rule=rule_id(d.slot.n_words),
        evidence=d.evidence,
        sentence_start=sent.start if sent else d.slot.start,
        sentence_end=sent.end if sent else d.slot.end,
    )


def spin_score(findings: Sequence[Finding], words: int) -> float:
    """Deep-mode document score; see :func:`unspin.scoring.findings_score` (kept for callers)."""
    return findings_score(findings, words)


def default_tuning(mode: str) -> Tuning:
    """Noisy-channel decision parameters per mode, from the tuning file (:mod:`unspin.tuning`)."""
    return channel_tuning(mode)


def _loading(make: Callable[[Config], Scorer], config: Config) -> "Future[Scorer]":
    """``make(config)`` running in a thread of its own; its result (or its error) from ``.result()``."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-model")
    try:
        return pool.submit(make, config)
    finally:
        pool.shutdown(wait=False)


def _deep_scorer(config: Config) -> Scorer:
    from .neural import NeuralScorer

    return NeuralScorer.for_config(config)


@cache
def _shared_generator(name: str, max_candidates: int) -> CandidateGenerator:
    return CandidateGenerator(load_lexicon(name), max_candidates)
