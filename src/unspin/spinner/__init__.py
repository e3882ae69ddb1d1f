"""Article spinners that make labelled test data for unspin.

>>> st = spin("Patients bought 3 apples because of the rain.", profile="synonymizer", rate=1.0, seed=1)
>>> st.restore_gold()
'Patients bought 3 apples because of the rain.'
>>> spin("x", profile="nope")
Traceback (most recent call last):
...
unspin.errors.ConfigError: unknown spinner profile 'nope'; known: contentfarm, eda-wordnet, nlpaug-wordnet, pps, synonymizer

Each profile is a named, versioned component in :data:`PROFILES`:

``contentfarm`` (held out)
    A content-farm dictionary spinner specified by statistics of real output: dense (18% of
    all words), one favourite per word from any sense, frequency-matched, function words and
    connectives, one word <-> several, numbers partly written out.
``synonymizer`` (dev)
    A web "article rewriter": Moby Thesaurus favourites, multi-word paraphrases both ways,
    swaps inside names, connective paraphrases, numbers written out, contractions changed.
``pps`` (dev)
    A paper-mill spinner learned from real tortured phrases (Problematic Paper Screener,
    Cabanac, Labbé, Magazinov, CC BY 4.0), with a WordNet fallback.

Each profile has a default ``rate`` (``Profile.default_rate``, used when ``rate`` is None)
that makes about 18% of all words spun, the density measured on real spinner output.

The result, :class:`SpunText`, carries the exact gold alignment: code-point spans of the spun
text and the original wording they replaced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..errors import ConfigError, InputError, unknown_name
from .core import GoldEdit, SpunText, Swap, assemble

__all__ = ["spin", "SpunText", "GoldEdit", "Profile", "PROFILES", "TRANSFER_PROFILES", "HELD_OUT", "check_rate", "get_profile", "profile_names"]


@dataclass(frozen=True)
class Profile:
    """A named spinner: what it does, where its data came from, and its function."""

    name: str
    version: str
    role: str  # "held-out" or "dev"
    summary: str
    sources: str
    spin_text: Callable[[str, float, int], SpunText]
    data_version: Callable[[], str]
    default_rate: float = 0.3  # the rate that spins about 18% of all words (real spinner density)


def _synonymizer(text: str, rate: float, seed: int) -> SpunText:
    from . import synonymizer

    return synonymizer.spin_text(text, rate, seed)


def _synonymizer_data() -> str:
    from . import synonymizer

    return synonymizer.data_version()


def _pps(text: str, rate: float, seed: int) -> SpunText:
    from . import pps

    return pps.spin_text(text, rate, seed)


def _pps_data() -> str:
    from . import pps

    return pps.data_version()


def _contentfarm(text: str, rate: float, seed: int) -> SpunText:
    from . import contentfarm

    return contentfarm.spin_text(text, rate, seed)


def _contentfarm_data() -> str:
    from . import contentfarm

    return contentfarm.data_version()


PROFILES: dict[str, Profile] = {
    "contentfarm": Profile(
        "contentfarm",
        "contentfarm.v1",
        "held-out",
        "content-farm dictionary spinner: dense, one favourite per word from any sense, frequency-matched, "
        "function words and connectives, one word <-> several, numbers partly written out",
        "WordNet 3.0 (all senses, frequency-matched with symspellpy counts) + hand-written function-word rules",
        _contentfarm,
        _contentfarm_data,
        0.18,
    ),
    "synonymizer": Profile(
        "synonymizer",
        "synonymizer.v1",
        "dev",
        "thesaurus article rewriter: favourite synonyms, paraphrases both ways, names, connectives, "
        "numbers written out, contractions changed",
        "Moby Thesaurus II (public domain) + hand-written connective rules",
        _synonymizer,
        _synonymizer_data,
        0.4,
    ),
    "pps": Profile(
        "pps",
        "pps.v1",
        "dev",
        "paper-mill spinner learned from real tortured phrases, WordNet fallback",
        "Problematic Paper Screener (Cabanac, Labbé, Magazinov), CC BY 4.0 (statistics only); WordNet 3.0",
        _pps,
        _pps_data,
        0.62,
    ),
}

#: The profile the restoration engine must never be tuned on (``synonymizer`` and ``pps`` are dev).
HELD_OUT = "contentfarm"


def _augmenter(name: str) -> Callable[[str, float, int], SpunText]:
    def run(text: str, rate: float, seed: int) -> SpunText:
        from . import transfer

        return transfer.augment(text, name, rate, seed)

    return run


def _augmenter_version(name: str) -> Callable[[], str]:
    return lambda: f"{name}.v1"


#: Third-party spinners (:mod:`unspin.spinner.transfer`): for evaluation only, never to train,
#: tune or choose settings. They need ``pip install 'unspin[transfer]'`` and Debian's WordNet.
TRANSFER_PROFILES: dict[str, Profile] = {
    name: Profile(
        name,
        f"{name}.v1",
        "transfer",
        summary,
        "third-party code (MIT) over WordNet 3.0; evaluation only",
        _augmenter(name),
        _augmenter_version(name),
        0.18,
    )
    for name, summary in (
        ("nlpaug-wordnet", "nlpaug's WordNet SynonymAug, unmodified: any sense, per occurrence (third party)"),
        ("eda-wordnet", "textaugment's EDA synonym replacement, unmodified: any sense, every occurrence (third party)"),
    )
}


def profile_names(transfer: bool = False) -> tuple[str, ...]:
    """The project's own profiles (the default of every benchmark); ``transfer=True`` adds the third-party ones."""
    return tuple(sorted(PROFILES)) + (tuple(sorted(TRANSFER_PROFILES)) if transfer else ())


def get_profile(name: str) -> Profile:
    """Look a profile up by name; an unknown name lists the known ones."""
    try:
        return PROFILES[name] if name in PROFILES else TRANSFER_PROFILES[name]
    except (KeyError, TypeError):
        raise unknown_name("spinner profile", str(name), [*PROFILES, *TRANSFER_PROFILES]) from None


def check_rate(rate: object) -> float:
    """Validate a substitution rate.

    >>> check_rate(1.5)
    Traceback (most recent call last):
    ...
    unspin.errors.ConfigError: rate must lie in [0, 1], got 1.5; give e.g. --rate 0.3
    """
    try:
        value = float(rate)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"rate must be a number in [0, 1], got {rate!r}") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"rate must lie in [0, 1], got {rate}; give e.g. --rate 0.3")
    return value


def spin(text: str, profile: str = "synonymizer", rate: float | None = None, seed: int = 0) -> SpunText:
    """Spin ``text`` with a named profile.

    ``rate`` in [0, 1]: for ``contentfarm`` the share of all words to replace; for the others
    the chance that a swappable word is swapped. None: the profile's ``default_rate`` (about
    18% of all words for every profile). The same text, profile, rate and seed always give
    the same result.
    """
    prof = get_profile(profile)
    value = check_rate(prof.default_rate if rate is None else rate)
    if not isinstance(text, str):
        raise InputError(f"expected text as str, got {type(text).__name__}")
    if not text.strip():
        raise InputError("cannot spin empty text; give some English prose")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    return prof.spin_text(text, value, seed)
