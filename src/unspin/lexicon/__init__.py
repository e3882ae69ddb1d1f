"""The reverse spin lexicon: what a spinner writes -> what it may have replaced.

>>> from unspin.lexicon import load_lexicon
>>> lex = load_lexicon()
>>> "according to" in [o for o, _ in lex.originals("in line with")]
True

Morphology helpers (lemmatise the spun surface, re-inflect the original) live in
:mod:`unspin.lexicon.morph` and are re-exported here.
"""

from __future__ import annotations

from .morph import analyses, canonical_phrase, inflect_like, inflections_like, lemma_phrase
from .store import REGISTRY, Lexicon, known_word, load_lexicon, read_lexicon, read_user_pairs, with_user_pairs

__all__ = [
    "REGISTRY",
    "Lexicon",
    "load_lexicon",
    "known_word",
    "read_lexicon",
    "with_user_pairs",
    "read_user_pairs",
    "analyses",
    "canonical_phrase",
    "inflect_like",
    "inflections_like",
    "lemma_phrase",
]
