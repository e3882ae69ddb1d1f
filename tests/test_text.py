"""Text model: offsets are code points into the input; case transfer; input decoding."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from unspin.errors import InputError
from unspin.results import Edit, apply_edits
from unspin.text import apply_case, case_of, decode_bytes, normalize_input, tokenize


def test_tokens_carry_exact_offsets():
    text = "Sufferers with weight problems, in line with the report, bought 3 apples."
    doc = tokenize(text)
    for t in doc.tokens:
        assert text[t.start : t.end] == t.text
    assert [t.text for t in doc.tokens if t.is_word][:4] == ["Sufferers", "with", "weight", "problems"]


def test_sentences_split_but_not_after_abbreviations():
    doc = tokenize("Dr. Smith arrived. He left at 3.30 p.m. today! Did he?")
    sents = [doc.text[s.start : s.end] for s in doc.sentences]
    assert sents[0] == "Dr. Smith arrived."
    assert sents[-1] == "Did he?"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_offsets_round_trip_on_any_text(text):
    doc = tokenize(text)
    for t in doc.tokens:
        assert text[t.start : t.end] == t.text
    # sentences cover tokens in order without overlap
    last = -1
    for s in doc.sentences:
        assert s.start > last
        assert doc.tokens[s.first_token].start == s.start
        last = s.end


def test_offsets_with_emoji_and_combining_marks():
    text = "😀 Cafe\u0301 sufferers 👩‍👩‍👧 met"
    doc = tokenize(text)
    words = [t for t in doc.tokens if t.is_word]
    assert any(t.text == "sufferers" for t in words)
    sufferers = next(t for t in words if t.text == "sufferers")
    assert text[sufferers.start : sufferers.end] == "sufferers"


@pytest.mark.parametrize(
    "template,phrase,expected",
    [("Sufferers", "patients", "Patients"), ("IN LINE WITH", "according to", "ACCORDING TO"), ("bought", "purchased", "purchased")],
)
def test_apply_case(template, phrase, expected):
    assert apply_case(template, phrase) == expected


def test_case_of_mixed():
    assert case_of("iPhone") == "mixed"


def test_decode_refuses_binary_and_bad_utf8():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x00\x01\x02abc")
    with pytest.raises(InputError, match="not UTF-8"):
        decode_bytes("café".encode("latin-1"))
    assert decode_bytes("\ufeffhello".encode("utf-8")) == "hello"


def test_control_characters_are_refused():
    with pytest.raises(InputError):
        normalize_input("\x01\x02\x03\x04" * 10)


def test_apply_edits_rejects_overlap_and_mismatch():
    with pytest.raises(InputError):
        apply_edits("abc def", [Edit(0, 3, "abc", "x", 1, "t"), Edit(2, 5, "c d", "y", 1, "t")])
    with pytest.raises(InputError):
        apply_edits("abc def", [Edit(0, 3, "xyz", "x", 1, "t")])
