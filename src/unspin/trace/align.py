"""Token alignment of a spun text against its source.

Function words, names, numbers, punctuation and the content words the spinner left alone
appear in both texts in the same order; they anchor the alignment. Between two anchors the
spinner's substitutions show up as *gaps*: a run of spun tokens facing a run of source tokens.

>>> a = align(tokenize("The panel stated Friday that 3 anomalies happened."),
...           tokenize("The jury said Friday that 3 irregularities took place."))
>>> [(g.query_text, g.source_text) for g in a.gaps]
[('panel stated', 'jury said'), ('anomalies happened', 'irregularities took place')]
>>> round(a.query_coverage, 2)
0.38
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property

from ..text import Document, Token, tokenize

__all__ = ["Alignment", "Gap", "align", "tokenize"]

#: A matching block shorter than this (in tokens) is not counted as evidence by itself:
#: single shared function words or commas occur between any two English texts.
MIN_BLOCK = 2


@dataclass(frozen=True, slots=True)
class Gap:
    """Query tokens [q1, q2) face source tokens [s1, s2) between two anchors (or an edge)."""

    q1: int
    q2: int
    s1: int
    s2: int
    query_text: str
    source_text: str
    left_anchor: bool
    right_anchor: bool


def _key(tok: Token) -> str:
    return tok.text.lower().replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def _counted(tok: Token) -> bool:
    return tok.kind in ("word", "num")


@dataclass(frozen=True)
class Alignment:
    """The alignment of ``query`` against ``source``: matching token blocks and the gaps between."""

    query: Document
    source: Document
    blocks: tuple[tuple[int, int, int], ...]  # (query index, source index, length), length >= 1

    @cached_property
    def matched_query(self) -> tuple[int, ...]:
        """For each query token: index of the aligned source token, or -1 (blocks >= MIN_BLOCK)."""
        out = [-1] * len(self.query.tokens)
        for qi, si, n in self.blocks:
            if n >= MIN_BLOCK:
                for d in range(n):
                    out[qi + d] = si + d
        return tuple(out)

    @cached_property
    def query_coverage(self) -> float:
        """Share of query words and numbers inside matching blocks of >= MIN_BLOCK tokens."""
        toks = self.query.tokens
        total = sum(1 for t in toks if _counted(t))
        if not total:
            return 0.0
        hit = sum(1 for i, s in enumerate(self.matched_query) if s >= 0 and _counted(toks[i]))
        return hit / total

    @cached_property
    def matched_words(self) -> int:
        """Number of query words and numbers inside matching blocks of >= MIN_BLOCK tokens."""
        toks = self.query.tokens
        return sum(1 for i, s in enumerate(self.matched_query) if s >= 0 and _counted(toks[i]))

    @cached_property
    def matched_content_words(self) -> int:
        """Matched query words that are not function words (names, numbers, content words)."""
        from ..english import SKELETON_WORDS

        toks = self.query.tokens
        return sum(
            1 for i, s in enumerate(self.matched_query) if s >= 0 and _counted(toks[i]) and toks[i].lower not in SKELETON_WORDS
        )

    @cached_property
    def source_coverage(self) -> float:
        """Share of source words and numbers inside matching blocks of >= MIN_BLOCK tokens."""
        toks = self.source.tokens
        total = sum(1 for t in toks if _counted(t))
        if not total:
            return 0.0
        hit = 0
        for _qi, si, n in self.blocks:
            if n >= MIN_BLOCK:
                hit += sum(1 for t in toks[si : si + n] if _counted(t))
        return hit / total

    @cached_property
    def gaps(self) -> tuple[Gap, ...]:
        """The non-matching stretches between consecutive blocks, plus the two edges."""
        q, s = self.query, self.source
        out: list[Gap] = []
        prev_q, prev_s = 0, 0
        blocks = list(self.blocks) + [(len(q.tokens), len(s.tokens), 0)]
        for idx, (qi, si, n) in enumerate(blocks):
            if qi > prev_q or si > prev_s:
                out.append(
                    Gap(
                        prev_q,
                        qi,
                        prev_s,
                        si,
                        _span_text(q, prev_q, qi),
                        _span_text(s, prev_s, si),
                        left_anchor=idx > 0,
                        right_anchor=n > 0,
                    )
                )
            prev_q, prev_s = qi + n, si + n
        return tuple(out)


def _span_text(doc: Document, i: int, j: int) -> str:
    if j <= i:
        return ""
    return doc.text[doc.tokens[i].start : doc.tokens[j - 1].end]


def align(query: Document | str, source: Document | str) -> Alignment:
    """Align two texts token by token (case-insensitive), anchoring on shared tokens."""
    q = tokenize(query) if isinstance(query, str) else query
    s = tokenize(source) if isinstance(source, str) else source
    matcher = difflib.SequenceMatcher(None, [_key(t) for t in q.tokens], [_key(t) for t in s.tokens], autojunk=False)
    blocks = tuple((b.a, b.b, b.size) for b in matcher.get_matching_blocks() if b.size)
    return Alignment(q, s, blocks)
