"""Profile ``contentfarm``: a dictionary spinner like those of content farms (the HELD-OUT profile).

Specified by statistics measured on real content-farm output, not by any list of real swaps:

- a fixed dictionary: one favourite replacement per word lemma, fixed for a seed (the
  dictionary version), used every time the word occurs; inflection and capitalisation kept;
- replacements about as common as the words they replace, picked from ANY sense of the word,
  so wrong-sense swaps are frequent ("interest" -> "involvement", "heart" -> "core"); the
  dictionary is ``spinner-contentfarm.tsv.gz``, built by ``scripts/build_contentfarm.py`` from
  WordNet by frequency match alone (not the engine's ranked lexicon);
- dense: ``rate`` is the share of ALL words to replace (default 0.18), including
  prepositions, conjunctions, adverbs and connectives (:data:`FUNCTION_RULES`, written for
  this profile);
- about a fifth of the swaps turn one word into several or several into one;
- digits are sometimes partly written out ("25" -> "twenty-five", "2,000" -> "2 thousand");
- acronyms and mid-sentence capitalised words (names) are never touched.

Which dictionary entries a document uses is decided per entry, not per occurrence (an entry
is in the spinner's dictionary or not), so a swapped word is swapped every time it occurs.
The restoration engine must never be tuned on this profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..text import tokenize
from .common import Context, cased
from .core import SpunText, Swap, assemble, pick_favourite, unit_hash
from .morph import inflect, readings
from .tables import load_table

NAME = "contentfarm"
VERSION = "contentfarm.v1"
DEFAULT_RATE = 0.18
PHRASE_SHARE = 0.4  # share of dictionary words whose favourite is a multi-word paraphrase (when they have one)
W_WORD, W_FUNCTION, W_COLLAPSE, W_NUMBER, W_COMMON_PREP = 1.0, 1.6, 1.2, 0.5, 0.4

#: Function words and connectives, lower case -> what this spinner writes instead (the first
#: word takes the capitalisation of the text). Written for this profile.
FUNCTION_RULES: dict[str, tuple[str, ...]] = {
    "because": ("for the reason that", "since"),
    "because of": ("as a consequence of", "thanks to"),
    "according to": ("as reported by", "in keeping with"),
    "however": ("even so", "but"),
    "therefore": ("hence", "thus"),
    "thus": ("so", "in this way"),
    "also": ("likewise", "as well"),
    "but": ("however", "though"),
    "if": ("in case", "supposing"),
    "when": ("as soon as", "at the time"),
    "while": ("whereas", "at the same time as"),
    "although": ("whereas", "albeit"),
    "though": ("even if", "albeit"),
    "even though": ("regardless of the fact that", "albeit"),
    "with": ("alongside", "together with"),
    "without": ("lacking", "minus"),
    "about": ("regarding", "roughly"),
    "before": ("ahead of", "previous to"),
    "after": ("following", "subsequent to"),
    "during": ("in the course of", "amid"),
    "among": ("amongst", "amid"),
    "between": ("amid", "in between"),
    "since": ("given that", "ever since"),
    "until": ("till", "up to"),
    "through": ("by way of", "via"),
    "within": ("inside", "inside of"),
    "against": ("versus", "in opposition to"),
    "across": ("throughout", "over"),
    "toward": ("in the direction of", "towards"),
    "towards": ("in the direction of", "toward"),
    "near": ("close to", "next to"),
    "over": ("above", "upwards of"),
    "under": ("beneath", "below"),
    "above": ("over", "higher than"),
    "below": ("beneath", "under"),
    "despite": ("regardless of", "in spite of"),
    "instead of": ("rather than", "in place of"),
    "so": ("hence", "thus"),
    "very": ("extremely", "really"),
    "just": ("simply", "merely"),
    "only": ("solely", "simply"),
    "now": ("at present", "presently"),
    "still": ("nonetheless", "even now"),
    "often": ("typically", "many times"),
    "then": ("next", "afterwards"),
    "already": ("by now", "previously"),
    "again": ("once more", "yet again"),
    "almost": ("practically", "virtually"),
    "really": ("actually", "truly"),
    "too": ("as well", "additionally"),
    "never": ("by no means", "not ever"),
    "always": ("at all times", "all the time"),
    "enough": ("sufficient", "adequate"),
    "many": ("numerous", "plenty of"),
    "most": ("the majority of", "the bulk of"),
    "several": ("various", "a number of"),
    "more than": ("upwards of", "over"),
    "less than": ("under", "fewer than"),
    "at least": ("no less than", "a minimum of"),
    "as well as": ("along with", "plus"),
    "in order to": ("so as to", "with a view to"),
    "such as": ("including", "like"),
    "due to": ("owing to", "on account of"),
    "for example": ("as an illustration", "for one"),
    "for instance": ("as an example", "say"),
    "a lot of": ("plenty of", "loads of"),
    "in addition": ("besides", "furthermore"),
    "as a result": ("consequently", "in consequence"),
    "whether": ("if", "whether or not"),
    "each": ("every", "every single"),
    "every": ("each", "each and every"),
    # the commonest prepositions and relatives, swapped less often (``COMMON_PREPOSITIONS``)
    "on": ("upon", "on top of"),
    "by": ("through", "by means of"),
    "from": ("out of", "coming from"),
    "into": ("in", "towards"),
    "which": ("that", "what"),
}

#: Rules for very frequent words: weighted by ``W_COMMON_PREP`` so that they do not crowd out the rest.
COMMON_PREPOSITIONS = frozenset({"on", "by", "from", "into", "which"})

_RULES_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _k, _v in FUNCTION_RULES.items():
    _RULES_BY_FIRST.setdefault(_k.split()[0], []).append((tuple(_k.split()), _v))
for _lst in _RULES_BY_FIRST.values():
    _lst.sort(key=lambda p: -len(p[0]))

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """An integer below 100 written out.

    >>> number_words(7), number_words(25), number_words(40)
    ('seven', 'twenty-five', 'forty')
    """
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("-" + _ONES[ones] if ones else "")


def _parse(options: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    pairs = [o.rsplit("=", 1) for o in options.split("|")]
    return tuple(p[0] for p in pairs), tuple(float(p[1]) for p in pairs)


@dataclass(frozen=True)
class Dictionary:
    """The loaded dictionary: (lemma, UPOS) -> options and weights, per row kind."""

    single: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]]
    multi: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]]
    collapse: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]]
    version: str


@cache
def dictionary() -> Dictionary:
    table = load_table(NAME)

    def grouped(kind: str) -> dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]]:
        return {(row[0], row[1]): _parse(row[2]) for row in table.rows.get(kind, ())}

    return Dictionary(grouped("w"), grouped("m"), grouped("c"), table.version)


def data_version() -> str:
    return dictionary().version


def _favourite(seed: int, key: str, options: tuple[str, ...], weights: tuple[float, ...], tag: str, upos: str) -> str | None:
    """The favourite of a dictionary entry, inflected; the next best when it cannot take the form."""
    fav = pick_favourite(options, weights, seed, NAME, key)
    order = [fav] + [o for o in options if o != fav]
    for opt in order:
        form = inflect(opt, tag, upos)
        if form:
            return form
    return None


@cache
def _word_entry(word: str, seed: int) -> tuple[str, str] | None:
    """(dictionary key, replacement) for a lower-case word, or None."""
    d = dictionary()
    for lemma, upos, tag in readings(word):
        single = d.single.get((lemma, upos))
        multi = d.multi.get((lemma, upos))
        if not single and not multi:
            continue
        key = f"{lemma}/{upos}"
        use_multi = multi is not None and (single is None or unit_hash(seed, NAME, "multi", key) < PHRASE_SHARE)
        opts, weights = multi if use_multi else single  # type: ignore[misc]
        form = _favourite(seed, key, opts, weights, tag, upos)
        if form and form != word:
            return key, form
    return None


def _collapse_entry(words: tuple[str, ...], seed: int) -> tuple[str, str] | None:
    """(key, one word) for a common multi-word expression, inflected on its head word."""
    d = dictionary()
    heads = ((0, "VERB"), (len(words) - 1, "NOUN"))
    for idx, want in heads:
        for lemma, upos, tag in readings(words[idx]):
            if upos != want:
                continue
            key_words = list(words)
            key_words[idx] = lemma
            phrase = " ".join(key_words)
            entry = d.collapse.get((phrase, upos))
            if entry:
                form = _favourite(seed, "c:" + phrase, entry[0], entry[1], tag, upos)
                if form:
                    return "c:" + phrase, form
    for upos in ("ADV", "ADJ", "NOUN", "VERB"):
        entry = d.collapse.get((" ".join(words), upos))
        if entry:
            return "c:" + " ".join(words), pick_favourite(entry[0], entry[1], seed, NAME, "c:" + " ".join(words))
    return None


def _number(text: str, start: int, end: int) -> str | None:
    """A number partly written out, or None when it must stay (decimals, years, codes)."""
    tok = text[start:end]
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before in "$#-/.:,\u00a3\u20ac" or after in "%-/:" or after.isalnum():
        return None
    if after in ".," and end + 1 < len(text) and text[end + 1].isdigit():
        return None
    if tok.isdigit() and not tok.startswith("0") and 0 < int(tok) < 100:
        return number_words(int(tok))
    parts = tok.split(",")
    if len(parts) in (2, 3) and parts[0].isdigit() and not parts[0].startswith("0") and all(p == "000" for p in parts[1:]):
        return parts[0] + (" thousand" if len(parts) == 2 else " million")
    return None


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    key: str
    words: int
    weight: float
    new: str
    rule: str


def _units(text: str, seed: int) -> tuple[list[_Unit], int]:
    """Every place the spinner could swap (non-overlapping, left to right), and the word count."""
    doc = tokenize(text)
    ctx = Context.make(doc, NAME, 0.0, seed)
    toks = doc.tokens
    units: list[_Unit] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "num":
            new = _number(text, tok.start, tok.end)
            if new:
                units.append(_Unit(tok.start, tok.end, "n:" + tok.text, 1, W_NUMBER, new, "number"))
            i += 1
            continue
        if tok.kind != "word" or not ctx.is_plain(tok, i):
            i += 1
            continue
        found: _Unit | None = None
        for words, opts in _RULES_BY_FIRST.get(tok.lower, ()):
            if ctx.words_at(i, len(words)) == words:
                last = toks[i + len(words) - 1]
                key = "f:" + " ".join(words)
                new = pick_favourite(opts, [1.0 / (k + 1) for k in range(len(opts))], seed, NAME, key)
                weight = W_COMMON_PREP if " ".join(words) in COMMON_PREPOSITIONS else W_FUNCTION
                found = _Unit(tok.start, last.end, key, len(words), weight, cased(tok.text, new), "function")
                break
        if found is None:
            for n in (3, 2):
                words = ctx.words_at(i, n)
                if not words or any(ctx.doc.tokens[k].text != words[k - i] for k in range(i + 1, i + n)):
                    continue
                got = _collapse_entry(words, seed)
                if got:
                    found = _Unit(tok.start, toks[i + n - 1].end, got[0], n, W_COLLAPSE, cased(tok.text, got[1]), "collapse")
                    break
        if found is None and tok.lower.isalpha() and len(tok.lower) > 2:
            got = _word_entry(tok.lower, seed)
            if got:
                found = _Unit(tok.start, tok.end, got[0], 1, W_WORD, cased(tok.text, got[1]), "word")
        if found is not None:
            units.append(found)
            i += found.words
        else:
            i += 1
    return units, doc.word_count


def swaps(text: str, rate: float, seed: int) -> list[Swap]:
    """Decide what to swap: dictionary entries chosen per document so that about ``rate`` of
    all words are replaced, every occurrence of a chosen entry swapped the same way."""
    units, n_words = _units(text, seed)
    mass = sum(u.weight * u.words for u in units)
    if not units or rate <= 0 or mass <= 0:
        return []
    p = rate * n_words / mass
    return [Swap(u.start, u.end, u.new, u.rule) for u in units if unit_hash(seed, NAME, "use", u.key) < p * u.weight]


def spin_text(text: str, rate: float, seed: int) -> SpunText:
    return assemble(text, swaps(text, rate, seed), NAME, rate, seed)
