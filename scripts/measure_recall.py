#!/usr/bin/env python
"""Candidate recall of the slot/candidate generator against spinner gold alignments (no LM).

    .venv/bin/python scripts/measure_recall.py                       # dev split, 40 docs, pps + synonymizer
    .venv/bin/python scripts/measure_recall.py --split test --profiles contentfarm   # held out: report only
    .venv/bin/python scripts/measure_recall.py --json out.json --misses 30

For every gold edit of ``unspin.spinner.spin(doc, profile, rate, seed)`` on the benchmark corpus
(``unspin.bench.corpus``) it asks:

* **slot**: does a slot span exactly the gold spun span (code points, surrounding spaces and
  punctuation of the gold span trimmed)?
* **original**: is the gold original among that slot's candidates (case-insensitive,
  inflection-exact: ``candidate.text.lower() == original.lower()``)?

It also counts slots per 100 words and candidates per slot, on the spun text and on the clean
original text (the clean numbers are what deep mode pays on every document). ``--max-candidates``
is the per-slot cap (40 = deep mode, 12 = fast mode).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from unspin.bench.corpus import default_corpus_path, load_corpus, sample
from unspin.engine.candidates import CandidateGenerator
from unspin.lexicon import load_lexicon
from unspin.spinner import profile_names, spin
from unspin.text import tokenize

_TRIM = " \t\n\r.,;:!?\"'()[]"


@dataclass
class Tally:
    gold: int = 0
    slot: int = 0
    original: int = 0
    overlap: int = 0  # some slot overlaps the gold span
    multi_gold: int = 0  # gold spans where spun or original has 2+ words
    multi_original: int = 0
    words: int = 0
    slots: int = 0
    cands: int = 0
    clean_words: int = 0
    clean_slots: int = 0
    clean_cands: int = 0
    by_source: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)

    def row(self) -> dict:
        def pct(a: int, b: int) -> float | None:
            return round(100.0 * a / b, 1) if b else None

        return {
            "gold_spans": self.gold,
            "slot_pct": pct(self.slot, self.gold),
            "original_pct": pct(self.original, self.gold),
            "overlap_pct": pct(self.overlap, self.gold),
            "multiword_gold": self.multi_gold,
            "multiword_original_pct": pct(self.multi_original, self.multi_gold),
            "slots_per_100_words_spun": round(100.0 * self.slots / max(1, self.words), 1),
            "cands_per_slot_spun": round(self.cands / max(1, self.slots), 1),
            "slots_per_100_words_clean": round(100.0 * self.clean_slots / max(1, self.clean_words), 1),
            "cands_per_slot_clean": round(self.clean_cands / max(1, self.clean_slots), 1),
            "hit_source": dict(self.by_source),
        }


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def measure(profile: str, docs, gen: CandidateGenerator, rate: float | None, seed: int, keep_misses: int) -> Tally:
    t = Tally()
    for d in docs:
        st = spin(d.text, profile=profile, rate=rate, seed=seed)
        doc = tokenize(st.spun)
        slots = gen.find_slots(doc)
        t.words += sum(1 for x in doc.tokens if x.is_word)
        t.slots += len(slots)
        t.cands += sum(len(s.candidates) for s in slots)
        by_span = {(s.start, s.end): s for s in slots}
        for e in st.edits:
            a, b = _trim(st.spun, e.spun_start, e.spun_end)
            if a >= b:
                continue
            orig = e.original_text.strip(_TRIM)
            t.gold += 1
            multi = " " in st.spun[a:b].strip() or " " in orig
            t.multi_gold += multi
            slot = by_span.get((a, b))
            if any(s.start < b and a < s.end for s in slots):
                t.overlap += 1
            hit = False
            if slot is not None:
                t.slot += 1
                for c in slot.candidates:
                    if c.text.lower() == orig.lower():
                        hit = True
                        t.by_source[getattr(c, "source", "lexicon")] += 1
                        break
            t.original += hit
            t.multi_original += hit and multi
            if not hit and len(t.misses) < keep_misses:
                t.misses.append(f"{st.spun[a:b]!r} <- {orig!r}" + ("" if slot else " (no slot)"))
        clean = tokenize(d.text)
        cs = gen.find_slots(clean)
        t.clean_words += sum(1 for x in clean.tokens if x.is_word)
        t.clean_slots += len(cs)
        t.clean_cands += sum(len(s.candidates) for s in cs)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profiles", default="pps,synonymizer", help="comma-separated spinner profiles")
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--rate", type=float, default=None, help="spin rate (default: the profile's own)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-candidates", type=int, default=40)
    ap.add_argument("--misses", type=int, default=0, help="print up to N missed gold spans per profile")
    ap.add_argument("--json", help="write the table as JSON here")
    ap.add_argument("--two-step", type=int, default=None, help="synonym-of-synonym candidates per slot")
    ap.add_argument("--lexicon-dir", help="read lexicon*.tsv.gz + ngrams.v1.tsv.gz from here (a trial build)")
    args = ap.parse_args()
    known = set(profile_names())
    profiles = [p for p in args.profiles.split(",") if p]
    docs = sample(load_corpus(default_corpus_path(args.split)), args.docs)
    if args.lexicon_dir:
        from pathlib import Path

        from unspin.lexicon import read_lexicon

        d = Path(args.lexicon_dir)
        lex_file = sorted(d.glob("lexicon.v*.tsv.gz"))[-1]
        version = lex_file.name.split(".")[1].replace("v", "thesaurus.v")
        lexicon = read_lexicon(lex_file, d / "ngrams.v1.tsv.gz", version)
    else:
        lexicon = load_lexicon()
    extra = {} if args.two_step is None else {"two_step": args.two_step}
    gen = CandidateGenerator(lexicon, args.max_candidates, **extra)
    table = {}
    for p in profiles:
        if p not in known:
            print(f"skipping unknown profile {p!r} (known: {', '.join(sorted(known))})", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        tally = measure(p, docs, gen, args.rate, args.seed, args.misses)
        row = tally.row()
        row["seconds"] = round(time.perf_counter() - t0, 1)
        table[p] = row
        print(f"{p:12s} " + " ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        for m in tally.misses:
            print(f"    miss {m}")
    meta = {"split": args.split, "docs": len(docs), "rate": args.rate, "seed": args.seed,
            "max_candidates": args.max_candidates, "lexicon": lexicon.version}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"meta": meta, "profiles": table}, fh, indent=1)


if __name__ == "__main__":
    main()
