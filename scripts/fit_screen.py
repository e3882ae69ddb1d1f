"""Fit the fast-mode document screen (src/unspin/data/screen.v1.json) on DEV data only.

Spins dev-split documents (>= 300 words) with the DEV spinner profile ``pps`` (the held-out
profile ``synonymizer`` is never used here), scores spun and clean versions with the fast
pipeline, computes :func:`unspin.engine.screen.document_features`, and fits a small L2
logistic regression with numpy (spun = 1, clean = 0). Prints each feature's AUC alone and the
two-fold cross-validated AUC of the model, then writes the weights with a header.

It also reports span-level behaviour on the same documents: false changes per 1,000 clean
words and span F1 for a grid of decision settings (copied from scripts/tune_engine.py).

    python scripts/fit_screen.py --docs 160            # fit and write the weights
    python scripts/fit_screen.py --docs 160 --no-write # measure only
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import time
from multiprocessing import Pool

import numpy as np

from unspin import Config
from unspin.bench.corpus import default_corpus_path, load_corpus, sample
from unspin.bench.metrics import changed_words, roc_auc, span_counts
from unspin.engine.decode import Tuning
from unspin.engine.pipeline import finish, score
from unspin.engine.screen import (
    MODEL_FEATURES,
    SCREEN_FILE,
    SCREEN_FORMAT,
    SCREEN_MAGIC,
    SCREEN_VERSION,
    document_features,
    lite_features,
)
from unspin.lexicon import load_lexicon
from unspin.lexicon.store import data_dir
from unspin.spinner import HELD_OUT, spin

DEV_PROFILE = "pps"
MIN_WORDS = 300
L2 = 1e-2


def _work(item: tuple[int, str, float]):
    i, text, rate = item
    config = Config(mode="fast")
    s = spin(text, profile=DEV_PROFILE, rate=rate, seed=i)
    gold = [(e.spun_start, e.spun_end) for e in s.edits]
    return score(s.spun, config), score(text, config), gold


def _features(scored, model: str) -> list[float]:
    if model == "lite":
        f = lite_features(scored.doc, load_lexicon())
    else:
        f = document_features(scored.doc, load_lexicon(), [x for seg in scored.segments for x in seg])
    return [f[k] for k in MODEL_FEATURES[model]]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log-loss (bias unpenalised); x is standardised."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    pen = np.r_[np.full(x.shape[1], l2), 0.0]
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) / len(y) + pen * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb / len(y) + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def cross_validated_auc(a: np.ndarray, b: np.ndarray, reps: int = 10) -> float:
    """Mean two-fold AUC over random document splits (a: spun rows, b: their clean rows)."""
    aucs = []
    for r in range(reps):
        idx = np.random.default_rng(r).permutation(len(a))
        folds = (idx[::2], idx[1::2])
        pos: list[float] = []
        neg: list[float] = []
        for k in range(2):
            tr, te = folds[1 - k], folds[k]
            x = np.vstack([a[tr], b[tr]])
            mu, sd = x.mean(0), x.std(0) + 1e-9
            w, c = fit_logistic((x - mu) / sd, np.r_[np.ones(len(tr)), np.zeros(len(tr))])
            pos += list(((a[te] - mu) / sd) @ w + c)
            neg += list(((b[te] - mu) / sd) @ w + c)
        aucs.append(roc_auc(pos, neg))
    return float(np.mean(aucs))


def span_grid(items, words: int) -> None:
    """False changes per 1k clean words and span F1 for a grid of fast-mode decision settings."""
    config = Config(mode="fast")
    rows = []
    for rho, lm, pw, thr in itertools.product([0.01, 0.03, 0.06, 0.12], [0.5, 1.0], [1.0, 2.0], [0.5, 0.7, 0.9]):
        tuning = Tuning(rho=rho, lm_weight=lm, prior_weight=pw)
        cfg = Config(mode="fast", flag_threshold=thr)
        counts = span_counts([], [])
        fc = 0
        for spun_scored, clean_scored, gold in items:
            a = finish(spun_scored, cfg, tuning)
            counts = counts + span_counts([(f.start, f.end) for f in a.report.findings], gold)
            fc += changed_words(clean_scored.text, finish(clean_scored, cfg, tuning).edits)
        rows.append((1000.0 * fc / words, counts.f1 or 0.0, counts.precision or 0.0, counts.recall or 0.0, rho, lm, pw, thr))
    print(f"default fast settings: {config.flag_threshold=}")
    ok = [r for r in rows if r[0] <= 2.0]
    for r in sorted(ok, key=lambda r: -r[1])[:6]:
        print(f"  FC/1k {r[0]:.2f}  F1 {r[1]:.3f} (P {r[2]:.3f} R {r[3]:.3f})  rho={r[4]} lm_weight={r[5]} prior_weight={r[6]} flag_threshold={r[7]}")
    ref = [r for r in rows if (r[4], r[5], r[6], r[7]) == (0.12, 1.0, 1.0, 0.5)]
    if ref:
        r = ref[0]
        print(f"  current default: FC/1k {r[0]:.2f}  F1 {r[1]:.3f} (P {r[2]:.3f} R {r[3]:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=160)
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--no-spans", action="store_true")
    args = ap.parse_args()
    assert DEV_PROFILE not in HELD_OUT
    corpus_path = default_corpus_path("dev")
    docs = sample(load_corpus(corpus_path), args.docs)
    t0 = time.time()
    with Pool(2) as pool:
        items = pool.map(_work, [(i, d.text, args.rate) for i, d in enumerate(docs)], chunksize=4)
    items = [it for it in items if it[1].words >= MIN_WORDS]
    words = sum(it[1].words for it in items)
    print(f"scored {len(items)} dev document pairs ({words} clean words) in {time.time() - t0:.0f}s")
    models = {}
    for model, names in MODEL_FEATURES.items():
        a = np.array([_features(it[0], model) for it in items])
        b = np.array([_features(it[1], model) for it in items])
        print(f"model {model!r}:")
        for j, name in enumerate(names):
            print(f"  {name:15s} AUC alone {roc_auc(a[:, j], b[:, j]):.3f}")
        cv = cross_validated_auc(a, b)
        x = np.vstack([a, b])
        mu, sd = x.mean(0), x.std(0) + 1e-9
        w, c = fit_logistic((x - mu) / sd, np.r_[np.ones(len(a)), np.zeros(len(b))])
        fitted = roc_auc(list(((a - mu) / sd) @ w + c), list(((b - mu) / sd) @ w + c))
        print(f"  two-fold cross-validated AUC {cv:.4f}, in-sample {fitted:.4f}")
        print("  weights " + ", ".join(f"{n}={v:+.2f}" for n, v in zip(names, w)))
        models[model] = {
            "cv_auc": round(cv, 4),
            "features": list(names),
            "mean": [round(float(v), 6) for v in mu],
            "scale": [round(float(v), 6) for v in sd],
            "weights": [round(float(v), 6) for v in w],
            "bias": round(c, 6),
        }
    if not args.no_write:
        out = {
            "magic": SCREEN_MAGIC,
            "format": SCREEN_FORMAT,
            "version": SCREEN_VERSION,
            "built": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
            "model": "logistic regression over standardised document features (spun=1, clean=0)",
            "fitted_on": f"dev split ({corpus_path.name}), spinner profile {DEV_PROFILE}, rate {args.rate}, "
            f"{len(items)} document pairs of >= {MIN_WORDS} words, L2 {L2}",
            "sources": "unspin dev corpus (Brown corpus, MIT; State of the Union, Apache-2.0); symspellpy n-grams (MIT)",
            "models": models,
        }
        path = data_dir() / SCREEN_FILE
        path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    if not args.no_spans:
        span_grid(items, words)


if __name__ == "__main__":
    main()
