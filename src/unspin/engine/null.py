"""The null: what a slot's evidence looks like when nothing is spun (engine v3).

Every slot of real clean prose that the deep scorer prices gives one value of the slot
statistic (:func:`slot_statistic`: the language model's log-odds of the best rescored
candidate against the text, with the right context). Their distribution, per kind of slot
(:func:`stratum`), is the null: a slot's p-value is the share of clean slots of its kind whose
statistic is at least as large (:meth:`NullTable.p_value`). Nothing here was fit on spun text,
so a spinner the project never saw cannot move the null; the "spun" side is estimated from
each document itself (:mod:`unspin.engine.infer`).

The table ships as ``data/null.<version>.json`` (header checked by ``datafiles.check_header``),
built by ``scripts/engine_v3.py null`` from a cache of deep scores of clean dev-split prose.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Iterable, Mapping, Sequence

from ..errors import DataError
from ..tuning import is_scored
from .candidates import FUNCTION_WORDS

NULL_MAGIC = "unspin-null"
NULL_FORMAT = 1
NULL_FILE = "null.v4.json"
STRATA = ("function", "content", "multiword", "capital")
#: The upper tail of each null (its top share, at least TAIL_MIN values) is an exponential fit.
TAIL_SHARE = 0.02
TAIL_MIN = 50


def stratum(x: Any) -> str:
    """The kind of a scored slot: ``capital`` (capitalised mid-sentence), ``multiword``,
    ``function`` (a lone function word) or ``content``."""
    if x.mid_sentence_capital:
        return "capital"
    words = x.slot.text.split()
    if len(words) > 1:
        return "multiword"
    return "function" if words and words[0].lower() in FUNCTION_WORDS else "content"


def slot_statistic(x: Any) -> float | None:
    """Log-odds of the best candidate against the text, in full context where rescored.

    Candidates rescored with the right context compare with the text's full-context score;
    when none was, the first sub-token scores compare (left context only). None: no evidence.
    """
    full = [c - x.keep for c in x.cands if is_scored(c)] if is_scored(x.keep) else []
    if full:
        return max(full)
    first = [c - x.keep_first for c in (x.cands_first or ()) if is_scored(c)]
    return max(first) if first else None


@dataclass(frozen=True)
class NullTable:
    """Sorted null statistics per stratum, with where they came from."""

    version: str
    values: Mapping[str, tuple[float, ...]]
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def registers(self) -> tuple[str, ...]:
        """The registers with a null of their own (keys ``register:kind``); () for one pooled null."""
        return tuple(sorted({k.split(":", 1)[0] for k in self.values if ":" in k}))

    def p_value(self, kind: str, s: float) -> float:
        """P(S >= s) under the null of this kind of slot: with registers, the largest of their p-values.

        Clean prose of different registers differs (encyclopedic and technical text has fewer
        words the model finds odd than fiction or 1960s news), and a document's register is not
        known, so a p-value valid for every register the null holds is the largest of theirs:
        conservative for the plainer registers, calibrated for the hardest one.
        """
        if self.registers:
            return max(self._p_one(f"{r}:{kind}" if f"{r}:{kind}" in self.values else f"{r}:all", s)
                       for r in self.registers)
        return self._p_one(kind if kind in self.values else "all", s)

    def _p_one(self, kind: str, s: float) -> float:
        """P(S >= s) under one null table.

        In the body, the empirical (1 + #{null >= s}) / (n + 1). In the upper tail (the top
        :data:`TAIL_SHARE` of the null, at least :data:`TAIL_MIN` values) an exponential fitted
        to the exceedances (the generalised Pareto tail with shape 0), so that a statistic far
        beyond every clean value gets a p-value below 1 / (n + 1) instead of being capped there:
        without it, one overwhelming slot in a sparsely spun document could never be reported.
        """
        vals = self.values[kind]
        n = len(vals)
        tail = self._tails.get(kind)
        if tail is not None and s > tail[0]:
            u, rate, share = tail
            return share * math.exp(-rate * (s - u))
        at_least = n - bisect.bisect_left(vals, s - 1e-9)
        return (1 + at_least) / (n + 1)

    @cached_property
    def _tails(self) -> dict[str, tuple[float, float, float]]:
        """Per kind: (threshold u, exponential rate, P(S > u)) of the upper tail, when fitted."""
        out = {}
        for kind, vals in self.values.items():
            n = len(vals)
            k = max(TAIL_MIN, int(TAIL_SHARE * n))
            if n < 4 * TAIL_MIN:
                continue
            u = vals[n - k - 1]
            excess = [v - u for v in vals[n - k:]]
            mean = sum(excess) / k
            if mean > 0:
                out[kind] = (u, 1.0 / mean, (1 + k) / (n + 1))
        return out

    def to_json(self) -> str:
        return json.dumps({"magic": NULL_MAGIC, "format": NULL_FORMAT, "version": self.version,
                           "provenance": dict(self.provenance),
                           "values": {k: [round(v, 2) for v in vs] for k, vs in self.values.items()}},
                          separators=(",", ":"))


def build_null(slots: Iterable[Any], version: str, provenance: Mapping[str, Any], min_per_stratum: int = 200,
               registers: Sequence[str | None] | None = None) -> NullTable:
    """The null table from scored slots of clean text; a stratum with too few slots uses ``all``.

    ``registers``, parallel to ``slots``: one null per register (keys ``register:kind``), and
    p-values the largest over registers (:meth:`NullTable.p_value`); without it, one pooled null.
    """
    by: dict[str, list[float]] = {}
    for i, x in enumerate(slots):
        s = slot_statistic(x)
        if s is None or not math.isfinite(s):
            continue
        prefix = f"{registers[i]}:" if registers is not None else ""
        by.setdefault(prefix + stratum(x), []).append(s)
        by.setdefault(prefix + "all", []).append(s)
    values = {k: tuple(sorted(v)) for k, v in by.items() if k.endswith("all") or len(v) >= min_per_stratum}
    counts = {k: len(v) for k, v in by.items()}
    return NullTable(version, values, {**provenance, "slots": counts})


def parse_null(text: str, source: str = NULL_FILE) -> NullTable:
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source} is not JSON ({exc.msg}); rebuild it with scripts/engine_v3.py null") from None
    if not isinstance(rec, dict) or rec.get("magic") != NULL_MAGIC or rec.get("format") != NULL_FORMAT:
        raise DataError(f"{source} is not an unspin null table of format {NULL_FORMAT}; rebuild it with scripts/engine_v3.py null")
    values = rec.get("values")
    if not isinstance(values, dict) or not any(k == "all" or k.endswith(":all") for k in values):
        raise DataError(f"{source} has no null values; rebuild it with scripts/engine_v3.py null")
    registers = {k.split(":", 1)[0] for k in values if ":" in k}
    if any(not values.get(f"{r}:all") for r in registers) or (not registers and not values.get("all")):
        raise DataError(f"{source} lacks the 'all' values of a register; rebuild it with scripts/engine_v3.py null")
    try:
        table = {k: tuple(sorted(float(v) for v in vs)) for k, vs in values.items()}
    except (TypeError, ValueError):
        raise DataError(f"{source} holds values that are not numbers; rebuild it with scripts/engine_v3.py null") from None
    return NullTable(str(rec.get("version")), table, rec.get("provenance") or {})


#: The deep scorer's settings that change the slot statistic; the null holds only for them.
SCORER_SETTINGS = ("right_min", "right_max", "rescore_first", "rescore_gate", "head", "max_candidates")


def scorer_settings() -> dict[str, Any]:
    """Today's deep-scorer settings that the null depends on (from the tuning file)."""
    from ..tuning import mode_defaults

    d = mode_defaults("deep")
    return {k: getattr(d, k, None) for k in SCORER_SETTINGS}


@cache
def load_null() -> NullTable:
    """The shipped null table (read once per process), refused when the scorer has changed since."""
    from ..datafiles import path

    p = path(NULL_FILE)
    table = parse_null(p.read_text(encoding="utf-8"), str(p))
    built = table.provenance.get("scorer_settings")
    if built != scorer_settings():
        raise DataError(
            f"{p} was built for deep-scorer settings {built}, the tuning file now has {scorer_settings()}; "
            "rebuild the null with scripts/engine_v3.py null on a cache scored with today's settings"
        )
    return table


def p_values(slots: Sequence[Any], null: NullTable) -> list[float | None]:
    """Each slot's null p-value (None for a slot without evidence)."""
    out: list[float | None] = []
    for x in slots:
        s = slot_statistic(x)
        out.append(None if s is None else null.p_value(stratum(x), s))
    return out
