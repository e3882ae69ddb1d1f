"""A progress line for long work on a terminal: words done, words/s, ETA (stderr only).

>>> import io
>>> out = io.StringIO()
>>> bar = ProgressLine(out, clock=iter([0.0, 10.0, 10.0]).__next__, min_words=0)
>>> bar(0, 1000); bar(250, 1000); bar.close()
>>> out.getvalue().split("\\r")[-1].strip()
'250/1,000 words  25.0 words/s  ETA 30 s'
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

MIN_WORDS = 600  # shorter input gets no progress line (it takes seconds)


class ProgressLine:
    """A ``progress(words_done, words_total)`` callback that redraws one line on ``stream``."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, min_words: int = MIN_WORDS) -> None:
        self.stream = stream
        self.clock = clock
        self.min_words = min_words
        self.t0: float | None = None
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.t0 is None:
            self.t0 = now
        if total < self.min_words:
            return
        el = now - self.t0
        rate = done / el if el > 0 and done else 0.0
        eta = f"ETA {(total - done) / rate:.0f} s" if rate > 0 else "ETA -"
        line = f"{done:,}/{total:,} words  {rate:.1f} words/s  {eta}"
        self.stream.write("\r" + line.ljust(60))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the line (a newline if anything was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def terminal_progress() -> ProgressLine | None:
    """A progress line on stderr when stderr is a terminal, else None (pipes and files stay clean)."""
    return ProgressLine(sys.stderr) if sys.stderr.isatty() else None
