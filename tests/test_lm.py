"""The LM wrapper on the real model: the numpy (sub-vocabulary) head against llama.cpp's exact
head, top-k proposals, and continuations against a fresh pass."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.errors import ModelError, UnspinError

pytestmark = pytest.mark.neural

SENTENCES = [
    "The central bank raised interest rates again on Tuesday, citing persistent inflation.",
    "She walked to the station in the rain and caught the last train home.",
    "Researchers found that the new treatment reduced the risk of heart attack by a third.",
]


@pytest.fixture(scope="module")
def lm():  # type: ignore[no-untyped-def]
    pytest.importorskip("llama_cpp")
    from unspin.engine.lm import load_model

    return load_model("gemma3-270m.v2", 2)


def test_head_matches_llama_logits(lm) -> None:  # type: ignore[no-untyped-def]
    # The numpy head reproduces llama.cpp's logits (checked on a probe at load time).
    assert lm.out_head is not None
    assert lm.head_error < 1e-3


@pytest.mark.parametrize("text", SENTENCES)
def test_sub_head_close_to_exact(lm, text: str) -> None:  # type: ignore[no-untyped-def]
    ids, _ = lm.tokens_with_offsets(text)
    other = lm.tokenize(" banana")[0]
    wanted = {3: [ids[3], other], len(ids) - 1: [other]}
    a_ex, g_ex = lm.pass_logprobs(ids, wanted, head="exact")
    a_sub, g_sub = lm.pass_logprobs(ids, wanted, head="sub")
    assert a_ex[0] == 0 and np.all(a_ex[1:] <= 0)
    # The sub-vocabulary normaliser is a lower bound: log-probs can only rise.
    assert np.all(a_sub[1:] >= a_ex[1:] - 1e-4)
    diff = np.abs(a_sub - a_ex)
    assert np.median(diff[1:]) < 0.05
    assert diff.max() < 1.5
    # Requested tokens agree with the pass's own value for the same token.
    assert g_ex[3][0] == pytest.approx(a_ex[3], abs=1e-6)
    assert g_sub[3][0] == pytest.approx(a_sub[3], abs=1e-6)
    assert abs(g_sub[3][1] - g_ex[3][1]) < 1.5


def test_score_pass_positions_only(lm) -> None:  # type: ignore[no-untyped-def]
    ids, _ = lm.tokens_with_offsets(SENTENCES[0])
    full = lm.score_pass(ids, head="sub").actual
    part = lm.score_pass(ids, positions=[2, 5], head="sub").actual
    assert np.isnan(part[3]) and np.isnan(part[1])
    assert part[2] == pytest.approx(full[2], abs=1e-4)
    assert part[5] == pytest.approx(full[5], abs=1e-4)


def test_top_next_contains_the_obvious_token(lm) -> None:  # type: ignore[no-untyped-def]
    text = "One, two, three, four, five, six, seven"
    ids, _ = lm.tokens_with_offsets(text)
    target = lm.tokenize(" seven")[0]
    t = ids.index(target)
    res = lm.score_pass(ids, top_at=[t], top_k=5)
    top_ids, top_lp = res.top[t]
    assert target in top_ids.tolist()
    assert np.all(np.diff(top_lp) <= 0)
    # The top-k log-prob of the actual token is the pass's own number (up to float32 summation
    # order: the top-k row and the single pair are two different products of 640 terms).
    assert top_lp[top_ids.tolist().index(target)] == pytest.approx(res.actual[t], abs=1e-5)


@pytest.mark.parametrize("head", ["exact", "sub"])
def test_continuations_agree_with_a_fresh_pass(lm, head: str) -> None:  # type: ignore[no-untyped-def]
    base, _ = lm.tokens_with_offsets(SENTENCES[0])
    j = 6  # hypotheses replace the token at position j and keep the right context
    right = list(base[j + 1 : j + 11])
    alt = lm.tokenize(" curiosity")[0]
    hyps = [[base[j], *right], [alt, *right]]
    lm.pass_logprobs(base, {}, head=head)
    got = lm.score_continuations(j, hyps, head=head)
    got_multi = lm.score_hypotheses([(j, hyps[1]), (3, list(base[3:9]))], head=head)
    # llama.cpp's numbers for a continuation batch differ slightly from a fresh pass at the
    # last positions (0.05-0.12 seen, in both heads and in the pre-speed code), hence the tolerance.
    for h, g in zip(hyps, got):
        fresh, _ = lm.pass_logprobs([*base[:j], *h], {}, head=head)
        assert np.allclose(g, fresh[j:], atol=0.15), (g, fresh[j:])
    assert np.allclose(got_multi[0], got[1], atol=0.15)
    fresh, _ = lm.pass_logprobs(list(base[:9]), {}, head=head)
    assert np.allclose(got_multi[1], fresh[3:9], atol=0.15)
    # The old interface: tokens after the first, from the same prefix.
    lm.pass_logprobs(base, {}, head=head)
    old = lm.continuations(j, hyps, head=head)
    assert np.allclose(old[1], got[1][1:], atol=0.15)


def test_tokenize_caches_short_strings_without_sharing_lists(lm) -> None:  # type: ignore[no-untyped-def]
    first = lm.tokenize(" counterfeit consciousness")
    first.append(-1)  # a caller's change to its list must not reach the cache
    again = lm.tokenize(" counterfeit consciousness")
    assert again == first[:-1] and again is not first
    long = "word " * 40  # longer than the cached length: tokenized afresh, same result
    assert lm.tokenize(long) == lm.tokenize(long) and len(lm.tokenize(long)) >= 40


def test_a_continuation_of_one_batch_plus_one_token_is_scored_whole(lm) -> None:  # type: ignore[no-untyped-def]
    # A continuation's last token is read from the output before it and never evaluated, so
    # N_BATCH + 1 tokens fit one batch and every one of them gets a log-probability.
    from unspin.engine.lm import N_BATCH

    base, _ = lm.tokens_with_offsets(SENTENCES[0])
    cont = (list(base[1:]) * (N_BATCH // max(1, len(base) - 1) + 2))[: N_BATCH + 1]
    lm.pass_logprobs(base, {})
    (got,) = lm.score_hypotheses([(1, cont)])
    assert len(got) == N_BATCH + 1 and np.all(np.isfinite(got))


def test_bad_requests_are_clear_errors(lm) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError):
        lm.score_pass([])
    ids, _ = lm.tokens_with_offsets("A short one.")
    with pytest.raises(ModelError):
        lm.pass_logprobs(ids, {1: [lm.n_vocab + 5]})
    lm.pass_logprobs(ids, {})
    with pytest.raises(ModelError):
        lm.score_continuations(len(ids) + 3, [[5, 6]])
    with pytest.raises(UnspinError):
        lm.score_pass(ids, head="nope")


def test_deep_scorer_rescores_a_fixed_number_of_candidates_per_slot(lm) -> None:  # type: ignore[no-untyped-def]
    # The work done per slot must not depend on the clock: without the gate, exactly
    # rescore_first candidates of every scorable slot get a full-context score, on any machine,
    # every time (the gated rule: tests/test_deep_speed.py).
    from unspin.engine.candidates import CandidateGenerator
    from unspin.engine.neural import NeuralScorer
    from unspin.lexicon import load_lexicon
    from unspin.text import tokenize
    from unspin.tuning import is_scored, mode_defaults

    text = " ".join(SENTENCES)
    doc = tokenize(text)
    from dataclasses import replace

    settings = replace(mode_defaults("deep"), rescore_gate=None, rescore_first=1)
    slots = CandidateGenerator(load_lexicon(), settings.max_candidates).find_slots(doc, 0, len(doc.tokens))
    scorer = NeuralScorer(lm, settings)
    first = scorer.score_segment(doc, slots)
    again = scorer.score_segment(doc, slots)
    assert first == again
    counts = [sum(is_scored(c) for c in r.cands) for s, r in zip(slots, first) if s.candidates and r.right > 0]
    assert counts and set(counts) == {settings.rescore_first}
