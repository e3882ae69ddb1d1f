"""The shipped reverse spin lexicon: format checks, real links, priors, user pairs, registry."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from unspin.errors import ConfigError, DataError
from unspin.lexicon import REGISTRY, Lexicon, load_lexicon, read_lexicon, with_user_pairs
from unspin.lexicon.store import data_dir

DATA = data_dir()
LEX = DATA / "lexicon.v1.tsv.gz"
NGRAMS = DATA / "ngrams.v1.tsv.gz"
GOOD_HEADER = "#unspin-lexicon\tformat=1\tversion=thesaurus.v1\tsources=test\tlicences=test"
GOOD_NGRAM_HEADER = "#unspin-ngrams\tformat=1\tversion=symspell.v1\tsources=test\tlicences=MIT"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def _write(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


@pytest.fixture()
def small(tmp_path: Path) -> tuple[Path, Path]:
    lex = _write(tmp_path / "lex.tsv.gz", GOOD_HEADER + "\nsufferer\tpatient\t0.5\tvictim\t0.25\n")
    ng = _write(tmp_path / "ng.tsv.gz", GOOD_NGRAM_HEADER + "\nu\tthe\t10\nb\tof the\t3\n")
    return lex, ng


# --- header and file validation ------------------------------------------------------------


def test_small_file_reads(small: tuple[Path, Path]) -> None:
    lex = read_lexicon(*small)
    assert lex.originals("sufferer") == (("patient", 0.5), ("victim", 0.25))
    assert lex.unigram("the") == 10 and lex.bigram("of", "the") == 3
    assert lex.total_unigrams == 10 and lex.max_spun_words == 1


def test_not_gzip_is_data_error(tmp_path: Path, small: tuple[Path, Path]) -> None:
    bad = tmp_path / "bad.tsv.gz"
    bad.write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match="corrupt"):
        read_lexicon(bad, small[1])


def test_truncated_gzip_is_data_error(tmp_path: Path, small: tuple[Path, Path]) -> None:
    bad = tmp_path / "trunc.tsv.gz"
    bad.write_bytes(LEX.read_bytes()[:5000])
    with pytest.raises(DataError, match="corrupt"):
        read_lexicon(bad, small[1])


def test_missing_file_is_data_error(tmp_path: Path, small: tuple[Path, Path]) -> None:
    with pytest.raises(DataError, match="missing"):
        read_lexicon(tmp_path / "nope.tsv.gz", small[1])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("spun\torig\t0.5", "no unspin header"),
        ("#unspin-lexicon\tformat=2\tversion=thesaurus.v1", "format"),
        ("#unspin-lexicon\tformat=1\tversion=thesaurus.v0", "version"),
        ("#unspin-ngrams\tformat=1\tversion=thesaurus.v1", "'ngrams' file, expected 'lexicon'"),
    ],
)
def test_bad_header_is_data_error(tmp_path: Path, small: tuple[Path, Path], header: str, message: str) -> None:
    bad = _write(tmp_path / "h.tsv.gz", header + "\nsufferer\tpatient\t0.5\n")
    with pytest.raises(DataError, match=message):
        read_lexicon(bad, small[1])


def test_malformed_line_is_data_error(tmp_path: Path, small: tuple[Path, Path]) -> None:
    bad = _write(tmp_path / "m.tsv.gz", GOOD_HEADER + "\nsufferer\tpatient\n")
    with pytest.raises(DataError, match="line 2"):
        read_lexicon(bad, small[1])


def test_bad_ngram_header_is_data_error(tmp_path: Path, small: tuple[Path, Path]) -> None:
    bad = _write(tmp_path / "n.tsv.gz", GOOD_HEADER + "\nu\tthe\t10\n")
    with pytest.raises(DataError, match="'lexicon' file, expected 'ngrams'"):
        read_lexicon(small[0], bad)


def test_shipped_header_names_sources_and_licences(lex: Lexicon) -> None:
    assert lex.version == "thesaurus.v1"
    assert "moby" in lex.header["sources"] and "wordnet" in lex.header["sources"]
    assert "public-domain" in lex.header["licences"]
    assert "Problematic Paper Screener" in lex.header["channel_weights"]


def test_model_json_has_attribution_and_no_pairs() -> None:
    model = json.loads((DATA / "lexicon.v1.model.json").read_text(encoding="utf-8"))
    assert "Cabanac, Labbé, Magazinov" in model["attribution"]
    assert len(model["weights"]) == len(model["features"])
    assert set(model) >= {"weights", "features", "quality"}


# --- registry and caching --------------------------------------------------------------------


def test_load_is_cached(lex: Lexicon) -> None:
    assert load_lexicon() is lex
    assert load_lexicon("thesaurus.v1") is lex


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_lexicon("moby.v9")
    assert "moby.v9" in str(err.value)
    for name in REGISTRY:
        assert name in str(err.value)


# --- real links from the sources -------------------------------------------------------------


def _origs(lex: Lexicon, spun: str, top: int | None = None) -> list[str]:
    return [o for o, _ in lex.originals(spun)[:top]]


@pytest.mark.parametrize(
    ("spun", "original"),
    [
        ("in line with", "according to"),  # Moby: "according to" lists "in line with"
        ("profound", "deep"),  # Moby "deep" lists "profound"; WordNet similar-to
        ("sufferer", "patient"),  # Moby "patient" lists "sufferer"
        ("counterfeit", "artificial"),  # Moby "artificial" lists "counterfeit"
        ("purchase", "buy"),
        ("fake", "artificial"),
    ],
)
def test_known_reverse_links(lex: Lexicon, spun: str, original: str) -> None:
    assert original in _origs(lex, spun)


def test_fixed_expression_rule(lex: Lexicon) -> None:
    # "on account of" is under Moby "owing to" and "due to"; the function-word group
    # {because of, due to, owing to} extends it to "because of".
    assert "because of" in _origs(lex, "on account of")


def test_good_originals_rank_high(lex: Lexicon) -> None:
    assert _origs(lex, "sufferer", 1) == ["patient"]
    assert _origs(lex, "profound", 1) == ["deep"]


def test_priors_in_range_and_sorted(lex: Lexicon) -> None:
    for spun in ("profound", "sufferer", "in line with", "on account of", "issue", "make"):
        cands = lex.originals(spun)
        assert 0 < len(cands) <= 40
        priors = [p for _, p in cands]
        assert all(0.0 < p <= 1.0 for p in priors)
        assert priors == sorted(priors, reverse=True)
        assert spun not in [o for o, _ in cands]


def test_lookup_normalises_case_and_space(lex: Lexicon) -> None:
    assert lex.originals("In  Line WITH") == lex.originals("in line with")
    assert lex.has_spun("Profound")
    assert not lex.has_spun("qwzxv blorp")
    assert lex.originals("qwzxv blorp") == ()


def test_max_spun_words(lex: Lexicon) -> None:
    assert lex.max_spun_words == 4


def test_ngrams(lex: Lexicon) -> None:
    assert lex.unigram("the") > lex.unigram("sufferer") > 0
    assert lex.unigram("The") == lex.unigram("the")
    assert lex.unigram("qwzxv") == 0
    assert lex.bigram("according", "to") > lex.bigram("to", "according")
    assert lex.bigram("qwzxv", "blorp") == 0
    assert lex.total_unigrams > lex.unigram("the")


# --- user pairs ------------------------------------------------------------------------------


def test_user_pairs_add_new_and_override(lex: Lexicon) -> None:
    mine = with_user_pairs(lex, [("Mechanical Guerilla", "industrial revolution"),
                                 ("profound", "deep learning"), ("profound", "deep learning")])
    assert mine.originals("mechanical guerilla") == (("industrial revolution", 1.0),)
    assert mine.originals("profound")[0] == ("deep learning", 1.0)
    assert _origs(mine, "profound").count("deep learning") == 1
    assert "deep" in _origs(mine, "profound")
    assert mine.has_spun("mechanical guerilla")
    # the original is untouched and still cached
    assert not lex.has_spun("mechanical guerilla")
    assert load_lexicon() is lex


def test_user_pairs_extend_max_words(lex: Lexicon) -> None:
    mine = with_user_pairs(lex, [("one two three four five", "five")])
    assert mine.max_spun_words == 5
    assert with_user_pairs(mine, []).originals("one two three four five") == (("five", 1.0),)


def test_empty_user_pair_refused(lex: Lexicon) -> None:
    with pytest.raises(DataError, match="empty phrase"):
        with_user_pairs(lex, [("  ", "deep")])


def test_lexicon_is_hashable_by_identity(lex: Lexicon) -> None:
    assert hash(lex) == hash(load_lexicon())
    assert len({lex, with_user_pairs(lex, [])}) == 2
