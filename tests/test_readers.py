"""Readers: text files, pair lists, fingerprint lists, and .txt/.md/.html/.pdf/.docx documents.

The PDFs and Word files are real: written by reportlab and python-docx in the test, parsed by
the readers with pypdf and python-docx.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import screening_docs as sd
from unspin.errors import InputError
from unspin.lexicon import known_word
from unspin.text import phrase_key
from unspin.readers import (
    ReadLimits,
    parse_fingerprints,
    parse_pairs,
    parse_query,
    read_allow,
    read_document,
    read_fingerprints,
    read_input_text,
    read_limited,
    read_pairs,
    read_text_file,
)
from unspin.readers.layout import join_hyphenated, page_paragraphs

KNOWN = {"information", "well", "known", "the", "data", "analysis"}.__contains__


# ---------------------------------------------------------------------------
# text files


def test_text_reader_refuses_oversized_input_without_reading_it_all() -> None:
    with pytest.raises(InputError, match="larger than"):
        read_limited(io.BytesIO(b"x" * 2049), "big.txt", limit=2048)
    assert read_limited(io.BytesIO(b"x" * 2048), "ok.txt", limit=2048) == b"x" * 2048


def test_text_reader_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n")
    for path, expect in (
        (tmp_path / "latin.txt", "not UTF-8"),
        (tmp_path / "empty.txt", "is empty"),
        (tmp_path, "is a directory"),
        (tmp_path / "absent.txt", "no such file"),
    ):
        with pytest.raises(InputError, match=expect) as err:
            read_text_file(path)
        assert "\n" not in str(err.value)
    assert read_text_file(tmp_path / "empty.txt", allow_empty=True) == "  \n"


# ---------------------------------------------------------------------------
# pair lists: one reader for --pairs, the phrase-list baseline and fingerprint TSVs

PAIRS = (
    "# my list\n"
    "tortured\texpected\n"
    "profound learning\tdeep learning\n"
    "AI draws near\tAI approaches (as in \\\"methods\\\")\n"
    "  bosom peril \t breast cancer \t 120\n"
)


def test_pair_list_header_comments_escapes_extra_columns() -> None:
    assert parse_pairs(PAIRS) == (
        ("profound learning", "deep learning"),
        ("AI draws near", 'AI approaches (as in "methods")'),
        ("bosom peril", "breast cancer"),
    )


def test_pairs_and_phrase_list_baseline_read_the_same_phrases(tmp_path: Path) -> None:
    """The test that would have caught the old disagreement: --pairs did not unescape \\"."""
    from unspin.bench.systems import read_phrase_list
    from unspin.lexicon import read_user_pairs

    path = tmp_path / "list.tsv"
    path.write_text(PAIRS, encoding="utf-8")
    user = read_user_pairs(path)
    baseline = read_phrase_list(path).table
    assert {phrase_key(s): o for s, o in user} == baseline
    assert baseline["ai draws near"] == 'AI approaches (as in "methods")'
    assert user == read_pairs(path)


def test_pair_list_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"bad\.tsv:3: expected 'spun<TAB>original'"):
        parse_pairs("a\tb\n\nno tab here\n", "bad.tsv")
    with pytest.raises(InputError, match="holds no"):
        parse_pairs("# only a comment\ntortured\texpected\n", "empty.tsv")


@given(st.lists(st.tuples(st.text("abc \"\\", min_size=1), st.text("xyz \"\\", min_size=1)), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_pair_list_round_trips_escaped_cells(pairs: list[tuple[str, str]]) -> None:
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"')

    pairs = [(a.strip(), b.strip()) for a, b in pairs if a.strip() and b.strip() and not a.strip().startswith("#")]
    if not pairs:
        return
    text = "".join(f"{esc(a)}\t{esc(b)}\n" for a, b in pairs)
    assert parse_pairs(text) == tuple(pairs)


# ---------------------------------------------------------------------------
# fingerprint lists


def test_fingerprint_queries() -> None:
    assert parse_query('"huge information"') == ("phrase", ("huge information",), 0)
    assert parse_query("huge information") == ("phrase", ("huge information",), 0)
    assert parse_query('"huge information" AND "big data"') == ("and", ("huge information", "big data"), 0)
    assert parse_query('"flag  rest"~3') == ("near", ("flag rest",), 3)
    for bad in ('"unclosed', '"a" OR "b"', '"one"~2', '""'):
        with pytest.raises(InputError):
            parse_query(bad)


PPS_CSV = (
    "Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers\n"
    '"""huge information""",big data,"41,395"\n'
    '"""counterfeit consciousness"" AND ""AI""",artificial intelligence,812\n'
    '"""flag rest""~3",red flag,7\n'
)


def test_pps_csv_export_is_read_with_counts_and_queries(tmp_path: Path) -> None:
    path = tmp_path / "pps.csv"
    path.write_text(PPS_CSV, encoding="utf-8")
    fl = read_fingerprints(path)
    assert fl.format == "pps-csv"
    assert fl.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(e.kind, e.terms, e.expected, e.papers, e.distance) for e in fl.entries] == [
        ("phrase", ("huge information",), "big data", 41395, 0),
        ("and", ("counterfeit consciousness", "AI"), "artificial intelligence", 812, 0),
        ("near", ("flag rest",), "red flag", 7, 3),
    ]


def test_tsv_fingerprints_and_bad_csv() -> None:
    fl = parse_fingerprints(b"tortured\texpected\nbosom peril\tbreast cancer\n", "l.tsv")
    assert fl.format == "tsv" and fl.entries[0].terms == ("bosom peril",)
    bad = b"Fingerprint - Tortured Phrase,Expected Text,Nb Retrieved Papers\n\"\"\"a\"\"\",b,many\n"
    with pytest.raises(InputError, match="count like 41,395"):
        parse_fingerprints(bad, "bad.csv")


def test_allow_list(tmp_path: Path) -> None:
    path = tmp_path / "allow.txt"
    path.write_text("# machine learning\nRandom Forest\n\"support vector\"\tkeep\n", encoding="utf-8")
    phrases, sha = read_allow(path)
    assert phrases == ("random forest", "support vector") and len(sha) == 64


# ---------------------------------------------------------------------------
# layout repair (pure functions)


def test_hyphenation_and_line_breaks_are_repaired() -> None:
    assert join_hyphenated("the infor-", "mation", KNOWN) == "the information"
    assert join_hyphenated("a well-", "known fact", KNOWN) == "a well-known fact"
    assert join_hyphenated("an unusu-", "ally long word", KNOWN) == "an unusually long word"  # fragments: joined
    assert join_hyphenated("ends with a dash -", "next", KNOWN) is None
    assert join_hyphenated("the infor-", "Mation", KNOWN) is None  # a capital starts a new word
    raw = "7\nThe data analysis was done with the new infor-\nmation in mind, and it\nworked.\nA new paragraph starts here and goes on for a\nwhile."
    assert page_paragraphs(raw, KNOWN) == [
        "The data analysis was done with the new information in mind, and it worked.",
        "A new paragraph starts here and goes on for a while.",
    ]


# ---------------------------------------------------------------------------
# documents


def test_pdf_pages_map_every_offset(tmp_path: Path) -> None:
    pages = [
        ["Alpha page one holds the first sentence of this document.", "It goes on."],
        ["Bravo page two has a different sentence entirely.", "It goes on too."],
        ["Charlie page three closes the document here.", "The end."],
    ]
    doc = read_document(sd.pdf_lines(tmp_path / "three.pdf", pages))
    assert doc.format == "pdf" and doc.pages == 3 and doc.metadata["pageCount"] == 3
    for n, word in enumerate(("Alpha", "Bravo", "Charlie"), 1):
        i = doc.text.index(word)
        assert doc.page_at(i) == n
        assert doc.page_at(doc.text.index(".", i)) == n
    assert doc.page_at(len(doc.text) - 1) == 3
    assert " 1\n" not in doc.text and "\n2\n" not in doc.text  # footer page numbers dropped


def test_pdf_hyphenation_repaired_across_lines_and_pages(tmp_path: Path) -> None:
    pages = [
        ["Researchers looked at the infor-", "mation that a well-", "known group had collected over many of the long", "years of the study and they found that the"],
        ["results were clear to everyone who saw them at the time.", "Short."],
    ]
    doc = read_document(sd.pdf_lines(tmp_path / "hy.pdf", pages), known_word=known_word)
    assert "the information that a well-known group" in doc.text
    assert "found that the results were clear" in doc.text  # one sentence over the page break
    # One paragraph over the page break, and the page boundary falls inside it, where page 2 starts.
    assert doc.page_at(doc.text.index("found that")) == 1
    assert doc.page_at(doc.text.index("results")) == 2
    assert doc.page_at(doc.text.index("Short")) == 2


def test_pdf_limits_and_bad_pdfs(tmp_path: Path) -> None:
    many = sd.pdf_lines(tmp_path / "many.pdf", [[f"Page {i} says something."] for i in range(5)])
    doc = read_document(many, ReadLimits(max_pages=2))
    assert doc.pages == 2 and doc.incomplete and "first 2 of 5 pages" in (doc.reason or "")
    doc = read_document(many, ReadLimits(max_chars=30))
    assert len(doc.text) <= 30 and doc.incomplete and "character" in (doc.reason or "")

    cases = {
        sd.pdf_image_only(tmp_path / "scan.pdf"): "no text layer",
        sd.pdf_lines(tmp_path / "locked.pdf", [["secret"]], encrypt="pw"): "encrypted",
        sd.pdf_bomb(tmp_path / "bomb.pdf", inflated_mb=200): "decompression",
    }
    trunc = tmp_path / "trunc.pdf"
    trunc.write_bytes(many.read_bytes()[: len(many.read_bytes()) // 2])
    cases[trunc] = "cannot read PDF"
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"GIF89a not a pdf")
    cases[fake] = "not a PDF"
    for path, expect in cases.items():
        with pytest.raises(InputError, match=expect) as err:
            read_document(path)
        assert "\n" not in str(err.value)
    claims = read_document(sd.pdf_claims_pages(tmp_path / "claims.pdf", 10**9))
    assert claims.text == "A single real page of text." and claims.pages == 1


def test_docx_paragraph_index_of_every_offset(tmp_path: Path) -> None:
    paras = ["First paragraph of the report.", "", "Third paragraph, after an empty one.", "Fourth."]
    doc = read_document(sd.docx_file(tmp_path / "r.docx", paras, table=[["Cell text one.", "Cell two."]]))
    assert doc.format == "docx"
    assert doc.paragraph_at(doc.text.index("First")) == 1
    assert doc.paragraph_at(doc.text.index("Third")) == 3  # Word's numbering counts the empty paragraph
    assert doc.paragraph_at(doc.text.index("Fourth")) == 4
    assert doc.paragraph_at(doc.text.index("Cell two")) == 6
    assert doc.page_at(0) is None


def test_corrupt_and_hostile_docx(tmp_path: Path) -> None:
    good = sd.docx_file(tmp_path / "g.docx", ["Some text here."])
    data = good.read_bytes()
    (tmp_path / "trunc.docx").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.docx").write_bytes(b"PK\x03\x04 definitely not a zip")
    import zipfile

    with zipfile.ZipFile(tmp_path / "other.docx", "w") as zf:
        zf.writestr("hello.txt", "no word document inside")
    for name, expect in (("trunc.docx", "not a valid .docx"), ("junk.docx", "not a valid .docx"), ("other.docx", "no word/document.xml")):
        with pytest.raises(InputError, match=expect):
            read_document(tmp_path / name)
    with pytest.raises(InputError, match="unpacks to"):
        read_document(good, ReadLimits(max_unzipped_bytes=1000))


HTML = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About us</a> | <a href="/contact">Contact</a></nav>
<ul class="menu"><li><a href="/n">News</a></li><li><a href="/s">Sport</a></li><li><a href="/w">Weather</a></li></ul>
<article><h1>Big data in medicine</h1>
<p>Researchers at the university said on Monday that the new method of analysing large amounts of patient
data could help doctors find diseases earlier than before, and that the approach had been tested in three hospitals.</p>
<p>The team found that the accuracy of the predictions improved as more data became available, and they plan to
publish the full results in a journal later this year after further review by other scientists.</p></article>
<footer>Copyright 2024 Example Corp. All rights reserved. Privacy policy. Terms of use.</footer>
<script>var boilerplateScript = "the quick brown fox";</script></body></html>"""


def test_html_main_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(HTML)
    doc = read_document(path)
    assert "Researchers at the university" in doc.text and "publish the full results" in doc.text
    for boiler in ("About us", "Weather", "Copyright", "Privacy", "quick brown fox"):
        assert boiler not in doc.text
    assert doc.paragraph_at(doc.text.index("The team found")) > doc.paragraph_at(doc.text.index("Researchers"))
    nav = tmp_path / "nav.html"
    nav.write_bytes(b"<html><body><nav><a href='/'>Home</a> <a href='/x'>More</a></nav></body></html>")
    with pytest.raises(InputError, match="no main text"):
        read_document(nav)


def _corpus_paragraph(lo: int = 150, hi: int = 260) -> str:
    from unspin.bench.corpus import default_corpus_path, load_corpus

    docs = load_corpus(default_corpus_path("test"))
    return next(" ".join(d.text.split()) for d in docs if lo <= len(d.text.split()) <= hi)


def _one_paragraph_page(body: str) -> bytes:
    """The issue's page: one nav line and one paragraph of prose."""
    import html

    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body>"
            f"<nav><a href='/'>Home</a> | <a href='/articles'>Articles</a> | <a href='/contact'>Contact</a></nav>"
            f"<p>{html.escape(body)}</p></body></html>").encode("utf-8")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_html_spun_paragraph_is_read_whatever_its_vocabulary() -> None:
    """A spun page of one nav line and one paragraph is read with all its prose.

    ``stripped`` is the extreme of a spinner that swaps function words: every jusText
    stopword replaced. jusText's stopword classes (the v1 reader) throw that paragraph away;
    the reader must not, because a paragraph is never judged by its vocabulary.
    """
    import re

    import justext

    from unspin.readers.formats import read_html
    from unspin.spinner import spin

    text = _corpus_paragraph()
    stop = justext.get_stoplist("English")
    spun = {p: spin(text, profile=p, seed=0).spun for p in ("pps", "contentfarm", "synonymizer")}
    stripped = re.sub(r"[A-Za-z]+", lambda m: "zorbly" if m.group().lower() in stop else m.group(), spun["pps"])
    v1 = justext.justext(_one_paragraph_page(stripped), stop)
    assert not any(p.class_type == "good" for p in v1)  # the failure of issue 16
    for body in (text, *spun.values(), stripped):
        doc = read_html("page.html", _one_paragraph_page(body))
        assert _flat(doc.text) == _flat(body)
        assert doc.note is None and "Contact" not in doc.text


def test_html_short_article_under_a_long_menu() -> None:
    from unspin.readers.formats import read_html

    article = ("The council voted on Tuesday to keep the old library open for another year. "
               "Residents had asked for longer opening hours and a new reading room for children.")
    menu = "".join(f"<li><a href='/m/{i}'>Section {i}</a> <span>Guides, reviews and deals for section {i}</span></li>"
                   for i in range(40))
    page = (f"<html><body><div class='menu'><ul>{menu}</ul></div><div class='content'><h2>Library stays open</h2>"
            f"<p>{article}</p></div><div class='foot'><a href='/about'>About</a> <a href='/jobs'>Jobs</a></div>"
            "</body></html>").encode()
    doc = read_html("short.html", page)
    assert article in _flat(doc.text)
    assert "Section 3" not in doc.text and "Jobs" not in doc.text


def test_html_page_whose_main_text_is_one_paragraph_among_furniture() -> None:
    from unspin.readers.formats import read_html

    text = _corpus_paragraph()
    page = (f"<html><body><header><nav><ul>{''.join(f'<li><a href=/{i}>Menu {i}</a></li>' for i in range(12))}</ul></nav></header>"
            f"<div class='cookie'><p>We use cookies. <a href='/privacy'>Privacy</a></p></div>"
            f"<main><p>{text}</p></main><aside><h3>Most read</h3><p>Ten things you missed this week and more.</p></aside>"
            f"<footer><p>Copyright 2024 Example Media. All rights reserved.</p></footer></body></html>").encode()
    doc = read_html("one.html", page)
    assert text in _flat(doc.text)
    for boiler in ("Menu 3", "Most read", "Ten things", "Copyright"):
        assert boiler not in doc.text


def test_html_falls_back_to_visible_text_and_says_so() -> None:
    """Prose in short lines (a poem, lyrics, an address list): jusText keeps none of it."""
    from unspin.readers.formats import read_html

    lines = ["The river bends below the hill,", "the mill is quiet, the wheel is still,",
             "and in the yard the swallows wheel", "above the stones and rusted steel."]
    page = ("<html><body><nav><a href='/'>Home</a> <a href='/poems'>Poems</a></nav><div class='poem'>"
            + "<br>".join(lines) + "</div></body></html>").encode()
    doc = read_html("poem.html", page)
    for line in lines:
        assert line in doc.text
    assert "Poems" not in doc.text
    assert doc.note and "visible text" in doc.note and doc.metadata["extraction"] == "visible-text"


def test_plain_and_markdown_keep_text_and_find_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Title\n\nFirst para\nstill first.\n\n\nSecond para.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.text == path.read_text(encoding="utf-8")
    assert [doc.paragraph_at(doc.text.index(w)) for w in ("Title", "still", "Second")] == [1, 2, 3]


def test_unknown_extension_and_check_reads_documents(tmp_path: Path) -> None:
    odd = tmp_path / "slides.pptx"
    odd.write_bytes(b"PK whatever")
    with pytest.raises(InputError, match=r"'\.pptx' is not a format unspin reads; known: .*\.pdf"):
        read_document(odd)
    pdf = sd.pdf_lines(tmp_path / "c.pdf", [["Text from a PDF for check."]])
    assert read_input_text(str(pdf)) == "Text from a PDF for check."
    txt = tmp_path / "t.log"
    txt.write_text("plain text under another name", encoding="utf-8")
    assert read_input_text(str(txt)) == "plain text under another name"


@given(st.lists(st.lists(st.text("abc xyz.", min_size=0, max_size=30), max_size=4), min_size=1, max_size=5))
@settings(max_examples=80, deadline=None)
def test_every_offset_maps_to_the_page_and_paragraph_it_came_from(pages: list[list[str]]) -> None:
    from unspin.readers import TextBuilder

    b = TextBuilder(max_chars=10_000)
    placed: list[tuple[str, int, int]] = []  # (paragraph text, page, paragraph number)
    number = 0
    for page_no, paras in enumerate(pages, 1):
        b.new_page()
        for p in paras:
            if p.strip():
                number += 1
                b.add_paragraph(p)
                placed.append((p.strip(), page_no, number))
    doc = b.build("x.pdf", "pdf")
    assert doc.pages == len(pages)
    pos = 0
    for text, page_no, n in placed:
        start = doc.text.index(text, pos)
        for off in range(start, start + len(text)):
            assert doc.page_at(off) == page_no and doc.paragraph_at(off) == n
        pos = start + len(text)
