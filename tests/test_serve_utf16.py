"""Property tests: LanguageTool offsets in UTF-16 code units, converted once at the edge.

For any text made of emoji (astral, ZWJ sequences, skin tones), combining marks, CJK and
plain English, every match's UTF-16 (offset, length) must select in the UTF-16 encoding
exactly the code-point span the core reported, in the document and in the context snippet,
with or without LanguageTool ``data`` markup around it.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import unspin
from unspin import Config
from unspin.serve.languagetool import parse_annotation, to_languagetool, utf16_len

from conftest import FAST_FLAGGED

FAST = Config(mode="fast")
PIECES = [
    "\U0001F600", "\U0001F469\u200D\U0001F469\u200D\U0001F467", "\U0001F44D\U0001F3FD", "e\u0301", "a\u0308\u0304",
    "\U0001D518\U0001D52B", "\u4e2d\u6587", "\u200b", "caf\u00e9", " ", ". ", "\n\n", "word", "\ufeff",
]
noise = hs.lists(hs.sampled_from(PIECES), max_size=12).map("".join)
any_text = hs.text(hs.characters(blacklist_categories=("Cs",)), max_size=40)


def select16(s: str, offset: int, length: int) -> str:
    return s.encode("utf-16-le")[2 * offset : 2 * (offset + length)].decode("utf-16-le")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=noise, inner=noise, after=noise)
def test_utf16_offsets_select_the_reported_span(before: str, inner: str, after: str) -> None:
    sentences = FAST_FLAGGED.split(". ")
    text = before + ".\n\n" + ". ".join(sentences[:2]) + ". " + inner + " " + ". ".join(sentences[2:]) + after
    report = unspin.check(text, FAST)
    body = to_languagetool(report)
    assert len(body["matches"]) == len(report.findings)
    for m, f in zip(body["matches"], report.findings):
        assert select16(text, m["offset"], m["length"]) == f.text == text[f.start : f.end]
        assert m["offset"] == utf16_len(text[: f.start]) and m["length"] == utf16_len(f.text)
        c = m["context"]
        assert select16(c["text"], c["offset"], c["length"]) == f.text


@settings(max_examples=200, deadline=None)
@given(parts=hs.lists(hs.tuples(hs.booleans(), any_text, any_text), max_size=8), data=hs.data())
def test_annotation_maps_plain_spans_into_the_marked_up_document(parts, data) -> None:
    items = [{"markup": a, "interpretAs": b} if is_markup else {"text": a} for is_markup, a, b in parts]
    ann = parse_annotation(json.dumps({"annotation": items}))
    assert ann.original == "".join(i.get("markup", i.get("text")) for i in items)
    # any span inside one text part maps to the same characters in the original
    texts = [p for p in ann.pieces if not p[4] and p[2] > 0]
    if not texts:
        return
    p_start, o_start, p_len, _, _ = data.draw(hs.sampled_from(texts))
    a = data.draw(hs.integers(p_start, p_start + p_len - 1))
    b = data.draw(hs.integers(a + 1, p_start + p_len))
    oa, ob = ann.to_original(a), ann.to_original(b, end=True)
    assert ann.original[oa:ob] == ann.plain[a:b]


@given(any_text, any_text)
def test_utf16_len_is_the_encoded_length(a: str, b: str) -> None:
    assert utf16_len(a + b) * 2 == len((a + b).encode("utf-16-le"))
