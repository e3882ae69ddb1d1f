"""Profile one deep restore: where the time goes (cProfile cumulative times of the stages).

    PYTHONPATH=<tree>/src python scripts/profile_deep.py TEXT.txt OUT.json

Writes the stage times (seconds, cumulative) as JSON to OUT.json and the restored text to
OUT.json.txt. Works on older trees too (the stages are found by function name).
"""
import cProfile, pstats, sys, time, json, io
path, out = sys.argv[1], sys.argv[2]
text = open(path).read()
t0 = time.perf_counter()
pr = cProfile.Profile()
pr.enable()
import unspin
from unspin.engine.lm import load_model
from unspin import Config
t1 = time.perf_counter()
lm = load_model(Config().model, None)
t2 = time.perf_counter()
r = unspin.restore_and_explain(text, Config())
t3 = time.perf_counter()
pr.disable()
st = pstats.Stats(pr)
want = {"_load_model": "model load", "score_pass": "pass over the text", "_continuations": "hypothesis tokens (llama.cpp + head)",
        "llama_decode": "llama_decode (all)", "_normalise": "sub head normaliser", "pair_logits": "numpy head logits", "lse_sub": "lse_sub",
        "_logsumexp_rows_inplace": "exact normaliser (pass)", "_logsumexp_rows": "exact normaliser (hypotheses)",
        "find_slots": "candidate generation", "finish": "decision", "score_segment": "deep scorer total", "choose": "rescoring rule",
        "tokens_with_offsets": "tokenizer offsets", "tokenize": "tokenize", "load_lexicon": "lexicon load", "_decode": "_decode"}
res = {}
for (f, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
    if name in want:
        key = want[name]
        res[key] = max(res.get(key, 0), ct)
res["imports"] = t1 - t0
res["restore total (after load)"] = t3 - t2
res["wall total"] = t3 - t0
res["words"] = r.report.words
res["edits"] = len(r.edits)
json.dump(res, open(out, "w"), indent=1)
print(json.dumps(res, indent=1))
open(out + ".txt", "w").write(r.text)
