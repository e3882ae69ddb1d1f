"""The spinner's channel model: how likely a spinner writes phrase *s* for original *o*.

Build-time code for ``scripts/build_lexicon.py``. A :class:`LinkGraph` holds every thesaurus
link between two lemma phrases with a bit per source and direction; :func:`features` turns a
(spun, original) pair into numbers that generalise to pairs never seen in training; a
conditional logit (a softmax over the candidate originals of one spun phrase, fitted with
plain numpy) learns their weights from real spinner output aligned word by word
(:func:`align`). Only the weights ship, never the training pairs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# Link bits: "fwd" means the original's entry lists the spun phrase (a spinner replacing the
# original picked it from that list); "rev" means the spun phrase's entry lists the original.
MOBY_FWD, MOBY_REV = 1, 2
MY_FWD_SYN, MY_FWD_SIM, MY_FWD_GEN = 4, 8, 16
MY_REV_SYN, MY_REV_SIM, MY_REV_GEN = 32, 64, 128
WN_SYN, WN_SIM = 256, 512
RULE, RULE_SEED = 1024, 2048
BIT_NAMES = {MOBY_FWD: "moby_fwd", MOBY_REV: "moby_rev", MY_FWD_SYN: "mythes_fwd_syn",
             MY_FWD_SIM: "mythes_fwd_similar", MY_FWD_GEN: "mythes_fwd_generic",
             MY_REV_SYN: "mythes_rev_syn", MY_REV_SIM: "mythes_rev_similar",
             MY_REV_GEN: "mythes_rev_generic", WN_SYN: "wordnet_synset",
             WN_SIM: "wordnet_similar", RULE: "function_rule", RULE_SEED: "function_seed"}
_MODEL_BITS = (MOBY_FWD, MOBY_REV, MY_FWD_SYN, MY_FWD_SIM, MY_FWD_GEN, MY_REV_SYN,
               MY_REV_SIM, MY_REV_GEN, WN_SYN, WN_SIM)

FEATURE_NAMES: tuple[str, ...] = (
    *(BIT_NAMES[b] for b in _MODEL_BITS),
    "n_sources",
    "mythes_fwd_rank_log",  # log(1+position of s in o's MyThes entry), 0 if absent
    "mythes_fwd_first_sense",
    "moby_list_size_log",  # log size of o's Moby list (a uniform spinner picks 1/size)
    "mythes_list_size_log",
    "orig_logfreq_mean",
    "orig_logfreq_min",
    "logfreq_ratio",  # mean log freq of s minus that of o
    "orig_longer",  # o has more words than s
    "orig_shorter",  # o has fewer words than s
    "orig_3plus_words",
    "same_pos_possible",
    "pos_unknown",
    "shared_prefix4",
    "substring",
    "orig_freq_rank_log",  # log(1+rank of o's frequency among the candidates of s)
    "moby_mutual",  # each lists the other in Moby
    "orig_logfreq_sq",  # (mean log freq of o - 14)^2 / 10: a preference for mid frequencies
)


@dataclass
class LinkGraph:
    """Mutable build-time store of thesaurus links between interned phrases."""

    phrases: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    bits: dict[int, int] = field(default_factory=dict)  # s_id * K + o_id -> link bits
    mythes_rank: dict[int, tuple[int, int]] = field(default_factory=dict)  # -> (rank, sense)
    moby_size: dict[int, int] = field(default_factory=dict)
    mythes_size: dict[int, int] = field(default_factory=dict)

    K = 1 << 24

    def intern(self, phrase: str) -> int:
        pid = self.ids.get(phrase)
        if pid is None:
            pid = self.ids[phrase] = len(self.phrases)
            self.phrases.append(phrase)
        return pid

    def link(self, spun: str, orig: str, bit: int) -> int | None:
        if spun == orig:
            return None
        key = self.intern(spun) * self.K + self.intern(orig)
        self.bits[key] = self.bits.get(key, 0) | bit
        return key

    def get(self, spun: str, orig: str) -> int:
        s, o = self.ids.get(spun), self.ids.get(orig)
        if s is None or o is None:
            return 0
        return self.bits.get(s * self.K + o, 0)

    def by_spun(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for key in self.bits:
            out.setdefault(key // self.K, []).append(key % self.K)
        return out


@dataclass(frozen=True)
class PhraseStats:
    """Per-phrase numbers the features need (frequencies, word counts, POS)."""

    logfreq_mean: np.ndarray
    logfreq_min: np.ndarray
    n_words: np.ndarray
    pos_mask: np.ndarray  # bits n=1 v=2 a=4 r=8; 0 unknown


def phrase_stats(phrases: list[str], unigrams: dict[str, int], pos: dict[str, str]) -> PhraseStats:
    """Compute :class:`PhraseStats` for every interned phrase."""
    floor = math.log(1000.0)
    mean = np.empty(len(phrases))
    mn = np.empty(len(phrases))
    nw = np.empty(len(phrases))
    pm = np.zeros(len(phrases), dtype=np.int64)
    letters = {"n": 1, "v": 2, "a": 4, "r": 8}
    for i, p in enumerate(phrases):
        words = p.replace("-", " ").split()
        lf = [math.log(unigrams[w]) if w in unigrams else floor for w in words] or [floor]
        mean[i] = sum(lf) / len(lf)
        mn[i] = min(lf)
        nw[i] = len(p.split())
        pm[i] = sum(letters[c] for c in set(pos.get(p, "")))
    return PhraseStats(mean, mn, nw, pm)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def features(graph: LinkGraph, stats: PhraseStats, s_ids: np.ndarray, o_ids: np.ndarray,
             starts: np.ndarray | None = None) -> np.ndarray:
    """Feature matrix (pairs x len(FEATURE_NAMES)) for (spun, original) id pairs.

    Rows form candidate groups beginning at ``starts`` (default: one group), which the
    group-relative features (frequency rank) need.
    """
    K = graph.K
    keys = s_ids.astype(np.int64) * K + o_ids.astype(np.int64)
    bits = np.fromiter((graph.bits.get(int(k), 0) for k in keys), dtype=np.int64, count=len(keys))
    cols: list[np.ndarray] = [((bits & b) > 0).astype(float) for b in _MODEL_BITS]
    cols.append(np.sum(cols[:10], axis=0))
    ranks = [graph.mythes_rank.get(int(k)) for k in keys]
    cols.append(np.array([math.log1p(r[0]) if r else 0.0 for r in ranks]))
    cols.append(np.array([1.0 if r and r[1] == 0 else 0.0 for r in ranks]))
    cols.append(np.array([math.log1p(graph.moby_size.get(int(o), 0)) for o in o_ids]))
    cols.append(np.array([math.log1p(graph.mythes_size.get(int(o), 0)) for o in o_ids]))
    cols.append(stats.logfreq_mean[o_ids])
    cols.append(stats.logfreq_min[o_ids])
    cols.append(stats.logfreq_mean[s_ids] - stats.logfreq_mean[o_ids])
    cols.append((stats.n_words[o_ids] > stats.n_words[s_ids]).astype(float))
    cols.append((stats.n_words[o_ids] < stats.n_words[s_ids]).astype(float))
    cols.append((stats.n_words[o_ids] >= 3).astype(float))
    ps, po = stats.pos_mask[s_ids], stats.pos_mask[o_ids]
    cols.append(((ps & po) > 0).astype(float))
    cols.append(((ps == 0) | (po == 0)).astype(float))
    pre, sub = [], []
    for s, o in zip(s_ids, o_ids):
        a, b = graph.phrases[int(s)], graph.phrases[int(o)]
        pre.append(1.0 if _common_prefix(a, b) >= 4 else 0.0)
        sub.append(1.0 if (a in b or b in a) else 0.0)
    cols.append(np.array(pre))
    cols.append(np.array(sub))
    lf = stats.logfreq_mean[o_ids]
    rank = np.zeros(len(o_ids))
    bounds = np.append(np.array([0]) if starts is None else starts, len(o_ids))
    for a, b in zip(bounds[:-1], bounds[1:]):
        order = np.argsort(-lf[a:b], kind="stable")
        rank[a + order] = np.arange(b - a)
    cols.append(np.log1p(rank))
    cols.append(cols[0] * cols[1])
    cols.append((stats.logfreq_mean[o_ids] - 14.0) ** 2 / 10.0)
    return np.column_stack(cols)


# ---------------------------------------------------------------------------
# Aligning real spinner output


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\\\"")
_WORD = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; bracketed asides and hyphens dropped.

    >>> tokens("Fine Needle Aspirate (FNA) cross-validation")
    ['fine', 'needle', 'aspirate', 'cross', 'validation']
    """
    return _WORD.findall(_BRACKETS.sub(" ", text.lower()).replace("-", " "))


def align(spun: list[str], orig: list[str], linked: Callable[[str, str], bool],
          same: Callable[[str, str], bool], max_len: int = 4) -> list[tuple[str, str]]:
    """Align a spun and an original word list into substituted (spun, original) phrases.

    Equal-length differing middles align 1:1; otherwise a small dynamic programme allows
    1:1 substitutions (cheaper when the thesaurus links them), k:m phrase substitutions only
    where ``linked`` says the thesaurus links the two phrases, and unaligned words.

    >>> align("in line with the rules".split(), "according to the rules".split(),
    ...       lambda s, o: (s, o) == ("in line with", "according to"), str.__eq__)
    [('in line with', 'according to')]
    """
    i0 = 0
    while i0 < min(len(spun), len(orig)) and same(spun[i0], orig[i0]):
        i0 += 1
    j = 0
    while j < min(len(spun), len(orig)) - i0 and same(spun[-1 - j], orig[-1 - j]):
        j += 1
    T, E = spun[i0 : len(spun) - j], orig[i0 : len(orig) - j]
    if not T or not E:
        return []
    if len(T) == len(E):
        return [(t, e) for t, e in zip(T, E) if not same(t, e)]
    if len(T) > 12 or len(E) > 12:
        return []
    inf = float("inf")
    cost = [[inf] * (len(E) + 1) for _ in range(len(T) + 1)]
    back: dict[tuple[int, int], tuple[int, int, bool]] = {}
    cost[0][0] = 0.0
    for a in range(len(T) + 1):
        for b in range(len(E) + 1):
            c = cost[a][b]
            if c == inf:
                continue
            moves: list[tuple[int, int, float, bool]] = [(1, 0, 1.0, False), (0, 1, 1.0, False)]
            for k in range(1, max_len + 1):
                for m in range(1, max_len + 1):
                    if a + k > len(T) or b + m > len(E):
                        continue
                    sp, op = " ".join(T[a : a + k]), " ".join(E[b : b + m])
                    if k == m == 1 and same(sp, op):
                        moves.append((1, 1, 0.0, False))
                    elif linked(sp, op):
                        moves.append((k, m, 0.4 * (k + m) / 2, True))
                    elif k == m == 1:
                        moves.append((1, 1, 1.2, True))
            for k, m, w, keep in moves:
                if a + k > len(T) or b + m > len(E):
                    continue
                if c + w < cost[a + k][b + m]:
                    cost[a + k][b + m] = c + w
                    back[(a + k, b + m)] = (k, m, keep)
    out: list[tuple[str, str]] = []
    a, b = len(T), len(E)
    while (a, b) != (0, 0):
        k, m, keep = back[(a, b)]
        if keep:
            out.append((" ".join(T[a - k : a]), " ".join(E[b - m : b])))
        a, b = a - k, b - m
    return out[::-1]


# ---------------------------------------------------------------------------
# Conditional logit


def group_softmax(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Softmax within consecutive groups beginning at ``starts``."""
    gid = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(scores))))
    mx = np.maximum.reduceat(scores, starts)
    e = np.exp(scores - mx[gid])
    return e / np.add.reduceat(e, starts)[gid]


def fit_conditional_logit(X: np.ndarray, starts: np.ndarray, positive: np.ndarray,
                          l2: float = 1.0, iters: int = 800, lr: float = 0.05) -> np.ndarray:
    """Fit weights maximising sum of log softmax(X w)[positive] per group (Adam, L2).

    ``X`` rows are grouped consecutively, group g starting at ``starts[g]``; ``positive[g]``
    is the row index of that group's true original.
    """
    w = np.zeros(X.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    n = len(starts)
    for t in range(1, iters + 1):
        p = group_softmax(X @ w, starts)
        grad = X.T @ p - X[positive].sum(axis=0) + l2 * w
        grad /= n
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w
