"""Learn a spinner's dictionary from a batch of its output, share it, and use it.

A spinner works from a fixed dictionary, so the same swaps recur across everything one
source publishes. :func:`learn` scores each document once with the engine (deep mode by
default: the LM's margin of every candidate original over the text as it stands), caches
that evidence per document, and judges every swap over the whole batch against the clean-text
null of engine v3 (:mod:`unspin.learn.pooled`; the older batch EM is :mod:`unspin.learn.em`).
The result is written as a versioned TSV whose first two columns are ``spun<TAB>original`` (so
``--pairs`` reads it) or in the Problematic Paper Screener's fingerprint CSV shape
(:mod:`unspin.learn.dictionary`), and is used back as a channel model by ``Config(channel=...)``
(the overlay :mod:`unspin.lexicon.channel`).
"""

from __future__ import annotations

from .dictionary import Dictionary, ReadDictionary, read_channel, read_dictionary, write_dictionary
from .em import BatchFit, LearnedSwap, Settings, fit_batch
from .pooled import NullSettings, fit_batch_null
from .evidence import DocEvidence, EvidenceCache, SlotEvidence, extract, settings_key, text_sha256
from .run import BatchItem, LearnRun, Progress, collect, learn

__all__ = [
    "BatchFit", "BatchItem", "Dictionary", "DocEvidence", "EvidenceCache", "LearnRun", "LearnedSwap",
    "NullSettings", "Progress", "ReadDictionary", "Settings", "SlotEvidence", "collect", "extract", "fit_batch",
    "fit_batch_null", "learn",
    "read_channel", "read_dictionary", "settings_key", "text_sha256", "write_dictionary",
]
