"""Inflection helpers shared by the spinners (lemminflect, cached per word).

>>> readings("bought")[0]
('buy', 'VERB', 'VBD')
>>> inflect("purchase", "VBD", "VERB")
'purchased'
>>> inflect("weight problem", "NNS", "NOUN")
'weight problems'
>>> inflect("give up", "VBD", "VERB")
'gave up'
"""

from __future__ import annotations

from functools import cache

BASE_TAGS = frozenset({"NN", "VB", "VBP", "JJ", "RB"})
_UPOS = ("NOUN", "VERB", "ADJ", "ADV")


@cache
def readings(word: str) -> tuple[tuple[str, str, str], ...]:
    """All (lemma, upos, penn tag) analyses of a lower-case word; inflected ones first."""
    from lemminflect import getAllInflections, getAllLemmas

    found: list[tuple[str, str, str]] = []
    for upos, lemmas in getAllLemmas(word).items():
        if upos not in _UPOS:
            continue
        for lemma in lemmas:
            if lemma != lemma.lower():
                continue
            for tag, forms in getAllInflections(lemma, upos).items():
                if word in forms and (lemma, upos, tag) not in found:
                    found.append((lemma, upos, tag))
    # lemminflect lists some singular nouns among their own plurals ("heart" NNS): drop such a
    # reading when the word also reads as the singular of that lemma.
    found = [r for r in found if not (r[2] == "NNS" and r[0] == word and (word, "NOUN", "NN") in found)]
    found.sort(key=lambda r: (r[2] in BASE_TAGS, _UPOS.index(r[1])))
    return tuple(found)


@cache
def parts_of_speech(word: str) -> frozenset[str]:
    """The universal POS a (base-form) word can have, per lemminflect's dictionary."""
    from lemminflect import getAllLemmas

    return frozenset(u for u, lemmas in getAllLemmas(word).items() if word in lemmas)


def fits(candidate: str, upos: str) -> bool:
    """Whether a (possibly multi-word) candidate can stand for a word of part of speech ``upos``."""
    words = candidate.split()
    head = words[0] if upos == "VERB" else words[-1]
    return upos in parts_of_speech(head)


@cache
def inflect(candidate: str, tag: str, upos: str) -> str | None:
    """Inflect a base-form candidate for ``tag``; the head word of a phrase carries it.

    Returns ``None`` when the candidate cannot take that form.
    """
    if tag in BASE_TAGS:
        return candidate
    from lemminflect import getInflection

    words = candidate.split()
    idx = 0 if upos == "VERB" else len(words) - 1
    if len(words) > 1 and upos not in ("VERB", "NOUN"):
        return None
    forms = getInflection(words[idx], tag=tag, inflect_oov=False)
    if not forms:
        return None
    words[idx] = forms[0]
    return " ".join(words)
