"""Find the source of a spun text: LSH candidates, exact re-scoring, aligned passages.

1. The query's skeleton MinHash bands pick candidate documents from the index (for long
   queries, windows of the query are fingerprinted too, so an excerpt finds its source).
2. Candidates are ranked by estimated skeleton Jaccard, and the best few re-scored exactly:
   the token alignment (see :mod:`unspin.trace.align`) gives the share of query words inside
   matching runs of at least two tokens (``score``) and the same share of the source.
3. Matches passing the acceptance rule (:func:`_accept`) are returned as :class:`SourceMatch`, each with
   its aligned passages, one per query sentence, with offsets into both texts.

Unrelated text shares single function words and short runs with any English document, but
rarely half of its words in runs: the default rule (score >= 0.5, at least 5 aligned words,
at least one of them not a function word) was chosen on held-out text with two query seeds
(see bench.py); shorter queries cannot be traced reliably and return no match.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Sequence

from ..english import looks_english
from ..errors import InputError
from ..text import Document, tokenize
from .align import Alignment, align
from .fingerprint import fingerprint, signature_array
from .index import TraceIndex

#: Minimum share of the query's words, in aligned runs, for a document to count as a source.
DEFAULT_THRESHOLD = 0.5
#: A source must also explain at least this many query words, and at least one word that is
#: not a function word: short generic phrases ("he was a member of the") are not evidence.
MIN_MATCHED_WORDS = 5
MIN_MATCHED_CONTENT_WORDS = 1
#: A source wholly quoted inside a longer query (several sources spun into one text) counts
#: when this share of the source's words and at least CONTAINED_MIN_WORDS words are aligned.
CONTAINED_SOURCE_COVERAGE = 0.6
CONTAINED_MIN_WORDS = 15
#: A passage (one query sentence) counts as aligned at or above this share of aligned words.
PASSAGE_THRESHOLD = 0.3
_WORD_RE = re.compile(r"[^\W_]+")
#: Query windows (in words) fingerprinted separately for long queries.
WINDOW_WORDS = 40


@dataclass(frozen=True, slots=True)
class AlignedPassage:
    """One query sentence and the stretch of the source it aligns with (code-point offsets)."""

    query_start: int
    query_end: int
    source_start: int
    source_end: int
    similarity: float
    query_text: str
    source_text: str
    #: Where the two differ: (start, end) code-point spans relative to ``query_text`` and
    #: ``source_text``, taken from the alignment search already made.
    query_diffs: tuple[tuple[int, int], ...] = ()
    source_diffs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SourceMatch:
    """A ranked source for a query, with its evidence.

    ``score``: share of the query's words inside aligned runs (>= 2 tokens) with the source;
    ``source_coverage``: the same share of the source's words; ``jaccard``: MinHash estimate
    of the skeleton-shingle Jaccard similarity; ``passages``: aligned sentences.
    """

    doc_id: int
    path: str
    score: float
    source_coverage: float
    jaccard: float
    passages: tuple[AlignedPassage, ...]
    source_words: int

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (offsets are Unicode code points)."""
        return {
            "docId": self.doc_id,
            "path": self.path,
            "score": round(self.score, 4),
            "sourceCoverage": round(self.source_coverage, 4),
            "jaccard": round(self.jaccard, 4),
            "sourceWords": self.source_words,
            "passages": [
                {
                    "query": {"start": p.query_start, "end": p.query_end, "text": p.query_text},
                    "source": {"start": p.source_start, "end": p.source_end, "text": p.source_text},
                    "similarity": round(p.similarity, 4),
                }
                for p in self.passages
            ],
        }


def passages(alignment: Alignment, threshold: float = PASSAGE_THRESHOLD) -> tuple[AlignedPassage, ...]:
    """One passage per query sentence whose aligned share of words reaches ``threshold``."""
    q, s = alignment.query, alignment.source
    matched = alignment.matched_query
    out: list[AlignedPassage] = []
    for sent in q.sentences:
        idx = range(sent.first_token, sent.last_token)
        counted = [i for i in idx if q.tokens[i].kind in ("word", "num")]
        if not counted:
            continue
        hits = [matched[i] for i in idx if matched[i] >= 0]
        sim = sum(1 for i in counted if matched[i] >= 0) / len(counted)
        if sim < threshold or not hits:
            continue
        lo, hi = min(hits), max(hits)
        # Stretch the source span to the query sentence's edges when the edge tokens are gaps.
        first_q = next(i for i in idx if matched[i] >= 0)
        last_q = max(i for i in idx if matched[i] >= 0)
        lo = max(0, lo - (first_q - sent.first_token)) if first_q > sent.first_token else lo
        hi = min(len(s.tokens) - 1, hi + (sent.last_token - 1 - last_q)) if last_q < sent.last_token - 1 else hi
        s_start, s_end = s.tokens[lo].start, s.tokens[hi].end
        q_diffs: list[tuple[int, int]] = []
        s_diffs: list[tuple[int, int]] = []
        for g in alignment.gaps:
            a, b = max(g.q1, sent.first_token), min(g.q2, sent.last_token)
            if b > a:
                q_diffs.append((q.tokens[a].start - sent.start, q.tokens[b - 1].end - sent.start))
            a, b = max(g.s1, lo), min(g.s2, hi + 1)
            if b > a and (g.q2 > sent.first_token and g.q1 < sent.last_token):
                s_diffs.append((s.tokens[a].start - s_start, s.tokens[b - 1].end - s_start))
        out.append(
            AlignedPassage(
                sent.start, sent.end, s_start, s_end, sim, q.text[sent.start : sent.end], s.text[s_start:s_end],
                tuple(q_diffs), tuple(s_diffs),
            )
        )
    return tuple(out)


def _windows(doc: Document, words: int = WINDOW_WORDS) -> list[str]:
    """Overlapping windows of about ``words`` words, cut at sentence boundaries."""
    out: list[str] = []
    sents = doc.sentences
    counts = [sum(1 for t in doc.sentence_tokens(s) if t.is_word) for s in sents]
    i = 0
    while i < len(sents):
        j, n = i, 0
        while j < len(sents) and n < words:
            n += counts[j]
            j += 1
        out.append(doc.text[sents[i].start : sents[j - 1].end])
        if j >= len(sents):
            break
        step, k = 0, i
        while k < j and step < words // 2:
            step += counts[k]
            k += 1
        i = max(k, i + 1)
    return out


def _estimate_jaccard(query_sig: bytes, sigs: dict[int, bytes]) -> dict[int, float]:
    if not query_sig or not sigs:
        return {}
    import numpy as np

    qv = signature_array(query_sig)
    ids = list(sigs)
    mat = np.frombuffer(b"".join(sigs[i] for i in ids), dtype="<u4").reshape(len(ids), -1)
    est = (mat == qv).mean(axis=1)
    return {doc: float(v) for doc, v in zip(ids, est)}


def _accept(al: Alignment, threshold: float) -> bool:
    """The default rule: the source explains enough of the query (or, for a query made of
    several sources, the query holds most of this source), with enough words as evidence."""
    if al.matched_words < MIN_MATCHED_WORDS or al.matched_content_words < MIN_MATCHED_CONTENT_WORDS:
        return False
    if al.query_coverage >= threshold:
        return True
    return al.source_coverage >= max(threshold, CONTAINED_SOURCE_COVERAGE) and al.matched_words >= CONTAINED_MIN_WORDS


def search(
    index: TraceIndex,
    text: str,
    *,
    top: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
    candidates: int = 500,
    prefilter: int = 100,
    rescore: int = 10,
) -> tuple[SourceMatch, ...]:
    """Ranked sources of ``text`` in ``index`` scoring at least ``threshold`` (maybe none).

    Text that is not English prose (too few English function words) returns no match.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("the query text is empty; give the spun text to trace")
    if top < 1:
        raise InputError(f"top must be at least 1, got {top}")
    doc = tokenize(text)
    if not looks_english(doc):  # the language gate of unspin.english
        return ()
    params = index.params
    fp = fingerprint(doc, params)
    keys = list(fp.band_keys)
    query_sigs = [fp.signature] if fp.signature else []
    if doc.word_count > WINDOW_WORDS:
        for window in _windows(doc):
            wfp = fingerprint(window, params)
            keys.extend(wfp.band_keys)
            if wfp.signature:
                query_sigs.append(wfp.signature)
    found = index.candidates(sorted(set(keys)), limit=candidates)
    if not found:
        return ()
    sigs = index.signatures([d for d, _ in found])
    est: dict[int, float] = {}
    for qs in query_sigs:
        for doc_id, value in _estimate_jaccard(qs, sigs).items():
            est[doc_id] = max(est.get(doc_id, 0.0), value)
    votes = dict(found)
    shortlist = sorted(votes, key=lambda d: (-est.get(d, 0.0), -votes[d], d))[:prefilter]
    # Cheap exact signal: share of the query's distinct words found in the candidate. Spun
    # text keeps most content words, and this separates documents with the same skeleton.
    qwords = set(_WORD_RE.findall(text.lower()))
    texts = index.documents(shortlist)
    shortlist = [d for d in shortlist if d in texts]
    overlap = (
        {d: len(qwords.intersection(_WORD_RE.findall(texts[d].text.lower()))) / len(qwords) for d in shortlist}
        if qwords
        else {}
    )
    ranked = sorted(shortlist, key=lambda d: (-(overlap.get(d, 0.0) + 0.5 * est.get(d, 0.0)), d))[: max(rescore, top)]
    matches: list[SourceMatch] = []
    for doc_id in ranked:
        stored = texts[doc_id]
        al = align(doc, stored.text)
        if threshold > 0 and not _accept(al, threshold):
            continue
        matches.append(
            SourceMatch(
                doc_id=stored.id,
                path=stored.path,
                score=al.query_coverage,
                source_coverage=al.source_coverage,
                jaccard=est.get(doc_id, 0.0),
                passages=passages(al),
                source_words=stored.words,
            )
        )
    matches.sort(key=lambda m: (-(m.score + 0.25 * m.source_coverage), m.doc_id))
    return tuple(matches[:top])


def trace(
    text: str, index_path: str | os.PathLike[str], *, top: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> tuple[SourceMatch, ...]:
    """Open the index at ``index_path`` and :func:`search` it for ``text``."""
    with TraceIndex(index_path) as index:
        return search(index, text, top=top, threshold=threshold)


def trace_many(
    texts: Sequence[str], index_path: str | os.PathLike[str], *, top: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[SourceMatch, ...]]:
    """Trace several texts against one index, opened once (used per partition by Dask)."""
    with TraceIndex(index_path) as index:
        return [search(index, t, top=top, threshold=threshold) if t.strip() else () for t in texts]
