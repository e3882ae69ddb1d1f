"""Configuration: one immutable dataclass, overridden with keywords.

>>> cfg = Config()
>>> cfg.mode
'deep'
>>> replace_config(cfg, mode="fast").mode
'fast'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .errors import ConfigError
from .text import phrase_key

MODES = ("deep", "fast")


@dataclass(frozen=True)
class Config:
    """Settings for check / restore.

    mode:            "deep" (neural language model) or "fast" (n-gram statistics only).
    model:           a registered model name (``unspin.models.MODELS``: ``gemma3-270m.v2``, the
                     default, or ``gemma3-270m.v1``) or a path to a GGUF file.
    lexicon:         a registered lexicon name.
    max_candidates:  candidates kept per span, best prior first (None: 40 deep, 12 fast).
    flag_threshold:  posterior probability above which a span is reported as spun.
    segment_words:   texts are processed in segments of about this many words (bounded memory).
    max_words:       hard limit; words beyond it are not checked and the result says so
                     (None: 6,000 in deep mode, 500,000 in fast mode).
    user_pairs:      extra (spun, original) pairs loaded from a user's own list.
    channel:         a learned spinner dictionary, (spun, original, confidence) triples
                     (``unspin learn``; ``--channel``): extra candidates whose channel prior is
                     the learned confidence; the language model still decides in context.
    allow:           an allow list (``unspin screen --allow``): phrases normal in the user's
                     field. A span whose text is one of them (compared by ``text.phrase_key``)
                     is not checked: never reported or rewritten, and no evidence for the
                     document's score, risk or p-values; allowing phrases never makes a verdict
                     more suspicious (``engine.pipeline.allow_listed``).
    """

    mode: str = "deep"
    model: str = "gemma3-270m.v2"
    lexicon: str = "thesaurus.v1"
    max_candidates: int | None = None
    flag_threshold: float = 0.5
    segment_words: int = 400
    max_words: int | None = None
    n_threads: int | None = None
    user_pairs: tuple[tuple[str, str], ...] = ()
    channel: tuple[tuple[str, str, float], ...] = ()
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, kind in (
            ("mode", str), ("model", str), ("lexicon", str), ("flag_threshold", (int, float)),
            ("segment_words", int), ("max_candidates", (int, type(None))), ("max_words", (int, type(None))),
            ("n_threads", (int, type(None))), ("user_pairs", tuple), ("allow", tuple),
        ):
            value = getattr(self, name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ConfigError(f"{name} has the wrong type ({type(value).__name__}): {value!r}")
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; known: {', '.join(MODES)}")
        if not 0.0 < self.flag_threshold < 1.0:
            raise ConfigError(f"flag_threshold must lie in (0, 1), got {self.flag_threshold}")
        if self.max_candidates is not None and self.max_candidates < 1:
            raise ConfigError(f"max_candidates must be at least 1, got {self.max_candidates}")
        if self.segment_words < 20:
            raise ConfigError(f"segment_words must be at least 20, got {self.segment_words}")
        if self.n_threads is not None and self.n_threads < 1:
            raise ConfigError(f"n_threads must be at least 1, got {self.n_threads}")
        _check_model_name(self.model)
        if self.channel != ():
            check_channel(self.channel)
        if self.max_words is not None and self.max_words < 1:
            raise ConfigError(f"max_words must be at least 1, got {self.max_words}")
        for phrase in self.allow:
            if not isinstance(phrase, str) or not phrase_key(phrase):
                raise ConfigError(f"allow must hold non-empty phrases, got {phrase!r}")


def replace_config(config: Config, **changes: object) -> Config:
    """Return a copy of ``config`` with ``changes`` applied (validated again)."""
    try:
        return dataclasses.replace(config, **changes)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ConfigError(str(exc)) from None


def check_channel(channel: object) -> tuple[tuple[str, str, float], ...]:
    """Validate ``Config.channel``: a tuple of ``(spun, original, confidence)`` with confidence in (0, 1].

    The overlay itself is :func:`unspin.lexicon.channel.with_channel`.
    """
    if not isinstance(channel, tuple):
        raise ConfigError(f"channel must be a tuple of (spun, original, confidence), got {type(channel).__name__}")
    for entry in channel:
        if (not isinstance(entry, tuple) or len(entry) != 3 or not isinstance(entry[0], str)
                or not isinstance(entry[1], str) or isinstance(entry[2], bool)
                or not isinstance(entry[2], (int, float))):
            raise ConfigError(f"channel entries must be (spun, original, confidence) tuples, got {entry!r}")
        if not phrase_key(entry[0]) or not phrase_key(entry[1]):
            raise ConfigError(f"empty phrase in channel entry {entry!r}")
        if not 0.0 < float(entry[2]) <= 1.0:
            raise ConfigError(f"channel confidence must lie in (0, 1], got {entry[2]!r} for {entry[0]!r}")
    return channel  # type: ignore[return-value]


def _check_model_name(name: str) -> None:
    """A registered model name or something that looks like a GGUF path (checked on load)."""
    from .models import MODELS, is_model_name

    if is_model_name(name):
        return
    raise ConfigError(
        f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}, or a path to a .gguf file"
    )
