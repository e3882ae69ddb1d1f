"""Gold cases in deep mode, ftfy style.

``tests/gold/cases.json``: a list of ``{label, comment, spun, original, expect}``. For
``expect == "pass"`` the engine must restore ``spun`` to ``original`` exactly; ``"fail"`` marks a
known failure (strict xfail: when the engine starts passing it, flip the case to ``"pass"``).

``tests/gold/clean.txt``: ordinary human-written English, one case per line, that must come
back unchanged. Lines the engine currently changes are listed in ``CLEAN_KNOWN_CHANGED`` by
line number (strict xfail).

Whatever the expectation, every restoration's edits must replay and its JSON must validate.
Each text is restored once per process (``_restore`` is cached; the model load is shared).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import unspin
from unspin import Config, Restoration, apply_edits
from unspin.serialize import restoration_to_json

from conftest import validate

GOLD = Path(__file__).resolve().parent / "gold"
CASES = json.loads((GOLD / "cases.json").read_text(encoding="utf-8"))
CLEAN = (GOLD / "clean.txt").read_text(encoding="utf-8").splitlines()
# line number (1-based) -> what the engine does to it now. Empty: all 20 lines come back unchanged
# in deep mode (measured 2026-11-28, engine commit 186eeb0).
CLEAN_KNOWN_CHANGED: dict[int, str] = {}


@cache
def _restore(text: str) -> Restoration:
    return unspin.restore_and_explain(text, Config())


def test_gold_files_are_well_formed() -> None:
    assert len(CASES) >= 15 and len(CLEAN) >= 20
    labels = [c["label"] for c in CASES]
    assert len(set(labels)) == len(labels), "labels name the cases: keep them unique"
    for c in CASES:
        assert set(c) == {"label", "comment", "spun", "original", "expect"}, c["label"]
        assert c["expect"] in ("pass", "fail") and c["spun"] != c["original"], c["label"]
    assert all(line.strip() == line and line for line in CLEAN)
    assert set(CLEAN_KNOWN_CHANGED) <= set(range(1, len(CLEAN) + 1))


def _gold_params() -> list:
    return [
        pytest.param(
            c,
            id=c["label"],
            marks=[pytest.mark.xfail(strict=True, reason=f"known failure: {c['comment']}")]
            if c["expect"] == "fail"
            else [],
        )
        for c in CASES
    ]


@pytest.mark.neural
@pytest.mark.parametrize("case", _gold_params())
def test_gold_case_restores_the_original(case: dict) -> None:
    assert _restore(case["spun"]).text == case["original"]


@pytest.mark.neural
@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_gold_case_edits_replay_and_validate(case: dict) -> None:
    r = _restore(case["spun"])
    assert apply_edits(case["spun"], r.edits) == r.text
    assert all(e.old != e.new for e in r.edits)
    doc = restoration_to_json(r)
    validate(doc, "restore")
    assert doc["spin"]["mode"] == "deep"


@pytest.mark.neural
def test_cheap_path_restores_a_gold_case() -> None:
    # restore() through the public entry point, uncached: the original comes back as a str
    case = next(c for c in CASES if c["expect"] == "pass")
    restored = unspin.restore(case["spun"])
    assert isinstance(restored, str) and restored == case["original"]


def _clean_params() -> list:
    return [
        pytest.param(
            n,
            line,
            id=f"line{n}",
            marks=[pytest.mark.xfail(strict=True, reason=CLEAN_KNOWN_CHANGED[n])] if n in CLEAN_KNOWN_CHANGED else [],
        )
        for n, line in enumerate(CLEAN, start=1)
    ]


@pytest.mark.neural
@pytest.mark.parametrize("n, line", _clean_params())
def test_clean_line_comes_back_unchanged(n: int, line: str) -> None:
    r = _restore(line)
    assert r.text == line, f"line {n} changed: {[(e.old, e.new) for e in r.edits]}"
    assert r.edits == ()


@pytest.mark.neural
@pytest.mark.parametrize("n, line", list(enumerate(CLEAN, start=1)), ids=[f"line{n}" for n in range(1, len(CLEAN) + 1)])
def test_clean_line_edits_replay(n: int, line: str) -> None:
    r = _restore(line)
    assert apply_edits(line, r.edits) == r.text
    assert r.report.text == line and r.report.mode == "deep"


def _aligned_gold(original: str, spun: str) -> list[tuple[int, int, str]]:
    """The spun spans of ``spun`` and the wording they replaced, by a word alignment with ``original``."""
    import difflib
    import re

    o = [(m.start(), m.end()) for m in re.finditer(r"\S+", original)]
    t = [(m.start(), m.end()) for m in re.finditer(r"\S+", spun)]
    sm = difflib.SequenceMatcher(a=[original[a:b] for a, b in o], b=[spun[a:b] for a, b in t], autojunk=False)
    gold = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal" and j2 > j1:
            gold.append((t[j1][0], t[j2 - 1][1], original[o[i1][0]:o[i2 - 1][1]] if i2 > i1 else ""))
    return gold


@pytest.mark.neural
@pytest.mark.parametrize("name", ["news", "science"])
def test_shipped_example_restores_without_touching_unspun_words(name: str) -> None:
    """The shipped examples: every change the restoration makes falls on a word the spinner
    swapped (by a word alignment with the original), and some restore it exactly."""
    from unspin.bench.metrics import never_spun_words

    root = Path(__file__).resolve().parents[1] / "examples"
    original = (root / f"original-{name}.txt").read_text(encoding="utf-8")
    spun = (root / f"spun-{name}.txt").read_text(encoding="utf-8")
    gold = _aligned_gold(original, spun)
    assert len(gold) >= 8
    r = _restore(spun)
    assert never_spun_words(spun, r.edits, [(a, b) for a, b, _ in gold]) == 0
    restored_words = set(r.text.split())
    exact = [g for g in gold if any(e.start >= g[0] and e.end <= g[1] for e in r.edits)
             and all(w in restored_words for w in g[2].split())]
    assert len(exact) >= 3
