"""The noisy-channel decision and the joint choice of non-overlapping spans."""

from __future__ import annotations

import math

from hypothesis import given, strategies as st

from unspin.engine.candidates import Candidate, Slot
from unspin.engine.decode import Decision, Tuning, choose, decide


def _slot(first, last, text="x", cands=(("y", 0.5),)):
    return Slot(first, last, first * 10, last * 10, text, tuple(Candidate(t, t, p) for t, p in cands))


def test_context_that_prefers_the_candidate_flags_the_span():
    s = _slot(0, 1, "sufferers", (("patients", 0.6), ("victims", 0.2)))
    d = decide(s, keep_score=-12.0, cand_scores=[-4.0, -9.0], tuning=Tuning())
    assert d.ranked[0][0] == "patients"
    assert d.p_spun > 0.9
    assert "patients" in d.evidence


def test_context_that_prefers_the_text_keeps_it():
    s = _slot(0, 1, "patients", (("sufferers", 0.6),))
    d = decide(s, keep_score=-4.0, cand_scores=[-12.0], tuning=Tuning())
    assert d.p_spun < 0.01


def test_capitalised_mid_sentence_word_needs_more_evidence():
    s = _slot(0, 1, "Paris", (("Capital", 0.5),))
    plain = decide(s, -6.0, [-5.0], Tuning())
    named = decide(s, -6.0, [-5.0], Tuning(), mid_sentence_capital=True)
    assert named.p_spun < plain.p_spun


def test_posteriors_sum_to_one():
    s = _slot(0, 1, "a", (("b", 0.3), ("c", 0.3), ("d", 0.1)))
    d = decide(s, -5.0, [-6.0, -4.0, -7.0], Tuning())
    assert math.isclose(sum(p for _, p in d.ranked) + (1 - d.p_spun), 1.0, rel_tol=1e-9)


def _dec(first, last, gain, p=0.9):
    return Decision(_slot(first, last), p, (("y", p),), gain, "")


def test_choose_prefers_the_better_of_overlapping_spans():
    single = _dec(0, 1, 2.0)
    phrase = _dec(0, 3, 5.0)
    other = _dec(3, 4, 1.0)
    chosen = choose([single, phrase, other], threshold=0.5)
    assert chosen == [phrase, other]


def test_choose_drops_spans_below_threshold():
    assert choose([_dec(0, 1, 3.0, p=0.2)], threshold=0.5) == []


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 3), st.floats(0.1, 10)), max_size=12))
def test_choose_never_returns_overlaps(spec):
    decs = [_dec(a, a + n, g) for a, n, g in spec]
    chosen = choose(decs, 0.5)
    for x, y in zip(chosen, chosen[1:]):
        assert x.slot.last <= y.slot.first
