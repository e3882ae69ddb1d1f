"""Profile ``pps``: a paper-mill spinner learned from real tortured phrases (the DEV profile).

Substitution statistics were learned from real spinner output collected by the Problematic
Paper Screener (Cabanac, Labbé, Magazinov), CC BY 4.0, by aligning each tortured phrase with
its expected phrase word by word (``spinner-pps.tsv.gz``; only counts ship, never the list).
The spinner:

- replaces a word by what the real spinner wrote for it, in proportion to the learned counts,
  with one favourite per word for a seed ("deep" -> "profound", "data" -> "information");
  the statistics also hold one-word -> phrase and phrase -> one-word patterns;
- looks words up by surface form, then by lemma, re-inflecting the output
  ("diseases" -> "illnesses");
- falls back to WordNet 3.0 (``spinner-wordnet.tsv.gz``: the other lemmas of a word's
  commonest sense) for words the statistics do not cover;
- swaps learned words inside names too ("Web Services" -> "Web Administrations"), but never
  all-caps acronyms, numbers, contractions or function words.

This is the profile the engine may be developed against; ``synonymizer`` stays held out.
"""

from __future__ import annotations

from functools import cache

from ..text import tokenize
from .common import Context, case_of, cased, choose, inflected_options
from .core import SpunText, Swap, assemble
from .morph import inflect, readings
from .tables import STOPWORDS, counted_lists, load_table

NAME = "pps"
VERSION = "pps.v1"
LOYALTY = 0.85
W_LEARNED, W_FALLBACK = 1.0, 0.8
_WN_UPOS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV"}


@cache
def _stats() -> tuple[dict[str, tuple[tuple[str, int], ...]], dict[str, tuple[tuple[str, int], ...]], str]:
    table = load_table("pps")
    words = counted_lists(table, "w")
    to_phrase = counted_lists(table, "m")
    merged: dict[str, tuple[tuple[str, int], ...]] = dict(words)
    for k, v in to_phrase.items():
        merged[k] = tuple(sorted(merged.get(k, ()) + v, key=lambda p: (-p[1], p[0])))
    return merged, counted_lists(table, "c"), table.version


@cache
def _wordnet() -> tuple[dict[str, tuple[str, tuple[str, ...]]], str]:
    table = load_table("wordnet")
    return {row[0]: (_WN_UPOS[row[1]], tuple(row[2].split("|"))) for row in table.rows.get("n", ())}, table.version


def data_version() -> str:
    return f"{_stats()[2]}+{_wordnet()[1]}"


def _learned(ctx: Context, word: str) -> str | None:
    merged, _, _ = _stats()
    if word in merged:
        opts = [o for o, _ in merged[word] if o != word]
        weights = [c for o, c in merged[word] if o != word]
        if opts:
            return choose(ctx, word, opts, weights, LOYALTY)
    for lemma, upos, tag in readings(word):
        if lemma == word or lemma not in merged:
            continue
        pairs = [(inflect(o, tag, upos), c) for o, c in merged[lemma]]
        pairs = [(o, c) for o, c in pairs if o and o != word]
        if pairs:
            return choose(ctx, f"{lemma}/{tag}", [o for o, _ in pairs], [c for _, c in pairs], LOYALTY)
    return None


def _fallback(ctx: Context, word: str) -> str | None:
    wn, _ = _wordnet()
    for lemma, upos, tag in readings(word):
        entry = wn.get(lemma)
        if not entry or entry[0] != upos:
            continue
        opts = []
        for syn in entry[1]:
            form = inflect(syn, tag, upos)
            if form and form != word:
                opts.append(form)
        if opts:
            return choose(ctx, f"wn:{lemma}/{tag}", opts, [1.0 / (k + 1) for k in range(len(opts))], LOYALTY)
    if not readings(word) and word in wn:
        key, opts = inflected_options(word, {word: wn[word][1]})
        if opts:
            return choose(ctx, "wn:" + key, opts, [1.0] * len(opts), LOYALTY)
    return None


def swaps(text: str, rate: float, seed: int) -> list[Swap]:
    """Decide what to swap in ``text``; see the module docstring for the rules."""
    doc = tokenize(text)
    ctx = Context.make(doc, NAME, rate, seed)
    toks = doc.tokens
    merged, from_phrase, _ = _stats()
    out: list[Swap] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        kind = case_of(tok.text)
        if tok.kind != "word" or kind in ("upper", "mixed"):
            i += 1
            continue
        word = tok.lower
        done = False
        for n in (3, 2):  # learned phrase -> one word
            words = ctx.words_at(i, n)
            if words and " ".join(words) in from_phrase:
                if ctx.roll(W_LEARNED):
                    pairs = from_phrase[" ".join(words)]
                    new = choose(ctx, "c:" + " ".join(words), [o for o, _ in pairs], [c for _, c in pairs], LOYALTY)
                    out.append(Swap(tok.start, toks[i + n - 1].end, cased(tok.text, new), "learned-phrase"))
                    i += n
                    done = True
                break
        if done:
            continue
        if word in STOPWORDS or len(word) < 3 or "'" in word:
            i += 1
            continue
        new = None
        if ctx.roll(W_LEARNED):
            new = _learned(ctx, word)
            if new is None and ctx.is_plain(tok, i) and ctx.rng.random() < W_FALLBACK:
                new = _fallback(ctx, word)
        if new:
            out.append(Swap(tok.start, tok.end, cased(tok.text, new), "word"))
        i += 1
    return out


def spin_text(text: str, rate: float, seed: int) -> SpunText:
    return assemble(text, swaps(text, rate, seed), NAME, rate, seed)
