"""Are two wordings lexically linked? (thesaurus, rule table or morphology; either direction)

The engine uses this to keep a candidate the language model proposes at a slot only when it
is related to what the text says there: a spinner replaces a word with a synonym, so an
original it never links to is more likely the model's taste than a restoration.

>>> from unspin.lexicon import load_lexicon
>>> lex = load_lexicon()
>>> link_kind(lex, "sufferers", "patient"), link_kind(lex, "In line with", "according to")
('thesaurus', 'thesaurus')
>>> link_kind(lex, "bought", "buys"), link_kind(lex, "banana", "democracy")
('morphology', None)
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from . import morph
from .rules import connective_table
from ..text import phrase_key

if TYPE_CHECKING:  # pragma: no cover
    from .store import Lexicon

LINK_KINDS = ("same", "morphology", "thesaurus", "rule", "two_step")


@lru_cache(maxsize=1)
def _rules() -> dict[str, tuple[str, ...]]:
    return connective_table()


def _keys(phrase: str) -> list[str]:
    words = phrase.lower().split()
    return morph.lemma_phrase(words) if words else []


def _lemmas(phrase: str) -> set[str]:
    words = phrase.lower().split()
    if len(words) != 1:
        return {" ".join(words)}
    return {lemma for lemma, _ in morph.analyses(words[0])} | {words[0]}


def link_kind(lexicon: "Lexicon", a: str, b: str, two_step: bool = False) -> str | None:
    """How ``a`` and ``b`` are linked, strongest first, or None.

    ``"same"`` (equal ignoring case and spacing), ``"morphology"`` (share a lemma),
    ``"thesaurus"`` (one lists the other in the shipped lexicon, in either direction, after
    lemmatising both), ``"rule"`` (members of one hand-written connective group), and with
    ``two_step=True`` also ``"two_step"`` (linked through one intermediate wording).
    """
    la, lb = phrase_key(a), phrase_key(b)
    if not la or not lb:
        return None
    if la == lb:
        return "same"
    if _lemmas(la) & _lemmas(lb):
        return "morphology"
    ka, kb = _keys(la), _keys(lb)
    set_a, set_b = set(ka), set(kb)
    for k in ka:
        if any(o in set_b for o, _ in lexicon.originals(k)):
            return "thesaurus"
    for k in kb:
        if any(o in set_a for o, _ in lexicon.originals(k)):
            return "thesaurus"
    rules = _rules()
    for k in (la, *ka):
        if any(o in set_b or o == lb for o in rules.get(k, ())):
            return "rule"
    if two_step:
        mids = {o for k in ka for o, _ in lexicon.originals(k)}
        for k in kb:
            if any(o in mids for o, _ in lexicon.originals(k)):
                return "two_step"
    return None


def linked(lexicon: "Lexicon", a: str, b: str, two_step: bool = False) -> bool:
    """True when :func:`link_kind` finds any link between ``a`` and ``b``."""
    return link_kind(lexicon, a, b, two_step) is not None
