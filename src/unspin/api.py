"""The public library API: check, restore, restore_and_explain.

>>> import unspin
>>> r = unspin.restore_and_explain("", unspin.Config(mode="fast"))
>>> r.text, r.edits
('', ())
"""

from __future__ import annotations

from typing import Callable

from .config import Config
from .errors import InputError
from .results import Report, Restoration, apply_edits
from .text import normalize_input


def _prepare(text: str, config: Config | None) -> tuple[str, Config]:
    if not isinstance(text, str):
        raise InputError(f"expected text as str, got {type(text).__name__}; decode bytes as UTF-8 first")
    return normalize_input(text), config or Config()


def check(text: str, config: Config | None = None, progress: Callable[[int, int], None] | None = None,
          deadline: float | None = None) -> Report:
    """Find spun words and phrases in ``text`` and score the document.

    ``progress(words_done, words_total)`` is called as the work advances (for a progress bar).
    ``deadline``: a :func:`time.monotonic` value; segments not started by then are left
    unchecked and the report is flagged ``incomplete`` with the reason (None: no time limit).
    """
    from .engine.pipeline import analyse

    text, config = _prepare(text, config)
    return analyse(text, config, progress=progress, deadline=deadline).report


def restore(text: str, config: Config | None = None) -> str:
    """Return ``text`` with each span judged spun replaced by its most likely original."""
    return restore_and_explain(text, config).text


def restore_and_explain(text: str, config: Config | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        deadline: float | None = None) -> Restoration:
    """Restore ``text`` and record every change as an :class:`~unspin.results.Edit`.

    Applying ``result.edits`` to ``text`` with :func:`unspin.apply_edits` gives ``result.text``.
    ``progress``, ``deadline``: see :func:`check`.
    """
    from .engine.pipeline import analyse

    text, config = _prepare(text, config)
    analysis = analyse(text, config, progress=progress, deadline=deadline)
    return Restoration(text, apply_edits(text, analysis.edits), analysis.edits, analysis.report)


def restore_from_index(text: str, index_path: str, config: Config | None = None, top: int = 1,
                       deadline: float | None = None) -> Restoration:
    """Restore ``text`` word for word from its source in a trace index, and by the engine elsewhere.

    Inside passages aligned with the best-matching source, each edit carries the source's
    exact wording (``source="source:<document id>"``). Outside them, the language-model
    restoration applies. With no source found, this is :func:`restore_and_explain`.
    ``extra["source"]`` holds the match (document id, path, score, passages) or None.
    ``deadline`` bounds the engine's part (see :func:`check`), not the search of the index.
    """
    from dataclasses import replace

    from .results import Finding, Replacement
    from .scoring import document_verdict, rule_id
    from .trace.restore import trace_and_restore

    text, config = _prepare(text, config)
    match, source_edits = trace_and_restore(text, index_path, top=top)
    base = restore_and_explain(text, config, deadline=deadline)
    if match is None:
        return Restoration(base.input, base.text, base.edits, base.report, {"source": None})
    covered = [(p.query_start, p.query_end) for p in match.passages]
    covered += [(e.start, e.end) for e in source_edits]

    def inside(start: int, end: int) -> bool:
        return any(start < b and a < end for a, b in covered)

    lm_edits = tuple(e for e in base.edits if not inside(e.start, e.end))
    edits = tuple(sorted(source_edits + lm_edits, key=lambda e: e.start))
    findings = [f for f in base.report.findings if not inside(f.start, f.end)]
    for e in source_edits:
        findings.append(
            Finding(
                start=e.start,
                end=e.end,
                text=e.old,
                replacements=(Replacement(e.new, 1.0),),
                confidence=e.confidence,
                rule=rule_id(len(e.old.split()), source_aligned=True),
                evidence=e.evidence or f"differs from the aligned passage of {e.source}",
                sentence_start=e.start,
                sentence_end=e.end,
            )
        )
    findings.sort(key=lambda f: f.start)
    # Fast mode's score is the screening model's over the whole text (the base report's);
    # deep mode's comes from the findings, now including the source-aligned ones.
    screen = base.report.score if base.report.mode == "fast" else None
    score, risk = document_verdict(findings, base.report.words, base.report.mode, screen)
    report = replace(base.report, findings=tuple(findings), score=score, risk=risk)
    return Restoration(text, apply_edits(text, edits), edits, report, {"source": match.to_dict()})
