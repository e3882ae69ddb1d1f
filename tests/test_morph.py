"""Morphology: lemmatise what the spinner wrote, re-inflect the original like it."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.lexicon.morph import (
    analyses,
    canonical_phrase,
    inflect_like,
    inflections_like,
    lemma_phrase,
)
from unspin.lexicon.store import data_dir


def _common_words(n: int = 5000) -> list[str]:
    words: list[str] = []
    with gzip.open(data_dir() / "ngrams.v1.tsv.gz", "rt", encoding="utf-8") as fh:
        fh.readline()
        for line in fh:
            kind, term, _ = line.split("\t")
            if kind == "u" and term.isalpha():
                words.append(term)
                if len(words) >= n:
                    break
    return words


COMMON = _common_words()


def test_analyses_gold() -> None:
    assert analyses("bought") == (("buy", "VBD"), ("buy", "VBN"))
    assert analyses("sufferers") == (("sufferer", "NNS"),)
    assert ("leaf", "NNS") in analyses("leaves") and ("leave", "VBZ") in analyses("leaves")
    assert analyses("Bought") == analyses("bought")


def test_analyses_unknown_word_is_itself() -> None:
    assert analyses("qwzxv") == (("qwzxv", "NN"),)


@pytest.mark.parametrize(
    ("original", "spun", "expected"),
    [
        ("buy", "purchased", "bought"),
        ("buy", "purchases", "buys"),
        ("buy", "purchasing", "buying"),
        ("patient", "sufferers", "patients"),
        ("patient", "Sufferers", "Patients"),
        ("patient", "SUFFERERS", "PATIENTS"),
        ("deep", "profound", "deep"),
        ("deep", "profounder", "deeper"),
        ("weight problem", "obesities", "weight problems"),
        ("according to", "In line with", "According to"),
        ("look after", "cared for", "looked after"),
        ("because of", "On Account Of", "Because Of"),
        ("network", "organizations", "networks"),
        ("obesity", "weight problems", "obesity"),  # mass noun: no "obesities"
        ("regarding", "concerning", "regarding"),
    ],
)
def test_inflect_like_gold(original: str, spun: str, expected: str) -> None:
    assert inflect_like(original, spun) == expected


def test_ambiguous_form_gives_every_reading() -> None:
    outs = inflections_like("take", "selected")
    assert outs[:2] == ("took", "taken")
    assert outs[-1] == "take"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COMMON), st.sampled_from(["lower", "title", "upper"]))
def test_inflect_like_self_is_identity(word: str, case: str) -> None:
    surface = {"lower": word, "title": word.title(), "upper": word.upper()}[case]
    assert inflect_like(word, surface) == surface


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(COMMON))
def test_canonical_form_is_first_lemma_candidate(word: str) -> None:
    cands = lemma_phrase([word.title()])
    assert cands[0] == canonical_phrase(word)
    assert word in cands
    assert len(cands) == len(set(cands))


def test_lemma_phrase_gold() -> None:
    assert lemma_phrase(["Sufferers"]) == ["sufferer", "sufferers"]
    assert lemma_phrase(["purchased"]) == ["purchased", "purchase"]
    assert "weight problem" in lemma_phrase(["weight", "problems"])
    assert "look after" in lemma_phrase(["looked", "after"])
    assert lemma_phrase([]) == []


def test_canonical_phrase_keeps_fixed_expressions() -> None:
    assert canonical_phrase("According  To") == "according to"
    assert canonical_phrase("owing to") == "owing to"
    assert canonical_phrase("data") == "data"
