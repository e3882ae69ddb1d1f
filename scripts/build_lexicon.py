#!/usr/bin/env python
"""Build the reverse spin lexicon and n-gram tables shipped in ``src/unspin/data``.

    /work/venv/bin/python scripts/build_lexicon.py            # build + report
    /work/venv/bin/python scripts/build_lexicon.py --dry-run  # report only

Steps: read Moby, MyThes and WordNet (see ``scripts/lexicon_build/sources.py``), canonicalise every
phrase (``unspin.lexicon.morph.canonical_phrase``), keep phrases of 1-4 common words, link
each spun phrase to the originals it may have replaced (both directions of every list), add
the function-word groups of ``unspin.lexicon.rules`` expanded from the thesauri, fit the
channel model (``scripts/lexicon_build/channel.py``) on real spinner output aligned word by word
(pps-train.tsv, split 80/20 by expected phrase for the reported held-out numbers, then refit
on all of it), score every link, keep the best ``--cap`` per spun phrase, write gzip TSVs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from unspin.lexicon.morph import canonical_phrase, canonical_word, lemma_phrase
from unspin.lexicon.rules import EXPANSION_PRIOR, FUNCTION_GROUPS, SEED_PRIOR
from unspin.lexicon.store import LEXICON_FORMAT, LEXICON_MAGIC, NGRAM_MAGIC

from lexicon_build import channel as ch  # build-only code, beside this script
from lexicon_build.sources import read_counts, read_moby, read_mythes, read_wordnet

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "unspin" / "data"
def _symspell_dir() -> Path:
    """symspellpy's frequency lists: the installed package, else an unpacked wheel in /work/sources."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("symspellpy")
        if spec and spec.origin:
            return Path(spec.origin).parent
    except ImportError:  # pragma: no cover
        pass
    return Path("/work/sources/symspellpy-6.10.1/symspellpy")


SYMSPELL = _symspell_dir()
UNIGRAMS = SYMSPELL / "frequency_dictionary_en_82_765.txt"
BIGRAMS = SYMSPELL / "frequency_bigramdictionary_en_243_342.txt"
PPS = Path("/work/shared/data/pps-train.tsv")
PPS_ATTRIBUTION = "Problematic Paper Screener (Cabanac, Labbé, Magazinov), CC BY 4.0"
SOURCES = "moby-1.1.2,mythes-en-us-7.5.0(th_en_US_v2),wordnet-3.0,symspellpy-6.10.1-frequency-lists,pps-channel-weights"
LICENCES = ("Moby:public-domain;MyThes-en-US:Debian-permissive(WordNet-derived);"
            "WordNet-3.0:WordNet-licence(BSD-like);symspellpy-lists:MIT;"
            "channel-weights:learned-from-PPS-CC-BY-4.0")
_OK_CHARS = re.compile(r"^[a-z][a-z' -]*[a-z]$")  # 2+ letters: drops "a" (= ampere, adenine)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Vocab:
    """Which canonical phrases are common enough to keep."""

    def __init__(self, unigrams: dict[str, int], min_count: int, max_words: int) -> None:
        self.unigrams = unigrams
        self.min_count = min_count
        self.max_words = max_words
        self._canon: dict[str, str | None] = {}

    def canon(self, phrase: str) -> str | None:
        """Canonical form of a source phrase, or None if it is not kept."""
        got = self._canon.get(phrase, "")
        if got != "":
            return got
        out: str | None = None
        if _OK_CHARS.match(phrase) and len(phrase.split()) <= self.max_words:
            c = canonical_phrase(phrase)
            words = c.replace("-", " ").split()
            if words and all(self.unigrams.get(w, 0) >= self.min_count for w in words):
                out = c
        self._canon[phrase] = out
        return out


def build_graph(vocab: Vocab, moby, mythes, wn) -> ch.LinkGraph:
    g = ch.LinkGraph()
    for head, syns in moby.items():
        a = vocab.canon(head)
        if a is None:
            continue
        kept = list(dict.fromkeys(c for c in (vocab.canon(s) for s in syns) if c and c != a))
        g.moby_size[g.intern(a)] = len(kept)
        for b in kept:
            g.link(b, a, ch.MOBY_FWD)
            g.link(a, b, ch.MOBY_REV)
    log(f"moby: {len(g.bits):,} links")
    fwd = {"syn": ch.MY_FWD_SYN, "similar": ch.MY_FWD_SIM, "related": ch.MY_FWD_SIM, "generic": ch.MY_FWD_GEN}
    rev = {"syn": ch.MY_REV_SYN, "similar": ch.MY_REV_SIM, "related": ch.MY_REV_SIM, "generic": ch.MY_REV_GEN}
    for head, syns in mythes.items():
        a = vocab.canon(head)
        if a is None:
            continue
        rank = 0
        seen: set[str] = set()
        for syn in syns:
            b = vocab.canon(syn.phrase)
            if b is None or b == a:
                continue
            key = g.link(b, a, fwd[syn.relation])
            g.link(a, b, rev[syn.relation])
            if b not in seen and key is not None:
                seen.add(b)
                if key not in g.mythes_rank:
                    g.mythes_rank[key] = (rank, syn.sense)
                rank += 1
        aid = g.intern(a)
        g.mythes_size[aid] = g.mythes_size.get(aid, 0) + rank
    log(f"+mythes: {len(g.bits):,} links")
    canon_syn: dict[str, list[str]] = {}
    for key, lemmas in wn.synsets.items():
        kept = list(dict.fromkeys(c for c in (vocab.canon(x) for x in lemmas) if c))
        canon_syn[key] = kept
        for a in kept:
            for b in kept:
                if a != b:
                    g.link(a, b, ch.WN_SYN)
    for x, y in wn.similar:
        for a in canon_syn.get(x, ()):
            for b in canon_syn.get(y, ()):
                g.link(a, b, ch.WN_SIM)
                g.link(b, a, ch.WN_SIM)
    log(f"+wordnet: {len(g.bits):,} links, {len(g.phrases):,} phrases")
    return g


def add_rules(g: ch.LinkGraph) -> dict[str, list[str]]:
    """Link seed groups internally and to multi-word phrases linked to >= 2 members."""
    by_orig: dict[int, set[int]] = {}
    for key in g.bits:
        by_orig.setdefault(key % g.K, set()).add(key // g.K)
        by_orig.setdefault(key // g.K, set()).add(key % g.K)
    report: dict[str, list[str]] = {}
    for group in FUNCTION_GROUPS:
        members = [canonical_phrase(m) for m in group]
        for o in members:
            for s in members:
                g.link(s, o, ch.RULE_SEED)
        counts: dict[int, int] = {}
        for m in members:
            for n in by_orig.get(g.ids.get(m, -1), ()):
                counts[n] = counts.get(n, 0) + 1
        need = 2
        expansions = sorted(g.phrases[n] for n, c in counts.items()
                            if c >= need and " " in g.phrases[n] and g.phrases[n] not in members)
        for s in expansions:
            for o in members:
                g.link(s, o, ch.RULE)
        report[" | ".join(members)] = expansions
    return report


def pps_pairs(g: ch.LinkGraph) -> list[tuple[str, str, str]]:
    """Aligned (spun, original, expected phrase) swaps from pps-train.tsv."""
    def same(a: str, b: str) -> bool:
        return a == b or canonical_word(a) == canonical_word(b)

    def keys(s: str, o: str) -> tuple[str, str]:
        """The lookup keys an engine would try: the first linked pair, else canonical forms."""
        for ks in lemma_phrase(s.split()):
            for ko in lemma_phrase(o.split()):
                if g.get(ks, ko):
                    return ks, ko
        return canonical_phrase(s), canonical_phrase(o)

    def linked(s: str, o: str) -> bool:
        ks, ko = keys(s, o)
        return g.get(ks, ko) != 0

    out = []
    with PPS.open(encoding="utf-8") as fh:
        fh.readline()
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            for s, o in ch.align(ch.tokens(parts[0]), ch.tokens(parts[1]), linked, same):
                out.append((*keys(s, o), parts[1].lower().strip()))
    return out


def groups_for(g, cands, pairs):
    """Rows (s_ids, o_ids), group starts and positive row per pair whose original is a candidate."""
    s_rows, o_rows, starts, pos = [], [], [], []
    n = 0
    for s, o in pairs:
        sid, oid = g.ids.get(s), g.ids.get(o)
        if sid is None or oid is None or oid not in cands.get(sid, ()):
            continue
        cs = cands[sid]
        starts.append(n)
        pos.append(n + cs.index(oid))
        s_rows.extend([sid] * len(cs))
        o_rows.extend(cs)
        n += len(cs)
    return np.array(s_rows, dtype=np.int64), np.array(o_rows, dtype=np.int64), np.array(starts), np.array(pos)


def evaluate(g, stats, cands, pairs, w, mu, sd, cap):
    """Coverage and top-k of the model ranking (and two baselines) on unique pairs."""
    res = {"pairs": len(pairs), "covered": 0, "in_cap": 0, "top1": 0, "top5": 0,
           "base_freq_top1": 0, "base_freq_top5": 0, "base_nsrc_top1": 0, "base_nsrc_top5": 0,
           "spun_known": 0}
    for s, o in pairs:
        sid, oid = g.ids.get(s), g.ids.get(o)
        if sid is None or sid not in cands:
            continue
        res["spun_known"] += 1
        cs = cands[sid]
        if oid is None or oid not in cs:
            if len(res.setdefault("uncovered_examples", [])) < 40:
                res["uncovered_examples"].append(f"{s}->{o}")
            continue
        res["covered"] += 1
        X = ch.features(g, stats, np.full(len(cs), sid), np.array(cs))
        i = cs.index(oid)
        model_score = ((X - mu) / sd) @ w
        if len(res.setdefault("wrong_examples", [])) < 25 and np.sum(model_score > model_score[i]) >= 1:
            res["wrong_examples"].append(f"{s}->{o} got {g.phrases[cs[int(np.argmax(model_score))]]}")
        for name, score in (("", ((X - mu) / sd) @ w), ("base_freq_", X[:, ch.FEATURE_NAMES.index("orig_logfreq_mean")]),
                            ("base_nsrc_", X[:, ch.FEATURE_NAMES.index("n_sources")] + 1e-3 * X[:, ch.FEATURE_NAMES.index("orig_logfreq_mean")])):
            rank = int(np.sum(score > score[i]))
            res[name + "top1"] += rank < 1
            res[name + "top5"] += rank < 5
            if name == "":
                res["in_cap"] += rank < cap
    return res


def fit(g, stats, cands, pairs, l2):
    s_ids, o_ids, starts, pos = groups_for(g, cands, pairs)
    X = ch.features(g, stats, s_ids, o_ids, starts)
    mu, sd = X.mean(axis=0), X.std(axis=0) + 1e-9
    w = ch.fit_conditional_logit((X - mu) / sd, starts, pos, l2=l2)
    return w, mu, sd, len(starts)


def write_lexicon(path, g, stats, cands, w, mu, sd, cap, built) -> tuple[int, int]:
    seed_col, rule_bits = ch.RULE_SEED, ch.RULE
    lines = []
    max_words = 0
    for sid in sorted(cands, key=lambda i: g.phrases[i]):
        cs = cands[sid]
        X = ch.features(g, stats, np.full(len(cs), sid), np.array(cs))
        p = ch.group_softmax(((X - mu) / sd) @ w, np.array([0]))
        bits = [g.bits[sid * g.K + o] for o in cs]
        for j, b in enumerate(bits):
            if b & seed_col:
                p[j] = max(p[j], SEED_PRIOR)
            elif b & rule_bits:
                p[j] = max(p[j], EXPANSION_PRIOR)
        p = p / p.sum()
        order = np.argsort(-p, kind="stable")[:cap]
        cells = []
        for j in order:
            cells.append(g.phrases[cs[j]])
            cells.append(f"{max(float(p[j]), 1e-4):.2g}")
        spun = g.phrases[sid]
        max_words = max(max_words, len(spun.split()))
        lines.append(spun + "\t" + "\t".join(cells))
    header = "\t".join([LEXICON_MAGIC, f"format={LEXICON_FORMAT}", "version=thesaurus.v1",
                        f"sources={SOURCES}", f"licences={LICENCES}", f"built={built}",
                        "prior=softmax-of-channel-model-per-spun-entry(before-cap)",
                        f"entries={len(lines)}", f"max_spun_words={max_words}",
                        f"channel_weights=lexicon.v1.model.json({PPS_ATTRIBUTION})"])
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(header + "\n")
        for line in lines:
            fh.write(line + "\n")
    return len(lines), max_words


def write_ngrams(path, unigrams, bigrams, built) -> None:
    header = "\t".join([NGRAM_MAGIC, f"format={LEXICON_FORMAT}", "version=symspell.v1",
                        "sources=symspellpy-6.10.1:frequency_dictionary_en_82_765.txt+"
                        "frequency_bigramdictionary_en_243_342.txt", "licences=MIT",
                        f"built={built}", f"unigrams={len(unigrams)}", f"bigrams={len(bigrams)}"])
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(header + "\n")
        for wd, c in unigrams.items():
            fh.write(f"u\t{wd}\t{c}\n")
        for bg, c in bigrams.items():
            fh.write(f"b\t{bg}\t{c}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-count", type=int, default=100_000, help="min unigram count of every word")
    ap.add_argument("--max-words", type=int, default=4)
    ap.add_argument("--cap", type=int, default=40, help="candidates kept per spun phrase")
    ap.add_argument("--l2", type=float, default=20.0)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--out-dir", type=Path, default=DATA, help="where to write the data files")
    args = ap.parse_args()
    built = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")

    unigrams, bigrams = read_counts(UNIGRAMS), read_counts(BIGRAMS)
    vocab = Vocab(unigrams, args.min_count, args.max_words)
    log("reading sources")
    moby, mythes, wn = read_moby(), read_mythes(), read_wordnet()
    g = build_graph(vocab, moby, mythes, wn)
    rules = add_rules(g)
    pos = {canonical_phrase(k): v for k, v in wn.pos.items()}
    stats = ch.phrase_stats(g.phrases, unigrams, pos)
    cands = g.by_spun()
    log(f"{len(cands):,} spun phrases, {len(g.bits):,} links")

    triples = pps_pairs(g)
    held = {e for _, _, e in triples if zlib.crc32(e.encode()) % 5 == 0}
    train = sorted({(s, o) for s, o, e in triples if e not in held})
    test = sorted({(s, o) for s, o, e in triples if e in held})
    test_unseen = [p for p in test if p not in set(train)]
    log(f"pps: {len(triples)} aligned swaps; unique train {len(train)}, held-out {len(test)} "
        f"({len(test_unseen)} not in train); multi-word: "
        f"{sum(1 for s, o in train + test if ' ' in s or ' ' in o)}")
    w, mu, sd, n_groups = fit(g, stats, cands, train, args.l2)
    quality = {"held_out": evaluate(g, stats, cands, test, w, mu, sd, args.cap),
               "held_out_unseen_pairs": evaluate(g, stats, cands, test_unseen, w, mu, sd, args.cap),
               "train_groups": n_groups}
    for k in ("held_out", "held_out_unseen_pairs"):
        for ex in ("uncovered_examples", "wrong_examples"):
            examples = quality[k].pop(ex, [])
            if k == "held_out":
                log(f"{ex}: {examples}")
    log("held-out: " + json.dumps(quality))
    w, mu, sd, n_groups = fit(g, stats, cands, sorted(set(train) | set(test)), args.l2)
    log("weights: " + ", ".join(f"{n}={x / s:+.3f}" for n, x, s in zip(ch.FEATURE_NAMES, w, sd)))
    for grp, exp in rules.items():
        log(f"rule {grp}: {len(exp)} expansions, e.g. {exp[:6]}")
    for s, o in (("on account of", "because of"), ("in line with", "according to"),
                 ("sufferer", "patient"), ("profound", "deep"), ("weight problem", "obesity"),
                 ("counterfeit", "artificial")):
        b = g.get(s, o)
        log(f"link {s!r} -> {o!r}: {[n for bit, n in ch.BIT_NAMES.items() if b & bit] or 'absent'}")
    if args.dry_run:
        return
    model = {"format": 1, "version": "thesaurus.v1", "built": built, "attribution": PPS_ATTRIBUTION,
             "model": "conditional logit over candidate originals of one spun phrase",
             "features": list(ch.FEATURE_NAMES), "weights": [round(float(x), 5) for x in w],
             "feature_mean": [round(float(x), 5) for x in mu], "feature_sd": [round(float(x), 5) for x in sd],
             "train_groups": n_groups, "quality": quality,
             "rule_priors": {"seed": SEED_PRIOR, "expansion": EXPANSION_PRIOR},
             "build": {"min_count": args.min_count, "max_words": args.max_words, "cap": args.cap, "l2": args.l2}}
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "lexicon.v1.model.json").write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    n, mw = write_lexicon(args.out_dir / "lexicon.v1.tsv.gz", g, stats, cands, w, mu, sd, args.cap, built)
    write_ngrams(args.out_dir / "ngrams.v1.tsv.gz", unigrams, bigrams, built)
    log(f"wrote {n:,} spun entries (max {mw} words)")


if __name__ == "__main__":
    main()
