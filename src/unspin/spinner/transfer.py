"""Spinners that nobody in the project wrote: the transfer benchmark (evaluation only).

Our own spinners flatter the engine: its decision was fit on what they do. These profiles are
third-party code and real spinner output, used **only to evaluate** (never to train, tune,
choose settings, or feed the candidate generator):

``nlpaug-wordnet``
    nlpaug's ``SynonymAug(aug_src="wordnet")`` (MIT), unmodified: a random WordNet synonym of
    any sense for each chosen token, part of speech from ``nltk.pos_tag``, capitalisation kept.
``eda-wordnet``
    textaugment's ``EDA.synonym_replacement`` (MIT; Wei and Zou's "Easy Data Augmentation"),
    unmodified: a random WordNet synonym of any part of speech, lower-cased, for every
    occurrence of each chosen word (so it is consistent within a document, as real spinners are).
``pps-phrases``
    real tortured phrases of the Problematic Paper Screener list (the shared train half;
    Cabanac, Labbé, Magazinov, CC BY 4.0) put in real sentences: passages of two or three
    sentences of the benchmark corpus whose first sentence contains a phrase's expected
    wording, which is replaced by the tortured one. Made by :func:`pps_passages`, not by
    :func:`spin` (it builds its own documents). The engine's channel statistics were learned
    from the same list (word level only), so this set is real spinner output but not wholly
    unseen; the held-out half of the list stays private.

``rate`` is the share of ALL words replaced (as for ``contentfarm``): the augmenter is run at
its highest rate on the text, then a seeded subset of its swaps (whole word types for EDA,
single occurrences for nlpaug, as each one works) is kept until the share is reached. The
augmenter's own choices (which synonym, which capitalisation) are kept as it made them; only
the words it replaced are taken from its output, so punctuation and spacing stay the
original's and the gold alignment is exact (word diff of input and output).

The augmenters need nltk's WordNet reader and part-of-speech tagger, which nltk downloads
from a hub; here both come from disk: Debian's WordNet 3.0 files (``apt-get install
wordnet-base wordnet-sense-index``) and a tagger trained on the Brown corpus by
``scripts/build_transfer_tagger.py`` (``benchmarks/transfer/``), copied once into a private
nltk data folder (:func:`nltk_data_dir`).
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..errors import ConfigError, DataError
from ..text import apply_case, phrase_key, tokenize
from .core import SpunText, Swap, assemble, unit_hash

WORDNET_DIR = Path("/usr/share/wordnet")
INSTALL_HINT = (
    "the transfer spinners need the evaluation extra and Debian's WordNet files: "
    "pip install 'unspin[transfer]' and apt-get install wordnet-base wordnet-sense-index"
)
WORDNET_FILES = tuple(
    f"{kind}.{pos}" for kind in ("data", "index") for pos in ("noun", "verb", "adj", "adv")
) + ("noun.exc", "verb.exc", "adj.exc", "adv.exc", "index.sense", "cntlist.rev")
# WordNet 3.0's lexicographer files (lexnames(5WN)); nltk's reader needs the file, Debian lacks it.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()
_LEX_TYPE = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
# EDA's published stop-word list (Wei and Zou, eda.py): EDA never swaps these.
EDA_STOPWORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her "
    "hers herself it its itself they them their theirs themselves what which who whom this that these those "
    "am is are was were be been being have has had having do does did doing a an the and but if or because "
    "as until while of at by for with about against between into through during before after above below "
    "to from up down in out on off over under again further then once here there when where why how all any "
    "both each few more most other some such no nor not only own same so than too very s t can will just "
    "don should now".split()
)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def tagger_path() -> Path:
    return repo_root() / "benchmarks" / "transfer" / "tagger-brown-penn.json.gz"


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "unspin" / "nltk_data"


@functools.cache
def nltk_data_dir() -> Path:
    """See :func:`_nltk_data_dir`; a folder that cannot be written is one clear error."""
    try:
        return _nltk_data_dir()
    except OSError as exc:
        raise ConfigError(f"cannot prepare the nltk data folder {_cache_root()} ({exc.strerror}); "
                          "set XDG_CACHE_HOME to a writable folder") from None


def _nltk_data_dir() -> Path:
    """A private nltk data folder with WordNet 3.0 and the Brown-trained tagger, made once.

    nltk refuses data in folders others can write, so the folder is the user's own (0700).
    """
    root = _cache_root()
    wn = root / "corpora" / "wordnet"
    tg = root / "taggers" / "averaged_perceptron_tagger_eng"
    src_tagger = tagger_path()
    missing = [f for f in WORDNET_FILES if not (WORDNET_DIR / f).is_file()]
    if missing:
        raise ConfigError(f"WordNet file {WORDNET_DIR / missing[0]} not found; {INSTALL_HINT}")
    if not src_tagger.is_file():
        raise DataError(f"tagger {src_tagger} not found; rebuild it with scripts/build_transfer_tagger.py")
    stamp = tg / "source.sha"
    want = f"{src_tagger.stat().st_size}:{src_tagger.stat().st_mtime_ns}"
    if not (wn / "lexnames").is_file() or not stamp.is_file() or stamp.read_text() != want:
        for d in (root, root / "corpora", wn, root / "taggers", tg):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        for f in WORDNET_FILES:
            shutil.copyfile(WORDNET_DIR / f, wn / f)
        (wn / "lexnames").write_text(
            "".join(f"{i:02d}\t{name}\t{_LEX_TYPE[name.split('.')[0]]}\n" for i, name in enumerate(LEXNAMES))
        )
        with gzip.open(src_tagger, "rt", encoding="utf-8") as fh:
            rec = json.load(fh)
        if rec.get("magic") != "unspin-transfer-tagger":
            raise DataError(f"{src_tagger} is not an unspin transfer tagger")
        for attr in ("weights", "tagdict", "classes"):
            (tg / f"averaged_perceptron_tagger_eng.{attr}.json").write_text(json.dumps(rec[attr]))
        stamp.write_text(want)
    return root


@functools.cache
def _nltk() -> object:
    try:
        import nltk
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    root = str(nltk_data_dir())
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)
    return nltk


_SEP = "\x1f"  # joins the augmenter's output tokens, so that each maps back to its input token


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(t.start, t.end, t.text) for t in tokenize(text).tokens]


@functools.cache
def _nlpaug() -> Callable[[str, int], list[Swap]]:
    _nltk()
    try:
        import nlpaug.augmenter.word as naw
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    # nlpaug's documented hooks: our tokenizer (so every token keeps its offsets) and a reverse
    # tokenizer that keeps the token boundaries; the augmentation itself is nlpaug's, unchanged.
    aug = naw.SynonymAug(aug_src="wordnet", aug_p=1.0, aug_min=0, aug_max=None,
                         tokenizer=lambda s: [w for _, _, w in _tokens(s)], reverse_tokenizer=_SEP.join)

    def run(text: str, seed: int) -> list[Swap]:
        toks = _tokens(text)
        random.seed(seed)  # nlpaug samples with the random module
        out = aug.augment(text)
        new = (out[0] if isinstance(out, list) else out).split(_SEP)
        if len(new) != len(toks):  # nlpaug dropped or split a token: no swap can be trusted
            raise DataError(f"nlpaug returned {len(new)} tokens for {len(toks)}")
        return [Swap(s, e, n, "nlpaug") for (s, e, w), n in zip(toks, new) if _letters([w]) != _letters([n])]

    return run


@functools.cache
def _eda() -> Callable[[str, int], list[Swap]]:
    _nltk()
    try:
        from textaugment import EDA
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    # EDA's constructor calls nltk.download() (fails offline, and prints) and then sets these
    # four fields; set them the same way without the download (the data is on disk already).
    eda = EDA.__new__(EDA)
    eda.stopwords, eda.sentence, eda.p, eda.n, eda.random_state = sorted(EDA_STOPWORDS), None, None, None, 1

    def run(text: str, seed: int) -> list[Swap]:
        # EDA splits on white space and swaps every occurrence of each chosen token for one random
        # synonym. At its highest rate every token it can swap is chosen, so EDA on each distinct
        # token alone makes the same choice as on the whole text, and keeps the offsets.
        spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
        choice: dict[str, str] = {}
        for tok in sorted({w for _, _, w in spans}):
            random.seed(f"{seed}:{tok}")
            choice[tok] = str(eda.synonym_replacement(tok, n=1))
        return [Swap(s, e, choice[w], "eda") for s, e, w in spans if _letters([w]) != _letters([choice[w]])]

    return run


@dataclass(frozen=True)
class Augmenter:
    name: str
    summary: str
    run: Callable[[], Callable[[str, int], list[Swap]]]
    consistent: bool  # swaps a word type everywhere (EDA) or one occurrence at a time (nlpaug)


AUGMENTERS: dict[str, Augmenter] = {
    "nlpaug-wordnet": Augmenter("nlpaug-wordnet", "nlpaug 1.1 SynonymAug(aug_src='wordnet')", _nlpaug, False),
    "eda-wordnet": Augmenter("eda-wordnet", "textaugment 3.0 EDA.synonym_replacement (WordNet)", _eda, True),
}


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(t.start, t.end, t.text) for t in tokenize(text).tokens if t.is_word]


def _letters(words: Sequence[str]) -> str:
    return "".join(ch for w in words for ch in w.lower() if ch.isalnum())


def augment(text: str, name: str, rate: float, seed: int) -> SpunText:
    """``text`` spun by a third-party augmenter so that about ``rate`` of all words are replaced."""
    try:
        aug = AUGMENTERS[name]
    except KeyError:
        raise ConfigError(f"unknown augmenter {name!r}; known: {', '.join(AUGMENTERS)}") from None
    words = len(_words(text))
    swaps = aug.run()(text, seed) if rate > 0 else []
    # Group the swaps the way the augmenter makes them, then keep seeded groups up to the rate.
    groups: dict[str, list[Swap]] = {}
    for i, s in enumerate(swaps):
        key = text[s.start : s.end].lower() if aug.consistent else str(i)
        groups.setdefault(key, []).append(s)
    order = sorted(groups, key=lambda k: unit_hash(seed, name, k))
    budget = rate * words
    kept: list[Swap] = []
    used = 0
    for k in order:
        n = sum(len(_words(text[s.start : s.end])) for s in groups[k])
        if used + n > budget + 0.5:
            continue
        kept.extend(groups[k])
        used += n
    return assemble(text, kept, name, rate, seed)


# -- real tortured phrases in real sentences -----------------------------------------------------


def pps_list_path() -> Path:
    return repo_root().parent / "shared" / "data" / "pps-train.tsv"


@functools.cache
def _pps_pairs(path: str) -> dict[str, tuple[str, ...]]:
    """expected phrase (lower case) -> its tortured variants, from a ``tortured<TAB>expected`` file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"tortured-phrase list {p} not found; give --phrase-list (tortured<TAB>expected)")
    out: dict[str, list[str]] = {}
    for line in p.read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
            exp = phrase_key(parts[1])
            # a phrase of at least 4 letters, made of words (carrier sentences are found by words)
            if len(exp) >= 4 and all(w.isalpha() for w in exp.replace("-", " ").split()):
                out.setdefault(exp, []).append(" ".join(parts[0].split()))
    return {k: tuple(sorted(set(v))) for k, v in out.items()}


def pps_passages(
    texts: Sequence[str], n_docs: int, words: int = 250, seed: int = 0, phrase_list: Path | str | None = None,
    per_phrase: int = 3,
) -> list[SpunText]:
    """Documents of real passages, each carrying one real tortured phrase in its first sentence.

    A passage is a sentence of ``texts`` that contains a listed phrase's expected wording plus the
    one or two sentences after it (so one phrase per two or three sentences); the phrase is
    replaced by one of its tortured variants, with the original's capitalisation. No phrase is
    used more than ``per_phrase`` times in all, so that common ones ("United States") do not
    dominate. Passages are joined into documents of about ``words`` words.
    """
    pairs = _pps_pairs(str(phrase_list or pps_list_path()))
    by_first: dict[str, list[str]] = {}
    for exp in pairs:
        by_first.setdefault(exp.split()[0], []).append(exp)
    passages: list[tuple[str, int, int, str]] = []  # (passage, start, end, tortured)
    used: dict[str, int] = {}
    for ti, text in enumerate(texts):
        doc = tokenize(text)
        sents = doc.sentences
        i = 0
        while i < len(sents):
            toks = [t for t in doc.tokens[sents[i].first_token : sents[i].last_token] if t.is_word]
            low = [t.text.lower() for t in toks]
            hit = None
            for k, w in enumerate(low):
                for exp in sorted(by_first.get(w, ()), key=len, reverse=True):
                    n = len(exp.split())
                    if " ".join(low[k : k + n]) == exp and used.get(exp, 0) < per_phrase:
                        hit = (toks[k].start, toks[k + n - 1].end, exp)
                        break
                if hit:
                    break
            if not hit:
                i += 1
                continue
            span = 2 + int(unit_hash(seed, "pps-phrases", ti, i) < 0.5)  # two or three sentences
            last = min(i + span, len(sents)) - 1
            start, end = sents[i].start, sents[last].end
            variants = pairs[hit[2]]
            tortured = variants[int(unit_hash(seed, "pps-variant", hit[2]) * len(variants))]
            tortured = apply_case(text[hit[0] : hit[1]], tortured)
            passages.append((text[start:end], hit[0] - start, hit[1] - start, tortured))
            used[hit[2]] = used.get(hit[2], 0) + 1
            i = last + 1
    rng = random.Random(seed)
    rng.shuffle(passages)
    out: list[SpunText] = []
    cur: list[tuple[str, int, int, str]] = []
    count = 0
    for p in passages:
        cur.append(p)
        count += len(_words(p[0]))
        if count >= words:
            out.append(_join(cur, seed))
            cur, count = [], 0
            if len(out) >= n_docs:
                break
    return out


def _join(passages: Sequence[tuple[str, int, int, str]], seed: int) -> SpunText:
    text = ""
    swaps = []
    for body, s, e, new in passages:
        if text:
            text += " "
        swaps.append(Swap(len(text) + s, len(text) + e, new, "pps-phrase"))
        text += body
    return assemble(text, swaps, "pps-phrases", 0.0, seed)
