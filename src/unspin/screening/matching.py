"""Find fingerprint-list entries in a text: exact phrases, AND queries, proximity queries.

Matching is on words, case-insensitive: a phrase matches a run of words separated only by
white space (so "huge information" matches "Huge\\ninformation" but not "huge. Information").

>>> from unspin.readers.fingerprints import Fingerprint
>>> fps = (Fingerprint('"huge information"', "phrase", ("huge information",), "big data"),
...        Fingerprint('"flag rest"~2', "near", ("flag rest",), "red flag", 2))
>>> [(m.text, m.expected) for m in find_fingerprints("Huge information; a rest, with one flag.", Matcher(fps))]
[('Huge information', 'big data'), ('rest, with one flag', 'red flag')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..readers.fingerprints import Fingerprint

_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")


def words_of(text: str) -> list[tuple[str, int, int]]:
    """(lower-case word, start, end) for every word of ``text``."""
    return [(m.group().lower().replace("\u2019", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]


def normalize_phrase(phrase: str) -> str:
    """The word sequence of a phrase, lower-cased, as matching sees it."""
    return " ".join(w for w, _, _ in words_of(phrase))


@dataclass(frozen=True, slots=True)
class FingerprintMatch:
    """One occurrence of a list entry: its span in the text and the entry."""

    start: int
    end: int
    text: str
    query: str
    kind: str
    expected: str
    papers: int | None


class Matcher:
    """A fingerprint list compiled for matching (index by first word)."""

    def __init__(self, entries: Sequence[Fingerprint], allow: Iterable[str] = ()) -> None:
        self.allow = frozenset(normalize_phrase(a) for a in allow)
        self.by_first: dict[str, list[tuple[tuple[str, ...], Fingerprint]]] = defaultdict(list)
        self.near: list[tuple[tuple[str, ...], Fingerprint]] = []
        for fp in entries:
            words = tuple(normalize_phrase(fp.terms[0]).split())
            if not words or " ".join(words) in self.allow:
                continue
            if fp.kind == "near":
                self.near.append((words, fp))
            else:
                self.by_first[words[0]].append((words, fp))
        for lst in self.by_first.values():
            lst.sort(key=lambda x: -len(x[0]))

    def allowed(self, text: str) -> bool:
        """True when ``text`` is on the allow list."""
        return normalize_phrase(text) in self.allow


def _phrase_at(words: list[tuple[str, int, int]], i: int, phrase: tuple[str, ...], text: str) -> int | None:
    """The index after the phrase when it starts at word ``i`` (white space only between words)."""
    n = len(phrase)
    if i + n > len(words):
        return None
    for k in range(n):
        if words[i + k][0] != phrase[k]:
            return None
        if k and text[words[i + k - 1][2] : words[i + k][1]].strip():
            return None
    return i + n


def _contains(words: list[tuple[str, int, int]], index: dict[str, list[int]], phrase: str, text: str) -> bool:
    seq = tuple(phrase.split())
    return bool(seq) and any(_phrase_at(words, i, seq, text) for i in index.get(seq[0], ()))


def find_fingerprints(text: str, matcher: Matcher) -> list[FingerprintMatch]:
    """Every match of the list in ``text``, in text order; allowed phrases are left out."""
    words = words_of(text)
    index: dict[str, list[int]] = defaultdict(list)
    for i, (w, _, _) in enumerate(words):
        index[w].append(i)
    out: list[FingerprintMatch] = []
    for first, entries in matcher.by_first.items():
        for i in index.get(first, ()):
            for phrase, fp in entries:
                end = _phrase_at(words, i, phrase, text)
                if end is None:
                    continue
                if fp.kind == "and" and not all(
                    _contains(words, index, normalize_phrase(t), text) for t in fp.terms[1:]
                ):
                    continue
                s, e = words[i][1], words[end - 1][2]
                out.append(FingerprintMatch(s, e, text[s:e], fp.query, fp.kind, fp.expected, fp.papers))
                break  # the longest entry at this position wins
    for phrase, fp in matcher.near:
        out.extend(_near(text, words, index, phrase, fp))
    out = [m for m in out if not matcher.allowed(m.text)]
    out.sort(key=lambda m: (m.start, -m.end))
    return out


def _near(text: str, words: list, index: dict[str, list[int]], phrase: tuple[str, ...], fp: Fingerprint) -> list[FingerprintMatch]:
    """Spans holding every word of ``phrase`` with at most ``fp.distance`` other words among them."""
    if any(w not in index for w in phrase):
        return []
    width = len(phrase) + fp.distance  # the span may hold this many words
    rarest = min(phrase, key=lambda w: len(index[w]))
    found: list[FingerprintMatch] = []
    last_end = -1
    for p in index[rarest]:
        best: tuple[int, int] | None = None
        for lo in range(max(0, p - width + 1), p + 1):
            hi = lo + width  # exclusive
            if all(_in_window(index[w], lo, hi) for w in phrase):
                span = [i for w in phrase for i in _positions(index[w], lo, hi)]
                cand = (min(span), max(span))
                if best is None or cand[1] - cand[0] < best[1] - best[0]:
                    best = cand
        if best and best[0] > last_end:
            s, e = words[best[0]][1], words[best[1]][2]
            found.append(FingerprintMatch(s, e, text[s:e], fp.query, "near", fp.expected, fp.papers))
            last_end = best[1]
    return found


def _in_window(positions: list[int], lo: int, hi: int) -> bool:
    k = bisect_left(positions, lo)
    return k < len(positions) and positions[k] < hi


def _positions(positions: list[int], lo: int, hi: int) -> list[int]:
    k = bisect_left(positions, lo)
    return [positions[k]] if k < len(positions) and positions[k] < hi else []
