"""One error hierarchy for unspin.

Every error the library raises on purpose derives from :class:`UnspinError`, and also
from the builtin it resembles, so callers may catch either. Messages name the problem,
the value and the next step. The CLI turns any ``UnspinError`` into one line on stderr
and exit code 2.
"""

from __future__ import annotations


class UnspinError(Exception):
    """Base class of every error unspin raises on purpose."""


class InputError(UnspinError, ValueError):
    """The text, file or option given cannot be used (empty, binary, not UTF-8, ...)."""


class ConfigError(UnspinError, ValueError):
    """A configuration value is out of range or names an unknown component."""


class DataError(UnspinError, RuntimeError):
    """A shipped or user data file is missing, corrupt or of the wrong version."""


class ModelError(UnspinError, RuntimeError):
    """The language model could not be found, loaded or run."""


class TraceIndexError(UnspinError, RuntimeError):
    """A trace index is corrupt, foreign, or was built with other parameters."""


#: The first release's name for :class:`TraceIndexError` (kept so old code still catches it).
IndexError_ = TraceIndexError


class MissingDependencyError(UnspinError, ImportError):
    """An optional feature's package is not installed; the message names the extra to install."""


def missing_extra(feature: str, package: str, extra: str, otherwise: str = "") -> MissingDependencyError:
    """The one error for a missing optional dependency.

    >>> str(missing_extra("source tracing", "datasketch", "trace"))
    "source tracing needs datasketch, which is not installed; install it with: pip install 'unspin[trace]'"
    """
    tail = f", or {otherwise}" if otherwise else ""
    return MissingDependencyError(
        f"{feature} needs {package}, which is not installed; install it with: pip install 'unspin[{extra}]'{tail}"
    )


def unknown_name(kind: str, name: str, known: list[str] | tuple[str, ...]) -> ConfigError:
    """Build the error for an unknown registry name, listing the known ones.

    >>> str(unknown_name("scorer", "x", ["a", "b"]))
    "unknown scorer 'x'; known: a, b"
    """
    return ConfigError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")
