"""The JSON output: schemas, code-point offsets, lossless round trips, UTF-16 conversion.

Everything here runs in fast mode (no neural model).
"""

from __future__ import annotations

import copy
import json
import unicodedata

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import unspin
from unspin import Config, Edit, apply_edits
from unspin.serialize import report_to_json, restoration_to_json, utf16_offsets
from unspin.spinner import spin

from conftest import FAST_FLAGGED, load_schema, run_unspin, validate

FAST = Config(mode="fast")
# Starts a paragraph, so a prefix ending in a full stop and a blank line gives every slot the
# same left context as at the text's start.
SPUN = FAST_FLAGGED
PREFIXES = [
    "",
    "\U0001F600.\n\n",  # astral emoji: 1 code point, 2 UTF-16 units, 4 UTF-8 bytes
    "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 family.\n\n",  # ZWJ sequence
    "\U0001F44D\U0001F3FD ok.\n\n",  # emoji + skin-tone modifier
    "Cafe\u0301 de\u0301ja\u0300 vu.\n\n",  # combining acute / grave accents (NFD)
    "a\u0308\u0304\u0301\u0323 x\u0338.\n\n",  # a stack of combining marks
    "\U0001D518\U0001D52B\U0001D526 math letters.\n\n",  # mathematical fraktur (astral letters)
    "\u4e2d\u6587\u3002\n\n",  # CJK with an ideographic full stop
    "\u200b\ufeff zero width.\n\n",
]


@pytest.fixture(scope="module")
def spun_corpus() -> list[str]:
    """Real spinner output in both profiles, plus the example texts when present."""
    from conftest import EXAMPLES

    originals = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("original-*.txt"))]
    assert originals, "examples/original-*.txt are part of the repository"
    texts = [spin(t, profile=p, rate=r, seed=s).spun for t in originals for p, r, s in
             (("synonymizer", 0.3, 1), ("pps", 0.5, 2))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("spun-*.txt"))]
    return texts


# -- the schemas themselves ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["check", "restore"])
def test_schema_is_valid_draft_2020_12_and_states_the_offset_unit(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "code point" in schema["description"].lower()
    assert schema["properties"]["offsetUnit"]["const"] == "codepoint"


def _first_match_doc() -> dict:
    report = unspin.check(SPUN, FAST)
    assert report.findings, "fast mode must flag something in SPUN (e.g. 'workweek', 'centuries thousand')"
    return report_to_json(report)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("offsetUnit"),
        lambda d: d.update(offsetUnit="utf16"),
        lambda d: d["matches"][0].update(offset=-1),
        lambda d: d["matches"][0].update(length=0),
        lambda d: d["matches"][0].pop("rule"),
        lambda d: d["matches"][0]["replacements"][0].update(confidence=1.5),
        lambda d: d["spin"].update(risk="medium"),
        lambda d: d["spin"].update(score=-0.1),
        lambda d: d["spin"].update(incomplete=True, reason=None),
        lambda d: d["spin"].update(mode="turbo"),
        lambda d: d["software"].update(name="other"),
        lambda d: d.update(surprise=1),
    ],
    ids=["no-unit", "utf16-unit", "negative-offset", "empty-span", "no-rule", "confidence>1",
         "unknown-risk", "negative-score", "incomplete-without-reason", "unknown-mode",
         "foreign-software", "extra-property"],
)
def test_check_schema_rejects_malformed_documents(mutate) -> None:
    doc = _first_match_doc()
    validate(doc, "check")  # the untouched document is valid ...
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(jsonschema.ValidationError):  # ... and each defect is caught
        validate(bad, "check")


def test_restore_schema_rejects_malformed_documents() -> None:
    doc = restoration_to_json(unspin.restore_and_explain(SPUN, FAST))
    assert doc["edits"]
    validate(doc, "restore")
    for mutate in (
        lambda d: d["edits"][0].pop("old"),
        lambda d: d["edits"][0].update(offset="3"),
        lambda d: d["edits"][0].update(source=""),
        lambda d: d.pop("text"),
        lambda d: d.update(offsetUnit="byte"),
    ):
        bad = copy.deepcopy(doc)
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError):
            validate(bad, "restore")


# -- real outputs validate ----------------------------------------------------------------


def test_real_check_and_restore_outputs_validate(spun_corpus: list[str]) -> None:
    extra = ["", "   ", "Ein ganz normaler deutscher Satz.", "\U0001F600 " + SPUN]
    seen_matches = 0
    for text in spun_corpus + extra:
        report = unspin.check(text, FAST)
        doc = report_to_json(report)
        validate(doc, "check")
        assert doc["spin"]["flagged"] == len(doc["matches"]) == len(report.findings)
        seen_matches += len(doc["matches"])
        restoration = unspin.restore_and_explain(text, FAST)
        validate(restoration_to_json(restoration), "restore")
    assert seen_matches >= 3, "spun text should produce matches, or the schema test proves little"


def test_cli_json_validates(examples) -> None:
    path = examples.require("spun_news")
    r = run_unspin("check", "--fast", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    validate(doc, "check")
    assert doc["spin"]["mode"] == "fast"
    # the CLI says how long the call took (wall seconds, whole call) and how fast it went
    assert doc["timing"]["elapsedSeconds"] > 0
    assert doc["timing"]["wordsPerSecond"] == pytest.approx(doc["spin"]["words"] / doc["timing"]["elapsedSeconds"], rel=0.01)
    r = run_unspin("restore", "--fast", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr
    restored = json.loads(r.stdout)
    validate(restored, "restore")
    assert restored["timing"]["elapsedSeconds"] > 0
    # not a terminal: no progress line on stderr
    assert "words/s" not in r.stderr
    r = run_unspin("check", "--fast", "--format", "json", "-", stdin=SPUN)
    doc = json.loads(r.stdout)
    validate(doc, "check")
    assert doc["matches"]


# -- offsets are code points and point at the flagged text ---------------------------------


def _spans(report) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.text) for f in report.findings]


@pytest.mark.parametrize("prefix", PREFIXES, ids=[f"prefix{i}" for i in range(len(PREFIXES))])
def test_offsets_point_at_flagged_text_after_emoji_and_combining_marks(prefix: str) -> None:
    base = _spans(unspin.check(SPUN, FAST))
    assert base
    text = prefix + SPUN
    report = unspin.check(text, FAST)
    shift = len(prefix)  # code points, whatever the bytes or UTF-16 units
    assert _spans(report) == [(s + shift, e + shift, t) for s, e, t in base]
    doc = report_to_json(report)
    utf16 = text.encode("utf-16-le")
    for m, f in zip(doc["matches"], report.findings, strict=True):
        flagged = text[m["offset"] : m["offset"] + m["length"]]
        assert flagged == f.text
        ctx = m["context"]
        assert ctx["text"][ctx["offset"] : ctx["offset"] + ctx["length"]] == flagged.replace("\n", " ")
        assert flagged in m["sentence"]
        o16, l16 = utf16_offsets(text, m["offset"], m["length"])
        assert utf16[2 * o16 : 2 * (o16 + l16)].decode("utf-16-le") == flagged
    restoration = unspin.restore_and_explain(text, FAST)
    assert restoration.text.startswith(prefix)
    for e in restoration_to_json(restoration)["edits"]:
        assert text[e["offset"] : e["offset"] + e["length"]] == e["old"]


# -- serialise / deserialise is lossless -----------------------------------------------------


def _matches_back(doc: dict, text: str) -> list[tuple]:
    """Rebuild each finding's identity from the JSON alone."""
    return [
        (
            m["offset"],
            m["offset"] + m["length"],
            text[m["offset"] : m["offset"] + m["length"]],
            tuple((r["value"], r["confidence"]) for r in m["replacements"]),
            m["confidence"],
            m["rule"]["id"],
        )
        for m in doc["matches"]
    ]


def _edits_back(doc: dict) -> tuple[Edit, ...]:
    return tuple(
        Edit(e["offset"], e["offset"] + e["length"], e["old"], e["new"], e["confidence"], e["source"], e["evidence"])
        for e in doc["edits"]
    )


def test_json_round_trip_is_lossless(spun_corpus: list[str]) -> None:
    for text in spun_corpus + ["\U0001F600 e\u0301 " + SPUN]:
        report = unspin.check(text, FAST)
        doc = report_to_json(report)
        for ensure_ascii in (True, False):
            assert json.loads(json.dumps(doc, ensure_ascii=ensure_ascii)) == doc
        assert _matches_back(json.loads(json.dumps(doc)), text) == [
            (f.start, f.end, f.text, tuple((r.value, r.confidence) for r in f.replacements), f.confidence, f.rule)
            for f in report.findings
        ]
        spin_block = doc["spin"]
        assert (spin_block["score"], spin_block["risk"], spin_block["words"], spin_block["incomplete"]) == (
            report.score, report.risk, report.words, report.incomplete)

        restoration = unspin.restore_and_explain(text, FAST)
        rdoc = json.loads(json.dumps(restoration_to_json(restoration), ensure_ascii=False))
        assert _edits_back(rdoc) == restoration.edits
        assert apply_edits(text, _edits_back(rdoc)) == rdoc["text"] == restoration.text


# -- UTF-16 conversion at the edge -------------------------------------------------------------

# Any UTF-8-encodable text, enriched with astral emoji, ZWJ sequences and combining marks.
_UNICODE = hs.lists(
    hs.one_of(
        hs.characters(codec="utf-8"),
        hs.sampled_from(["\U0001F600", "\U0001F469\u200D\U0001F467", "\u0301", "\u0308", "e\u0301", "\U0001D518", "\r\n"]),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_UNICODE, data=hs.data())
def test_utf16_offsets_address_the_same_characters(text: str, data) -> None:
    offset = data.draw(hs.integers(0, len(text)), label="offset")
    length = data.draw(hs.integers(0, len(text) - offset), label="length")
    o16, l16 = utf16_offsets(text, offset, length)
    units = text.encode("utf-16-le")
    assert units[2 * o16 : 2 * (o16 + l16)].decode("utf-16-le") == text[offset : offset + length]
    astral_before = sum(1 for c in text[:offset] if ord(c) > 0xFFFF)
    astral_inside = sum(1 for c in text[offset : offset + length] if ord(c) > 0xFFFF)
    assert (o16, l16) == (offset + astral_before, length + astral_inside)
    assert utf16_offsets(text, 0, len(text)) == (0, len(units) // 2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=hs.lists(
        hs.one_of(
            hs.sampled_from([SPUN, "The study moreover put on that uniform exercise reduced the treacheries.",
                             "In another four workweeks the schools close."]),
            _UNICODE,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_findings_and_edits_address_the_input_for_any_unicode(pieces: list[str]) -> None:
    text = " ".join(pieces)
    try:
        restoration = unspin.restore_and_explain(text, FAST)
    except unspin.InputError:
        # Only text that is mostly control characters is refused, and then as InputError.
        assert any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v" for c in text)
        return
    for f in restoration.report.findings:
        assert text[f.start : f.end] == f.text
    for e in restoration.edits:
        assert text[e.start : e.end] == e.old
    assert apply_edits(text, restoration.edits) == restoration.text
    validate(report_to_json(restoration.report), "check")
    validate(restoration_to_json(restoration), "restore")
