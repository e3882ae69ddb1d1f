"""Experiment (session 15): the ranker's best utility as engine v3's slot statistic (issue 14).

The shipped slot statistic is the language model's log-odds of the best rescored candidate
against the text. The learned ranker (a conditional logit over each candidate's features:
the log-odds with and without right context, discounted for word frequency, the channel
prior, where the candidate came from, the same swap elsewhere in the text) already combines
more of a slot's evidence; its best candidate's utility against keeping the text is a slot
statistic too. Its null is built exactly like the shipped one, from the clean dev texts of
``deep-dev-v7-null`` (one per register); validity by 2-fold cross-validation over those texts;
power on ``deep-dev-v7-low`` through the decision stage (Storey's share, as before session
15's mixture share), with the weighted test's alternative refit for each statistic on the
same dev texts (in-sample for both).

    python benchmarks/experiments/ranker_statistic.py max ranker
"""
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import engine_v3 as E  # noqa: E402
from train_decision import read_cache  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from null_strata import dev_rows  # noqa: E402

import unspin.engine.null as N  # noqa: E402
from unspin import Config  # noqa: E402
from unspin.engine.decision import load_decision  # noqa: E402
from unspin.engine.infer import alternative_weights, document_test, fit_alternative, infer_document  # noqa: E402
from unspin.engine.scored import unigrams  # noqa: E402

NULL_CACHE = "deep-dev-v7-null"
DEV_CACHE = "deep-dev-v7-low"
shipped = N.slot_statistic
UTIL: dict[int, float] = {}
MODEL = load_decision().ranker
UNI = unigrams(Config().lexicon)


def load(name: str) -> list[dict]:
    return read_cache(sorted(str(p) for p in (ROOT / "benchmarks/cache").glob(f"{name}.*.jsonl.gz")))[1]


def prepare(d: dict) -> None:
    """The ranker's best utility of each slot of ``d`` (one round, as engine v3 ranks)."""
    post = infer_document(d["scored_slots"], MODEL, UNI, rounds=1)
    for x, sp in zip(d["scored_slots"], post.posteriors):
        UTIL[id(x)] = max(sp.utilities) if sp.utilities else float("-inf")


def ranker(x):
    return None if shipped(x) is None else UTIL[id(x)]


VARIANTS = {"max": shipped, "ranker": ranker}


def make_null(docs):
    slots = [x for d in docs for x in d["scored_slots"]]
    return N.build_null(slots, "x", {}, registers=[d["register"] for d in docs for _ in d["scored_slots"]])


def main() -> None:
    clean = [d for d in load(NULL_CACHE) if d["profile"] == "clean"]
    dev = load(DEV_CACHE)
    for d in clean + dev:
        prepare(d)
    for name in sys.argv[1:] or list(VARIANTS):
        N.slot_statistic = VARIANTS[name]
        idx = list(range(len(clean)))
        random.Random(0).shuffle(idx)
        small = {0.001: 0, 0.01: 0, 0.05: 0}
        n = 0
        held: list[list[float]] = []
        for a, b in ((idx[::2], idx[1::2]), (idx[1::2], idx[::2])):
            null = make_null([clean[i] for i in a])
            for i in b:
                ps = [p for p in N.p_values(clean[i]["scored_slots"], null) if p is not None]
                n += len(ps)
                for t in small:
                    small[t] += sum(p <= t for p in ps)
                held.append(ps)
        full = make_null(clean)
        spun_p, slots = E.spun_slot_p_values(dev, full)
        ratios, share = fit_alternative(spun_p), len(spun_p) / slots
        weights = alternative_weights(ratios, share)
        E.NULL_OVERRIDE[:] = [full]
        E.V3_OVERRIDE.update({"test": "weighted", "share": "storey", "alternative": list(ratios), "alternative_share": share})
        settings = E._settings()
        held_flag = sum(document_test(ps, 0.05, "weighted", weights) < 0.003 for ps in held)
        out = dev_rows(dev, settings)
        print(name, "| held-out clean slots at p <= t, observed / nominal:", {t: round(v / n / t, 2) for t, v in small.items()},
              f"| held-out clean texts flagged: {held_flag}/{len(held)}", "| dev spun slots at p <= 0.001:",
              round(sum(p <= 0.001 for p in spun_p) / len(spun_p), 3), "| dev:", json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
