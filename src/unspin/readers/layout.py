"""Turn the raw text layer of a page into paragraphs: line breaks and hyphenation repaired.

PDF text comes as visual lines. Lines of one paragraph are joined with a space; a word split
by a hyphen at the end of a line is joined again ("infor-" + "mation" -> "information"),
unless both halves are words and the joined form is not ("well-" + "known" stays
"well-known"). A paragraph ends at a blank line, or after a line that ends a sentence and is
clearly shorter than the page's full lines. Bare page-number lines at the top or bottom of a
page are dropped.

>>> known = {"information", "well", "known"}.__contains__
>>> page_paragraphs("The infor-\\nmation is well-\\nknown to all of the people who\\nread it.", known)
['The information is well-known to all of the people who read it.']
"""

from __future__ import annotations

import re
from typing import Callable

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
_SOFT_HYPHENS = ("\u00ad", "\x02")  # PDFium reports a soft hyphen at a line end as U+0002
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-\u2013]?\s*\d{1,5}\s*[-\u2013]?(?:\s*(?:of|/)\s*\d{1,5})?\s*$", re.I)
_SENTENCE_END = re.compile(r"[.!?:][\"'\u201d\u2019)\]]*$")
_TRAIL_WORD = re.compile(r"([^\W\d_]+)[-\u2010\u00ad\x02]$")
_LEAD_WORD = re.compile(r"^([^\W\d_]+)")

SHORT_LINE = 0.75  # a sentence-final line shorter than this share of the longest line ends a paragraph


def clean_lines(raw: str) -> list[str]:
    """Lines of a page's raw text: newlines normalised, ligatures expanded, page numbers dropped."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    lines = [line.rstrip() for line in text.split("\n")]
    # Drop bare page numbers among the first and last two non-blank lines.
    idx = [i for i, line in enumerate(lines) if line.strip()]
    edge = set(idx[:2] + idx[-2:])
    return [line for i, line in enumerate(lines) if not (i in edge and _PAGE_NUMBER.match(line))]


def join_hyphenated(left_line: str, right_line: str, known: Callable[[str], bool]) -> str | None:
    """Join two lines split inside a hyphenated word, or None when they are not so split.

    >>> join_hyphenated("an infor-", "mation age", {"information"}.__contains__)
    'an information age'
    >>> join_hyphenated("a well-", "known fact", {"well", "known"}.__contains__)
    'a well-known fact'
    """
    m = _TRAIL_WORD.search(left_line)
    n = _LEAD_WORD.match(right_line.lstrip())
    if not m or not n or not n.group(1)[0].islower():
        return None
    head, tail = m.group(1), n.group(1)
    rest = right_line.lstrip()
    soft = left_line[-1] in _SOFT_HYPHENS
    joined = (head + tail).lower()
    if soft or known(joined) or not (known(head.lower()) and known(tail.lower())):
        return left_line[:-1] + rest
    return left_line[:-1] + "-" + rest


def page_paragraphs(raw: str, known: Callable[[str], bool]) -> list[str]:
    """The paragraphs of one page's raw text, with line breaks and hyphenation repaired."""
    lines = clean_lines(raw)
    longest = max((len(line.strip()) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if not current:
            current = stripped
        else:
            joined = join_hyphenated(current, stripped, known)
            current = joined if joined is not None else current + " " + stripped
        if _SENTENCE_END.search(stripped) and len(stripped) < SHORT_LINE * longest:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return [" ".join(p.split()) for p in paragraphs]


def continues(previous: str, following: str) -> bool:
    """True when ``following`` (a page's first paragraph) continues ``previous`` mid-sentence."""
    return bool(previous) and bool(following) and not _SENTENCE_END.search(previous) and following[:1].islower()
