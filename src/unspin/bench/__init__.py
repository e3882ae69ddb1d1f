"""The unspin benchmark: labelled spun text from :mod:`unspin.spinner`, clean corpora, metrics.

>>> from unspin.bench import span_counts, roc_auc
>>> span_counts([(0, 4)], [(2, 6), (10, 12)]).recall
0.5
>>> roc_auc([1.0], [0.0])
1.0
"""

from __future__ import annotations

from .corpus import CorpusDoc, default_corpus_path, load_corpus, sample
from .harness import BenchResult, Row, default_systems, evaluate, format_table, run_bench
from .metrics import SpanCounts, changed_words, exact_restorations, map_span, overlaps, roc_auc, span_counts
from .systems import PhraseList, System, SystemOutput, change_nothing, engine_runner, read_phrase_list

__all__ = [
    "BenchResult",
    "CorpusDoc",
    "PhraseList",
    "Row",
    "SpanCounts",
    "System",
    "SystemOutput",
    "change_nothing",
    "changed_words",
    "default_corpus_path",
    "default_systems",
    "engine_runner",
    "evaluate",
    "exact_restorations",
    "format_table",
    "load_corpus",
    "map_span",
    "overlaps",
    "read_phrase_list",
    "roc_auc",
    "run_bench",
    "sample",
    "span_counts",
]
