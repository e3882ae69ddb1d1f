"""Candidate generation: which spans may be spun, and what they may have replaced.

A *slot* is a run of 1..n consecutive words (no punctuation between them) whose lemma
phrase the reverse lexicon knows. Each candidate is an original wording, inflected and
cased like the spun span, with the lexicon's channel prior.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import Lexicon
from ..lexicon import morph
from ..text import Document, Token, apply_case, case_of

# Words a spinner keeps: articles, pronouns, auxiliaries, conjunctions. A slot may contain
# them (multi-word expressions such as "in line with") but never consists of one alone.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here
    i me my mine we us our ours you your yours he him his she her hers it its they them their
    theirs who whom whose which what when where why how is am are was were be been being
    do does did done have has had having will would shall should can could may might must
    of to in on at by for with from as into onto upon about not no also very just only
    each every all any some such own same other both either neither""".split()
)

_SPACE_RE = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An original wording for a slot: surface text (inflected, cased) and channel prior."""

    text: str
    lemma: str
    prior: float
    user: bool = False  # from the user's own list of known spun phrases


@dataclass(frozen=True, slots=True)
class Slot:
    """Words ``first..last-1`` (token indices) spanning ``start..end`` in the text."""

    first: int
    last: int
    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]

    @property
    def n_words(self) -> int:
        return self.last - self.first


def _joinable(doc: Document, a: Token, b: Token) -> bool:
    gap = doc.text[a.end : b.start]
    return b.is_word and bool(gap) and _SPACE_RE.fullmatch(gap) is not None


class CandidateGenerator:
    """Finds slots in documents; caches candidate lists per surface phrase (bounded)."""

    CACHE_LIMIT = 200_000

    def __init__(self, lexicon: Lexicon, max_candidates: int = 16) -> None:
        self.lexicon = lexicon
        self.max_candidates = max_candidates
        self._cache: dict[tuple[str, ...], tuple[Candidate, ...]] = {}

    def candidates_for(self, words: tuple[str, ...]) -> tuple[Candidate, ...]:
        got = self._cache.get(words)
        if got is None:
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            got = candidates_for(words, self.lexicon, self.max_candidates)
            self._cache[words] = got
        return got

    def find_slots(self, doc: Document, first: int = 0, last: int | None = None) -> list[Slot]:
        """All slots among tokens ``first..last`` with at least one candidate original."""
        tokens = doc.tokens
        last = len(tokens) if last is None else last
        max_words = max(1, self.lexicon.max_spun_words)
        slots: list[Slot] = []
        for i in range(first, last):
            tok = tokens[i]
            if not tok.is_word or not _swappable(tok.text):
                continue
            words = [tok.text]
            j = i
            for n in range(1, max_words + 1):
                if n > 1:
                    if j + 1 >= last or not _joinable(doc, tokens[j], tokens[j + 1]):
                        break
                    j += 1
                    words.append(tokens[j].text)
                if n == 1 and tok.lower in FUNCTION_WORDS:
                    continue
                cands = self.candidates_for(tuple(words))
                if cands:
                    surface = doc.text[tok.start : tokens[j].end]
                    slots.append(Slot(i, j + 1, tok.start, tokens[j].end, surface, cands))
        return slots


def _swappable(word: str) -> bool:
    # Acronyms and words with inner capitals (iPhone, McDonald) are names: spinners keep them.
    kind = case_of(word)
    return kind in ("lower", "title") and len(word) > 1


def candidates_for(words: tuple[str, ...], lexicon: Lexicon, max_candidates: int) -> tuple[Candidate, ...]:
    """Candidate originals for the surface words of a span, best prior first."""
    surface = " ".join(words)
    low = surface.lower()
    best: dict[str, Candidate] = {}
    for lemma in morph.lemma_phrase([w.lower() for w in words]):
        user = set(lexicon.user_originals(lemma))
        for orig, prior in lexicon.originals(lemma):
            if orig == low:
                continue
            try:
                inflected = morph.inflect_like(orig, low)
            except Exception:  # pragma: no cover - morphology must never break a check
                continue
            if not inflected or inflected.lower() == low:
                continue
            text = apply_case(surface, inflected)
            old = best.get(text)
            if old is None or old.prior < prior or (orig in user and not old.user):
                best[text] = Candidate(text, orig, prior, orig in user)
    ranked = sorted(best.values(), key=lambda c: -c.prior)
    return tuple(ranked[:max_candidates])
