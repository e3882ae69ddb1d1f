"""Per-document evidence for learning a spinner's dictionary, and its cache.

For every slot of a document that the engine scored, the evidence keeps the spun wording,
its offsets, a little context, and for each candidate original the LM could price: its
*margin* (log-score of the text with the candidate minus the log-score of the text as it
stands, in nats) and its lexicon prior. That is all the batch model (:mod:`unspin.learn.em`)
needs, so the expensive part (one deep-mode :func:`unspin.engine.pipeline.score` per
document) runs once per document and is cached.

The cache is one append-only JSON-lines file. Every record carries the document's sha256
and the *settings key* (unspin version, mode, model, lexicon, candidate and segment
settings, evidence format): a record is reused only under the same key. A record is
written in one ``write`` and flushed, so an interrupted run leaves complete records and at
most one truncated last line, which is ignored; a document is counted once however many
records it has.

>>> ev = DocEvidence("ab" * 32, "k", "doc.txt", 12, False, (
...     SlotEvidence(4, 13, "purchased", "He ", " it", (("bought", 2.5, 0.4),)),))
>>> DocEvidence.from_json(ev.to_json()) == ev
True
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .. import __version__
from ..config import Config
from ..errors import InputError

EVIDENCE_FORMAT = 2  # 2: each slot's kind (engine v3's null stratum)
CONTEXT_CHARS = 40


@dataclass(frozen=True, slots=True)
class SlotEvidence:
    """One scored slot: offsets into the document, wording, context, and candidate evidence.

    ``cands`` holds ``(candidate text, margin, lexicon prior)``; margin > 0 means the LM
    prefers the candidate to the text in this context. ``kind`` is the slot's stratum in engine
    v3's null (:func:`unspin.engine.null.stratum`), so its p-value can be read without the text.
    """

    start: int
    end: int
    text: str
    left: str
    right: str
    cands: tuple[tuple[str, float, float], ...]
    kind: str = "content"


@dataclass(frozen=True, slots=True)
class DocEvidence:
    """The evidence of one document (identified by the sha256 of its UTF-8 text)."""

    sha256: str
    key: str
    name: str
    words: int
    incomplete: bool
    slots: tuple[SlotEvidence, ...]

    def to_json(self) -> str:
        """One compact JSON line (no newline)."""
        rec = {
            "f": EVIDENCE_FORMAT,
            "sha": self.sha256,
            "key": self.key,
            "name": self.name,
            "words": self.words,
            "inc": self.incomplete,
            "slots": [[s.start, s.end, s.text, s.left, s.right, [list(c) for c in s.cands], s.kind] for s in self.slots],
        }
        return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> "DocEvidence":
        """Parse :meth:`to_json`'s output; a malformed line raises ``ValueError``."""
        rec = json.loads(line)
        if not isinstance(rec, dict) or rec.get("f") != EVIDENCE_FORMAT:
            raise ValueError("not an evidence record of this format")
        slots = tuple(
            SlotEvidence(int(a), int(b), str(t), str(lf), str(rt), tuple((str(c), float(m), float(p)) for c, m, p in cs),
                         str(kind))
            for a, b, t, lf, rt, cs, kind in rec["slots"]
        )
        return cls(str(rec["sha"]), str(rec["key"]), str(rec["name"]), int(rec["words"]), bool(rec["inc"]), slots)


def text_sha256(text: str) -> str:
    """The document's identity: sha256 of its UTF-8 text (hex).

    >>> text_sha256("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_key(config: Config, full_rescoring: bool = False) -> str:
    """What the evidence depends on, as a short stable string.

    Two runs share cached evidence only when the engine version, mode, model, lexicon,
    candidate/segment settings and the rescoring choice agree.
    """
    from ..lexicon.store import REGISTRY

    lex_version = REGISTRY[config.lexicon][2] if config.lexicon in REGISTRY else config.lexicon
    parts = {
        "evidence": EVIDENCE_FORMAT,
        "unspin": __version__,
        "mode": config.mode,
        "model": config.model,
        "lexicon": lex_version,
        "max_candidates": config.max_candidates,
        "segment_words": config.segment_words,
        "max_words": config.max_words,
        "user_pairs": hashlib.sha256(repr(config.user_pairs).encode()).hexdigest()[:12] if config.user_pairs else "",
    }
    if full_rescoring:  # only when set, so that default keys stay what they were
        parts["full_rescoring"] = True
    if config.mode == "deep":
        from ..tuning import mode_defaults

        d = mode_defaults("deep")
        if d.rescore_gate is not None:  # issue 15's rescoring rule: scores differ from the old rule's
            parts["rescoring"] = [d.rescore_gate, d.rescore_first, d.right_min, d.right_max, d.head]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
    return f"{config.mode}-{lex_version}-{digest}"


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    left = " ".join(text[max(0, start - CONTEXT_CHARS) : start].split()[-6:])
    right = " ".join(text[end : end + CONTEXT_CHARS].split()[:6])
    if start > 0 and text[start - 1].isspace():
        left += " "
    if end < len(text) and text[end].isspace():
        right = " " + right
    return left, right


def evidence_from_scored(scored: object, sha256: str, key: str, name: str) -> DocEvidence:
    """Turn a :class:`unspin.engine.pipeline.Scored` into compact evidence.

    Only candidates the LM priced are kept; slots with none are dropped (they carry no
    evidence about any swap).
    """
    from ..engine.null import stratum
    from ..tuning import is_scored

    text: str = scored.text  # type: ignore[attr-defined]
    slots: list[SlotEvidence] = []
    for segment in scored.segments:  # type: ignore[attr-defined]
        for x in segment:
            cands = []
            for c, sc in zip(x.slot.candidates, x.cands):
                if is_scored(sc) and is_scored(x.keep):
                    cands.append((c.text, round(sc - x.keep, 3), round(float(c.prior), 4)))
            if not cands:
                continue
            left, right = _context(text, x.slot.start, x.slot.end)
            slots.append(SlotEvidence(x.slot.start, x.slot.end, x.slot.text, left, right, tuple(cands), stratum(x)))
    return DocEvidence(sha256, key, name, int(scored.words), bool(scored.incomplete), tuple(slots))  # type: ignore[attr-defined]


def extract(text: str, config: Config, name: str = "", key: str | None = None,
            full_rescoring: bool = False) -> DocEvidence:
    """Score ``text`` with the engine (deep mode unless ``config`` says fast) and keep the evidence.

    ``full_rescoring`` (deep mode): rescore ``rescore_top`` candidates per slot with the
    right context instead of the engine's ``rescore_first``; slower. Pure apart from the engine's cached model; this
    is the per-document unit of work that local processes and Dask workers run.
    """
    from ..engine.pipeline import score

    scorer = None
    if full_rescoring and config.mode == "deep":
        from dataclasses import replace

        from ..engine.lm import load_model
        from ..engine.neural import NeuralScorer
        from ..tuning import mode_defaults

        d = mode_defaults("deep")
        scorer = NeuralScorer(load_model(config.model, config.n_threads), replace(d, rescore_first=d.rescore_top, rescore_gate=None))
    scored = score(text, config, scorer)
    return evidence_from_scored(scored, text_sha256(text), key or settings_key(config, full_rescoring), name)


class EvidenceCache:
    """Append-only JSON-lines cache of :class:`DocEvidence`, keyed by (sha256, settings key).

    Open it, ``get`` what is there, ``put`` new records as they arrive. One writer at a time
    (the process that drives the run); workers only compute and return records.
    """

    def __init__(self, path: str | os.PathLike[str], key: str) -> None:
        self.path = Path(path)
        self.key = key
        self._records: dict[str, DocEvidence] = {}
        self.ignored_lines = 0
        if self.path.is_dir():
            raise InputError(f"evidence cache {self.path} is a directory; give a file path with --cache")
        if self.path.exists():
            for rec in self._read():
                self._records.setdefault(rec.sha256, rec)

    def _read(self) -> Iterator[DocEvidence]:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read evidence cache {self.path}: {exc.strerror}") from None
        for line in raw.decode("utf-8", errors="replace").split("\n"):
            if not line.strip():
                continue
            try:
                rec = DocEvidence.from_json(line)
            except (ValueError, KeyError, TypeError):
                self.ignored_lines += 1  # a truncated last line after an interruption, or foreign data
                continue
            if rec.key == self.key:
                yield rec

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._records

    def get(self, sha256: str) -> DocEvidence | None:
        return self._records.get(sha256)

    def put(self, rec: DocEvidence) -> None:
        """Append one record (one write, flushed and fsynced) unless the document is there."""
        if rec.key != self.key:
            raise ValueError("evidence computed under other settings")
        if rec.sha256 in self._records:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = rec.to_json() + "\n"
        with self.path.open("a", encoding="utf-8") as fh:
            if fh.tell() > 0 and not self._ends_with_newline():
                line = "\n" + line  # seal a truncated line left by an interrupted run
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self._records[rec.sha256] = rec

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def records(self, shas: Iterable[str]) -> list[DocEvidence]:
        """The cached records of these documents, in order, skipping missing ones."""
        return [self._records[s] for s in shas if s in self._records]
