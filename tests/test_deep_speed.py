"""Deep-mode speed (issue 15): which candidates get the right context, progress, timing.

The rule that picks candidates for rescoring is tested without the language model (on
made-up first-sub-token scores); the slow test checks it on the real model.
"""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace

import pytest

import unspin
from unspin.engine.candidates import CandidateGenerator
from unspin.engine.decision import load_decision
from unspin.engine.neural import NeuralScorer, SlotScores, cheap_utilities
from unspin.lexicon import load_lexicon
from unspin.text import tokenize
from unspin.tuning import UNSCORED, is_scored, mode_defaults

TEXT = (
    "The central bank raised interest rates again on Tuesday, citing persistent inflation. "
    "Researchers found that the new treatment reduced the risk of heart attack by a third."
)


def _slots_and_cheap(text: str = TEXT):  # type: ignore[no-untyped-def]
    doc = tokenize(text)
    slots = CandidateGenerator(load_lexicon(), mode_defaults("deep").max_candidates).find_slots(doc, 0, len(doc.tokens))
    cheap = []
    for k, s in enumerate(slots):
        # a spread of first-sub-token scores around the text's own: some slots close, some not
        shift = (k % 5) * 2.5
        firsts = tuple(-2.0 - shift - 0.6 * i for i in range(len(s.candidates)))
        cheap.append(SlotScores(-12.0, (UNSCORED,) * len(s.candidates), -2.5, firsts, 8))
    return doc, slots, cheap


def _scorer(**kw: object) -> NeuralScorer:
    settings = dataclasses.replace(mode_defaults("deep"), **kw)
    return NeuralScorer(SimpleNamespace(name="fake-lm"), settings)  # type: ignore[arg-type]


def test_shipped_deep_settings_gate_the_rescoring() -> None:
    d = mode_defaults("deep")
    assert d.rescore_gate is not None and d.rescore_first >= 2
    assert d.head in ("sub", "exact")
    assert 2 <= d.right_min <= d.right_max <= 10
    assert load_decision().ranker is not None


def test_gate_picks_at_most_k_candidates_above_the_gate_best_first() -> None:
    doc, slots, cheap = _slots_and_cheap()
    scorer = _scorer(rescore_gate=-5.0, rescore_first=3)
    picked = scorer.choose(doc, slots, cheap)
    from unspin.engine.scored import mid_sentence_capital, unigrams

    caps = [mid_sentence_capital(doc, s) for s in slots]
    utils = cheap_utilities(cheap, slots, caps, load_decision().ranker, unigrams(scorer.lexicon))
    assert len(picked) == len(slots)
    for chosen, u in zip(picked, utils):
        assert len(chosen) <= 3
        assert all(u[i] >= -5.0 for i in chosen)
        assert [u[i] for i in chosen] == sorted((u[i] for i in chosen), reverse=True)
        above = sorted((v for v in u if v >= -5.0), reverse=True)
        assert len(chosen) == min(3, len(above))  # nothing above the gate is skipped within k
    # the gate does its job on this input: some slots get nothing, some get several
    assert any(not c for c in picked) and any(len(c) >= 2 for c in picked)


def test_gate_is_deterministic_and_monotone() -> None:
    doc, slots, cheap = _slots_and_cheap()
    tight = _scorer(rescore_gate=-3.0, rescore_first=4).choose(doc, slots, cheap)
    again = _scorer(rescore_gate=-3.0, rescore_first=4).choose(doc, slots, cheap)
    loose = _scorer(rescore_gate=-8.0, rescore_first=4).choose(doc, slots, cheap)
    assert tight == again
    for t, lo in zip(tight, loose):
        assert set(t) <= set(lo)
    assert sum(map(len, loose)) > sum(map(len, tight))


def test_unscorable_slots_get_nothing_and_no_gate_means_the_old_rule() -> None:
    doc, slots, cheap = _slots_and_cheap()
    mask = [k % 2 == 0 for k in range(len(slots))]
    picked = _scorer(rescore_gate=-50.0, rescore_first=2).choose(doc, slots, cheap, mask)
    assert all(not c for c, ok in zip(picked, mask) if not ok)
    old = _scorer(rescore_gate=None, rescore_first=1).choose(doc, slots, cheap)
    # without a gate: exactly one per slot with candidates, the best first-sub-token + prior bound
    assert [len(c) for c in old] == [min(1, len(s.candidates)) for s in slots]


def test_progress_is_reported_per_segment_and_changes_nothing() -> None:
    text = " ".join([TEXT] * 30)
    cfg = unspin.Config(mode="fast", segment_words=60)
    calls: list[tuple[int, int]] = []
    with_bar = unspin.restore_and_explain(text, cfg, progress=lambda d, t: calls.append((d, t)))
    assert with_bar == unspin.restore_and_explain(text, cfg)
    total = with_bar.report.words
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert len(calls) >= 10
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


def test_progress_line_shows_words_rate_and_eta() -> None:
    from unspin.cli.progress import ProgressLine

    out = io.StringIO()
    clock = iter([0.0, 4.0, 8.0]).__next__
    bar = ProgressLine(out, clock=clock, min_words=100)
    bar(0, 800)
    bar(400, 800)
    bar(800, 800)
    bar.close()
    last = out.getvalue().rstrip("\n").split("\r")[-1]
    assert last.split() == ["800/800", "words", "100.0", "words/s", "ETA", "0", "s"]
    quiet = io.StringIO()
    short = ProgressLine(quiet, clock=iter([0.0, 1.0]).__next__, min_words=100)
    short(0, 50)
    short(50, 50)
    short.close()
    assert quiet.getvalue() == ""


@pytest.mark.neural
def test_real_model_rescores_what_the_rule_picks_and_the_same_every_time() -> None:
    pytest.importorskip("llama_cpp")
    from unspin.engine.lm import load_model

    lm = load_model("gemma3-270m.v2", 2)
    doc = tokenize(TEXT)
    settings = mode_defaults("deep")
    slots = CandidateGenerator(load_lexicon(), settings.max_candidates).find_slots(doc, 0, len(doc.tokens))
    scorer = NeuralScorer(lm, settings)
    first = scorer.score_segment(doc, slots)
    assert first == scorer.score_segment(doc, slots)
    cheap = [SlotScores(r.keep, (UNSCORED,) * len(r.cands), r.keep_first, r.cands_first, r.right) for r in first]
    picked = scorer.choose(doc, slots, cheap, [any(is_scored(f) for f in r.cands_first) for r in first])
    for r, chosen in zip(first, picked):
        assert {i for i, c in enumerate(r.cands) if is_scored(c)} == set(chosen)
    assert sum(map(len, picked)) > 0
