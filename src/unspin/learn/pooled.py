"""A batch's swaps on engine v3's footing: a null from clean text, the alternative from the batch.

The EM of :mod:`unspin.learn.em` fits the documents' spin rates and the swap table together,
and its rates run away on a batch that is spun more lightly than it expects (a median
estimated rate of 0.86-0.89 on batches spun at 10-18%, measured). Here nothing feeds back:

1. every slot gets its p-value against clean prose (the shipped null of
   :mod:`unspin.engine.null`; the slot's statistic is its best candidate's LM margin);
2. the batch's spun share and the alternative's shape come from all of the batch's p-values
   at once (:func:`unspin.engine.infer.spin_share`: Storey's estimator, no loop); each
   document's own share is reported as its rate;
3. one *swap* is a spun wording with the original its best candidate names; the occurrences of
   a swap across the batch are decided together (:func:`unspin.engine.infer.pooled_local_fdr`):
   their alternative densities multiply, the null stays as clean text made it. A spinner's
   favourite synonym, seen in many documents with small p-values, becomes sure; a word the
   model merely dislikes somewhere, seen with ordinary p-values elsewhere, does not;
4. a swap's confidence is 1 minus its pooled local fdr.

Deep-mode evidence only (the null is of the deep scorer's statistic).

>>> from unspin.learn.evidence import DocEvidence, SlotEvidence
>>> def doc(i, m):
...     fill = tuple(SlotEvidence(20 + 9 * k, 26 + 9 * k, f"w{k}", "", "", (("x", -4.0 + 0.2 * k, 0.1),))
...                  for k in range(30))
...     return DocEvidence(f"{i:064x}", "k", f"d{i}", 80, False, (
...         SlotEvidence(0, 8, "numerous", "", " people", (("many", m, 0.3),)),) + fill)
>>> fit = fit_batch_null([doc(i, 12.0) for i in range(5)])
>>> [(s.spun, s.original, s.documents, s.confidence > 0.9) for s in fit.swaps[:1]]
[('numerous', 'many', 5, True)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from ..engine.infer import local_fdr, pooled_local_fdr, spin_share
from ..text import phrase_key
from .em import BatchFit, LearnedSwap, examples, swap_order
from .evidence import DocEvidence

if TYPE_CHECKING:
    from ..engine.null import NullTable


@dataclass(frozen=True)
class NullSettings:
    """The pooled batch model's settings (they go into the output header).

    ``min_confidence`` (the default of :meth:`BatchFit.select`; a swap's 1 - local fdr): 0.8,
    chosen on the dev profiles (``scripts/bench_learn.py --split dev``, 40 documents of 250
    words, pps and synonymizer at their default density) by a criterion fixed first: learned
    swaps' precision >= 0.9 on both, then the most swaps of >= 3 documents learned. 0.5 gave
    precision 0.90 / 0.90, 0.8 gave 0.96 / 1.00 (38 and 19 learned of 82 and 41), 0.9 gave
    0.95 / 1.00 (35 and 18).
    """

    storey_lambda: float = 0.5
    listed: float = 0.5  # a swap is listed (BatchFit.swaps) when its confidence, or its expected count, reaches this
    min_confidence: float = 0.8

    def as_header(self) -> str:
        return f"method=null storey_lambda={self.storey_lambda} min_confidence={self.min_confidence}"


def fit_batch_null(docs: Sequence[DocEvidence], settings: NullSettings | None = None,
                   null: NullTable | None = None) -> BatchFit:
    """The batch's swaps and each document's spin share against the clean-text null (module
    docstring); ``null``: default the shipped one."""
    from ..engine.null import load_null

    st = settings or NullSettings()
    table = null if null is not None else load_null()
    # every slot: (document, slot index, p-value, swap key)
    rows: list[tuple[int, int, float, tuple[str, str]]] = []
    per_doc: list[list[float]] = [[] for _ in docs]
    for d, ev in enumerate(docs):
        for k, s in enumerate(ev.slots):
            if not s.cands:
                continue
            best, margin = max(((c, m) for c, m, _prior in s.cands), key=lambda cm: (cm[1], cm[0]))
            p = table.p_value(s.kind, margin)
            per_doc[d].append(p)
            rows.append((d, k, p, (phrase_key(s.text), phrase_key(best))))
    names = tuple(ev.name for ev in docs)
    rates = tuple(spin_share(ps, st.storey_lambda).share for ps in per_doc)
    if not rows:
        return BatchFit((), names, rates, 0, True, st)
    share = spin_share([r[2] for r in rows], st.storey_lambda)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r[3], []).append(i)
    out: list[LearnedSwap] = []
    for (spun, orig), members in groups.items():
        if spun == orig:
            continue
        ps = [rows[i][2] for i in members]
        conf = 1.0 - pooled_local_fdr(ps, share)  # one occurrence: its own local fdr
        expected = sum(1.0 - local_fdr(p, share) for p in ps)
        if conf < st.listed and expected < st.listed:
            continue
        hits = sorted(members, key=lambda i: (rows[i][2], rows[i][0], rows[i][1]))  # smallest p-value first
        n_docs = len({rows[i][0] for i in members})
        out.append(LearnedSwap(spun, orig, round(conf, 4), n_docs, len(members), round(expected, 3),
                               examples(docs, [(rows[i][0], rows[i][1]) for i in hits])))
    out.sort(key=swap_order)
    return BatchFit(tuple(out), names, rates, 1, True, st)
