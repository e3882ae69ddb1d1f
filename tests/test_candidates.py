"""Candidate generation: the sources of candidate originals, slot rules, offsets, links."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.engine.candidates import CLOSED_CLASS, Candidate, CandidateGenerator, candidates_for
from unspin.lexicon import load_lexicon, morph
from unspin.lexicon.links import link_kind, linked
from unspin.lexicon.rules import CONNECTIVE_GROUPS, connective_table
from unspin.text import tokenize


@pytest.fixture(scope="module")
def gen() -> CandidateGenerator:
    return CandidateGenerator(load_lexicon(), 40)


def _slot(gen: CandidateGenerator, text: str, span: str):
    doc = tokenize(text)
    start = text.index(span)
    for s in gen.find_slots(doc):
        if s.start == start and s.end == start + len(span):
            return s
    return None


def _texts(slot) -> list[str]:
    return [c.text for c in slot.candidates]


# --- one word <-> several ------------------------------------------------------------------


def test_multiword_paraphrase_gets_single_word_original(gen: CandidateGenerator) -> None:
    s = _slot(gen, "Due to the fact that it rained, we stayed home.", "Due to the fact that")
    assert s is not None and "Because" in _texts(s)
    assert next(c for c in s.candidates if c.text == "Because").n_words == 1


def test_single_word_gets_multiword_original(gen: CandidateGenerator) -> None:
    s = _slot(gen, "Numerous people came.", "Numerous")
    assert s is not None and "A lot of" in _texts(s)


def test_phrasal_span_gets_its_verbs_originals_inflected(gen: CandidateGenerator) -> None:
    s = _slot(gen, "The Joined along states met.", "Joined along")
    assert s is not None
    assert "United" in _texts(s)
    assert {c.source for c in s.candidates} == {"head"}


# --- function words and connectives ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "original"),
    [
        ("In line with the report, taxes rose.", "In line with", "According to"),
        ("Nevertheless, the plan failed.", "Nevertheless", "However"),
        ("They left prior to noon.", "prior to", "before"),
        ("It cost around ten dollars.", "around", "about"),
        ("We won't go.", "won't", "will not"),
    ],
)
def test_connective_gets_its_candidates(gen: CandidateGenerator, text: str, span: str, original: str) -> None:
    s = _slot(gen, text, span)
    assert s is not None, f"no slot on {span!r}"
    assert original in _texts(s)


def test_rule_candidates_have_low_flagged_priors(gen: CandidateGenerator) -> None:
    s = _slot(gen, "In line with the report, taxes rose.", "In line with")
    rule = [c for c in s.candidates if c.source == "rule"]
    assert rule and all(c.prior <= 0.05 for c in rule)


@pytest.mark.parametrize("word", ["the", "of", "and", "it", "was", "to", "a"])
def test_closed_class_words_are_never_lone_slots(gen: CandidateGenerator, word: str) -> None:
    text = f"They said {word} again."
    assert all(s.text.lower() != word for s in gen.find_slots(tokenize(text)))
    assert candidates_for((word,), gen.lexicon, 40) == ()


def test_lone_preposition_has_a_small_set(gen: CandidateGenerator) -> None:
    s = _slot(gen, "It cost about ten dollars.", "about")
    assert s is not None and "around" in _texts(s)
    assert {c.source for c in s.candidates} <= {"function", "rule"}
    # the lexicon's best few only, at a discount; the rest come from the rule table
    assert len([c for c in s.candidates if c.source == "function"]) <= 3


def test_rule_table_is_symmetric_within_groups() -> None:
    table = connective_table()
    for group in CONNECTIVE_GROUPS:
        for a in group:
            for b in group:
                if a != b:
                    assert b in table[a]


# --- inflection ----------------------------------------------------------------------------


def test_count_plural_original_for_plural_spun(gen: CandidateGenerator) -> None:
    # lemminflect lists "change" as a plural of "change" too; the count plural must be offered.
    assert "changes" in _texts(_slot(gen, "The alterations were small.", "alterations"))
    assert "procedures" in _texts(_slot(gen, "The processes were slow.", "processes"))


def test_ambiguous_past_gives_both_readings() -> None:
    cands = candidates_for(("selected",), load_lexicon(), 80)
    texts = [c.text for c in cands]
    assert "chose" in texts and "chosen" in texts


def test_a_past_spelt_like_its_base_is_read_both_ways(gen: CandidateGenerator) -> None:
    # A spinner's "read" for "said" (contentfarm's favourite swap): "read" is a base form first
    # and a past tense second, so both "say" and "said" are offered; so for "put" and "set".
    assert {"say", "said"} <= set(_texts(_slot(gen, "The minister read that the plan would go ahead.", "read")))
    assert {"place", "placed"} <= set(_texts(_slot(gen, "Yesterday she put the book on the table.", "put")))
    assert morph.inflections_like("say", "read") == ("say", "said")
    assert morph.inflections_like("take", "selected") == ("took", "taken", "take")  # unchanged for marked forms


@pytest.mark.parametrize(("spun", "never"), [
    ("said", ("forred example",)),  # "for" is no verb
    ("considered", ("well-adviseded",)),
    ("stated", ("accessibled",)),
    ("more", ("againer", "alsoer", "considerablier")),  # lemminflect's comparative rules on adverbs
    ("most", ("aboutest", "almostest")),
])
def test_no_candidate_is_an_inflection_english_never_uses(gen: CandidateGenerator, spun: str, never: tuple) -> None:
    texts = set(_texts(_slot(gen, f"The committee {spun} the matter.", spun)))
    assert texts and not texts & set(never)


def test_american_spellings_lemminflect_knows_are_kept(gen: CandidateGenerator) -> None:
    # the unigram table lacks "traveled"; lemminflect's dictionary has it
    assert "traveled" in _texts(_slot(gen, "They journeyed across the country.", "journeyed"))


# --- two-step ------------------------------------------------------------------------------


def test_two_step_candidates_are_flagged_capped_and_lower(gen: CandidateGenerator) -> None:
    s = _slot(gen, "The sufferers stayed.", "sufferers")
    two = [c for c in s.candidates if c.steps == 2]
    assert two and len(two) <= gen.two_step
    assert all(c.source == "two_step" for c in two)
    best_direct = max(c.prior for c in s.candidates if c.steps == 1)
    assert all(c.prior < best_direct for c in two)
    assert len({c.text.lower() for c in s.candidates}) == len(s.candidates)  # no duplicates


def test_fast_sized_lists_have_no_two_step() -> None:
    g = CandidateGenerator(load_lexicon(), 12)
    assert g.two_step == 0
    assert all(c.steps == 1 for c in g.candidates_for(("sufferers",)))


def test_candidate_fields_are_backward_compatible() -> None:
    c = Candidate("according to", "according to", 0.2)
    assert (c.user, c.source, c.steps, c.n_words) == (False, "lexicon", 1, 2)


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("sufferers", "patient", "thesaurus"),
        ("patient", "sufferers", "thesaurus"),
        ("bought", "buys", "morphology"),
        ("in line with", "according to", "thesaurus"),
        ("due to the fact that", "because", "rule"),
        ("banana", "democracy", None),
    ],
)
def test_link_kind(a: str, b: str, kind: str | None) -> None:
    assert link_kind(load_lexicon(), a, b) == kind


def test_generator_linked(gen: CandidateGenerator) -> None:
    assert gen.linked("purchased", "bought") and not gen.linked("purchased", "elephant")
    assert linked(gen.lexicon, "sufferers", "subject", two_step=True)


# --- properties ----------------------------------------------------------------------------

_WORDS = ["the", "patients", "bought", "in", "line", "with", "according", "to", "due", "fact",
          "that", "numerous", "went", "on", "a", "lot", "of", "however", "Big", "Data", "NASA",
          "won't", "prior", "around", "élan", "😀", "3", "co-operation"]
_SEPS = [" ", "  ", ", ", ". ", "; ", "\n", " (", ") ", "-", "\u00a0", " — "]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPS)), max_size=25))
def test_slots_stay_inside_text_and_never_cross_punctuation(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + s for w, s in parts)
    doc = tokenize(text)
    gen = CandidateGenerator(load_lexicon(), 40)
    for s in gen.find_slots(doc):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert all(ch.isalpha() or ch in " '’-" for ch in s.text), s.text
        assert s.candidates
        assert s.text.split()[0].lower() not in CLOSED_CLASS or s.n_words > 1
        for c in s.candidates:
            assert c.text and c.text.lower() != s.text.lower()
            assert 0.0 < c.prior <= 1.0


_COMMON = ["buy", "take", "go", "change", "patient", "policy", "fish", "good", "fast", "run",
           "data", "criterion", "analysis", "be", "have", "do", "qwzxv", "happy", "well", "leaf"]
_TAGS = ["VB", "VBP", "VBD", "VBN", "VBG", "VBZ", "NN", "NNS", "JJ", "JJR", "JJS", "RB", "RBR", "RBS"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_COMMON), st.sampled_from(_TAGS))
def test_cached_inflection_equals_lemminflect(lemma: str, tag: str) -> None:
    from lemminflect import getInflection

    assert morph.get_inflection(lemma, tag) == tuple(getInflection(lemma, tag=tag))


def test_fast_sized_lists_keep_lone_function_words_out() -> None:
    g = CandidateGenerator(load_lexicon(), 12)
    assert not g.wide
    slots = g.find_slots(tokenize("It cost about ten dollars, so the Joined along states paid."))
    assert all(s.text.lower() not in ("about", "so") for s in slots)
    assert all(s.text.lower() != "joined along" for s in slots)  # a phrasal span: deep only
