"""What unspin knows about English words, in one place: the function-word lists and the
language gate.

Four lists, for four rules (each used to be defined beside one of its readers):

* :data:`FUNCTION_WORDS`: the engine's function words. A slot may contain them (multi-word
  expressions such as "in line with"); alone, only those outside :data:`CLOSED_CLASS` are
  slots, and only in wide mode. Also read by the fast screen's features, the decision's
  features and the null table's strata, so it is fixed by the shipped models.
* :data:`CLOSED_CLASS`: lone words that are never a slot.
* :data:`SKELETON_WORDS`: the wider closed classes a spinner leaves alone (pronouns,
  prepositions, conjunctions, auxiliaries, contractions, common adverbs of degree, titles). A
  trace fingerprint keeps them as they are (``FINGERPRINT_VERSION`` covers this list), and the
  language gate counts them.
* :data:`GRAMMAR_WORDS`: what "function word" means when a spinner's swaps are described
  (``unspin bench --stats``: the share of swaps whose original is only grammar words).

The language gate (:func:`english_share`, :data:`MIN_ENGLISH_SHARE`): English prose has about
40-55% of its words in :data:`SKELETON_WORDS`; text under 15% is another language (or no prose),
which ``unspin trace`` does not search and ``unspin learn`` does not learn from.

>>> english_share("The cat sat on the mat and looked at the door.")
0.5454545454545454
>>> english_share("Der Hund lief schnell über die Straße.")
0.0
>>> looks_english("Der Hund lief schnell über die Straße.")
False
"""

from __future__ import annotations

from .text import Document, tokenize

# Function words (see the module docstring). A slot may contain them; alone, only those
# outside CLOSED_CLASS are slots.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here
    i me my mine we us our ours you your yours he him his she her hers it its they them their
    theirs who whom whose which what when where why how is am are was were be been being
    do does did done have has had having will would shall should can could may might must
    of to in on at by for with from as into onto upon about not no also very just only
    each every all any some such own same other both either neither""".split()
)

# Lone words that are never a slot: articles, pronouns, auxiliaries and the commonest
# grammatical words. A spinner rewrites them only inside a longer expression.
CLOSED_CLASS = frozenset(
    """a an the and or nor that this these those there here i me my mine we us our ours
    you your yours he him his she her hers it its they them their theirs who whom whose
    which what is am are was were be been being do does did done have has had having
    will would shall should can could may might must of to not no own same other either
    neither both each every any""".split()
)

# English function words: closed classes (articles, pronouns, prepositions, conjunctions,
# auxiliaries, common adverbs of degree). Spinners mostly leave these alone.
SKELETON_WORDS = frozenset(
    """a an the this that these those there here it its it's itself they them their theirs
    themselves he him his himself she her hers herself we us our ours ourselves you your yours
    yourself yourselves i me my mine myself one ones who whom whose which what whatever whoever
    when where why how whether if then than so as because since unless until while though
    although whereas and or nor but yet also either neither not no n't both each every all any
    some many much more most few less least other another such same own only just very too
    quite rather of in on at by for with without within from to into onto upon about above
    below over under between among through throughout during before after against across
    along around behind beyond near off out up down toward towards via per except like unlike
    be am is are was were been being have has had having do does did doing done can could may
    might must shall should will would ought let ever never again once still even already now
    always often sometimes however therefore thus hence indeed perhaps whom's i'm i've i'd i'll
    you're you've you'd you'll he's she's we're we've we'd we'll they're they've they'd they'll
    isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't
    can't cannot couldn't shouldn't mustn't let's that's there's what's who's mr mrs ms dr""".split()
)

#: Below this share of :data:`SKELETON_WORDS` among its words, a text is not English prose.
MIN_ENGLISH_SHARE = 0.15


def english_share(text: str | Document) -> float:
    """Share of a text's words that are English function words (:data:`SKELETON_WORDS`); 0.0 without words."""
    doc = tokenize(text) if isinstance(text, str) else text
    words = [t for t in doc.tokens if t.kind == "word"]
    if not words:
        return 0.0
    return sum(1 for t in words if t.lower in SKELETON_WORDS) / len(words)


def looks_english(text: str | Document) -> bool:
    """Does the text pass the language gate (:data:`MIN_ENGLISH_SHARE`)?"""
    return english_share(text) >= MIN_ENGLISH_SHARE


#: Grammar words for describing a spinner (bench.profile_stats' ``function_share``): closed-class
#: words, quantifiers and connective adverbs, wider than the engine's lists; measured figures depend on it.
GRAMMAR_WORDS = frozenset(
    """a an the this that these those some any each every either neither no all both few many
    much more most several such other another own same
    of to in on at by for with without from into onto upon about above below under over across
    through throughout during before after since until till among amongst between within
    against toward towards near beside besides despite via per like unlike around along
    behind beyond inside outside off out up down than
    and or but nor so yet if because although though while whereas unless whether when
    whenever where wherever as once
    i me my mine we us our ours you your yours he him his she her hers it its they them their
    theirs who whom whose which what
    is am are was were be been being do does did have has had having will would shall should
    can could may might must not
    also however therefore thus hence then still just only very too even already again almost
    really often always never now here there instead moreover furthermore nevertheless
    meanwhile otherwise indeed perhaps rather quite enough
    according due order addition example instance result""".split()
)


__all__ = ["CLOSED_CLASS", "FUNCTION_WORDS", "GRAMMAR_WORDS", "MIN_ENGLISH_SHARE", "SKELETON_WORDS", "english_share", "looks_english"]
