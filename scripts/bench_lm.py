"""Speed and faithfulness of the LM heads: ``exact`` (llama.cpp's full logits) vs ``sub``.

For each document (clean prose of the test corpus, cut to ``--tokens`` tokens) it runs

* a pass scoring every position (``pass_logprobs``) with each head;
* a body-only pass (no position scored) to split the pass time into body and head;
* sentence-wide hypotheses: at every ``--every``-th position, the actual token and the
  ``--alts`` next tokens the model likes best, each followed by ``--right`` tokens of the
  actual right context, scored as continuations sharing the prefix's KV cache
  (``score_hypotheses``: all of a document's hypotheses in one call).

It reports tokens/s (wall and CPU time of this process; the machine may be shared) and the
differences of the ``sub`` head from the exact one: per-token log-probabilities, hypothesis
totals, and the quantity a decision uses, the margin of a hypothesis over the actual text.

    .venv/bin/python scripts/bench_lm.py --docs 6 --tokens 300 --json /tmp/bench_lm.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

from unspin.engine.lm import load_model

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn):  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="gemma3-270m.v2")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--corpus", default=str(ROOT / "benchmarks/corpora/test.jsonl.gz"))
    ap.add_argument("--docs", type=int, default=6)
    ap.add_argument("--tokens", type=int, default=300)
    ap.add_argument("--every", type=int, default=12)
    ap.add_argument("--alts", type=int, default=3)
    ap.add_argument("--right", type=int, default=10)
    ap.add_argument("--json", default="")
    args = ap.parse_args()

    lm, load_wall, load_cpu = _timed(lambda: load_model(args.model, args.threads, "sub"))
    assert lm.out_head is not None
    print(f"load {load_wall:.1f}s wall; probe |logit gap| {lm.head_error:.2e}; sub-vocabulary {len(lm.out_head.sub_ids)} tokens")
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line)["text"] for line in fh]
    step = max(1, len(docs) // args.docs)
    docs = docs[::step][: args.docs]

    t = {k: [0.0, 0.0] for k in ("pass_exact", "pass_sub", "body", "cont_exact", "cont_sub")}
    n_pass = n_cont = 0
    d_actual: list[np.ndarray] = []
    d_total: list[float] = []
    d_margin: list[float] = []
    for text in docs:
        ids, _ = lm.tokens_with_offsets(text)
        ids = ids[: args.tokens]
        n_pass += len(ids)
        res = {}
        for head in ("exact", "sub"):
            (a, _), w, c = _timed(lambda: lm.pass_logprobs(ids, {}, head=head))
            t[f"pass_{head}"][0] += w
            t[f"pass_{head}"][1] += c
            res[head] = a
        _, w, c = _timed(lambda: lm.score_pass(ids, positions=[], head="sub"))
        t["body"][0] += w
        t["body"][1] += c
        d_actual.append(np.abs(res["exact"][1:] - res["sub"][1:]))
        # Sentence-wide hypotheses at every `every`-th position.
        sites = list(range(4, len(ids) - args.right - 1, args.every))
        alts = lm.top_next(sites, args.alts + 1)
        scores = {}
        for head in ("exact", "sub"):
            lm.pass_logprobs(ids, {}, head=head)
            items = []
            for p in sites:
                right = list(ids[p + 1 : p + 1 + args.right])
                firsts = [ids[p]] + [tok for tok, _ in alts[p] if tok != ids[p]][: args.alts]
                items.extend((p, [f, *right]) for f in firsts)
                if head == "exact":
                    n_cont += sum(len(right) for _ in firsts)
            outs, w, c = _timed(lambda: lm.score_hypotheses(items, head=head))
            t[f"cont_{head}"][0] += w
            t[f"cont_{head}"][1] += c
            tot: list[list[float]] = []
            k = 0
            for p in sites:
                m = sum(1 for q, _ in items if q == p)
                tot.append([float(o.sum()) for o in outs[k : k + m]])
                k += m
            scores[head] = tot
        for te, ts in zip(scores["exact"], scores["sub"]):
            d_total.extend(abs(x - y) for x, y in zip(te, ts))
            d_margin.extend(abs((x - te[0]) - (y - ts[0])) for x, y in zip(te[1:], ts[1:]))
    da = np.concatenate(d_actual)
    out = {
        "docs": len(docs),
        "pass_tokens": n_pass,
        "continuation_tokens": n_cont,
        "sub_vocabulary": int(len(lm.out_head.sub_ids)),
        "probe_logit_gap": lm.head_error,
        "tokens_per_s": {
            k: {"wall": (n_pass if k.startswith(("pass", "body")) else n_cont) / v[0], "cpu": (n_pass if k.startswith(("pass", "body")) else n_cont) / v[1]}
            for k, v in t.items()
        },
        "actual_logprob_abs_diff": _stats(da),
        "hypothesis_total_abs_diff": _stats(np.array(d_total)),
        "hypothesis_margin_abs_diff": _stats(np.array(d_margin)),
    }
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def _stats(x: np.ndarray) -> dict[str, float]:
    if len(x) == 0:
        return {}
    return {
        "n": int(len(x)),
        "mean": float(x.mean()),
        "p50": float(np.median(x)),
        "p90": float(np.quantile(x, 0.9)),
        "p99": float(np.quantile(x, 0.99)),
        "max": float(x.max()),
    }


if __name__ == "__main__":
    main()
