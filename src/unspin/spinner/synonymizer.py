"""Profile ``synonymizer``: a thesaurus article spinner (the HELD-OUT profile).

Built from the Moby Thesaurus II forward lists (``spinner-moby.tsv.gz``) and the hand-written
rules below. It behaves like the web "article rewriters":

- each word has one favourite synonym (fixed for a seed), used most of the time; inflection
  and capitalisation are kept ("bought" -> "purchased", "Patients" -> "Sufferers");
- some words become a multi-word paraphrase ("today" -> "at this time"), and common
  multi-word phrases collapse into one word ("at present" -> "today");
- inside title-case names one word may be swapped ("Grand Jury" -> "Magnificent Jury");
  single capitalised words mid-sentence (names) and all-caps acronyms are never touched;
- connectives and fixed expressions are paraphrased from :data:`EXPRESSIONS`;
- artefacts: small numbers are sometimes written out ("3" -> "three") and contractions
  are expanded or formed ("don't" <-> "do not").

The restoration engine must never be tuned on this profile, and :data:`EXPRESSIONS` lives
here only: it is the spinner's private knowledge.
"""

from __future__ import annotations

from functools import cache

from ..text import Token, tokenize
from .common import Context, case_of, cased, choose, inflected_options, rank_weights
from .core import SpunText, Swap, assemble
from .tables import STOPWORDS, load_table, ranked_lists

NAME = "synonymizer"
VERSION = "synonymizer.v1"
LOYALTY = 0.8  # how often the favourite synonym is used
PARAPHRASE_SHARE = 0.2  # how often a word becomes a multi-word paraphrase, when it has one

#: Connective and fixed-expression paraphrases, hand-written for this spinner (lower case;
#: the first word takes the capitalisation of the text). Swapped with probability ``rate``.
EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "because of": ("on account of", "as a result of"),
    "according to": ("in line with", "in accordance with"),
    "today": ("in the present day", "nowadays"),
    "however": ("nonetheless", "however"),
    "therefore": ("consequently", "for this reason"),
    "for example": ("for instance", "as an example"),
    "in order to": ("so as to", "in an effort to"),
    "as well as": ("along with", "in addition to"),
    "such as": ("inclusive of", "like"),
    "due to": ("owing to", "because of"),
    "in addition": ("moreover", "additionally"),
    "also": ("additionally", "moreover"),
    "although": ("even though", "despite the fact that"),
    "more than": ("greater than", "extra than"),
    "at least": ("at the least", "as a minimum"),
    "a lot of": ("loads of", "quite a few"),
    "many": ("numerous", "a lot of"),
    "during": ("at some stage in", "throughout"),
    "before": ("earlier than", "prior to"),
    "after": ("after", "following"),
    "while": ("even as", "whilst"),
    "in fact": ("in reality", "in truth"),
    "usually": ("commonly", "normally"),
    "recently": ("lately", "these days"),
    "currently": ("presently", "at present"),
    "several": ("numerous", "quite a few"),
    "often": ("frequently", "regularly"),
    "about": ("approximately", "round"),
    "almost": ("nearly", "almost"),
    "without": ("with out", "besides"),
    "through": ("via", "thru"),
    "by the way": ("incidentally", "through the way"),
    "at the same time": ("concurrently", "on the identical time"),
    "in the end": ("ultimately", "in the long run"),
    "as a result": ("consequently", "as a consequence"),
    "on the other hand": ("however", "then again"),
    "in spite of": ("notwithstanding", "regardless of"),
    "even though": ("although", "despite the fact that"),
    "so that": ("in order that", "so"),
    "the same": ("the identical", "the equal"),
    "each other": ("every different", "one another"),
    "first": ("first", "first off"),
    "also known as": ("additionally referred to as", "aka"),
    "make sure": ("make certain", "ensure"),
    "a few": ("some", "a couple of"),
    "enough": ("sufficient", "enough"),
    "around": ("round", "around"),
    "between": ("among", "between"),
    "because": ("due to the fact", "because"),
    "whether": ("whether or not", "whether"),
    "then": ("then", "after that"),
    "so": ("so", "so"),
}

CONTRACTIONS: dict[str, str] = {
    "don't": "do not", "doesn't": "does not", "didn't": "did not", "isn't": "is not",
    "aren't": "are not", "wasn't": "was not", "weren't": "were not", "can't": "cannot",
    "won't": "will not", "wouldn't": "would not", "couldn't": "could not",
    "shouldn't": "should not", "haven't": "have not", "hasn't": "has not", "hadn't": "had not",
    "it's": "it is", "that's": "that is", "there's": "there is", "i'm": "I am",
    "we're": "we are", "they're": "they are", "you're": "you are", "let's": "let us",
    "we've": "we have", "i've": "I have", "they've": "they have", "we'll": "we will",
    "i'll": "I will", "they'll": "they will", "he's": "he is", "she's": "she is",
}
_EXPANSIONS: dict[tuple[str, ...], str] = {}
for _c, _e in CONTRACTIONS.items():
    _EXPANSIONS.setdefault(tuple(_e.lower().split()), _c)

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()

_EXPR_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _k, _v in EXPRESSIONS.items():
    _opts = tuple(o for o in _v if o != _k)
    if _opts:
        _EXPR_BY_FIRST.setdefault(_k.split()[0], []).append((tuple(_k.split()), _opts))
for _lst in _EXPR_BY_FIRST.values():
    _lst.sort(key=lambda p: -len(p[0]))

W_EXPR, W_CONTRACTION, W_PHRASE, W_NUMBER, W_NAME = 1.0, 0.5, 0.6, 0.3, 0.5


@cache
def _lexicon() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], str]:
    table = load_table("moby")
    return ranked_lists(table, "w"), ranked_lists(table, "p"), ranked_lists(table, "r"), table.version


def data_version() -> str:
    return _lexicon()[3]


@cache
def _options(word: str, which: int) -> tuple[str, tuple[str, ...]]:
    """Inflected single-word (``which=0``) or multi-word (1) options for a word, cached."""
    key, opts = inflected_options(word, _lexicon()[which])
    return key, tuple(opts)


def _word_swap(ctx: Context, tok: Token) -> str | None:
    """A synonym (or paraphrase) for one word, inflected and cased like it."""
    word = tok.lower
    if word in STOPWORDS or len(word) < 3 or not word.isalpha():
        return None
    key, opts = _options(word, 0)
    pkey, popts = _options(word, 1)
    if popts and (not opts or ctx.rng.random() < PARAPHRASE_SHARE):
        key, opts = "p:" + pkey, popts
    if not opts:
        return None
    return cased(tok.text, choose(ctx, key, opts, rank_weights(len(opts)), LOYALTY))


def _title_runs(ctx: Context) -> dict[int, int]:
    """Start index -> end index (exclusive) of runs of 2+ title-case words (names, titles)."""
    toks = ctx.doc.tokens
    runs: dict[int, int] = {}
    i = 0
    while i < len(toks):
        j = i
        while j < len(toks) and toks[j].kind == "word" and case_of(toks[j].text) == "title" and (
            j == i or ctx.doc.text[toks[j - 1].end : toks[j].start] == " "
        ):
            j += 1
        if j - i >= 2:
            runs[i] = j
            i = j
        else:
            i += 1
    return runs


def _number(ctx: Context, i: int) -> str | None:
    tok = ctx.doc.tokens[i]
    if tok.kind != "num" or not tok.text.isdigit() or int(tok.text) > 20 or tok.text.startswith("0"):
        return None
    text = ctx.doc.text
    before = text[tok.start - 1] if tok.start else " "
    after = text[tok.end] if tok.end < len(text) else " "
    if before in "$#-/.:,\u00a3\u20ac" or after in "%-/:" or after.isalnum():
        return None
    if after in ".," and tok.end + 1 < len(text) and text[tok.end + 1].isdigit():
        return None
    return NUMBER_WORDS[int(tok.text)]


def swaps(text: str, rate: float, seed: int) -> list[Swap]:
    """Decide what to swap in ``text``; see the module docstring for the rules."""
    doc = tokenize(text)
    ctx = Context.make(doc, NAME, rate, seed)
    toks = doc.tokens
    runs = _title_runs(ctx)
    apostrophe = "\u2019" if text.count("\u2019") > text.count("'") else "'"
    _, _, reverse, _ = _lexicon()
    out: list[Swap] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if i in runs:  # a name or title: maybe swap one word inside it
            end = runs[i]
            if ctx.roll(W_NAME):
                for k in ctx.rng.sample(range(i, end), end - i):
                    if k == i and i in ctx.sentence_starts and end - i == 2:
                        continue
                    new = _word_swap(ctx, toks[k])
                    if new:
                        out.append(Swap(toks[k].start, toks[k].end, cased(toks[k].text, new), "name"))
                        break
            i = end
            continue
        if tok.kind == "num":
            new = _number(ctx, i)
            if new and ctx.roll(W_NUMBER):
                out.append(Swap(tok.start, tok.end, new, "number"))
            i += 1
            continue
        if tok.kind != "word" or not ctx.is_plain(tok, i):
            i += 1
            continue
        done = False
        # 1. connectives and fixed expressions (longest first)
        for words, opts in _EXPR_BY_FIRST.get(tok.lower, ()):
            if ctx.words_at(i, len(words)) == words:
                if ctx.roll(W_EXPR):
                    last = toks[i + len(words) - 1]
                    new = choose(ctx, "x:" + " ".join(words), opts, rank_weights(len(opts)), LOYALTY)
                    out.append(Swap(tok.start, last.end, cased(tok.text, new), "expression"))
                    i += len(words)
                    done = True
                break
        if done:
            continue
        # 2. contractions, both ways
        if tok.lower in CONTRACTIONS and ctx.roll(W_CONTRACTION):
            out.append(Swap(tok.start, tok.end, cased(tok.text, CONTRACTIONS[tok.lower]), "contraction"))
            i += 1
            continue
        pair = ctx.words_at(i, 2)
        if pair in _EXPANSIONS and ctx.roll(W_CONTRACTION):
            new = _EXPANSIONS[pair].replace("'", apostrophe)
            out.append(Swap(tok.start, toks[i + 1].end, cased(tok.text, new), "contraction"))
            i += 2
            continue
        # 3. a common phrase collapsed into one word
        for n in (3, 2):
            words = ctx.words_at(i, n)
            if words and " ".join(words) in reverse and all(case_of(toks[k].text) == "lower" for k in range(i + 1, i + n)):
                if ctx.roll(W_PHRASE):
                    phrase = " ".join(words)
                    opts = list(reverse[phrase])
                    new = choose(ctx, "r:" + phrase, opts, rank_weights(len(opts)), LOYALTY)
                    out.append(Swap(tok.start, toks[i + n - 1].end, cased(tok.text, new), "phrase"))
                    i += n
                    done = True
                break
        if done:
            continue
        # 4. the word itself
        if ctx.roll():
            new = _word_swap(ctx, tok)
            if new:
                out.append(Swap(tok.start, tok.end, new, "word"))
        i += 1
    return out


def spin_text(text: str, rate: float, seed: int) -> SpunText:
    return assemble(text, swaps(text, rate, seed), NAME, rate, seed)
