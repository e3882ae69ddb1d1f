"""The public library API: check, restore, restore_and_explain.

>>> import unspin
>>> r = unspin.restore_and_explain("", unspin.Config(mode="fast"))
>>> r.text, r.edits
('', ())
"""

from __future__ import annotations

from .config import Config
from .errors import InputError
from .results import Report, Restoration, apply_edits
from .text import normalize_input


def _prepare(text: str, config: Config | None) -> tuple[str, Config]:
    if not isinstance(text, str):
        raise InputError(f"expected text as str, got {type(text).__name__}; decode bytes as UTF-8 first")
    return normalize_input(text), config or Config()


def check(text: str, config: Config | None = None) -> Report:
    """Find spun words and phrases in ``text`` and score the document."""
    from .engine.pipeline import analyse

    text, config = _prepare(text, config)
    return analyse(text, config).report


def restore(text: str, config: Config | None = None) -> str:
    """Return ``text`` with each span judged spun replaced by its most likely original."""
    return restore_and_explain(text, config).text


def restore_and_explain(text: str, config: Config | None = None) -> Restoration:
    """Restore ``text`` and record every change as an :class:`~unspin.results.Edit`.

    Applying ``result.edits`` to ``text`` with :func:`unspin.apply_edits` gives ``result.text``.
    """
    from .engine.pipeline import analyse

    text, config = _prepare(text, config)
    analysis = analyse(text, config)
    return Restoration(text, apply_edits(text, analysis.edits), analysis.edits, analysis.report)
