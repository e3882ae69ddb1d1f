"""Helpers the profiles share: token context, phrase matching, choosing an output."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from functools import lru_cache

from ..text import Document, Token, apply_case
from ..text import case_of as _case_of
from .core import pick_favourite
from .morph import fits, inflect, readings


@lru_cache(maxsize=65536)
def case_of(word: str) -> str:
    """:func:`unspin.text.case_of`, cached (the spinners ask about every token)."""
    return _case_of(word)


@dataclass(frozen=True)
class Context:
    """One spin run over one document."""

    doc: Document
    profile: str
    rate: float
    seed: int
    rng: random.Random
    sentence_starts: frozenset[int]

    @classmethod
    def make(cls, doc: Document, profile: str, rate: float, seed: int) -> "Context":
        starts = frozenset(s.first_token for s in doc.sentences)
        return cls(doc, profile, rate, seed, random.Random(f"{profile}/{seed}"), starts)

    def roll(self, weight: float = 1.0) -> bool:
        """True with probability ``rate * weight`` (never when the rate is 0)."""
        return self.rng.random() < self.rate * weight

    def words_at(self, i: int, n: int) -> tuple[str, ...] | None:
        """Lower-case texts of the ``n`` word tokens from ``i``, if they are separated by single spaces."""
        toks = self.doc.tokens
        if i + n > len(toks):
            return None
        out = []
        for k in range(i, i + n):
            t = toks[k]
            if t.kind != "word":
                return None
            if k > i and self.doc.text[toks[k - 1].end : t.start] != " ":
                return None
            out.append(t.lower)
        return tuple(out)

    def is_plain(self, tok: Token, index: int) -> bool:
        """A word a spinner may touch: not an acronym, not a mid-sentence name."""
        kind = case_of(tok.text)
        if kind in ("upper", "mixed"):
            return False
        if kind == "title" and index not in self.sentence_starts:
            return False
        return True


def choose(ctx: Context, key: str, options: Sequence[str], weights: Sequence[float], loyalty: float) -> str:
    """The favourite output for ``key`` with probability ``loyalty``, else any other option."""
    if len(set(options)) < len(options):
        merged: dict[str, float] = {}
        for o, w in zip(options, weights):
            merged[o] = merged.get(o, 0.0) + w
        options, weights = list(merged), list(merged.values())
    fav = pick_favourite(options, weights, ctx.seed, ctx.profile, key)
    if len(options) == 1 or ctx.rng.random() < loyalty:
        return fav
    others = [o for o in options if o != fav]
    return others[ctx.rng.randrange(len(others))]


def rank_weights(n: int) -> list[float]:
    """Weights 1, 1/2, 1/3, ... for a ranked list."""
    return [1.0 / (k + 1) for k in range(n)]


def inflected_options(word: str, table: dict[str, tuple[str, ...]]) -> tuple[str, list[str]]:
    """Outputs for a lower-case ``word`` from a lemma-keyed table, inflected like ``word``.

    Returns (key, options): the key the favourite is tied to (the lemma) and the outputs.
    Inflected readings are tried first ("bought" -> buy/VBD), then the word itself.
    """
    for lemma, upos, tag in readings(word):
        cands = table.get(lemma)
        if not cands:
            continue
        out: list[str] = []
        for c in cands:
            if not fits(c, upos):
                continue
            form = inflect(c, tag, upos)
            if form and form != word and form not in out:
                out.append(form)
        if out:
            return f"{lemma}/{tag}", out
    cands = table.get(word)
    if cands and not readings(word):
        return word, [c for c in cands if c != word]
    return word, []


def cased(template: str, new: str) -> str:
    """``new`` with the capitalisation of ``template``."""
    return apply_case(template, new)
