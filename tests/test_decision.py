"""Deep mode's decision, its one home (engine/decision.py): parser, loader, apply."""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import sys
from pathlib import Path

import pytest

from unspin import Config
from unspin.datafiles import path
from unspin.engine.decision import (
    DOCUMENT_TESTS,
    INFER_KEYS,
    DecisionSettings,
    EngineV3,
    load_decision,
    parse_decision,
)
from unspin.engine.features import FEATURES
from unspin.errors import DataError
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
    assert load_tuning().risk.p_cuts == ((1e-6, "high"), (1e-3, "suspicious"), (0.05, "low"))
    other = copy.deepcopy(raw)
    other["risk"]["values"]["risk_p_cuts"] = [[0.01, "high"]]
    assert parse_tuning(other).risk.p_cuts == ((0.01, "high"),)
    for module in ("tuning.py", "scoring.py"):
        tree = ast.parse((ROOT / "src/unspin" / module).read_text(encoding="utf-8"))
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith(("engine", "unspin.engine"))], (module, imported)


# -- apply: finish takes the settings it is given ---------------------------------------------


@pytest.fixture(scope="module")
def cached_docs() -> list[dict]:
    from train_decision import read_cache

    _, docs = read_cache([str(ROOT / "benchmarks/cache/deep-test-v4.0.jsonl.gz")])
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
