"""How faithfully does each registered model's arithmetic compute Gemma 3 270M's weights?

    python scripts/body_fidelity.py TEXT.txt [--json OUT.json]

Scores every token of TEXT with the packed file (``gemma3-270m.v1``: Q4_K/Q5_0/Q6_K weights,
activations rounded to Q8_0), with the F16 body (``gemma3-270m.v2``) and with the same weights
widened to F32 (the exact reference: no rounding of weights or activations beyond F32), all
with the sub-vocabulary head, and prints how far each is from the reference per token
(nats; mean, median, 90th and 99th percentile of |difference|). The F32 copy is made in a
temporary folder and deleted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from unspin.engine.lm import LanguageModel
from unspin.models import resolve_model, widen_body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("text")
    ap.add_argument("--json")
    args = ap.parse_args()
    text = Path(args.text).read_text(encoding="utf-8")
    _, packed = resolve_model("gemma3-270m.v1")
    _, widened = resolve_model("gemma3-270m.v2")
    with tempfile.TemporaryDirectory() as tmp:
        exact = Path(tmp) / "f32.gguf"
        widen_body(packed, exact, "f32")
        scores = {}
        for name, path in (("gemma3-270m.v1", packed), ("gemma3-270m.v2", widened), ("f32 reference", exact)):
            lm = LanguageModel(path, name, 2, "sub")
            ids = [lm.bos, *lm.tokenize(text)][: lm.max_pass_tokens]
            scores[name] = lm.pass_logprobs(ids, {})[0][1:]
            del lm
    ref = scores.pop("f32 reference")
    out = {"text": args.text, "tokens": int(len(ref))}
    for name, s in scores.items():
        d = np.abs(s - ref)
        out[name] = {"mean": float(d.mean()), "median": float(np.median(d)),
                     "p90": float(np.quantile(d, 0.9)), "p99": float(np.quantile(d, 0.99)), "max": float(d.max())}
        print(f"{name}: |log-prob - F32 reference| over {len(d)} tokens: mean {d.mean():.4f}, median "
              f"{np.median(d):.4f}, p90 {np.quantile(d, 0.9):.4f}, p99 {np.quantile(d, 0.99):.4f}, max {d.max():.3f} nats")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
