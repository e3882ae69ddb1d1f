"""unspin: find the words an article spinner swapped and restore the original wording.

The library API::

    unspin.check(text, config=None) -> Report
    unspin.restore(text, config=None) -> str
    unspin.restore_and_explain(text, config=None) -> Restoration

Offsets everywhere are Unicode code points into the given text.
"""

from __future__ import annotations

__version__ = "0.1.0"
API_VERSION = 1

from .config import Config, replace_config  # noqa: E402
from .errors import (  # noqa: E402
    UnspinError, InputError, ConfigError, DataError, ModelError, TraceIndexError, MissingDependencyError,
)
from .results import Edit, Finding, Replacement, Report, Restoration, apply_edits  # noqa: E402
from .api import check, restore, restore_and_explain  # noqa: E402

__all__ = [
    "__version__",
    "API_VERSION",
    "Config",
    "replace_config",
    "UnspinError",
    "InputError",
    "ConfigError",
    "DataError",
    "ModelError",
    "TraceIndexError",
    "MissingDependencyError",
    "Edit",
    "Finding",
    "Replacement",
    "Report",
    "Restoration",
    "apply_edits",
    "check",
    "restore",
    "restore_and_explain",
]
