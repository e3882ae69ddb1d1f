"""One rule for a Report's score, risk and rule ids (unspin.scoring), on every path."""

from __future__ import annotations

from pathlib import Path

import pytest

import unspin
from unspin import Config
from unspin.results import Finding
from unspin.scoring import RULE_IDS, document_verdict, risk_level, rule_id
from unspin.serialize import RULES
from unspin.tuning import PRIOR_FLOOR, UNSCORED, is_scored, load_tuning, mode_defaults

FAST = Config(mode="fast")


def _f(conf: float) -> Finding:
    return Finding(0, 4, "firm", (), conf, rule_id(1), "")


def test_rule_ids_are_the_serialiser_rules() -> None:
    assert set(RULE_IDS) == set(RULES)
    assert rule_id(1) != rule_id(2) and rule_id(3, source_aligned=True) == "UNSPIN_SOURCE_ALIGNED"


def test_deep_score_grows_with_confident_findings_and_sparse_evidence_is_capped() -> None:
    few = document_verdict([_f(0.99)] * 2, 20, "deep")
    many = document_verdict([_f(0.99)] * 20, 200, "deep")
    assert few[0] > 0.6 and few[1] == "low"  # two findings never rate above "low"
    assert many[1] == "high"
    assert document_verdict([], 500, "deep") == (0.0, "clean")


def test_fast_verdict_is_the_screen_score_whatever_the_findings() -> None:
    assert document_verdict([_f(0.99)] * 30, 100, "fast", screen_score=0.05) == (0.05, "clean")
    with pytest.raises(ValueError):
        document_verdict([], 100, "fast")


def test_risk_levels_are_ordered() -> None:
    levels = [risk_level(s / 100) for s in range(101)]
    order = {"clean": 0, "low": 1, "suspicious": 2, "high": 3}
    assert all(order[a] <= order[b] for a, b in zip(levels, levels[1:]))


def test_tuning_file_loads_with_provenance_and_sentinels() -> None:
    t = load_tuning()
    assert t.header["magic"] == "unspin-tuning"
    assert not is_scored(UNSCORED) and is_scored(-50.0) and 0 < PRIOR_FLOOR < 1e-3
    assert mode_defaults("deep").max_words < mode_defaults("fast").max_words
    for block in ("fast", "deep"):
        assert t.noisy_channel[block].rho > 0


def test_restore_fast_with_index_keeps_fast_scoring(tmp_path: Path) -> None:
    """Regression: restore --fast --index re-scored with the deep rule under the fast label."""
    from test_trace import ORIGINALS, _spin
    from unspin.trace import TraceIndex

    path = tmp_path / "sources.db"
    with TraceIndex(path, create=True) as ix:
        ix.add([(f"orig/{i:02d}.txt", t) for i, t in enumerate(ORIGINALS)])
    spun = _spin(ORIGINALS[2], 5)
    plain = unspin.check(spun, FAST)
    from unspin.api import restore_from_index

    r = restore_from_index(spun, str(path), FAST)
    assert r.extra["source"] is not None
    assert any(f.rule == "UNSPIN_SOURCE_ALIGNED" for f in r.report.findings)
    assert r.report.mode == "fast"
    assert (r.report.score, r.report.risk) == (plain.score, plain.risk)
    assert (r.report.score, r.report.risk) == document_verdict(r.report.findings, r.report.words, "fast", plain.score)


# -- an allow list (Config.allow): allowed phrases never raise a document's rank or risk ------


class _FirmScorer:
    """A stand-in deep scorer: the text is clearly right everywhere except at "firm", where its
    first candidate fits far better (so the only findings are "firm")."""

    name = "stand-in"

    def score_segment(self, doc, slots):  # type: ignore[no-untyped-def]
        return [(-12.0, [-2.0] + [-14.0] * (len(s.candidates) - 1)) if s.text.lower() == "firm"
                else (-3.0, [-13.0] * len(s.candidates)) for s in slots]


@pytest.mark.parametrize("engine", ["v3", "noisy channel"])
def test_a_document_whose_only_findings_are_allowed_is_not_rated_by_them(engine: str) -> None:
    """Deep mode: engine v3 takes the risk from a test over every slot, not from the findings, so
    dropping the findings afterwards would leave it "high"; the noisy channel takes both from them."""
    from unspin.engine.pipeline import analyse, default_tuning

    text = " ".join(["The firm grew fast."] * 20)
    tuning = default_tuning("deep") if engine == "noisy channel" else None
    before = analyse(text, Config(mode="deep"), scorer=_FirmScorer(), tuning=tuning)
    assert {f.text for f in before.report.findings} == {"firm"} and before.report.risk == "high"
    after = analyse(text, Config(mode="deep", allow=("Firm",)), scorer=_FirmScorer(), tuning=tuning)
    assert after.report.findings == () and after.edits == ()
    assert (after.report.score, after.report.risk) == (0.0, "clean")
    if engine == "v3":
        assert after.report.null_p_value == 1.0
    order = ("clean", "low", "suspicious", "high")
    for allow in (("grew",), ("fast",)):  # allowing clean-looking words: the verdict may fall, never rise
        other = analyse(text, Config(mode="deep", allow=allow), scorer=_FirmScorer(), tuning=tuning).report
        assert other.score <= before.report.score and order.index(other.risk) <= order.index(before.report.risk)
        if engine == "v3":
            assert other.null_p_value >= before.report.null_p_value


def test_allowed_swaps_do_not_raise_the_fast_screen() -> None:
    """Fast mode's score is the screening model's over every checked slot (fast mode reports
    none of these swaps): with every swap allowed, the spun text stands where clean text does."""
    from unspin.bench.corpus import default_corpus_path, load_corpus
    from unspin.spinner import spin

    original = next(d.text for d in load_corpus(default_corpus_path("test")) if 300 <= len(d.text.split()) <= 600)
    spun = spin(original, profile="synonymizer", seed=0)
    swaps = tuple(sorted({e.spun_text.lower() for e in spun.edits}))
    before = unspin.check(spun.spun, FAST)
    after = unspin.check(spun.spun, Config(mode="fast", allow=swaps))
    assert before.risk in ("suspicious", "high") and before.clean_p < 1e-4
    assert after.risk == "clean" and after.clean_p > 0.05 and after.score < before.score


def test_allowing_phrases_never_raises_a_verdict() -> None:
    """Left out, the allowed slots could move a statistic over the rest either way (the fast
    screen is not monotone in its rates): the less suspicious value is kept."""
    from unspin.bench.corpus import default_corpus_path, load_corpus
    from unspin.spinner import spin

    from conftest import FAST_FLAGGED

    texts = [FAST_FLAGGED * 6]  # left out, its two findings' slots would raise its score (0.94 -> 0.997)
    docs = [d.text for d in load_corpus(default_corpus_path("test")) if 150 <= len(d.text.split()) <= 400][:6]
    texts += docs[:3] + [spin(t, profile="pps", seed=i).spun for i, t in enumerate(docs[3:])]
    order = ("clean", "low", "suspicious", "high")
    for text in texts:
        before = unspin.check(text, FAST)
        allow = tuple({f.text for f in before.findings} or text.split()[5:40:7])
        after = unspin.check(text, Config(mode="fast", allow=allow))
        assert after.score <= before.score and after.clean_p >= before.clean_p
        assert order.index(after.risk) <= order.index(before.risk)
        assert not {f.text.lower() for f in after.findings} & {a.lower() for a in allow}
