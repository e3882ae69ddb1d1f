"""Fast-mode speed on 40 test-split documents as one text. The engine is warmed on DEV text
(model files loaded, caches of common words filled), never on the measured text itself: its
per-span candidate cache would otherwise make the measured run a cache replay."""
import time
from unspin import Config
from unspin.bench.corpus import default_corpus_path, load_corpus, sample
from unspin.engine.pipeline import score, finish
from unspin.engine.screen import stretch_stats, load_screen_model
from unspin.lexicon import load_lexicon
docs = sample(load_corpus(default_corpus_path("test")), 40)
text = "\n\n".join(d.text for d in docs)
cfg = Config(mode="fast")
warm = "\n\n".join(d.text for d in sample(load_corpus(default_corpus_path("dev")), 40))
finish(score(warm, cfg), cfg)  # warm-up on other text
t = time.perf_counter(); s = score(text, cfg); t_score = time.perf_counter() - t
t = time.perf_counter(); a = finish(s, cfg); t_finish = time.perf_counter() - t
slots = [x for seg in s.segments for x in seg]
t = time.perf_counter(); stretch_stats(s.doc, load_lexicon(), slots, load_screen_model().settings); t_stats = time.perf_counter() - t
print(f"{s.words} words: score {s.words/t_score:,.0f} w/s, finish (incl. screen) {t_finish:.2f}s, screen statistics {t_stats:.2f}s = {s.words/t_stats:,.0f} w/s; overall {s.words/(t_score+t_finish):,.0f} w/s; risk {a.report.risk} score {a.report.score}")
