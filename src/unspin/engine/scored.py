"""A slot with its language-model scores, and the per-slot facts both deep scorers and the
decision need (kept apart from :mod:`unspin.engine.pipeline` so that the neural scorer, which
the pipeline loads, does not import the pipeline back)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..lexicon import load_lexicon
from ..text import Document
from .candidates import Slot

if TYPE_CHECKING:
    from .features import Unigrams


def mid_sentence_capital(doc: Document, slot: Slot) -> bool:
    """A capitalised word that does not start a sentence, a quotation or a line (a name, usually)."""
    tok = doc.tokens[slot.first]
    if not tok.text[:1].isupper():
        return False
    if slot.first == 0:
        return False
    prev = doc.tokens[slot.first - 1]
    if prev.kind == "punct" and prev.text in ".!?:\"'\u201c\u2018(":
        return False
    gap = doc.text[prev.end : tok.start]
    return "\n" not in gap


@dataclass(frozen=True)
class ScoredSlot:
    """A slot with its scores: ``keep``/``cands`` in full context, ``*_first`` first sub-token only."""

    slot: Slot
    keep: float
    cands: tuple[float, ...]
    mid_sentence_capital: bool
    keep_first: float = 0.0
    cands_first: tuple[float, ...] = ()


@cache
def unigrams(lexicon_name: str) -> "Unigrams":
    """The lexicon's unigram log-probabilities (one per lexicon per process)."""
    from .features import Unigrams

    return Unigrams(load_lexicon(lexicon_name))


@dataclass(frozen=True)
class Scored:
    """A document's scored slots: everything the decision needs (stage 1 of
    :mod:`unspin.engine.pipeline`), independent of the decision's settings, so trying settings is cheap."""

    text: str
    doc: Document
    segments: tuple[tuple[ScoredSlot, ...], ...]
    words: int
    scorer: str
    data_version: str
    mode: str
    incomplete: bool
    reason: str | None
