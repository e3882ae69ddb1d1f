"""`unspin learn`'s default batch model: p-values against the shipped clean-text null, swaps
pooled over the batch (:mod:`unspin.learn.pooled`).

The evidence is synthetic but its "clean" margins are drawn from the shipped null's own clean
values, so clean slots get the p-values real clean prose gets; spun occurrences get margins
beyond them, as a spinner's favourite synonym does in the documents that carry it.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.engine.null import load_null
from unspin.errors import InputError
from unspin.learn import DocEvidence, SlotEvidence, learn
from unspin.learn.pooled import fit_batch_null
from unspin.learn.run import BatchItem


def _clean_margins() -> tuple[float, ...]:
    return load_null().values["news:content"]


def _batch(seed: int, n_docs: int, n_words: int, clean_share: float, strength: float = 8.0):
    """Documents over a known swap table. A slot's statistic is its best margin, so a clean
    slot's best margin is a draw from the null's clean values and its other candidates fall
    below it; a spun occurrence's true original gets ``strength`` nats beyond a clean draw."""
    rng = random.Random(seed)
    clean = _clean_margins()
    table = {}
    for w in range(n_words):
        cands = [f"orig{w}x{k}" for k in range(3)]
        table[f"spun{w}"] = (rng.choice(cands), cands)
    docs, truth_docs = [], {}
    for d in range(n_docs):
        is_clean = d < int(n_docs * clean_share)
        rate = 0.0 if is_clean else rng.uniform(0.05, 0.3)
        slots = []
        for k in range(rng.randint(60, 120)):
            spun = rng.random() < rate
            if spun or rng.random() < 0.15:
                w = f"spun{rng.randrange(n_words)}"
            else:
                w = f"plain{rng.randrange(400)}"
            true, cands = table.get(w, (None, [f"{w}c{j}" for j in range(3)]))
            top = rng.choice(clean)
            best = true if spun else rng.choice(cands)
            margins = []
            for c in cands:
                m = top if c == best else top - abs(rng.gauss(0.0, 2.0)) - 0.01
                if spun and c == true:
                    m = max(top, 0.0) + strength
                margins.append((c, round(m, 3), 0.3))
            if spun:
                truth_docs.setdefault((w, true), set()).add(d)
            slots.append(SlotEvidence(k * 10, k * 10 + 6, w, "left ", " right", tuple(margins), "content"))
        docs.append(DocEvidence(f"{d:064x}", "k", f"doc{d}", 100, False, tuple(slots)))
    return table, docs, truth_docs


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_docs=st.integers(15, 40), n_words=st.integers(3, 10),
       clean_share=st.sampled_from([0.0, 0.25, 0.5]))
def test_pooled_batch_learns_the_true_swaps_only(seed: int, n_docs: int, n_words: int, clean_share: float) -> None:
    table, docs, truth_docs = _batch(seed, n_docs, n_words, clean_share)
    fit = fit_batch_null(docs)
    truth = {(w, orig) for w, (orig, _c) in table.items()}
    learned = {(s.spun, s.original) for s in fit.select(min_docs=3, min_confidence=0.9)}
    # a swap's confidence is 1 - its local fdr, so at 0.9 about one in ten or fewer may be wrong
    # (a plain word whose few occurrences happen to read odd): never more than that
    false = learned - truth
    assert len(false) <= max(1, 0.1 * len(learned))
    strong = {p for p, ds in truth_docs.items() if len(ds) >= 4}
    assert strong <= learned


def test_clean_batch_learns_nothing_and_reads_as_clean() -> None:
    _t, docs, _truth = _batch(3, 30, 6, clean_share=1.0)
    fit = fit_batch_null(docs)
    assert fit.select(min_docs=3, min_confidence=0.5) == ()
    rates = sorted(fit.doc_rates)
    assert rates[len(rates) // 2] <= 0.1  # the EM read 0.86-0.89 on lightly spun batches


def test_rates_follow_the_documents_not_a_loop() -> None:
    """A document's rate is its own share estimate: it does not move when the batch around it changes."""
    _t, docs, _truth = _batch(5, 30, 6, clean_share=0.5)
    whole = fit_batch_null(docs)
    half = fit_batch_null(docs[:15])
    assert whole.doc_rates[:15] == half.doc_rates
    # spun documents read higher on average than clean ones
    assert sum(whole.doc_rates[15:]) / 15 > sum(whole.doc_rates[:15]) / 15 + 0.03


def test_order_of_the_batch_does_not_matter() -> None:
    _t, docs, _truth = _batch(7, 25, 5, clean_share=0.2)
    a = fit_batch_null(docs)
    b = fit_batch_null(list(reversed(docs)))
    key = lambda fit: sorted((s.spun, s.original, s.confidence, s.documents) for s in fit.swaps)  # noqa: E731
    assert key(a) == key(b)


def test_a_single_strong_document_is_not_enough() -> None:
    """Pooling needs the swap again: one document's strong swap stays below three documents."""
    _t, docs, _truth = _batch(11, 20, 4, clean_share=0.0)
    s = docs[0].slots[0]
    boosted = SlotEvidence(s.start, s.end, "lonely", s.left, s.right, (("alone", 12.0, 0.3),), "content")
    docs[0] = DocEvidence(docs[0].sha256, "k", docs[0].name, 100, False, (boosted,) + docs[0].slots[1:])
    fit = fit_batch_null(docs)
    assert ("lonely", "alone") not in {(x.spun, x.original) for x in fit.select(min_docs=3, min_confidence=0.5)}
    assert ("lonely", "alone") in {(x.spun, x.original) for x in fit.swaps}


def test_null_method_refuses_fast_evidence(tmp_path) -> None:
    from unspin import Config

    item = BatchItem("a.txt", "0" * 64, "Numerous people purchased apples.", 4)
    with pytest.raises(InputError, match="deep-mode evidence"):
        learn(items=[item], config=Config(mode="fast"), cache_path=tmp_path / "c.jsonl", method="null")
