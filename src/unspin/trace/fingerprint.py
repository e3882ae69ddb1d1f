"""Spin-invariant fingerprints: a skeleton of each text, shingled and MinHashed.

A spinner swaps content words for synonyms but keeps function words, names, numbers,
punctuation and word order. So each token is mapped to a *skeleton symbol*:

- a function word stays itself, lowercased ("of", "the", "which");
- a number becomes its digits, and a number word its digits too ("three" -> "3");
- a capitalised word inside a sentence (a name) stays itself, lowercased;
- punctuation stays itself (curly quotes folded to straight ones);
- any other word (a content word, which a spinner may swap) becomes the wildcard ``*``,
  and a run of wildcards collapses to one, so a one-word swap for a two-word phrase
  ("obesity" -> "weight problems") leaves the skeleton unchanged.

>>> skeleton("The jury said Friday that three irregularities took place.")
('the', '*', 'friday', 'that', '3', '*', '.')
>>> skeleton("The panel stated Friday that 3 anomalies happened.")
('the', '*', 'friday', 'that', '3', '*', '.')

The skeleton's k-grams (those holding at least one anchor, i.e. not only wildcards and
punctuation) are hashed into a MinHash (datasketch, scheme ``affine32``), stored as explicit
little-endian uint32 bytes. Parameters live in :class:`FingerprintParams` and in the header
of every index, which refuses other parameters.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from ..errors import ConfigError, TraceIndexError, missing_extra
from ..english import SKELETON_WORDS
from ..text import Document, tokenize

#: Version of the skeleton rules and shingle encoding; bump on any change to them.
FINGERPRINT_VERSION = "skel.v2"
WILDCARD = "*"


NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS.update(
    {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
     "million": "1000000", "billion": "1000000000", "dozen": "12"}
)
# "one" is also a pronoun: it stays the function word "one", never "1".

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
_NUM_SEP = re.compile(r"[,\s]")


@dataclass(frozen=True, slots=True)
class FingerprintParams:
    """The parameters of a fingerprint; an index stores them and refuses others.

    ``k`` skeleton symbols per shingle; ``num_perm`` MinHash permutations (= ``bands * rows``);
    ``seed`` of the permutations; ``version`` of the skeleton rules.

    >>> FingerprintParams().num_perm == FingerprintParams().bands * FingerprintParams().rows
    True
    >>> FingerprintParams(k=0)
    Traceback (most recent call last):
    ...
    unspin.errors.ConfigError: fingerprint k must be between 1 and 32, got 0
    """

    k: int = 4
    num_perm: int = 64
    seed: int = 1
    bands: int = 32
    rows: int = 2
    scheme: str = "affine32"
    version: str = FINGERPRINT_VERSION

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 32:
            raise ConfigError(f"fingerprint k must be between 1 and 32, got {self.k}")
        if not 8 <= self.num_perm <= 1024:
            raise ConfigError(f"num_perm must be between 8 and 1024, got {self.num_perm}")
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows != self.num_perm:
            raise ConfigError(
                f"bands * rows must equal num_perm ({self.bands} * {self.rows} != {self.num_perm}); "
                "choose bands and rows that multiply to num_perm"
            )
        if self.scheme != "affine32":
            raise ConfigError(f"unknown MinHash scheme {self.scheme!r}; known: affine32")

    def to_meta(self) -> dict[str, str]:
        """The parameters as strings, for an index header."""
        return {f"fp.{key}": str(value) for key, value in asdict(self).items()}

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> FingerprintParams:
        """Read parameters back from an index header, refusing missing or bad values."""
        try:
            return cls(
                k=int(meta["fp.k"]),
                num_perm=int(meta["fp.num_perm"]),
                seed=int(meta["fp.seed"]),
                bands=int(meta["fp.bands"]),
                rows=int(meta["fp.rows"]),
                scheme=meta["fp.scheme"],
                version=meta["fp.version"],
            )
        except (KeyError, ValueError, ConfigError) as exc:
            raise TraceIndexError(
                f"index header has missing or bad fingerprint parameters ({exc}); rebuild the index"
            ) from None

    def differences(self, other: FingerprintParams) -> list[str]:
        """Names and values of the parameters that differ from ``other``."""
        mine, theirs = asdict(self), asdict(other)
        return [f"{key}={mine[key]!r} (wanted {theirs[key]!r})" for key in mine if mine[key] != theirs[key]]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The fingerprint of one text: its skeleton shingle count and MinHash signature bytes."""

    signature: bytes  # num_perm little-endian uint32
    band_keys: tuple[int, ...]  # one signed 64-bit key per band
    shingles: int
    words: int


def symbol(token_text: str, kind: str, sentence_initial: bool) -> str:
    """The skeleton symbol of one token.

    >>> [symbol(*t) for t in [("The", "word", True), ("Paris", "word", False),
    ...                       ("quickly", "word", False), ("1,000", "num", False), ("\u201c", "punct", False)]]
    ['the', 'paris', '*', '1000', '"']
    """
    if kind == "word":
        low = token_text.lower().replace("\u2019", "'")
        if low in NUMBER_WORDS and low != "one":
            return NUMBER_WORDS[low]
        if low in SKELETON_WORDS:
            return low
        if not sentence_initial and token_text[:1].isupper():
            return low
        return WILDCARD
    if kind == "num":
        return _NUM_SEP.sub("", token_text)
    if kind == "punct":
        return token_text.translate(_QUOTES)
    return WILDCARD


def skeleton(text_or_doc: str | Document) -> tuple[str, ...]:
    """The spin-invariant skeleton of a text (see the module docstring)."""
    doc = tokenize(text_or_doc) if isinstance(text_or_doc, str) else text_or_doc
    out: list[str] = []
    for sent in doc.sentences:
        first = True
        for tok in doc.sentence_tokens(sent):
            sym = symbol(tok.text, tok.kind, first)
            if tok.kind == "word":
                first = False
            elif tok.kind == "punct" and tok.text in "\"'\u201c\u2018`(":
                pass  # an opening quote keeps the next word sentence-initial
            if sym == WILDCARD and out and out[-1] == WILDCARD:
                continue
            out.append(sym)
    return tuple(out)


def _is_anchor(sym: str) -> bool:
    return sym != WILDCARD and (sym[:1].isalnum())


def shingles(skel: tuple[str, ...], k: int) -> list[bytes]:
    """The distinct k-grams of a skeleton that hold at least one anchor, as bytes.

    >>> shingles(("the", "*", "of", "*", "."), 3)
    [b'the\\x1f*\\x1fof', b'*\\x1fof\\x1f*', b'of\\x1f*\\x1f.']
    """
    if len(skel) < k:
        grams = [skel] if any(_is_anchor(s) for s in skel) else []
    else:
        grams = [skel[i : i + k] for i in range(len(skel) - k + 1)]
        grams = [g for g in grams if any(_is_anchor(s) for s in g)]
    seen: dict[bytes, None] = {}
    for g in grams:
        seen.setdefault("\x1f".join(g).encode("utf-8"), None)
    return list(seen)


def _minhash_class() -> Any:
    try:
        from datasketch import MinHash
    except ImportError:
        raise missing_extra("source tracing", "datasketch 2.0 or later", "trace") from None
    return MinHash


@cache
def _permutations(num_perm: int, seed: int, scheme: str) -> Any:
    return _minhash_class()(num_perm=num_perm, seed=seed, scheme=scheme).permutations


def _signature_values(items: list[bytes], params: FingerprintParams) -> Any:
    m = _minhash_class()(
        num_perm=params.num_perm,
        seed=params.seed,
        permutations=_permutations(params.num_perm, params.seed, params.scheme),
        scheme=params.scheme,
    )
    m.update_batch(items)
    return m.hashvalues


_MIX1 = 0x9E3779B97F4A7C15
_MIX2 = 0xBF58476D1CE4E5B9
_MIX3 = 0x94D049BB133111EB


def band_keys(values: Any, params: FingerprintParams) -> tuple[int, ...]:
    """One signed 64-bit key per LSH band: the band number and its rows, mixed (splitmix64).

    >>> import numpy as np
    >>> p = FingerprintParams()
    >>> keys = band_keys(np.arange(p.num_perm, dtype=np.uint32), p)
    >>> len(keys) == p.bands and len(set(keys)) == p.bands
    True
    """
    import numpy as np

    rows = values.astype(np.uint64).reshape(params.bands, params.rows)
    with np.errstate(over="ignore"):
        h = (np.arange(params.bands, dtype=np.uint64) + np.uint64(1)) * np.uint64(_MIX1)
        for r in range(params.rows):
            h = h ^ rows[:, r]
            h = (h ^ (h >> np.uint64(30))) * np.uint64(_MIX2)
            h = (h ^ (h >> np.uint64(27))) * np.uint64(_MIX3)
            h = h ^ (h >> np.uint64(31))
    return tuple(int(x) for x in h.view(np.int64))


def fingerprint(text_or_doc: str | Document, params: FingerprintParams | None = None) -> Fingerprint:
    """Fingerprint a text: skeleton -> k-gram shingles -> MinHash -> band keys.

    A text with no anchored shingle (empty, or with no function word, name or number)
    gets an empty signature and no band keys: it can be stored but never matches by LSH.

    >>> a = fingerprint("The jury said Friday that three irregularities took place in Atlanta.")
    >>> b = fingerprint("The panel stated Friday that 3 anomalies happened in Atlanta.")
    >>> a.signature == b.signature and len(a.signature) == 4 * FingerprintParams().num_perm
    True
    """
    params = params or FingerprintParams()
    doc = tokenize(text_or_doc) if isinstance(text_or_doc, str) else text_or_doc
    items = shingles(skeleton(doc), params.k)
    if not items:
        return Fingerprint(b"", (), 0, doc.word_count)
    values = _signature_values(items, params)
    return Fingerprint(values.astype("<u4").tobytes(), band_keys(values, params), len(items), doc.word_count)


def signature_array(data: bytes) -> Any:
    """Signature bytes back to a numpy uint32 array (no pickle: a plain byte layout)."""
    import numpy as np

    return np.frombuffer(data, dtype="<u4")
