"""A learned dictionary as a channel model: an overlay on the reverse lexicon.

``Config(channel=((spun, original, confidence), ...))`` makes :func:`unspin.engine.pipeline.score`
call :func:`with_channel` (``Config`` validates the triples eagerly: :func:`unspin.config.check_channel`). The overlay changes no decision by itself; it changes *which
candidates exist and with what prior*:

- every learned spun wording becomes a slot (even where the thesauri know nothing);
- its learned originals come first, with the learned confidence as their channel prior;
- the thesaurus originals of the same wording stay, their priors scaled by
  ``1 - confidence`` so that the row still sums to at most 1.

The language model still scores every candidate in context and the decision still weighs
LM evidence against the prior: a learned swap is not a blind lookup. The overlay's
:meth:`ChannelLexicon.channel_confidence` gives the learned confidence of a (spun, original)
pair, for decisions that take it as a feature.

>>> from unspin.lexicon import load_lexicon
>>> lex = with_channel(load_lexicon(), (("numerous", "many", 0.9), ("huge information", "big data", 0.8)))
>>> lex.originals("numerous")[0]
('many', 0.9)
>>> lex.originals("huge information")[0], lex.max_spun_words >= 2
(('big data', 0.8), True)
>>> lex.channel_confidence("Numerous", "many"), lex.channel_confidence("numerous", "several")
(0.9, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from ..text import phrase_key as _norm
from .store import Lexicon


class _Overlay(Mapping[str, str]):
    """Lexicon entries (``orig<TAB>prior...`` strings) with the channel's rows merged in."""

    def __init__(self, base: Mapping[str, str], channel: Mapping[str, Mapping[str, float]]) -> None:
        self._base = base
        self._channel = channel

    def _merged(self, key: str) -> str | None:
        row = self._channel.get(key)
        raw = self._base.get(key)
        if row is None:
            return raw
        cells: list[str] = []
        for orig, conf in sorted(row.items(), key=lambda kv: -kv[1]):
            cells += [orig, f"{conf:.6g}"]
        if raw is not None:
            scale = max(0.0, 1.0 - max(row.values()))
            parts = raw.split("\t")
            for i in range(0, len(parts) - 1, 2):
                if parts[i] not in row:
                    cells += [parts[i], f"{float(parts[i + 1]) * scale:.6g}"]
        return "\t".join(cells)

    def __getitem__(self, key: str) -> str:
        got = self._merged(key)
        if got is None:
            raise KeyError(key)
        return got

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        got = self._merged(key)
        return default if got is None else got

    def __contains__(self, key: object) -> bool:
        return key in self._channel or key in self._base

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        for k in self._channel:
            if k not in self._base:
                yield k

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in self._channel if k not in self._base)


@dataclass(frozen=True, eq=False)
class ChannelLexicon(Lexicon):
    """A :class:`~unspin.lexicon.Lexicon` with a learned channel merged in (see the module docstring)."""

    channel: Mapping[str, Mapping[str, float]] = field(default_factory=dict, repr=False)

    def channel_confidence(self, spun: str, original: str) -> float:
        """Learned confidence that the spinner wrote ``spun`` for ``original`` (0.0 when unknown)."""
        return float(self.channel.get(_norm(spun), {}).get(_norm(original), 0.0))


def with_channel(lex: Lexicon, channel: Iterable[tuple[str, str, float]]) -> ChannelLexicon:
    """A new lexicon with the learned ``(spun, original, confidence)`` entries merged in.

    The given lexicon is unchanged. For a repeated pair the highest confidence counts.
    """
    rows: dict[str, dict[str, float]] = {}
    longest = lex.max_spun_words
    for spun, orig, conf in channel:
        s, o = _norm(spun), _norm(orig)
        if not s or not o or s == o:
            continue
        row = rows.setdefault(s, {})
        row[o] = max(row.get(o, 0.0), float(conf))
        longest = max(longest, len(s.split()))
    frozen = MappingProxyType({k: MappingProxyType(v) for k, v in rows.items()})
    base = lex.__dict__.copy()
    base.pop("_memo", None)
    base.pop("channel", None)
    entries = base.pop("_entries")
    if isinstance(lex, ChannelLexicon):  # stack on the plain entries, merging the rows
        merged = {k: dict(v) for k, v in lex.channel.items()}
        for k, v in rows.items():
            merged.setdefault(k, {}).update(v)
        frozen = MappingProxyType({k: MappingProxyType(v) for k, v in merged.items()})
        entries = entries._base  # type: ignore[attr-defined]
    base["max_spun_words"] = longest
    return ChannelLexicon(**base, _entries=_Overlay(entries, frozen), _memo={}, channel=frozen)


__all__ = ["ChannelLexicon", "with_channel"]
