"""Candidate generation: which spans may be spun, and what they may have replaced.

A *slot* is a run of 1..n consecutive words (no punctuation between them) for which some
source proposes an original wording. Each candidate is an original, inflected and cased like
the spun span, with a channel prior and the source it came from:

``lexicon``   the shipped reverse lexicon (thesauri, both directions, with learned priors);
``user``      the user's own list of spun phrases (prior 1.0);
``rule``      the hand-written connective / preposition / phrasal-verb groups of
              :mod:`unspin.lexicon.rules` (prior ``RULE_PRIOR``);
``function``  the few best lexicon originals of a lone function word (discounted prior);
``head``      a phrasal span ("go through", "joined along") read as a paraphrase of its
              content word: that word's single-word originals (discounted prior);
``two_step``  synonyms of synonyms (``steps=2``; low prior, a few per slot).

A lone closed-class word (article, pronoun, auxiliary, "of", "to", "and", ...) is never a slot;
other function words (prepositions, conjunctions, adverbs) are, with small candidate sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..english import CLOSED_CLASS, FUNCTION_WORDS  # noqa: F401  (the one home; also read from here)
from ..lexicon import Lexicon
from ..lexicon import morph
from ..lexicon.links import link_kind
from ..lexicon.rules import RULE_PRIOR, connective_table
from ..text import Document, Token, case_of

# Particles that may follow a verb in a phrasal span read as one paraphrase of the verb
# ("go through", "joined along", "set up"): the verb's single-word originals are candidates.
PARTICLES = frozenset(
    """about across along around away back down forth in into off on out over through
    together up upon with""".split()
)

FUNCTION_PRIOR_FACTOR = 0.5  # lexicon originals of a lone function word
FUNCTION_LEXICON_TOP = 3
HEAD_PRIOR_FACTOR = 0.3  # a phrasal span's candidates from its content word
HEAD_TOP = 8
TWO_STEP_FACTOR = 0.5  # times the product of the two links' priors
TWO_STEP_FROM = 8  # first-step originals expanded
TWO_STEP_EACH = 30  # second-step originals read per first-step original
SECOND_READING_FACTOR = 0.5  # "taken" after "took", "changes" after "change"
MASS_PLURAL_SHARE = 0.05  # a plural this rare next to its base reads as a mass noun

_SPACE_RE = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An original wording for a slot: surface text (inflected, cased) and channel prior.

    ``source`` says where it came from (see the module docstring); ``steps`` is 2 for a
    synonym of a synonym. Fields are keyword-compatible additions: old constructors still work.
    """

    text: str
    lemma: str
    prior: float
    user: bool = False  # from the user's own list of known spun phrases
    source: str = "lexicon"
    steps: int = 1
    channel: float = 0.0  # learned confidence of a spinner dictionary (unspin learn; Config.channel)

    @property
    def n_words(self) -> int:
        """Number of words of the candidate text."""
        return len(self.text.split())


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
    """Finds slots in documents; caches candidate lists per surface phrase (bounded).

    ``wide``: lone function words and verb+particle spans are slots too (None: when
    ``max_candidates`` is at least 20, as in deep mode).
    ``two_step``: synonym-of-synonym candidates added per slot beyond ``max_candidates``
    (None: a fifth of ``max_candidates`` when that is at least 20, as in deep mode, where the
    language model filters them; else none. 0 turns them off).
    """

    CACHE_LIMIT = 200_000

    def __init__(self, lexicon: Lexicon, max_candidates: int | None = 16, two_step: int | None = None,
                 wide: bool | None = None) -> None:
        self.lexicon = lexicon
        max_candidates = 16 if max_candidates is None else max_candidates
        self.max_candidates = max_candidates
        if two_step is None:  # meant to be filtered by the language model: deep-sized lists only
            two_step = max_candidates // 5 if max_candidates >= 20 else 0
        self.two_step = two_step
        # Lone function words and verb+particle spans as slots: many more slots for a little
        # recall, worth it when a language model scores them (deep-sized lists), not in fast mode.
        self.wide = max_candidates >= 20 if wide is None else wide
        self._rules = _rule_table()
        self._rule_words = max((k.count(" ") + 1 for k in self._rules), default=1)
        self._cache: dict[tuple[str, ...], tuple[Candidate, ...]] = {}

    def candidates_for(self, words: tuple[str, ...]) -> tuple[Candidate, ...]:
        got = self._cache.get(words)
        if got is None:
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            got = candidates_for(words, self.lexicon, self.max_candidates, self.two_step, self.wide)
            self._cache[words] = got
        return got

    def linked(self, a: str, b: str, two_step: bool = False) -> bool:
        """True when ``a`` and ``b`` are linked by morphology, the lexicon or the rule table.

        For keeping language-model proposals that relate to the spun text; see
        :func:`unspin.lexicon.links.link_kind`.
        """
        return link_kind(self.lexicon, a, b, two_step) is not None

    def find_slots(self, doc: Document, first: int = 0, last: int | None = None) -> list[Slot]:
        """All slots among tokens ``first..last`` with at least one candidate original."""
        tokens = doc.tokens
        last = len(tokens) if last is None else last
        lex_words = max(1, self.lexicon.max_spun_words)
        max_words = max(lex_words, self._rule_words)
        rules = self._rules
        slots: list[Slot] = []
        for i in range(first, last):
            tok = tokens[i]
            if not tok.is_word:
                continue
            alone = _swappable(tok.text)
            if not alone and tok.lower != "a":  # "a lot of", "A little": phrases only
                continue
            words = [tok.text]
            j = i
            for n in range(1, max_words + 1):
                if n > 1:
                    if j + 1 >= last or not _joinable(doc, tokens[j], tokens[j + 1]):
                        break
                    j += 1
                    words.append(tokens[j].text)
                if n == 1 and (not alone or tok.lower in CLOSED_CLASS
                               or (not self.wide and tok.lower in FUNCTION_WORDS)):
                    continue
                if n > lex_words and " ".join(words).lower() not in rules:
                    continue
                cands = self.candidates_for(tuple(words))
                if cands:
                    surface = doc.text[tok.start : tokens[j].end]
                    slots.append(Slot(i, j + 1, tok.start, tokens[j].end, surface, cands))
        return slots


@lru_cache(maxsize=1)
def _rule_table() -> dict[str, tuple[str, ...]]:
    return connective_table()


def _swappable(word: str) -> bool:
    # Acronyms and words with inner capitals (iPhone, McDonald) are names: spinners keep them.
    kind = case_of(word)
    return kind in ("lower", "title") and len(word) > 1


def _readings(orig: str, form: tuple, lexicon: Lexicon) -> tuple[str, ...]:
    """At most two inflections of ``orig`` for a spun form (:func:`morph.spun_form`), likelier first."""
    readings = morph.inflections_for(orig, form)
    if len(readings) > 1:
        # An inflection neither lemminflect's dictionary nor the unigram table knows ("againer",
        # "well-adviseded": lemminflect's rules on a word its dictionary lacks) is no reading;
        # the bare base stays.
        words = set(orig.split())
        readings = tuple(r for r in readings if r == orig or all(
            w in words or all(lexicon.unigram(part) > 0 or morph.in_dictionary(part) for part in w.split("-"))
            for w in r.split()))
    if len(readings) > 1 and readings[-1] == orig:
        readings = readings[:-1]  # the bare-base fallback, when a marked form was found
    if len(readings) > 1 and readings[0] == orig and not form[3]:
        # The base reading came first: a mass noun, or a count noun lemminflect also lists
        # uninflected ("change"/"changes"). Frequency decides: "obesities" is rare, "changes" not.
        base_count = lexicon.unigram(orig.rsplit(" ", 1)[-1])
        for r in readings[1:]:
            if lexicon.unigram(r.rsplit(" ", 1)[-1]) >= MASS_PLURAL_SHARE * max(1, base_count):
                readings = (r, *(x for x in readings if x != r))
                break
    return readings[:2]


def candidates_for(words: tuple[str, ...], lexicon: Lexicon, max_candidates: int,
                   two_step: int = 0, wide: bool = True) -> tuple[Candidate, ...]:
    """Candidate originals for the surface words of a span, best prior first.

    The first ``max_candidates`` come from the lexicon, the user's pairs, the rule table and
    (for phrasal spans) the content word; up to ``two_step`` synonym-of-synonym candidates
    follow them. Originals are inflected best prior first, and only until the list is full.
    """
    surface = " ".join(words)
    low = surface.lower()
    lows = [w.lower() for w in words]
    if len(words) == 1 and low in CLOSED_CLASS:
        return ()
    lone_function = len(words) == 1 and low in FUNCTION_WORDS
    if lone_function and not wide:
        return ()
    # original lemma phrase -> (prior, source, user, inflect like this word instead of the span)
    offers: dict[str, tuple[float, str, bool, str]] = {}
    direct: dict[str, float] = {}  # lexicon links, for two-step

    def offer(orig: str, prior: float, source: str, user: bool = False, like: str = "") -> None:
        old = offers.get(orig)
        if old is None or (user and not old[2]) or (old[0] < prior and not old[2]):
            offers[orig] = (prior, source, user, like)

    keys = morph.lemma_phrase(lows)
    for lemma in keys:
        user = lexicon.user_originals(lemma)
        originals = lexicon.originals(lemma)
        if lone_function and not user:
            originals = originals[:FUNCTION_LEXICON_TOP]
        for orig, prior in originals:
            if orig in user:
                offer(orig, prior, "user", user=True)
            elif lone_function:
                offer(orig, prior * FUNCTION_PRIOR_FACTOR, "function")
            else:
                offer(orig, prior, "lexicon")
                if prior > direct.get(orig, 0.0):
                    direct[orig] = prior
    rules = _rule_table()
    for key in dict.fromkeys((low, *keys)):
        for orig in rules.get(key, ()):
            offer(orig, RULE_PRIOR, "rule")
    if (wide and len(lows) == 2 and lows[0] not in FUNCTION_WORDS and lows[1] in PARTICLES
            and any(t.startswith("VB") for _, t in morph.analyses(lows[0]))):
        for lemma in morph.lemma_phrase(lows[:1]):
            for orig, prior in lexicon.originals(lemma)[:HEAD_TOP]:
                if " " not in orig:
                    offer(orig, prior * HEAD_PRIOR_FACTOR, "head", like=lows[0])

    best: dict[str, Candidate] = {}
    forms: dict[str, tuple] = {}
    for orig, (prior, source, user, like) in sorted(offers.items(), key=lambda kv: (not kv[1][2], -kv[1][0])):
        if orig == low:
            continue
        if len(best) >= max_candidates and not user and \
                sum(1 for c in best.values() if c.prior >= prior) >= max_candidates:
            break  # every later offer ranks below a full list
        target = like or low
        form = forms.get(target)
        if form is None:
            form = forms[target] = morph.spun_form(target)
        try:
            readings = _readings(orig, form, lexicon)
        except Exception:  # pragma: no cover - morphology must never break a check
            continue
        for k, reading in enumerate(readings):
            if not reading or reading == low:
                continue
            p = prior if k == 0 else prior * SECOND_READING_FACTOR
            text = morph.case_like(surface, reading)
            key = text.lower()
            old = best.get(key)
            if old is None or (old.prior < p and not old.user):
                best[key] = Candidate(text, orig, p, user, "user" if user else source,
                                      channel=_channel_confidence(lexicon, (low, *keys), orig))
    ranked = sorted(best.values(), key=lambda c: (not c.user, -c.prior))[:max_candidates]
    if two_step > 0 and direct and not lone_function:
        ranked.extend(_two_step(direct, lexicon, low, {c.text.lower() for c in ranked},
                                surface, forms.get(low) or morph.spun_form(low), two_step))
    return tuple(ranked)


def _channel_confidence(lexicon: Lexicon, spun_keys: tuple[str, ...], orig: str) -> float:
    """Learned confidence of (spun, orig) when the lexicon carries a learned channel, else 0.0."""
    conf = getattr(lexicon, "channel_confidence", None)
    return max((conf(k, orig) for k in spun_keys), default=0.0) if conf else 0.0


def _two_step(direct: dict[str, float], lexicon: Lexicon, low: str, taken: set[str],
              surface: str, form: tuple, cap: int) -> list[Candidate]:
    """Synonyms of the best synonyms: originals of the top first-step originals, not direct."""
    # Ranked by the number of paths, then their summed weight: an original reached through
    # several synonyms is likelier than one reached through one strong link.
    paths: dict[str, int] = {}
    weight: dict[str, float] = {}
    for mid, p1 in sorted(direct.items(), key=lambda kv: -kv[1])[:TWO_STEP_FROM]:
        for orig, p2 in lexicon.originals(mid)[:TWO_STEP_EACH]:
            if orig in direct or orig == low:
                continue
            paths[orig] = paths.get(orig, 0) + 1
            weight[orig] = weight.get(orig, 0.0) + p1 * p2
    out: list[Candidate] = []
    for orig in sorted(paths, key=lambda o: (-paths[o], -weight[o])):
        p = min(weight[orig], max(direct.values())) * TWO_STEP_FACTOR
        try:
            reading = _readings(orig, form, lexicon)[0]
        except Exception:  # pragma: no cover - morphology must never break a check
            continue
        text = morph.case_like(surface, reading)
        if reading == low or text.lower() in taken:
            continue
        taken.add(text.lower())
        out.append(Candidate(text, orig, p, False, "two_step", 2))
        if len(out) >= cap:
            break
    return out
