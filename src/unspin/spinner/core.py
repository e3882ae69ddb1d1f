"""Spun text with its exact gold alignment, and the machinery every profile shares.

A profile proposes :class:`Swap` objects (spans of the ORIGINAL text and their new wording);
:func:`assemble` writes the spun text and records, for each swap, a :class:`GoldEdit` whose
offsets point into the SPUN text. Applying the gold edits to the spun text gives back the
original exactly:

>>> st = assemble("He bought it.", [Swap(3, 9, "purchased")], profile="demo", rate=1.0, seed=0)
>>> st.spun
'He purchased it.'
>>> st.edits
(GoldEdit(spun_start=3, spun_end=12, spun_text='purchased', original_text='bought'),)
>>> st.restore_gold() == st.original
True
>>> SpunText.from_jsonl(st.to_jsonl()) == st
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..errors import InputError


@dataclass(frozen=True, slots=True)
class GoldEdit:
    """``spun[spun_start:spun_end] == spun_text`` was written by the spinner for ``original_text``.

    Offsets are code points into the spun text.
    """

    spun_start: int
    spun_end: int
    spun_text: str
    original_text: str


@dataclass(frozen=True, slots=True)
class Swap:
    """A profile's decision: ``original[start:end]`` becomes ``new`` (offsets into the original)."""

    start: int
    end: int
    new: str
    rule: str = ""


@dataclass(frozen=True)
class SpunText:
    """A spun text, the text it came from, and the gold alignment between them."""

    spun: str
    original: str
    edits: tuple[GoldEdit, ...]
    profile: str = ""
    rate: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        # Validated by replaying the gold edits once (the one replay rule, results.replace_spans).
        object.__setattr__(self, "_restored", self._replay())

    def _replay(self) -> str:
        from ..results import replace_spans

        spans = ((e.spun_start, e.spun_end, e.spun_text, e.original_text) for e in self.edits)
        return replace_spans(self.spun, spans, "gold edit")

    def restore_gold(self) -> str:
        """Apply the gold edits to the spun text: the original, character for character."""
        return self._restored  # type: ignore[attr-defined, no-any-return]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The gold spun spans as (start, end) pairs into :attr:`spun`."""
        return tuple((e.spun_start, e.spun_end) for e in self.edits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "rate": self.rate,
            "seed": self.seed,
            "offsets": "code points into spun",
            "spun": self.spun,
            "original": self.original,
            "edits": [
                {"start": e.spun_start, "end": e.spun_end, "spun": e.spun_text, "original": e.original_text}
                for e in self.edits
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpunText":
        """Rebuild from :meth:`to_dict` output; refuses records whose edits do not replay."""
        try:
            edits = tuple(GoldEdit(int(e["start"]), int(e["end"]), str(e["spun"]), str(e["original"])) for e in data["edits"])
            st = cls(
                str(data["spun"]),
                str(data["original"]),
                edits,
                str(data.get("profile", "")),
                float(data.get("rate", 0.0)),
                int(data.get("seed", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"not a spun-text record ({exc!r}); expected keys spun, original, edits") from None
        if st.restore_gold() != st.original:
            raise InputError("spun-text record is inconsistent: its edits do not reproduce the original")
        return st

    def to_jsonl(self) -> str:
        """One JSON line (no trailing newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_jsonl(cls, line: str) -> "SpunText":
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a JSON line ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise InputError("not a spun-text record: expected a JSON object")
        return cls.from_dict(data)


def assemble(original: str, swaps: Iterable[Swap], profile: str, rate: float, seed: int) -> SpunText:
    """Write the spun text from non-overlapping swaps and record the gold alignment."""
    parts: list[str] = []
    edits: list[GoldEdit] = []
    pos = 0
    length = 0
    for s in sorted(swaps, key=lambda s: s.start):
        if s.start < pos or s.end < s.start:
            raise ValueError(f"overlapping swap {s}")  # a bug in a profile, not user input
        old = original[s.start : s.end]
        if s.new == old:
            continue
        gap = original[pos : s.start]
        parts.append(gap)
        length += len(gap)
        parts.append(s.new)
        edits.append(GoldEdit(length, length + len(s.new), s.new, old))
        length += len(s.new)
        pos = s.end
    parts.append(original[pos:])
    return SpunText("".join(parts), original, tuple(edits), profile, rate, seed)


def unit_hash(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (stable across processes and platforms).

    >>> unit_hash(0, "synonymizer", "buy") == unit_hash(0, "synonymizer", "buy")
    True
    """
    h = hashlib.blake2b("\x00".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def pick_favourite(options: Sequence[str], weights: Sequence[float], *key: object) -> str:
    """The spinner's favourite among ``options`` for a word: fixed per key, weighted."""
    total = float(sum(weights))
    u = unit_hash(*key) * total
    acc = 0.0
    for opt, w in zip(options, weights):
        acc += w
        if u < acc:
            return opt
    return options[-1]
