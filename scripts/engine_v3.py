"""Engine v3 from cached deep scores: build the null, evaluate the engine on any cache.

    # the null: every scored slot of the CLEAN texts of a dev-split cache
    python scripts/engine_v3.py null benchmarks/cache/deep-dev-v8-null.*.jsonl.gz   # -> src/unspin/data/null.v4.json
    # the alternative (the weighted document test's and the mixture share's), from the spun slots of a dev-split cache
    python scripts/engine_v3.py alternative benchmarks/cache/deep-dev-v8-low.*.jsonl.gz --write
    # the shipped decision per profile on any cache (evaluation only); --set tries another setting
    python scripts/engine_v3.py evaluate benchmarks/cache/deep-test-v3.*.jsonl.gz --json out.json

The null is fit on clean dev text only; no spun text, no test text and no transfer set is read
to build it. The alternative is fit on the dev profiles' sparsely spun texts: it chooses what the
document test is most sensitive to (its validity rests on the null alone) and gives the
mixture's spun share. ``evaluate`` reads the caches written by ``scripts/train_decision.py cache``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_decision import _scored, read_cache  # noqa: E402

from unspin import Config  # noqa: E402
from unspin.bench.metrics import SpanCounts, exact_restorations, never_spun_words, span_counts  # noqa: E402
from unspin.results import apply_edits  # noqa: E402
from unspin.engine.decision import DecisionSettings, EngineV3, load_decision  # noqa: E402
from unspin.engine.null import NULL_FILE, NullTable, build_null, scorer_settings  # noqa: E402
from unspin.engine.pipeline import finish  # noqa: E402
from unspin.tuning import TUNING_FILE, TuningData, load_tuning  # noqa: E402

NULL_OVERRIDE: list = []
V3_OVERRIDE: dict = {}
# the risk model's cuts on the document test's p-value (unspin.tuning.RiskModel.p_cuts), which
# --set still takes by its old name, from when it was an engine v3 setting
RISK_P_CUTS = "risk_p_cuts"


def _override(pairs: list[str]) -> dict:
    """``key=value`` settings of engine v3 to try instead of the tuning file's (values as JSON)."""
    fields = {f.name for f in dataclasses.fields(EngineV3)} | {RISK_P_CUTS}
    out = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        if key not in fields:
            raise SystemExit(f"--set {pair}: engine v3 has no setting {key!r} (settings: {sorted(fields)})")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _register_words(docs: list[dict]) -> dict[str, int] | None:
    out: dict[str, int] = {}
    for d in docs:
        if d.get("register"):
            out[d["register"]] = out.get(d["register"], 0) + d["words"]
    return out or None


def run_null(args: argparse.Namespace) -> None:
    header, docs = read_cache(args.cache)
    if header.get("split") != "dev":
        raise SystemExit("the null is built from DEV-split clean text only")
    if header.get("scorer_settings", scorer_settings()) != scorer_settings():
        raise SystemExit(f"the cache was scored with {header['scorer_settings']}, today's settings are {scorer_settings()}")
    clean = [d for d in docs if d["profile"] == "clean"]
    slots = [x for d in clean for x in d["scored_slots"]]
    # one null per register when the cache records them (train_decision.py cache --registers)
    registers = [d.get("register") for d in clean for _ in d["scored_slots"]]
    by_register = all(registers) and not args.pooled
    words = sum(d["words"] for d in clean)
    table = build_null(slots, NULL_FILE.removesuffix(".json"), {
        "script": "scripts/engine_v3.py null", "cache": [Path(c).name for c in args.cache], "split": "dev",
        "texts": len(clean), "words": words, "registers": _register_words(clean), "date": datetime.date.today().isoformat(),
        "statistic": "LM log-odds of the best rescored candidate against the text (with the right context), "
                     "first sub-token when none was rescored",
        "scorer": clean[0]["scorer"] if clean else None,
        "scorer_settings": scorer_settings(),  # the cache must have been scored with these (today's)
        "combine": "largest p-value over the registers' nulls" if by_register else "one pooled null",
    }, registers=registers if by_register else None)
    Path(args.out).write_text(table.to_json() + "\n", encoding="utf-8")
    print(f"null from {len(clean)} clean dev texts, {words} words: "
          + ", ".join(f"{k} {v}" for k, v in table.provenance["slots"].items()), file=sys.stderr)


def spun_slot_p_values(docs: list[dict], null: NullTable) -> tuple[list[float], int]:
    """The null p-values of the slots of the spun texts of ``docs`` that overlap a gold span, and
    how many slots of those texts have a p-value at all."""
    from unspin.engine.decision import slot_labels
    from unspin.engine.null import p_values

    spun_p: list[float] = []
    slots = 0
    for d in docs:
        if d["profile"] == "clean":
            continue
        for p, lab in zip(p_values(d["scored_slots"], null), slot_labels(d["scored_slots"], d["gold"])):
            if p is not None:
                slots += 1
                if lab != -1:  # the slot overlaps a gold span
                    spun_p.append(p)
    return spun_p, slots


def run_alternative(args: argparse.Namespace) -> None:
    """The alternative (likelihood ratio of a spun slot's p-value per bin) from a dev cache's spun texts."""
    from unspin.engine.infer import WEIGHT_EDGES, alternative_weights, fit_alternative
    from unspin.engine.null import load_null

    header, docs = read_cache(args.cache)
    if header.get("split") != "dev":
        raise SystemExit("the alternative is fit on DEV-split text only")
    spun_p, slots = spun_slot_p_values(docs, load_null())
    share = round(len(spun_p) / slots, 4)
    ratios = fit_alternative(spun_p)
    profiles = sorted({f"{d['profile']}@{d.get('rate')}" for d in docs if d["profile"] != "clean"})
    print(f"{len(spun_p)} spun slots of {slots} ({share}) in {profiles}: likelihood ratios {list(ratios)}, "
          f"weights {[round(w, 3) for w in alternative_weights(ratios, share)]}", file=sys.stderr)
    if args.write:
        path = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / TUNING_FILE
        raw = json.loads(path.read_text(encoding="utf-8"))
        block = raw["engine_v3"]
        block["values"].pop("test_weights", None)
        block["provenance"].pop("test_weights", None)
        block["values"].update({"test": "weighted", "share": "mixture", "alternative": list(ratios),
                                "alternative_share": share})
        block["provenance"]["alternative"] = {
            "script": "scripts/engine_v3.py alternative " + " ".join(Path(c).name for c in args.cache),
            "split": "dev", "profiles": profiles, "date": datetime.date.today().isoformat(),
            "bins": "-log10 p: " + ", ".join(f"{e:g}" for e in WEIGHT_EDGES),
            "spun_slots": len(spun_p), "slots": slots,
            "alternative": "f1/f0 per bin; f1: the spun slots' p-values (slots overlapping a gold span, plus half a slot "
                           "per bin), f0: uniform (the null); alternative_share: the cache's share of spun slots"}
        path.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)


def _metrics(d: dict, findings: list, edits: list, text: str) -> dict:
    gold = [(g[0], g[1]) for g in d["gold"]]
    never = never_spun_words(d["text"], edits, gold)
    return {
        "counts": span_counts([(f.start, f.end) for f in findings], gold),
        "exact": sum(exact_restorations([(g[0], g[1], g[2]) for g in d["gold"]], edits, text)),
        "gold": len(gold), "never": never, "findings": len(findings),
    }


def _settings() -> tuple[DecisionSettings, TuningData]:
    """The shipped decision settings and tuning file with the --set overrides."""
    v3 = {k: v for k, v in V3_OVERRIDE.items() if k != RISK_P_CUTS}
    base, tuned = load_decision(), load_tuning()
    if RISK_P_CUTS in V3_OVERRIDE:
        cuts = tuple((float(c), str(n)) for c, n in V3_OVERRIDE[RISK_P_CUTS])
        tuned = dataclasses.replace(tuned, risk=dataclasses.replace(tuned.risk, p_cuts=cuts))
    return dataclasses.replace(base, v3=dataclasses.replace(base.v3, **v3)), tuned


def run_engine(d: dict, config: Config, settings: tuple[DecisionSettings, TuningData] | None = None):
    """The shipped pipeline's decision stage (engine v3) on a cached document (``settings``: from
    :func:`_settings`, built once per run; default: built now)."""
    decision, tuned = settings or _settings()
    return finish(_scored(d), config, decision=decision, settings=tuned, null=NULL_OVERRIDE[0] if NULL_OVERRIDE else None)


def run_evaluate(args: argparse.Namespace) -> None:
    header, docs = read_cache(args.cache)
    if args.null:  # a cache scored with other deep settings is evaluated with the null of those settings
        from unspin.engine.null import parse_null

        NULL_OVERRIDE.append(parse_null(Path(args.null).read_text(encoding="utf-8"), args.null))
    V3_OVERRIDE.update(_override(args.set))
    config = Config()
    settings = _settings()
    table: dict[str, dict] = {}
    for d in docs:
        prof = d["profile"]
        if prof in ("nlpaug-wordnet", "eda-wordnet") and d.get("rate"):
            prof = f"{prof}@{d['rate']:g}"  # the augmenters are cached at several densities
        if prof == "contentfarm" and d.get("rate"):
            prof = f"{prof}@{d['rate']:g}"
        if d.get("density"):  # cache --densities: the share of all words asked for
            prof = f"{d['profile']}@{d['density']:g}"
        if d.get("register"):
            prof = f"{prof}/{d['register']}"  # clean text of one register (cache --registers)
        row = table.setdefault(prof, {"texts": 0, "words": 0, "v3": {}})
        row["texts"] += 1
        row["words"] += d["words"]
        b = run_engine(d, config, settings)
        m = _metrics(d, list(b.report.findings), list(b.edits), apply_edits(d["text"], b.edits))
        m.update({"risk": b.report.risk, "share": b.report.spin_share[0]})
        agg = row["v3"]
        agg["counts"] = agg.get("counts", SpanCounts()) + m["counts"]
        for k in ("exact", "gold", "never", "findings"):
            agg[k] = agg.get(k, 0) + m[k]
        agg.setdefault("risk", {})
        agg["risk"][m["risk"]] = agg["risk"].get(m["risk"], 0) + 1
        agg["zero"] = agg.get("zero", 0) + (m["findings"] == 0)
        agg["over2x"] = agg.get("over2x", 0) + (m["findings"] > 2 * m["gold"])
        agg.setdefault("shares", []).append(round(m["share"], 3))
    out = {}
    for prof, row in sorted(table.items()):
        agg = row["v3"]
        c = agg["counts"]
        flagged = sum(v for k, v in agg["risk"].items() if k in ("suspicious", "high"))
        sh = sorted(agg["shares"])
        # rows keep the "v3" key of the earlier side-by-side files (engine v2 was retired in session 10)
        out[prof] = {"texts": row["texts"], "words": row["words"], "v3": {
            "findings_per_1k": round(1000 * agg["findings"] / row["words"], 2),
            "P": None if not c.findings else round(c.precision, 3),
            "R": None if not c.gold else round(c.recall, 3),
            "exact": None if not agg["gold"] else round(agg["exact"] / agg["gold"], 3),
            "never_per_1k": round(1000 * agg["never"] / row["words"], 2),
            "flagged": round(flagged / row["texts"], 3), "risk": agg["risk"],
            "zero": agg["zero"], "over2x": agg["over2x"], "gold": agg["gold"], "median_share": sh[len(sh) // 2],
        }}
        print(prof, json.dumps(out[prof]))
    if args.json:
        Path(args.json).write_text(json.dumps({"caches": [Path(c).name for c in args.cache],
                                               "settings": {**dataclasses.asdict(load_decision().v3),
                                                            RISK_P_CUTS: load_tuning().risk.p_cuts, **V3_OVERRIDE},
                                               "rows": out}, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("null")
    n.add_argument("cache", nargs="+")
    n.add_argument("--out", default=f"src/unspin/data/{NULL_FILE}")
    n.add_argument("--pooled", action="store_true", help="one null for all registers (default: one per register)")
    w = sub.add_parser("alternative")
    w.add_argument("cache", nargs="+")
    w.add_argument("--write", action="store_true",
                   help="ship it: the weighted document test and the mixture share (tuning file's engine_v3 block)")
    e = sub.add_parser("evaluate")
    e.add_argument("cache", nargs="+")
    e.add_argument("--null", help="a null table for caches scored with other deep settings "
                   "(e.g. benchmarks/results/null-v1-scorer-bbfe14b.json); default: the shipped one")
    e.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="try an engine v3 setting instead of the tuning file's (repeatable), e.g. --set test=binomial; "
                   "also risk_p_cuts, the risk model's cuts on the document test's p-value")
    e.add_argument("--json")
    args = ap.parse_args()
    {"null": run_null, "alternative": run_alternative, "evaluate": run_evaluate}[args.cmd](args)


if __name__ == "__main__":
    main()
