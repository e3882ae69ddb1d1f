"""Session 14 (issue 15), measured and not adopted: could the sub-vocabulary normaliser use fewer
tokens, ranked by how much probability they carry on clean dev text?

    python benchmarks/experiments/sub_vocab_ranking.py 40 SPUN1180.txt   # 40 dev texts per register; extra held-out files

Ranks the sub-vocabulary tokens by their largest (and mean) share of the next-token
probability over every position of 200 clean dev texts, then measures on held-out text (10
test texts per register and 1,180 words of spun news) how far the log-sum-exp over the best K
tokens falls below the full sub-vocabulary one. Prints the error per K (BENCHMARKS.md,
session 14).
"""
import numpy as np, time, sys
from unspin.bench.corpus import register_documents
from unspin.engine.lm import load_model
from unspin import Config
lm = load_model(Config().model, None); h = lm.out_head
def rows_of(texts):
    for t in texts:
        ids = [lm.bos] + lm.tokenize(" ".join(t.split()[:400]))[:900]
        lm.score_pass(ids)
        yield lm._last.hp.copy()
def shares(hp):
    z = hp @ h._W_sub.T
    m = z.max(1, keepdims=True); p = np.exp(z - m); s = p.sum(1, keepdims=True)
    return p / s, np.log(s[:, 0]) + m[:, 0]
t0 = time.time()
dev = [d.text for _, d in register_documents("dev", int(sys.argv[1]), min_words=250)]
mx = np.zeros(len(h.sub_ids)); mean = np.zeros(len(h.sub_ids)); n = 0
for hp in rows_of(dev):
    for a in range(0, len(hp), 256):
        sh, _ = shares(hp[a:a+256]); mx = np.maximum(mx, sh.max(0)); mean += sh.sum(0); n += len(sh)
print("dev rows", n, "texts", len(dev), time.time() - t0)

test = [d.text for _, d in register_documents("test", 10, min_words=250)] + [open(f).read() for f in sys.argv[2:]]
P = []; F = []
for hp in rows_of(test):
    for a in range(0, len(hp), 256):
        sh, full = shares(hp[a:a+256]); P.append(sh.astype(np.float32)); F.append(full)
P = np.concatenate(P)
print("test rows", len(P))
for name, score in [("max", mx), ("mean", mean)]:
    order = np.argsort(-score)
    for K in [12000, 16000, 20000, 24000, 32000]:
        keep = order[:K]
        e = -np.log(P[:, keep].sum(1, dtype=np.float64))
        print(name, K, "err mean %.5f sd %.5f p99 %.4f p999 %.4f max %.4f" % (e.mean(), e.std(), np.quantile(e, .99), np.quantile(e, .999), e.max()))
