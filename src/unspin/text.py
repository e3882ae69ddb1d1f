"""Text model: tokens and sentences with offsets into the input.

Offsets are Python string indices, i.e. Unicode code points, everywhere in the library.
Any conversion to UTF-16 (for browsers) happens at the edge, in the serialiser.

>>> doc = tokenize("Sufferers bought 3 apples. Then they left!")
>>> [t.text for t in doc.tokens][:4]
['Sufferers', 'bought', '3', 'apples']
>>> [doc.text[s.start:s.end] for s in doc.sentences]
['Sufferers bought 3 apples.', 'Then they left!']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from .errors import InputError

# A word: letters (any script), optionally joined by apostrophes or hyphens.
# Numbers: digits with separators. Everything else non-space is punctuation.
_TOKEN_RE = re.compile(
    r"(?P<word>[^\W\d_]+(?:[\u2019'\-][^\W\d_]+)*)"
    r"|(?P<num>\d+(?:[.,:]\d+)*)"
    r"|(?P<punct>[^\w\s])"
    r"|(?P<other>[\d_]+)"
)
# Sentence boundary: terminal punctuation (plus closing quotes/brackets) then space.
_SENT_END_RE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+|$)|\n\s*\n")
_ABBREV = frozenset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e fig al no vol pp inc ltd co corp jan feb mar apr "
    "jun jul aug sep sept oct nov dec u.s".split()
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its text, its kind and its span [start, end) in the input."""

    text: str
    start: int
    end: int
    kind: str  # "word" | "num" | "punct" | "other"

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def lower(self) -> str:
        return self.text.lower().replace("\u2019", "'")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: its span in the input and the index range of its tokens."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive


@dataclass(frozen=True)
class Document:
    """A tokenised text. ``tokens`` and ``sentences`` index into ``text``."""

    text: str
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]

    @cached_property
    def word_count(self) -> int:
        return sum(1 for t in self.tokens if t.is_word)

    def sentence_tokens(self, sentence: Sentence) -> tuple[Token, ...]:
        return self.tokens[sentence.first_token : sentence.last_token]


def tokenize(text: str) -> Document:
    """Split ``text`` into tokens and sentences, keeping code-point offsets."""
    if not isinstance(text, str):
        raise InputError(f"expected text as str, got {type(text).__name__}")
    tokens = tuple(
        Token(m.group(), m.start(), m.end(), m.lastgroup or "other") for m in _TOKEN_RE.finditer(text)
    )
    return Document(text, tokens, _sentences(text, tokens))


def _sentences(text: str, tokens: tuple[Token, ...]) -> tuple[Sentence, ...]:
    ends: list[int] = []
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if m.group().startswith("."):
            # Do not split after common abbreviations or single initials ("J. Smith").
            before = text[: m.start()].rsplit(None, 1)
            last = before[-1].lower().lstrip("(\"'") if before else ""
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
        ends.append(end)
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    sentences: list[Sentence] = []
    ti = 0
    start = 0
    for end in ends:
        first = ti
        while ti < len(tokens) and tokens[ti].start < end:
            ti += 1
        if ti > first:
            s_start = tokens[first].start
            s_end = tokens[ti - 1].end
            sentences.append(Sentence(s_start, s_end, first, ti))
        start = end
    del start
    return tuple(sentences)


# ---------------------------------------------------------------------------
# Case transfer


def case_of(word: str) -> str:
    """Classify the capitalisation of ``word``: 'upper', 'title', 'lower' or 'mixed'.

    >>> [case_of(w) for w in ("NASA", "Patients", "bought", "iPhone", "A")]
    ['upper', 'title', 'lower', 'mixed', 'title']
    """
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return "lower"
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if letters[0].isupper() and all(not c.isupper() for c in letters[1:]):
        return "title"
    if all(not c.isupper() for c in letters):
        return "lower"
    return "mixed"


def apply_case(template: str, phrase: str) -> str:
    """Give ``phrase`` the capitalisation of ``template`` (the spun text it replaces).

    >>> apply_case("Sufferers", "patients")
    'Patients'
    >>> apply_case("IN LINE WITH", "according to")
    'ACCORDING TO'
    >>> apply_case("in line with", "according to")
    'according to'
    """
    kind = case_of(template)
    if kind == "upper":
        return phrase.upper()
    if kind == "title":
        return phrase[:1].upper() + phrase[1:]
    return phrase


# ---------------------------------------------------------------------------
# Input validation shared by the library, CLI and server


def decode_bytes(data: bytes, source: str = "input") -> str:
    """Decode UTF-8 input, refusing binary data with a one-line reason.

    >>> decode_bytes(b"caf\\xc3\\xa9")
    'café'
    >>> decode_bytes(b"caf\\xe9 au lait")
    Traceback (most recent call last):
    ...
    unspin.errors.InputError: input is not UTF-8 text (invalid byte 0xe9 at offset 3); convert it to UTF-8 first
    """
    if b"\x00" in data[:65536]:
        raise InputError(f"{source} looks like binary data (contains NUL bytes); give a UTF-8 text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise InputError(
            f"{source} is not UTF-8 text (invalid byte 0x{bad:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from None
    return text


def phrase_key(phrase: str) -> str:
    """The key phrases are compared by: lower case, runs of white space as one space.

    >>> phrase_key("  In LINE\twith ")
    'in line with'
    """
    return " ".join(phrase.lower().split())


def normalize_input(text: str) -> str:
    """Light, offset-preserving clean-up is not done: unspin never changes the input.

    This only checks it: control characters other than whitespace mark binary data.
    """
    sample = text[:65536]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if sample and bad / len(sample) > 0.01:
        raise InputError("input looks like binary data (many control characters); give plain text")
    return text
