"""The tuning file and the tuned numbers below the engine: mode defaults, the noisy channel, risk.

Values live in the versioned data file ``data/tuning.v2.json`` (header: magic, format,
version; every block carries its provenance: script, profiles, split, date), read once per
process by :func:`load_tuning`. This module checks the header and parses the blocks it owns:
the work limits per mode (:class:`ModeDefaults`), the noisy-channel settings (:class:`Tuning`)
and the risk model (:class:`RiskModel`). Deep mode's decision (the learned ranker, engine v3's
settings) has its own home, :mod:`unspin.engine.decision`, which parses its blocks from
:attr:`TuningData.blocks` (the file is read once). Constants that are not tuned but must agree
across modules (the "unscored" sentinel, the channel-prior floor) are defined here once.

>>> UNSCORED < SCORED_ABOVE < 0
True
>>> is_scored(-3.2), is_scored(UNSCORED)
(True, False)
>>> mode_defaults("deep").max_candidates, mode_defaults("fast").max_words
(40, 500000)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from .errors import DataError

TUNING_MAGIC = "unspin-tuning"
TUNING_FORMAT = 2
TUNING_VERSION = "tuning.v2"
TUNING_FILE = "tuning.v2.json"

# A hypothesis the scorer did not price (pruned, or a slot off the tokenizer's boundaries).
UNSCORED = -1e9
# Any log-score above this is a real score (a margin well clear of UNSCORED).
SCORED_ABOVE = -1e8
# Floor of a channel prior before taking its log (a prior of 0 means "unknown", not "impossible").
PRIOR_FLOOR = 1e-6


def is_scored(x: float) -> bool:
    """True for a real log-score, False for :data:`UNSCORED`."""
    return x > SCORED_ABOVE


def log_prior(p: float) -> float:
    """log of a channel prior, floored at :data:`PRIOR_FLOOR`."""
    return math.log(max(p, PRIOR_FLOOR))


@dataclass(frozen=True)
class ModeDefaults:
    """Work limits per mode (``Config`` fields left as None take these)."""

    max_words: int
    max_candidates: int
    segment_words: int
    right_min: int = 0  # deep: right context of every hypothesis: to the sentence end, at least this many tokens
    right_max: int = 0  # deep: ... and at most this many
    rescore_top: int = 0  # deep: candidates per slot rescored by `unspin learn --all-candidates` (offline batch work)
    rescore_first: int = 0  # deep: at most this many candidates per slot rescored with the right context
    rescore_gate: float | None = None  # deep: rescore only candidates whose cheap utility clears this (None: no gate)
    head: str = ""  # deep: the LM output head ("sub" or "exact"; "": the model's default)


@dataclass(frozen=True)
class Tuning:
    """Noisy-channel decision parameters (see :mod:`unspin.engine.decode`)."""

    rho: float = 0.12  # prior probability that a content word was swapped
    lm_weight: float = 1.0
    prior_weight: float = 1.0
    name_penalty: float = 2.5  # extra log-odds against changing a capitalised mid-sentence word
    user_rho: float = 0.95  # spin prior for a phrase on the user's own list
    multiword_bonus: float = 0.0  # log-odds per extra spun word in a slot
    pool_weight: float = 0.0  # weight of the same swap's evidence elsewhere in the document


@dataclass(frozen=True)
class RiskModel:
    """Document score -> risk level (cuts on the score; see :mod:`unspin.scoring`), and engine
    v3's risk level from its document test against clean text (cuts on the p-value)."""

    score_scale: float  # deep: density of confident findings per word where the score reaches 1 - 1/e
    cuts: tuple[tuple[float, str], ...]  # (minimum score, level), highest first
    min_findings: int  # fewer findings never rate above "low" (deep mode)
    # engine v3: (p-value, level) pairs, strictest first (scoring.null_test_risk)
    p_cuts: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class TuningData:
    """The tuning file: the blocks this module owns, parsed, and every block as decoded."""

    version: str
    modes: Mapping[str, ModeDefaults]
    noisy_channel: Mapping[str, Tuning]
    risk: RiskModel
    header: Mapping[str, Any]
    # the file as decoded (read-only): the blocks other modules own are parsed from here
    # (deep mode's decision: unspin.engine.decision.load_decision), so the file is read once
    blocks: Mapping[str, Any]


FIX = "reinstall unspin or rebuild it with scripts/train_decision.py"


def _fail(source: str, what: str) -> DataError:
    return DataError(f"{source}: {what}; {FIX}")


def parse_tuning(raw: Mapping[str, Any], source: str = TUNING_FILE) -> TuningData:
    """Validate a decoded tuning file's header and the blocks this module owns (``modes``,
    ``noisy_channel``, ``risk``); DataError names what is wrong. Deep mode's decision blocks
    are checked by :func:`unspin.engine.decision.parse_decision`."""
    from .datafiles import check_header, json_header

    check_header(json_header(raw, source, FIX), "tuning", TUNING_FORMAT, TUNING_VERSION, FIX)
    try:
        modes = {m: ModeDefaults(**{k: x for k, x in v.items() if k != "provenance"}) for m, v in raw["modes"].items()}
        channel = {m: Tuning(**v["values"]) for m, v in raw["noisy_channel"].items()}
        r = raw["risk"]["values"]
        risk = RiskModel(float(r["score_scale"]), tuple((float(c), str(n)) for c, n in r["cuts"]), int(r["min_findings"]),
                         tuple((float(c), str(n)) for c, n in r["risk_p_cuts"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _fail(source, f"invalid content ({exc})") from None
    for m in ("deep", "fast"):
        if m not in modes or m not in channel:
            raise _fail(source, f"no settings for mode {m!r}")
    header = {k: v for k, v in raw.items() if k not in ("modes", "noisy_channel", "decision", "infer", "risk")}
    return TuningData(TUNING_VERSION, modes, channel, risk, header, raw)


def read_tuning(path: Path | str) -> TuningData:
    """Read and validate a tuning file (uncached)."""
    from .datafiles import read_json

    path = Path(path)
    return parse_tuning(read_json(path, str(path), FIX)[1], str(path))


@cache
def load_tuning() -> TuningData:
    """The shipped tuning file, read once per process."""
    from .datafiles import path

    return read_tuning(path(TUNING_FILE))


def mode_defaults(mode: str) -> ModeDefaults:
    """Work limits of ``mode`` ("deep" or "fast")."""
    return load_tuning().modes[mode]


def channel_tuning(mode: str) -> Tuning:
    """Noisy-channel decision parameters of ``mode``."""
    return load_tuning().noisy_channel[mode]
