"""Deep mode's decision, its one home (engine/decision.py): parser, loader, apply, fit."""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin import Config
from unspin.datafiles import path
from unspin.engine.candidates import Candidate, Slot
from unspin.engine.decision import (
    DOCUMENT_TESTS,
    INFER_KEYS,
    DecisionSettings,
    EngineV3,
    _fit_logit,
    fit_ranker,
    load_decision,
    parse_decision,
    slot_labels,
)
from unspin.engine.features import FEATURES, Unigrams
from unspin.engine.scored import ScoredSlot
from unspin.errors import DataError
from unspin.lexicon import load_lexicon
from unspin.tuning import TUNING_FILE, load_tuning, parse_tuning

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def _raw() -> dict:
    return json.loads(path(TUNING_FILE).read_text(encoding="utf-8"))


# -- parser and loader -----------------------------------------------------------------------


def test_the_shipped_settings_are_the_tuning_files_blocks_read_once() -> None:
    raw = _raw()
    shipped = load_decision()
    assert shipped == parse_decision(raw)
    assert load_decision() is shipped  # parsed once per process
    assert load_tuning().blocks == raw  # from the one reading of the file
    assert shipped.ranker is not None and shipped.ranker.features == FEATURES
    assert set(INFER_KEYS) <= set(shipped.infer) and shipped.v3.test in DOCUMENT_TESTS
    assert shipped.v3.fdr_level == pytest.approx(0.2)


def test_tuning_file_refuses_a_retired_decision_and_missing_loop_settings() -> None:
    """One decision per kind of evidence (issue 17): engine v2's decision is gone, and the loop
    that gives the ranker's document features in training must say its settings."""
    raw = _raw()
    old = copy.deepcopy(raw)
    old["engine_v3"]["values"]["engine"] = "v2"
    with pytest.raises(DataError, match="retired"):
        parse_decision(old)
    thin = copy.deepcopy(raw)
    del thin["infer"]["values"]["rate_strength"]
    with pytest.raises(DataError, match="rate_strength"):
        parse_decision(thin)


@pytest.mark.parametrize(
    ("block", "key", "value", "says"),
    [
        ("decision", "weights", [1.0], "differ in length"),
        ("decision", "bias", "x", "invalid content"),
        ("decision", "features", None, "invalid content"),
        ("engine_v3", "rule", "max", "rule must be local or mean"),
        ("engine_v3", "test", "exact", "test one of"),
        ("engine_v3", "fdr_level", 1.5, "levels in (0, 1)"),
        ("engine_v3", "rewrite_fdr", 0.0, "levels in (0, 1)"),
        ("engine_v3", "share", "em", "share must be storey or mixture"),
        ("engine_v3", "alternative", [1.0, 2.0], "positive, finite likelihood ratios"),
        ("engine_v3", "alternative", [0.0] * 11, "positive, finite likelihood ratios"),
        ("engine_v3", "alternative_share", 1.0, "alternative_share in (0, 1)"),
        ("engine_v3", "alternative", "x", "invalid content"),
        ("engine_v3", "min_shown", -1, "min_shown must be 0 to 10"),
        ("engine_v3", "min_shown", 1.5, "min_shown must be a whole number"),
    ],
)
def test_bad_decision_blocks_are_refused_in_one_line(block: str, key: str, value: object, says: str) -> None:
    raw = _raw()
    if block == "decision":
        raw[block][key] = value
    else:
        raw[block]["values"][key] = value
    with pytest.raises(DataError) as err:
        parse_decision(raw, "tuning.json")
    msg = str(err.value)
    assert says in msg and msg.startswith("tuning.json: ") and "train_decision" in msg and "\n" not in msg


def test_a_non_positive_scale_is_refused() -> None:
    raw = _raw()
    raw["decision"]["scale"] = [0.0] * len(raw["decision"]["scale"])
    with pytest.raises(DataError, match="non-positive scale"):
        parse_decision(raw)


def test_without_a_ranker_the_loop_settings_are_optional() -> None:
    raw = _raw()
    del raw["decision"], raw["infer"]
    assert parse_decision(raw) == DecisionSettings(None, {}, load_decision().v3)


def test_the_risk_cuts_on_the_p_value_belong_to_the_risk_model() -> None:
    """The tuning file's risk block holds both risk rules; tuning.py and scoring.py sit below
    the engine and never import it."""
    raw = _raw()
    assert "risk_p_cuts" not in raw["engine_v3"]["values"]
    assert load_tuning().risk.p_cuts == ((1e-6, "high"), (3e-3, "suspicious"), (0.05, "low"))
    other = copy.deepcopy(raw)
    other["risk"]["values"]["risk_p_cuts"] = [[0.01, "high"]]
    assert parse_tuning(other).risk.p_cuts == ((0.01, "high"),)
    del other["risk"]["values"]["risk_p_cuts"]  # one home: no fallback value in the code
    with pytest.raises(DataError, match="risk_p_cuts"):
        parse_tuning(other)
    for module in ("tuning.py", "scoring.py"):
        tree = ast.parse((ROOT / "src/unspin" / module).read_text(encoding="utf-8"))
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith(("engine", "unspin.engine"))], (module, imported)


# -- apply: finish takes the settings it is given ---------------------------------------------


@pytest.fixture(scope="module")
def cached_docs() -> list[dict]:
    from train_decision import read_cache

    _, docs = read_cache([str(ROOT / "benchmarks/cache/deep-test-v8.0.jsonl.gz")])
    return [d for d in docs if d["profile"] == "contentfarm"][:3]


def test_finish_reads_the_decision_settings_it_is_passed(cached_docs: list[dict]) -> None:
    from train_decision import _scored

    from unspin.engine.pipeline import finish

    config = Config()
    shipped = load_decision()
    for d in cached_docs:
        sc = _scored(d)
        default = finish(sc, config)
        assert finish(sc, config, decision=shipped) == default
        assert default.edits and default.report.null_p_value is not None
        # the noisy channel: no ranker, decision=None or False
        channel = finish(sc, config, decision=None)
        assert channel.report.null_p_value is None
        assert finish(sc, config, decision=False) == channel
        assert finish(sc, config, decision=dataclasses.replace(shipped, ranker=None)) == channel
        # the rewrite rule: a gain no original reaches keeps every finding and drops every edit
        strict = dataclasses.replace(shipped, v3=dataclasses.replace(shipped.v3, rewrite_gain=1e9))
        kept = finish(sc, config, decision=strict)
        assert kept.report == default.report and kept.edits == ()
        # the risk model comes with the tuning file (settings=), the decision without it
        tuned = load_tuning()
        loose = dataclasses.replace(tuned, risk=dataclasses.replace(tuned.risk, p_cuts=((1.1, "low"),)))
        assert finish(sc, config, settings=loose).report.risk == "low"


def test_engine_v3_settings_default_to_the_ones_fixed_a_priori() -> None:
    assert EngineV3() == EngineV3(0.2, 0.5, 0.05, "local", False, None, 0.0, "binomial")


# -- fit ---------------------------------------------------------------------------------------


def _slot(k: int, text: str, cands: tuple[str, ...], lo: tuple[float, ...]) -> ScoredSlot:
    s = Slot(k, k + 1, k * 10, k * 10 + len(text), text, tuple(Candidate(c, c, 0.5) for c in cands))
    return ScoredSlot(s, -10.0, tuple(-10.0 + v for v in lo), False, -5.0, tuple(-5.0 + v for v in lo))


def test_labels_come_from_the_gold_swaps() -> None:
    slots = [_slot(0, "firm", ("company", "business"), (1.0, 0.0)), _slot(2, "sure", ("certain",), (0.0,)),
             _slot(4, "big", ("large",), (0.0,))]
    assert slot_labels(slots, [(0, 4, "Business"), (20, 24, "positive")]) == [1, None, -1]


def test_the_logit_fit_is_the_penalised_optimum() -> None:
    """Newton's method reaches the one optimum of the convex loss: no small move lowers it."""
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 5, 300)
    gid = np.repeat(np.arange(len(sizes)), sizes)
    x = rng.normal(size=(len(gid), 3))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    pos = np.array([-1 if rng.random() < 0.4 else int(s + rng.integers(0, n)) for s, n in zip(starts, sizes)])
    l2 = 0.5

    def loss(w: np.ndarray, b: float) -> float:
        u = x @ w + b
        total = 0.0
        for g, (s, n) in enumerate(zip(starts, sizes)):
            total += np.log1p(np.exp(u[s:s + n]).sum()) - (u[pos[g]] if pos[g] >= 0 else 0.0)
        return (total + 0.5 * l2 * float(w @ w)) / len(sizes)

    w, b = _fit_logit(x, gid, pos, l2)
    best = loss(w, b)
    for k in range(4):
        for eps in (1e-4, -1e-4):
            dw = np.zeros(3)
            if k < 3:
                dw[k] = eps
            assert loss(w + dw, b + (eps if k == 3 else 0.0)) > best


def test_the_ranker_learns_to_prefer_the_original_the_context_prefers() -> None:
    uni = Unigrams(load_lexicon("thesaurus.v1"))
    docs = []
    rng = np.random.default_rng(7)
    for n in range(12):
        slots, gold = [], []
        for k in range(10):
            spun = rng.random() < 0.3
            # the gold original fits the context better than the text (spun), or worse (clean)
            lo = float(rng.normal(3.0 if spun else -3.0, 1.0))
            slots.append(_slot(2 * k, "firm", ("company", "business"), (lo, lo - 4.0)))
            if spun:
                gold.append((2 * k * 10, 2 * k * 10 + 4, "company"))
        docs.append((slots, gold))
    model = fit_ranker(docs, uni, l2=1.0, rate_strength=20.0, rounds=2)
    assert model.features == FEATURES and 0.2 < model.provenance["base_rate"] < 0.4
    assert model.weights[FEATURES.index("lo_full")] > 0
