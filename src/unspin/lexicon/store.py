"""The shipped reverse spin lexicon: file format, loader, and the :class:`Lexicon` view.

Two gzip TSV files under ``unspin/data`` (built by ``scripts/build_lexicon.py``):

``lexicon.v1.tsv.gz``
    header ``#unspin-lexicon<TAB>format=1<TAB>version=thesaurus.v1<TAB>sources=...<TAB>...``,
    then one line per spun lemma phrase: ``spun<TAB>orig<TAB>prior<TAB>orig<TAB>prior...``,
    originals best first.
``ngrams.v1.tsv.gz``
    header ``#unspin-ngrams<TAB>format=1<TAB>version=symspell.v1<TAB>...``, then
    ``u<TAB>word<TAB>count`` and ``b<TAB>w1 w2<TAB>count`` lines.

Loading keeps each lexicon line's tail as a string and parses it on lookup, so a load is a
single pass over the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from unspin import datafiles
from unspin.datafiles import data_dir  # noqa: F401  (re-exported: the one way to find the data folder)
from unspin.errors import DataError, unknown_name
from unspin.text import phrase_key

LEXICON_MAGIC = "#unspin-lexicon"  # header line start, for writers (scripts/build_lexicon.py)
NGRAM_MAGIC = "#unspin-ngrams"
LEXICON_FORMAT = 1

# name -> (lexicon file, n-gram file, lexicon version, n-gram version)
REGISTRY: Mapping[str, tuple[str, str, str, str]] = MappingProxyType({
    "thesaurus.v1": ("lexicon.v1.tsv.gz", "ngrams.v1.tsv.gz", "thesaurus.v1", "symspell.v1"),
})

_EMPTY: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Reverse spin lexicon: spun lemma phrase -> candidate originals with priors, plus n-grams.

    Build one with :func:`load_lexicon` (or :func:`read_lexicon` for explicit paths).
    Compared and hashed by identity, so it can key caches.
    """

    version: str
    max_spun_words: int
    total_unigrams: int
    total_bigrams: int
    header: Mapping[str, str]
    _entries: Mapping[str, str] = field(repr=False)
    _unigrams: Mapping[str, int] = field(repr=False)
    _bigrams: Mapping[str, int] = field(repr=False)
    _user: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    # Parsed entries, filled on first lookup (per instance; a view, not state).
    _memo: dict[str, tuple[tuple[str, float], ...]] = field(
        default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self._entries) + sum(1 for k in self._user if k not in self._entries)

    def has_spun(self, phrase: str) -> bool:
        """True if the lexicon lists originals for this spun lemma phrase."""
        key = phrase_key(phrase)
        return key in self._entries or key in self._user

    def originals(self, spun_lemma_phrase: str) -> tuple[tuple[str, float], ...]:
        """Candidate ``(original lemma phrase, prior)`` for a spun lemma phrase, best first.

        User pairs (prior 1.0) come first; an unknown phrase gives ``()``.
        """
        key = phrase_key(spun_lemma_phrase)
        got = self._memo.get(key)
        if got is not None:
            return got
        raw = self._entries.get(key)
        user = self._user.get(key, ())
        if raw is None and not user:
            return _EMPTY
        out: list[tuple[str, float]] = [(o, 1.0) for o in user]
        if raw is not None:
            cells = raw.split("\t")
            seen = set(user)
            for i in range(0, len(cells) - 1, 2):
                if cells[i] not in seen:
                    out.append((cells[i], float(cells[i + 1])))
        result = tuple(out)
        if len(self._memo) < 200_000:
            self._memo[key] = result
        return result

    def user_originals(self, spun_lemma_phrase: str) -> tuple[str, ...]:
        """Originals a user's own list gives for this spun phrase (empty when none)."""
        return self._user.get(phrase_key(spun_lemma_phrase), ())

    def unigram(self, word: str) -> int:
        """Corpus count of a word (0 if absent)."""
        return self._unigrams.get(word.lower(), 0)

    def bigram(self, w1: str, w2: str) -> int:
        """Corpus count of the word pair ``w1 w2`` (0 if absent)."""
        return self._bigrams.get(f"{w1.lower()} {w2.lower()}", 0)


def with_user_pairs(lex: Lexicon, pairs: Iterable[tuple[str, str]]) -> Lexicon:
    """A new lexicon with user ``(spun, original)`` lemma-phrase pairs added at prior 1.0.

    The original lexicon is unchanged. Empty phrases are refused with a DataError.
    """
    user: dict[str, list[str]] = {k: list(v) for k, v in lex._user.items()}
    longest = lex.max_spun_words
    for spun, orig in pairs:
        s, o = phrase_key(spun), phrase_key(orig)
        if not s or not o:
            raise DataError(f"empty phrase in user pair ({spun!r}, {orig!r}); give both "
                            "the spun phrase and its original")
        if s == o:
            continue
        if o not in user.setdefault(s, []):
            user[s].append(o)
        longest = max(longest, len(s.split()))
    frozen = MappingProxyType({k: tuple(v) for k, v in user.items()})
    return replace(lex, _user=frozen, max_spun_words=longest, _memo={})


_FIX = "rebuild it with scripts/build_lexicon.py or reinstall unspin"


def _header(line: str, kind: str, path: Path, version: str) -> dict[str, str]:
    header = datafiles.parse_header_line(line, str(path), _FIX)
    return dict(datafiles.check_header(header, kind, LEXICON_FORMAT, version, _FIX).fields)


def read_lexicon(lexicon_path: Path, ngram_path: Path, version: str = "thesaurus.v1",
                 ngram_version: str = "symspell.v1") -> Lexicon:
    """Read and validate the two data files (uncached; see :func:`load_lexicon`)."""
    lines = datafiles.read_lines(Path(lexicon_path), str(lexicon_path), _FIX)
    header = _header(lines[0], "lexicon", Path(lexicon_path), version)
    entries: dict[str, str] = {}
    longest = 0
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        spun, sep, rest = line.partition("\t")
        if not sep or rest.count("\t") % 2 != 1:
            raise DataError(f"{lexicon_path} line {n} is malformed ({line[:60]!r}); rebuild it "
                            "with scripts/build_lexicon.py")
        entries[spun] = rest
        longest = max(longest, spun.count(" ") + 1)
    if not entries:
        raise DataError(f"{lexicon_path} holds no entries; rebuild it with scripts/build_lexicon.py")
    glines = datafiles.read_lines(Path(ngram_path), str(ngram_path), _FIX)
    _header(glines[0], "ngrams", Path(ngram_path), ngram_version)
    uni: dict[str, int] = {}
    bi: dict[str, int] = {}
    try:
        for line in glines[1:]:
            if not line:
                continue
            kind, term, count = line.split("\t")
            (uni if kind == "u" else bi)[term] = int(count)
    except ValueError:
        raise DataError(f"{ngram_path} has a malformed line ({line[:60]!r}); rebuild it with "
                        "scripts/build_lexicon.py") from None
    return Lexicon(version=header["version"], max_spun_words=longest,
                   total_unigrams=sum(uni.values()), total_bigrams=sum(bi.values()), header=MappingProxyType(header),
                   _entries=entries, _unigrams=uni, _bigrams=bi)


def known_word(word: str) -> bool:
    """Is a lower-case word in the shipped lexicon's unigram table? (repairs PDF hyphenation).

    >>> known_word("information"), known_word("mation")
    (True, False)
    """
    return load_lexicon().unigram(word) > 0


def load_lexicon(name: str = "thesaurus.v1") -> Lexicon:
    """Load a named lexicon from the package data (once per process per name).

    Unknown names raise ConfigError listing the known ones.
    """
    return _load(name)


@cache
def _load(name: str) -> Lexicon:
    if name not in REGISTRY:
        raise unknown_name("lexicon", name, list(REGISTRY))
    lex_file, ngram_file, version, ngram_version = REGISTRY[name]
    return read_lexicon(datafiles.path(lex_file), datafiles.path(ngram_file), version, ngram_version)


MAX_USER_PAIRS = 1_000_000


def read_user_pairs(path: str | Path) -> tuple[tuple[str, str], ...]:
    """Read a user's own ``spun<TAB>original`` list for ``--pairs``.

    The one pair-list reader, :func:`unspin.readers.read_pairs`, parses it (the same phrases
    as the phrase-list baseline and ``--fingerprints`` TSV lists); errors name the file and line.
    """
    from ..readers.pairs import read_pairs

    return read_pairs(path, MAX_USER_PAIRS)
