"""Source-aided restoration: put the source's wording back where a spun text aligns with it.

Between two anchors of the alignment (see :mod:`unspin.trace.align`) the spun text and the
source differ only where the spinner swapped words. Each such gap becomes one
:class:`~unspin.results.Edit` replacing the spun stretch between the anchors by the source's
stretch between the same anchors, whitespace and punctuation included, so applying the edits
reproduces the source exactly wherever the alignment holds.

>>> spun = "The panel stated Friday that 3 anomalies happened in Atlanta."
>>> source = "The jury said Friday that 3 irregularities took place in Atlanta."
>>> from unspin.results import apply_edits
>>> apply_edits(spun, restore_from_source(spun, source)) == source
True
"""

from __future__ import annotations

import os

from ..results import Edit
from ..text import Document, tokenize
from .align import Alignment, Gap, align
from .search import DEFAULT_THRESHOLD, PASSAGE_THRESHOLD, SourceMatch, search
from .index import TraceIndex

#: Gaps longer than this (in tokens, on either side) are not rewritten: the texts differ
#: there by more than a spinner's substitution.
MAX_GAP = 12


def _sentence_similarity(al: Alignment) -> list[float]:
    """Aligned share of words of the query sentence each query token lies in."""
    q = al.query
    matched = al.matched_query
    out = [0.0] * len(q.tokens)
    for sent in q.sentences:
        idx = range(sent.first_token, sent.last_token)
        counted = [i for i in idx if q.tokens[i].kind in ("word", "num")]
        sim = sum(1 for i in counted if matched[i] >= 0) / len(counted) if counted else 0.0
        for i in idx:
            out[i] = sim
    return out


def _sentence_bounds(doc: Document) -> list[tuple[int, int]]:
    """For each token: (first token, end token) of its sentence."""
    out = [(0, len(doc.tokens))] * len(doc.tokens)
    for sent in doc.sentences:
        for i in range(sent.first_token, sent.last_token):
            out[i] = (sent.first_token, sent.last_token)
    return out


def _narrow(gap: Gap, bounds: list[tuple[int, int]]) -> tuple[int, int]:
    """The query side of a gap; at an edge of the source (no anchor on one side) the query may
    go on with other text, so only the query's sentence up to (or from) the anchor is kept."""
    q1, q2 = gap.q1, gap.q2
    ns = gap.s2 - gap.s1
    if not gap.left_anchor and gap.right_anchor and q2 - q1 > ns:
        q1 = max(q1, bounds[q2][0])
    if not gap.right_anchor and gap.left_anchor and q2 - q1 > ns:
        q2 = min(q2, bounds[q1 - 1][1])
    return q1, q2


def _gap_edit(al: Alignment, gap: Gap, q1: int, q2: int, confidence: float, source: str) -> Edit | None:
    q, s = al.query, al.source
    ns = gap.s2 - gap.s1
    nq = q2 - q1
    if nq > MAX_GAP or ns > MAX_GAP:
        return None
    if gap.left_anchor:
        a = q.tokens[q1 - 1].end
        c = s.tokens[gap.s1 - 1].end
    else:
        # Leading edge: no left anchor; only rewrite a stretch of similar length.
        if nq == 0 or ns == 0 or abs(nq - ns) > 3:
            return None
        a, c = q.tokens[q1].start, s.tokens[gap.s1].start
    if gap.right_anchor:
        b = q.tokens[q2].start
        d = s.tokens[gap.s2].start
    else:
        if nq == 0 or ns == 0 or abs(nq - ns) > 3:
            return None
        b, d = q.tokens[q2 - 1].end, s.tokens[gap.s2 - 1].end
    old, new = q.text[a:b], s.text[c:d]
    if old == new:
        return None
    # Trim shared leading/trailing whitespace so the edit covers just the changed words.
    while old and new and old[0] == new[0] and old[0].isspace():
        old, new, a = old[1:], new[1:], a + 1
    while old and new and old[-1] == new[-1] and old[-1].isspace():
        old, new, b = old[:-1], new[:-1], b - 1
    return Edit(
        a,
        b,
        old,
        new,
        round(confidence, 4),
        source,
        evidence=f"aligned with the source at {c}:{d} ({new!r} in the source where the text has {old!r})",
    )


def restore_alignment(al: Alignment, doc_label: str, min_similarity: float = PASSAGE_THRESHOLD) -> tuple[Edit, ...]:
    """Edits turning the aligned regions of ``al.query`` into the source's wording."""
    sims = _sentence_similarity(al)
    bounds = _sentence_bounds(al.query)
    edits: list[Edit] = []
    for gap in al.gaps:
        q1, q2 = _narrow(gap, bounds)
        probe = q1 if q1 < len(al.query.tokens) else q1 - 1
        if probe < 0 or not al.query.tokens:
            continue
        sim = sims[probe]
        if q2 > q1:
            sim = min(sims[q1], sims[q2 - 1])
        if sim < min_similarity:
            continue
        edit = _gap_edit(al, gap, q1, q2, 0.5 + 0.5 * sim, doc_label)
        if edit is not None:
            edits.append(edit)
    return tuple(edits)


def restore_from_source(spun_text: str, source_text: str, doc_id: int | str = "text") -> tuple[Edit, ...]:
    """Edits (code-point offsets into ``spun_text``) that restore the source's wording.

    Applying them with :func:`unspin.results.apply_edits` gives ``source_text`` wherever the
    two texts align; sentences that do not align are left alone.
    """
    return restore_alignment(align(spun_text, source_text), f"source:{doc_id}")


def _covered(edit: Edit, spans: list[tuple[int, int]]) -> bool:
    return any(edit.start < e and s < max(edit.end, edit.start + 1) for s, e in spans)


def trace_and_restore(
    text: str,
    index_path: str | os.PathLike[str],
    top: int = 1,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[SourceMatch | None, tuple[Edit, ...]]:
    """Trace ``text`` and restore it from its best source.

    With ``top > 1``, query sentences that the best source does not cover are restored
    from the next sources, in rank order. Returns (best match or None, edits).
    """
    with TraceIndex(index_path) as index:
        matches = search(index, text, top=max(1, top), threshold=threshold)
        if not matches:
            return None, ()
        doc: Document = tokenize(text)
        edits: list[Edit] = []
        covered: list[tuple[int, int]] = []
        for match in matches[: max(1, top)]:
            source = index.document(match.doc_id)
            al = align(doc, source.text)
            for edit in restore_alignment(al, f"source:{match.doc_id}"):
                if not _covered(edit, covered):
                    edits.append(edit)
            covered.extend((p.query_start, p.query_end) for p in match.passages)
            covered.extend((e.start, e.end) for e in edits)
    return matches[0], tuple(sorted(edits, key=lambda e: e.start))
