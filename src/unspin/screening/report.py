"""Reports from a results file: CSV (one line per document) and a self-contained HTML page.

The HTML report needs no network: inline CSS, no scripts, no fonts or images from
elsewhere. Every piece of document text is escaped. Documents are sorted by risk, most
suspicious first; each shows its known-phrase matches and the model's findings apart, with
page, paragraph and the sentence, the phrase highlighted.
"""

from __future__ import annotations

import csv
import html
import io
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import __version__
from ..results import RISK_LEVELS
from .document import risk_rank, standing_text
from .results import read_rows, row_key

CSV_COLUMNS = (
    "rank", "path", "sha256", "format", "words", "pages", "clean_percentile", "clean_p", "score", "risk", "flagged",
    "fingerprint_matches", "top_finding", "top_finding_page", "top_fingerprint", "fingerprint_list", "incomplete", "note", "error",
)


def latest_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The rows of a results file, one per document (the last row wins), ranked by risk."""
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in read_rows(path):
        rows[row_key(row["path"], row.get("sha256"))] = row
    return rank(rows.values())


def rank(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents most suspicious first; error rows last, in path order."""
    rows = list(rows)
    ok = sorted((r for r in rows if not r.get("error")), key=lambda r: (risk_rank(r), r["path"]))
    errors = sorted((r for r in rows if r.get("error")), key=lambda r: r["path"])
    return ok + errors


def _where(item: dict[str, Any]) -> str:
    parts = []
    if item.get("page"):
        parts.append(f"p. {item['page']}")
    if item.get("paragraph"):
        parts.append(f"para. {item['paragraph']}")
    return ", ".join(parts)


def clean_percentile(row: dict[str, Any]) -> str:
    """The share of clean text of the document's length that it scores above, in percent
    (from ``cleanP``; two decimals, so that 99.96 and 99.99 stay apart), or '' without one."""
    p = row.get("cleanP")
    return "" if p is None else f"{100.0 * (1.0 - float(p)):.2f}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """One CSV line per document, ranked (``rank`` 1 is the most suspicious).

    ``clean_percentile`` / ``clean_p``: how the document stands against clean text of its
    length (fast mode), the figure that orders documents whose ``score`` rounds to 0."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for i, r in enumerate(rows, 1):
        f0 = r["findings"][0] if r.get("findings") else None
        fp0 = r["fingerprints"][0] if r.get("fingerprints") else None
        w.writerow([
            i, r["path"], r.get("sha256") or "", r.get("format") or "", r.get("words") or 0, r.get("pages") or "",
            clean_percentile(r), "" if r.get("cleanP") is None else f"{float(r['cleanP']):.3g}",
            "" if r.get("score") is None else r["score"], r.get("risk") or "", r.get("flagged") or 0,
            r.get("fingerprintCount", len(r.get("fingerprints") or ())),
            f"{f0['text']} -> {f0['replacement']}" if f0 else "", (f0 or {}).get("page") or "",
            f"{fp0['text']} -> {fp0['expected']}" if fp0 else "", r.get("fingerprintList") or "",
            "yes" if r.get("incomplete") else "", r.get("note") or "", r.get("error") or "",
        ])
    return buf.getvalue()


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em;margin-bottom:.2em} .meta{color:#555;font-size:.9em} code{font-size:.85em;word-break:break-all}
table.sum{border-collapse:collapse;margin:1em 0} table.sum td,table.sum th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
section.doc{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.6em 1em}
section.doc h2{font-size:1.05em;margin:.2em 0;word-break:break-all}
.badge{display:inline-block;border-radius:4px;padding:0 .5em;font-weight:600;font-size:.85em;color:#fff}
.high{background:#b3261e} .suspicious{background:#d9730d} .low{background:#6b8e23} .clean{background:#2e7d32} .error{background:#555}
ul.ev{margin:.3em 0;padding-left:1.2em} ul.ev li{margin:.35em 0}
mark{background:#ffe08a;padding:0 .1em} mark.fp{background:#ffc4c4}
.where{color:#555;font-size:.85em} .kind{font-size:.8em;color:#555;text-transform:uppercase;letter-spacing:.04em;margin-top:.5em}
"""


def _sentence(item: dict[str, Any], cls: str = "") -> str:
    s = item.get("sentence") or ""
    o = int(item.get("sentenceOffset") or 0)
    n = len(" ".join(str(item.get("text") or "").split()))
    if 0 <= o <= len(s) and s[o : o + n].lower() == " ".join(str(item.get("text") or "").split()).lower():
        attr = f' class="{cls}"' if cls else ""
        return html.escape(s[:o]) + f"<mark{attr}>" + html.escape(s[o : o + n]) + "</mark>" + html.escape(s[o + n :])
    return html.escape(s)


def _doc_section(i: int, r: dict[str, Any]) -> str:
    risk = r.get("risk") or "error"
    head = (
        f'<h2>{i}. <span class="badge {html.escape(risk)}">{html.escape(risk)}</span> '
        f"{html.escape(r['path'])}</h2>"
    )
    facts = []
    if r.get("error"):
        facts.append(f"error: {html.escape(r['error'])}")
    else:
        standing = standing_text(r.get("cleanP"))
        if standing:
            facts.append(f'<b class="standing">{html.escape(standing)}</b>')
        facts.append(f"spin score {float(r.get('score') or 0):.4f}")
        facts.append(_plural(int(r.get("words") or 0), "word"))
        if r.get("pages"):
            facts.append(_plural(int(r["pages"]), "page"))
        facts.append(f"{html.escape(str(r.get('format')))}, {html.escape(str(r.get('mode')))} mode")
        facts.append(_plural(int(r.get("flagged") or 0), "span") + " flagged")
        if r.get("incomplete"):
            facts.append(f"incomplete: {html.escape(str(r.get('reason')))}")
        if r.get("note"):
            facts.append(f"note: {html.escape(str(r['note']))}")
    body = [head, f'<div class="meta">{" · ".join(facts)}<br><code>sha256 {html.escape(str(r.get("sha256") or "-"))}</code></div>']
    fps = r.get("fingerprints") or []
    if fps:
        total = int(r.get("fingerprintCount") or len(fps))
        shown = f" (first {len(fps)} shown)" if total > len(fps) else ""
        body.append(f'<div class="kind">Known-phrase list: {total} match{"es" if total != 1 else ""}{shown}</div><ul class="ev">')
        for m in fps:
            papers = f", listed in {int(m['papers']):,} papers" if m.get("papers") else ""
            body.append(
                f"<li><b>{html.escape(m['text'])}</b> → {html.escape(str(m.get('expected') or ''))} "
                f'<span class="where">({html.escape(_where(m))}; {html.escape(m.get("query") or "")}{papers})</span>'
                f"<br>{_sentence(m, 'fp')}</li>"
            )
        body.append("</ul>")
    fs = r.get("findings") or []
    if fs:
        body.append(f'<div class="kind">Model findings (top {len(fs)})</div><ul class="ev">')
        for f in fs:
            body.append(
                f"<li><b>{html.escape(f['text'])}</b> → {html.escape(str(f.get('replacement') or '?'))} "
                f'<span class="where">({html.escape(_where(f))}; confidence {float(f.get("confidence") or 0):.2f})</span>'
                f"<br>{_sentence(f)}</li>"
            )
        body.append("</ul>")
    return f'<section class="doc">{"".join(body)}</section>'


def to_html(rows: Sequence[dict[str, Any]], title: str = "unspin screening report") -> str:
    """A self-contained HTML report (no scripts, no network), most suspicious documents first."""
    counts = Counter(r.get("risk") or "error" for r in rows)
    lists = {}
    for r in rows:
        for role, sha in (r.get("lists") or {}).items():
            lists[role] = sha
    modes = sorted({str(r.get("mode")) for r in rows})
    summary = "".join(
        f'<tr><td><span class="badge {k}">{k}</span></td><td>{counts.get(k, 0)}</td></tr>'
        for k in (*reversed(RISK_LEVELS), "error")
    )
    list_lines = "".join(f"<li>{html.escape(role)}: <code>sha256 {html.escape(sha)}</code></li>" for role, sha in sorted(lists.items()))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="unspin {html.escape(__version__)}">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<div class="meta">{_plural(len(rows), "document")} · mode {html.escape(", ".join(modes))} · unspin {html.escape(__version__)} · {now}</div>',
        f'<table class="sum"><tr><th>risk</th><th>documents</th></tr>{summary}</table>',
    ]
    if list_lines:
        parts.append(f"<p>Lists used:</p><ul>{list_lines}</ul>")
    parts.append(
        "<p class=\"meta\">Known-phrase matches come from the list supplied; model findings come from "
        "unspin's own engine. Fast-mode scores are screening statistics: confirm with a deep check. "
        "Documents are ranked by risk, then by how they stand against clean text of their length: "
        "&ldquo;above 99% of clean text&rdquo; means one clean document in a hundred of that length "
        "scores as high (p = 0.01).</p>"
    )
    parts.extend(_doc_section(i, r) for i, r in enumerate(rows, 1))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_reports(results: str | os.PathLike[str], csv_path: str | None = None, html_path: str | None = None) -> list[dict[str, Any]]:
    """Write the CSV and/or HTML report for the whole results file; returns the ranked rows."""
    rows = latest_rows(results)
    for path, content in ((csv_path, to_csv), (html_path, to_html)):
        if path:
            tmp = Path(str(path) + ".tmp")
            tmp.write_text(content(rows), encoding="utf-8")
            os.replace(tmp, path)
    return rows
