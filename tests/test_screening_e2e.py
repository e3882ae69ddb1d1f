"""The issue's "done when", tried as a new user would: a folder of clean and spun PDFs and Word
files (written here with reportlab and python-docx; spun by the project's spinner) screened by
the real `unspin screen`, giving a ranked HTML report with page-accurate evidence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import screening_docs as sd
from unspin.bench.corpus import default_corpus_path, load_corpus
from unspin.cli import main
from unspin.screening.report import latest_rows
from unspin.spinner import spin


def _norm(s: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", s.lower()))


def _paragraphs(text: str, n: int) -> list[str]:
    """Split a text into ``n`` paragraphs at sentence ends."""
    sents = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    k = max(1, len(sents) // n)
    return [" ".join(sents[i : i + k]) for i in range(0, len(sents), k)]


def _folder(tmp_path: Path, texts: list[str], rate: float) -> tuple[Path, dict[str, bool], list[tuple[str, str]]]:
    """Half the texts spun; even ones as 3-page PDFs, odd ones as .docx. Returns the folder,
    {file name: spun?} and the (spun, original) pairs of the spinner's multi-word gold edits."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    spun_of: dict[str, bool] = {}
    pairs: list[tuple[str, str]] = []
    for i, text in enumerate(texts):
        is_spun = i % 4 in (1, 2)
        body = text
        if is_spun:
            s = spin(text, profile="synonymizer", rate=rate, seed=i)
            body = s.spun
            pairs += [(e.spun_text, e.original_text) for e in s.edits if len(e.spun_text.split()) >= 2]
        paras = _paragraphs(body, 6)
        name = f"paper{i:02d}.pdf" if i % 2 == 0 else f"paper{i:02d}.docx"
        if name.endswith(".pdf"):
            sd.pdf_paragraphs(folder / name, paras, page_break_every=2)
        else:
            sd.docx_file(folder / name, paras)
        spun_of[name] = is_spun
    return folder, spun_of, pairs


def _check_evidence_location(folder: Path, row: dict, items: list[dict]) -> int:
    """Every evidence item is on the page (PDF) or in the Word paragraph the row names."""
    path = folder / Path(row["path"]).name
    checked = 0
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        pages = [_norm(p.extract_text() or "") for p in PdfReader(str(path)).pages]
        for it in items:
            assert it["page"] is not None and 1 <= it["page"] <= len(pages)
            assert _norm(it["text"]) in pages[it["page"] - 1], (it, row["path"])
            checked += 1
    else:
        import docx

        paras = [_norm(p.text) for p in docx.Document(str(path)).paragraphs]
        for it in items:
            assert it["page"] is None
            assert _norm(it["text"]) in paras[it["paragraph"] - 1], (it, row["path"])
            checked += 1
    return checked


def test_folder_of_pdfs_and_word_files_gives_page_accurate_list_evidence(tmp_path: Path) -> None:
    docs = [d.text for d in load_corpus(default_corpus_path("test")) if 250 <= len(d.text.split()) <= 450][:8]
    folder, spun_of, pairs = _folder(tmp_path, docs, rate=0.35)
    lst = tmp_path / "known.tsv"
    lst.write_text("tortured\texpected\n" + "".join(f"{s}\t{o}\n" for s, o in dict(pairs).items()), encoding="utf-8")
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    res = CliRunner().invoke(
        main, ["screen", str(folder), "--out", str(out), "--html", str(report), "--fingerprints", str(lst), "--jobs", "0"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    rows = latest_rows(out)
    assert len(rows) == len(docs) and not any(r["error"] for r in rows), [r["error"] for r in rows]
    checked = 0
    for r in rows:
        name = Path(r["path"]).name
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            assert r["pages"] == len(PdfReader(str(folder / name)).pages) >= 3
        checked += _check_evidence_location(folder, r, r["fingerprints"] + r["findings"])
        if spun_of[name]:
            assert r["fingerprints"], f"{name}: its own spinner phrases were not found"
    assert checked >= 8
    html = report.read_text(encoding="utf-8")
    assert "p. 2" in html and "para." in html and json.loads(out.read_text().splitlines()[0])["fingerprintList"] in html


@pytest.mark.neural
def test_deep_screen_ranks_spun_documents_on_top_with_page_accurate_findings(tmp_path: Path) -> None:
    def head(text: str, words: int = 150) -> str:
        out: list[str] = []
        for sent in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if len(" ".join(out).split()) >= words:
                break
            out.append(sent)
        return " ".join(out)

    docs = [head(d.text) for d in load_corpus(default_corpus_path("test"))[:4]]  # short: deep mode is slow
    folder, spun_of, _ = _folder(tmp_path, docs, rate=0.35)
    assert sum(spun_of.values()) == 2 and len(spun_of) == 4
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    res = CliRunner().invoke(
        main, ["screen", str(folder), "--deep", "--out", str(out), "--html", str(report), "--jobs", "0"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    rows = latest_rows(out)  # ranked, most suspicious first
    assert not any(r["error"] for r in rows), [r["error"] for r in rows]
    ranked = [spun_of[Path(r["path"]).name] for r in rows]
    assert ranked == sorted(ranked, reverse=True), [(r["path"], r["risk"], r["score"]) for r in rows]
    spun_rows = [r for r in rows if spun_of[Path(r["path"]).name]]
    assert all(r["findings"] for r in spun_rows)
    assert sum(_check_evidence_location(folder, r, r["findings"]) for r in rows) >= 2
    html = report.read_text(encoding="utf-8")
    first_spun = min(html.index(Path(r["path"]).name) for r in spun_rows)
    last_clean = max(html.index(Path(r["path"]).name) for r in rows if not spun_of[Path(r["path"]).name])
    assert first_spun < last_clean
