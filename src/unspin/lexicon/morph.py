"""Morphology for spun phrases: lemmatise what the spinner wrote, re-inflect the original.

A spinner keeps the inflection of the word it replaces ("patients" -> "sufferers",
"bought" -> "purchased"), so restoring means: lemmatise the spun surface, look the lemma
phrase up in the lexicon, then give the original lemma phrase the spun word's inflection.
All functions are pure and cached; lemminflect does the dictionary work.

The *canonical* lemma phrase (:func:`canonical_phrase`) is the key form of the shipped
lexicon: the build script and :func:`lemma_phrase` both use it, so lookups agree with keys.

>>> inflect_like("patient", "Sufferers")
'Patients'
>>> inflect_like("buy", "purchased")
'bought'
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from unspin.english import FUNCTION_WORDS, SKELETON_WORDS
from unspin.text import apply_case, case_of

_GRAMMAR = FUNCTION_WORDS | SKELETON_WORDS

# Penn tags lemminflect can produce, per universal POS, base form first.
_UPOS_TAGS: dict[str, tuple[str, ...]] = {
    "VERB": ("VB", "VBP", "VBD", "VBN", "VBG", "VBZ"),
    "AUX": ("VB", "VBP", "VBD", "VBN", "VBG", "VBZ"),
    "NOUN": ("NN", "NNS"),
    "PROPN": ("NNP", "NNPS"),
    "ADJ": ("JJ", "JJR", "JJS"),
    "ADV": ("RB", "RBR", "RBS"),
}
_UPOS_OF_TAG = {"VB": "VERB", "VBP": "VERB", "VBD": "VERB", "VBN": "VERB", "VBG": "VERB",
                "VBZ": "VERB", "NN": "NOUN", "NNS": "NOUN", "JJ": "ADJ", "JJR": "ADJ",
                "JJS": "ADJ", "RB": "ADV", "RBR": "ADV", "RBS": "ADV"}
_BASE_TAGS = frozenset({"VB", "VBP", "NN", "JJ", "RB", "NNP"})
# Marked (inflected) tags worth copying from the spun word, in order of preference.
_VERB_MARKED = ("VBD", "VBN", "VBG", "VBZ")
_OTHER_MARKED = ("NNS", "JJR", "JJS", "RBR", "RBS")


@lru_cache(maxsize=200_000)
def _all_lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's dictionary lemmas per universal POS (cached; callers must not mutate)."""
    from lemminflect import getAllLemmas

    return dict(getAllLemmas(word))


@lru_cache(maxsize=200_000)
def _all_inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's dictionary forms of a lower-case lemma per Penn tag (cached per lemma)."""
    from lemminflect import getAllInflections

    return dict(getAllInflections(lemma))


@lru_cache(maxsize=400_000)
def get_inflection(lemma: str, tag: str) -> tuple[str, ...]:
    """``lemminflect.getInflection(lemma, tag)`` for a lower-case lemma, from a per-lemma cache.

    lemminflect rebuilds (deep-copies) a lemma's whole form table on every call; here the
    table is read once per lemma and process, then each tag is a dictionary lookup. The
    dictionary path is lemminflect's own (the tag, then its alternates); out-of-vocabulary
    lemmas and proper-noun tags go to lemminflect itself, so results are identical.

    >>> get_inflection("buy", "VBD"), get_inflection("qwzxv", "NNS")
    (('bought',), ('qwzxvs',))
    """
    from lemminflect import getInflection

    if tag in ("NNP", "NNPS"):
        return tuple(getInflection(lemma, tag=tag))
    from lemminflect.core.LexicalUtils import pennTagAlts

    forms = _all_inflections(lemma)
    form = forms.get(tag)
    if form is None:
        for alt in pennTagAlts(tag):
            form = forms.get(alt)
            if form:
                break
    if form is None:
        return tuple(getInflection(lemma, tag=tag))
    return tuple(form)


def in_dictionary(word: str) -> bool:
    """Whether lemminflect's dictionary knows the word (any form of any lemma).

    >>> in_dictionary("traveled"), in_dictionary("againer")
    (True, False)
    """
    return bool(_all_lemmas(word.lower()))


@lru_cache(maxsize=200_000)
def analyses(word: str) -> tuple[tuple[str, str], ...]:
    """Possible ``(lemma, penn_tag)`` readings of a surface word, lower-cased.

    Unknown words read as themselves with the base tag ``NN``, and, if they look like a
    regular plural, also as the plural of their stem.

    >>> analyses("bought")
    (('buy', 'VBD'), ('buy', 'VBN'))
    >>> analyses("sufferers")
    (('sufferer', 'NNS'),)
    >>> analyses("qwzxv")
    (('qwzxv', 'NN'),)
    >>> analyses("autoencoders")
    (('autoencoders', 'NN'), ('autoencoder', 'NNS'))
    """
    from lemminflect import getAllLemmasOOV

    low = word.lower()
    out: list[tuple[str, str]] = []
    for upos, lemmas in _all_lemmas(low).items():
        for lemma in lemmas:
            for tag in _UPOS_TAGS.get(upos, ()):
                forms = get_inflection(lemma, tag) if upos != "PROPN" else (lemma,)
                if low in forms or (tag in _BASE_TAGS and low == lemma):
                    pair = (lemma, tag)
                    if pair not in out:
                        out.append(pair)
    if not out:
        out.append((low, "NN"))
        if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            stem = getAllLemmasOOV(low, upos="NOUN").get("NOUN", (low,))[0]
            if stem != low:
                out.append((stem, "NNS"))
    return tuple(out)


@lru_cache(maxsize=200_000)
def canonical_word(word: str) -> str:
    """The key form of one word: lower-cased, and singular if it is only a plural noun.

    Words that are a lemma of some part of speech stay as they are ("data", "means",
    "advanced"), and so do verb forms ("bought", "regarding"): thesauri list those as
    headwords in their own right, and :func:`lemma_phrase` tries the verb lemma at lookup.

    >>> canonical_word("Sufferers"), canonical_word("advanced"), canonical_word("bought")
    ('sufferer', 'advanced', 'bought')
    """
    low = word.lower()
    lemmas = _all_lemmas(low)
    if not lemmas or any(low in ls for ls in lemmas.values()):
        return low
    nouns = lemmas.get("NOUN")
    return nouns[0] if nouns else low


def canonical_phrase(phrase: str) -> str:
    """The lexicon key form of a phrase: lower-case, single spaces, plural single nouns singular.

    Multi-word phrases keep their words ("according to", "at all events"): fixed expressions
    are listed that way in the thesauri, and :func:`lemma_phrase` tries head lemmas at lookup.

    >>> canonical_phrase("Weight  Problems"), canonical_phrase("sufferers")
    ('weight problems', 'sufferer')
    """
    words = phrase.lower().split()
    if len(words) == 1:
        return canonical_word(words[0])
    return " ".join(words)


def lemma_phrase(words: list[str]) -> list[str]:
    """Candidate lemma phrases for a surface phrase, most likely first, no duplicates.

    The first candidate is always :func:`canonical_phrase`; then the lower-cased surface;
    then the lemmas of a single word, or for a longer phrase the variants with each reading
    of its head words (first word as a verb, last word as a noun).

    >>> lemma_phrase(["Sufferers"])
    ['sufferer', 'sufferers']
    >>> lemma_phrase(["weight", "problems"])
    ['weight problems', 'weight problem']
    >>> lemma_phrase(["looked", "after"])
    ['looked after', 'look after']
    >>> lemma_phrase(["purchased"])
    ['purchased', 'purchase']
    """
    low = [w.lower() for w in words if w.strip()]
    if not low:
        return []
    out = [canonical_phrase(" ".join(low)), " ".join(low)]
    if len(low) == 1:
        out.extend(lemma for lemma, _ in analyses(low[0]))
    else:
        firsts = [low[0]] + [lm for lm, t in analyses(low[0]) if t.startswith("VB")]
        lasts = [low[-1]] + [lm for lm, t in analyses(low[-1]) if t.startswith("NN")]
        for f, la in product(firsts, lasts):
            out.append(" ".join([f, *low[1:-1], la]))
    seen: dict[str, None] = {}
    for p in out:
        seen.setdefault(p, None)
    return list(seen)[:8]


@lru_cache(maxsize=200_000)
def _can_be(word: str, upos: str) -> bool:
    from lemminflect.core.LexicalUtils import uposToTags

    lemmas = _all_lemmas(word)
    if not lemmas:
        # unknown word: let the rules try, unless it is grammar ("for example" is no verb
        # phrase: lemminflect's rules would make "forred example" of it)
        return word not in _GRAMMAR
    if upos in lemmas:
        return True
    tags = set(uposToTags(upos))
    return any(t in tags for t in _all_inflections(word))


@lru_cache(maxsize=200_000)
def _inflect_forms(word: str, tag: str) -> tuple[str, ...]:
    """Every form of ``word`` (lemmatised first for the tag's POS) with Penn ``tag``.

    The preferred form comes first: for a noun that lemminflect also lists uninflected
    ("fish", "obesity", but also "change"), the mass reading; the count plural follows.
    """
    upos = _UPOS_OF_TAG[tag]
    lemmas = _all_lemmas(word)
    base = word
    if lemmas.get(upos) and word not in lemmas[upos]:
        base = lemmas[upos][0]
    forms = get_inflection(base, tag)
    if not forms:
        return (word,)
    if base in forms:  # "fish", "obesity": the mass reading wins
        return (base, *(f for f in forms if f != base))
    return tuple(forms)


def _inflect_word(word: str, tag: str) -> str:
    """Inflect ``word`` (lemmatised first for the tag's POS) with Penn ``tag``."""
    return _inflect_forms(word, tag)[0]


@lru_cache(maxsize=200_000)
def inflections_like(original_lemma_phrase: str, spun_surface: str) -> tuple[str, ...]:
    """Every plausible inflection of the original for the spun surface, best first, lower-case.

    Ambiguous spun forms ("selected": past or participle) give several; so do nouns with a
    mass and a count reading ("change", "changes"); the uninflected original is always
    last, for mass nouns a spinner pluralised ("weight problems").

    >>> inflections_like("take", "selected")
    ('took', 'taken', 'take')
    >>> inflections_like("change", "alterations")
    ('change', 'changes')
    """
    return inflections_for(original_lemma_phrase, spun_form(spun_surface))


@lru_cache(maxsize=200_000)
def spun_form(spun_surface: str) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """What re-inflecting needs to know about a spun surface, computed once per surface.

    ``(single word or "", marked verb tags of the first word, other marked tags of the last
    word, whether the base reading comes first)``; see :func:`inflections_for`. A verb whose
    past tense is spelt like its base ("read", "put", "set") reads as a base form first and
    as a past tense second: a spinner's "read" for "said" needs "said" among the originals.

    >>> spun_form("purchased"), spun_form("read")
    (('purchased', ('VBD', 'VBN'), (), False), ('read', ('VBD',), (), True))
    """
    spun = spun_surface.lower().split()
    if not spun:
        return ("", (), (), False)
    first_tags = {t for _, t in analyses(spun[0])}
    last_tags = {t for _, t in analyses(spun[-1])}
    base_first = _is_base_reading(spun[0])
    verb = tuple(t for t in (("VBD",) if base_first else _VERB_MARKED) if t in first_tags)
    other = () if _is_base_reading(spun[-1]) else tuple(t for t in _OTHER_MARKED if t in last_tags)
    return (spun[0] if len(spun) == 1 else "", verb, other, base_first and bool(verb))


def inflections_for(original_lemma_phrase: str, form: tuple[str, tuple[str, ...], tuple[str, ...], bool]) -> tuple[str, ...]:
    """:func:`inflections_like` with the spun side precomputed by :func:`spun_form` (fast path)."""
    orig = original_lemma_phrase.lower().split()
    if not orig:
        return (original_lemma_phrase.lower(),)
    single, verb_tags, other_tags, base_first = form
    out: list[str] = []
    if single and len(orig) == 1 and single == orig[0]:
        out.append(single)
    if base_first:
        out.append(" ".join(orig))
    if verb_tags and _can_be(orig[0], "VERB"):
        for tag in verb_tags:
            out.append(" ".join([_inflect_word(orig[0], tag), *orig[1:]]))
    for tag in other_tags:
        if _can_be(orig[-1], _UPOS_OF_TAG[tag]):
            for f in _inflect_forms(orig[-1], tag):
                out.append(" ".join([*orig[:-1], f]))
    out.append(" ".join(orig))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=100_000)
def _is_base_reading(word: str) -> bool:
    """True when the word's most natural reading is an uninflected base form (e.g. "data")."""
    lemmas = _all_lemmas(word)
    return bool(lemmas) and all(word in ls for ls in lemmas.values())


def case_like(spun_surface: str, phrase: str) -> str:
    """Give ``phrase`` the capitalisation of the spun surface (upper, title per word, first word).

    >>> case_like("In Line With", "according to"), case_like("Sufferers", "patients")
    ('According To', 'Patients')
    """
    if spun_surface.islower() or not spun_surface:
        return phrase  # the common case: nothing to copy
    words = spun_surface.split()
    if not words:
        return phrase
    if case_of(spun_surface) == "upper":
        return phrase.upper()
    if len(words) > 1 and all(case_of(w) == "title" for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in phrase.split())
    return apply_case(words[0], phrase)


@lru_cache(maxsize=200_000)
def inflect_like(original_lemma_phrase: str, spun_surface: str) -> str:
    """Give the original lemma phrase the inflection and capitalisation of the spun surface.

    The head is the first word for verbs and the last word for nouns and adjectives.

    >>> inflect_like("patient", "sufferers"), inflect_like("weight problem", "obesities")
    ('patients', 'weight problems')
    >>> inflect_like("according to", "In line with")
    'According to'
    """
    best = inflections_like(original_lemma_phrase, spun_surface)[0]
    return case_like(spun_surface, best)
