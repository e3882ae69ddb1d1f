"""The noisy-channel decision and the joint choice of non-overlapping spans."""

from __future__ import annotations

import math

from hypothesis import given, strategies as st

from unspin.engine.candidates import Candidate, Slot
from unspin.engine.decode import Decision, Tuning, choose, decide, p_spun


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


@given(
    st.floats(-30, 0),
    st.lists(st.tuples(st.floats(-30, 0), st.floats(0, 1), st.booleans()), min_size=1, max_size=8),
    st.booleans(),
)
def test_p_spun_is_decides_probability(keep, cands, capital):
    s = Slot(0, 1, 0, 5, "x", tuple(Candidate(f"c{k}", f"c{k}", p, user) for k, (_, p, user) in enumerate(cands)))
    scores = [sc for sc, _, _ in cands]
    want = decide(s, keep, scores, Tuning(), mid_sentence_capital=capital).p_spun
    assert math.isclose(p_spun(s, keep, scores, Tuning(), mid_sentence_capital=capital), want, rel_tol=1e-12, abs_tol=1e-15)


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


# -- the learned decision over a whole document (engine/features.py, engine/infer.py) --------

import numpy as np
import pytest

from unspin.engine.decision import DecisionModel
from unspin.engine.features import FEATURES, Unigrams, pooled, slot_features, text_counts
from unspin.engine.infer import infer_document, neighbour_means
from unspin.engine.scored import ScoredSlot
from unspin.errors import DataError
from unspin.lexicon import load_lexicon
from unspin.tuning import UNSCORED


def _model(**weights: float) -> DecisionModel:
    w = tuple(weights.get(f, 0.0) for f in FEATURES)
    return DecisionModel(FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), w, -2.0, {"base_rate": 0.1})


def _scored(k: int, text: str, cand: str, lo: float) -> ScoredSlot:
    s = Slot(k, k + 1, k * 10, k * 10 + len(text), text, (Candidate(cand, cand, 0.5),))
    return ScoredSlot(s, -10.0, (-10.0 + lo,), False, -5.0, (-5.0 + lo,))


@pytest.fixture(scope="module")
def uni() -> Unigrams:
    return Unigrams(load_lexicon("thesaurus.v1"))


def test_posteriors_follow_the_evidence(uni: Unigrams) -> None:
    slots = [_scored(0, "firm", "company", 6.0), _scored(2, "company", "firm", -6.0)]
    post = infer_document(slots, _model(lo_full=1.0), uni, rounds=4, rate_strength=20.0)
    assert post.posteriors[0].p_spun > 0.9 > 0.01 > post.posteriors[1].p_spun
    for p in post.posteriors:
        assert 0.0 <= p.p_spun <= 1.0 and sum(p.probs) == pytest.approx(p.p_spun)


def test_the_document_rate_rises_with_its_evidence(uni: Unigrams) -> None:
    spun = [_scored(2 * k, "firm", "company", 5.0) for k in range(30)]
    clean = [_scored(2 * k, "company", "firm", -5.0) for k in range(30)]
    m = _model(lo_full=1.0, rate=1.0)
    assert infer_document(spun, m, uni, 4, 20.0).rate > 0.3 > 0.1 > infer_document(clean, m, uni, 4, 20.0).rate


def test_the_same_swap_elsewhere_is_pooled(uni: Unigrams) -> None:
    slots = [_scored(0, "firm", "company", 4.0), _scored(2, "firm", "company", 2.0), _scored(4, "firm", "business", 1.0)]
    pool = pooled(slots)
    assert pool[("firm", "company")] == (6.0, 2)
    f = slot_features(slots[0], uni, 0.0, pool, text_counts(slots), 0.0).x[0]
    assert f[FEATURES.index("pool_mean")] == 2.0 and f[FEATURES.index("text_repeats")] == pytest.approx(np.log(3))


def test_an_unscored_candidate_is_imputed_and_flagged(uni: Unigrams) -> None:
    s = Slot(0, 1, 0, 4, "firm", (Candidate("company", "company", 0.5),))
    x = ScoredSlot(s, -10.0, (UNSCORED,), False, -5.0, (-3.0,))
    f = slot_features(x, uni, 0.0, {}, {}, 0.0).x[0]
    assert f[FEATURES.index("unscored")] == 1.0 and f[FEATURES.index("lo_full")] == 2.0


def test_neighbours_skip_overlapping_slots() -> None:
    a, b, c = _scored(0, "a", "x", 0), _scored(2, "b", "y", 0), _scored(4, "c", "z", 0)
    over = ScoredSlot(Slot(2, 4, 20, 40, "b c", ()), 0.0, (), False)
    nb = neighbour_means([a, b, c, over], [1.0, 0.0, 0.5, 0.2])
    assert nb[1] == pytest.approx(0.75)  # a and c; the span "b c" overlaps b
    assert nb[0] == pytest.approx(0.1)  # b and "b c", the two nearest on the right


def test_a_model_for_other_features_is_refused(uni: Unigrams) -> None:
    bad = DecisionModel(("lo_full",), (0.0,), (1.0,), (1.0,), 0.0, {})
    with pytest.raises(DataError):
        infer_document([_scored(0, "firm", "company", 1.0)], bad, uni, rounds=1)
