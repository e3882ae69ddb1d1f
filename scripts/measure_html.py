"""Measure HTML main-text extractors on pages built from the clean corpora, clean and spun.

    python scripts/measure_html.py [--docs 24] [--seed 0] [--json /tmp/unspin-html.json]

There is no web access here, so the pages are made: every clean document (registers and
corpora, dev and test splits, 150-600 words) is cut into paragraphs and wrapped in five page
templates that carry the boilerplate real pages carry (navigation menus, a mega-menu, cookie
banner, breadcrumbs, share buttons, "most read" sidebar, related links, newsletter box,
footer). Each page is made clean and with its paragraphs spun by the project's spinner
profiles (contentfarm, pps, synonymizer at their default rates) and by a third-party
augmenter, nlpaug's WordNet SynonymAug (aug_p 0.3; Debian's WordNet 3.0 files loaded through
NLTK's reader; nlpaug's NLTK part-of-speech tagger has no data here, so it is given empty
tags and swaps across parts of speech, as crude spinners do).

For every extractor and page: ``kept`` = share of the main text's words found in the
extraction (bag of lower-cased words), ``noise`` = share of the extraction's words that are
not main text, ``lost`` = the page kept less than 90% of its main text. Extractors: jusText
as the v1 reader called it (stopword classes), jusText with its stopword thresholds at 0
(paragraphs judged by length and link density only), trafilatura (default and favor_recall),
the page's visible text, and this branch's ``unspin.readers.read_html``.

Needs ``pip install unspin[docs] trafilatura nlpaug nltk`` (trafilatura, nlpaug and nltk only
for this measurement).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WORD = re.compile(r"[a-z0-9]+")
SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


# ---------------------------------------------------------------------------
# documents and spinning


def clean_documents(n: int, seed: int) -> list[tuple[str, str]]:
    """(id, text) of ``n`` clean documents of 150-600 words, spread over the registers."""
    import gzip

    docs: dict[str, list[tuple[str, str]]] = {}
    for path in sorted([*(ROOT / "benchmarks" / "corpora").glob("*.jsonl.gz"), *(ROOT / "benchmarks" / "registers").glob("*.jsonl.gz")]):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if not isinstance(d.get("text"), str):
                    continue  # a header line
                words = len(d["text"].split())
                if 150 <= words <= 600:
                    docs.setdefault(str(d.get("category") or d.get("source") or "other").split(":")[0], []).append((str(d.get("id") or d.get("source") or len(docs)), d["text"]))
    rng = random.Random(seed)
    groups = sorted(docs)
    picked: list[tuple[str, str]] = []
    for g in groups:
        rng.shuffle(docs[g])
    while len(picked) < n and any(docs.values()):
        for g in groups:
            if docs[g] and len(picked) < n:
                picked.append(docs[g].pop())
    return picked


def paragraphs_of(text: str, per: int = 3) -> list[str]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paras) > 1:
        return [" ".join(p.split()) for p in paras]
    sents = SENT.split(" ".join(text.split()))
    return [" ".join(sents[i : i + per]) for i in range(0, len(sents), per)]


def nlpaug_spinner(seed: int) -> Callable[[str], str]:
    """nlpaug's WordNet SynonymAug over Debian's WordNet 3.0 files (see the module docstring)."""
    from unspin.spinner.transfer import _nltk

    _nltk()  # the transfer benchmark's private nltk data folder (Debian's WordNet files + lexnames)
    import nlpaug.augmenter.word as naw

    aug = naw.SynonymAug(aug_src="wordnet", aug_p=0.3, aug_max=None)
    aug.model.pos_tag = lambda tokens: [(t, "") for t in tokens]  # no tagger data: every part of speech
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)

    def spin(text: str) -> str:
        out = aug.augment(text)
        return out[0] if isinstance(out, list) else out

    return spin


def spinners(seed: int) -> dict[str, Callable[[str], str]]:
    from unspin.spinner import spin

    out: dict[str, Callable[[str], str]] = {"clean": lambda t: t}
    for profile in ("contentfarm", "pps", "synonymizer"):
        out[profile] = lambda t, p=profile: spin(t, profile=p, seed=seed).spun
    try:
        out["nlpaug-wordnet"] = nlpaug_spinner(seed)
    except Exception as exc:  # measured only where nlpaug and NLTK are installed
        print(f"nlpaug not used: {type(exc).__name__}: {exc}", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------
# page templates: (paragraphs, title) -> html; the main text is the title and the paragraphs

MENU = ["Home", "News", "World", "Business", "Technology", "Science", "Health", "Sports", "Opinion", "Travel"]
MEGA = [(f"{a} {b}", f"Everything about {a.lower()} {b.lower()} in one place") for a in
        ("Local", "National", "Global", "Weekly", "Daily", "Expert") for b in ("guides", "reviews", "deals", "tips", "news")]
COOKIE = ("We use cookies and similar technologies to improve your experience, personalise content and ads, and "
          "analyse our traffic. By clicking Accept you agree to this. You can change your choice at any time.")


def _links(items, cls="") -> str:
    return "".join(f'<li><a href="/{i}-{abs(hash(x)) % 997}">{html.escape(x)}</a></li>' for i, x in enumerate(items))


def _paras(paras) -> str:
    return "".join(f"<p>{html.escape(p)}</p>\n" for p in paras)


def page_news(paras, title) -> str:
    related = [f"{w} and the future of the region" for w in ("Trade", "Water", "Elections", "Schools", "Rail")]
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Daily Herald</title>
<script>window.dataLayer=[];function gtag(){{dataLayer.push(arguments)}}</script><style>body{{font:16px serif}}</style></head>
<body><div class="cookie-banner" id="cookies"><p>{COOKIE}</p><button>Accept</button><button>Settings</button></div>
<header><a href="/" class="logo">Daily Herald</a><nav><ul>{_links(MENU)}</ul></nav>
<form action="/search"><input name="q" placeholder="Search"></form></header>
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/world">World</a> &rsaquo; {html.escape(title[:40])}</div>
<main><article><h1>{html.escape(title)}</h1><div class="byline">By Staff Reporter · 12 March 2024 · 4 min read</div>
<div class="share"><a href="/share/fb">Share</a> <a href="/share/tw">Tweet</a> <a href="/share/mail">Email</a></div>
{_paras(paras)}</article>
<aside class="related"><h3>Related</h3><ul>{_links(related)}</ul></aside></main>
<aside class="sidebar"><h3>Most read</h3><ol>{_links([f"Ten things you missed this week ({i})" for i in range(1, 8)])}</ol>
<div class="newsletter"><h3>Sign up to our newsletter</h3><p>Get the best stories in your inbox every morning.</p><input name="email"><button>Subscribe</button></div></aside>
<footer><ul>{_links(["About us", "Contact", "Careers", "Advertise", "Privacy policy", "Terms of use", "Cookie settings"])}</ul>
<p>&copy; 2024 Daily Herald Media Ltd. All rights reserved.</p></footer></body></html>"""


def page_one_paragraph(paras, title) -> str:
    """A content-farm page: one nav line, the whole article as one paragraph."""
    body = " ".join(paras)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><nav><a href="/">Home</a> | <a href="/articles">Articles</a> | <a href="/contact">Contact</a></nav>
<p>{html.escape(body)}</p></body></html>"""


def page_short_article_long_menu(paras, title) -> str:
    """A short article (the first two sentences) under a mega-menu of 30 described links."""
    mega = "".join(f'<li><a href="/m/{i}">{html.escape(a)}</a><span class="desc">{html.escape(b)}</span></li>' for i, (a, b) in enumerate(MEGA))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><header><nav class="mega"><ul>{mega}</ul></nav></header>
<div class="content"><h2>{html.escape(title)}</h2><p>{html.escape(paras[0])}</p></div>
<footer><ul>{_links(["About", "Contact", "Privacy", "Terms", "Sitemap", "Jobs", "Press"])}</ul><p>Copyright 2024 Example Network</p></footer>
</body></html>"""


def page_div_layout(paras, title) -> str:
    """No article or p elements: paragraphs as text in divs separated by <br><br> (old CMS)."""
    body = "<br><br>\n".join(html.escape(p) for p in paras)
    return f"""<html><head><title>{html.escape(title)}</title></head><body>
<div id="top"><div class="menu">{" ".join(f'<a href="/{m.lower()}">{m}</a>' for m in MENU)}</div></div>
<div id="wrap"><div id="left"><div class="box">Categories</div>{" ".join(f'<div><a href="/c/{i}">Category {i}</a></div>' for i in range(12))}</div>
<div id="center"><div class="title">{html.escape(title)}</div><div class="text">{body}</div>
<div class="tags">Tags: <a href="/t/1">news</a>, <a href="/t/2">world</a>, <a href="/t/3">today</a></div></div></div>
<div id="foot">Powered by SomeCMS. <a href="/login">Log in</a> · <a href="/rss">RSS</a></div></body></html>"""


def page_ads_between(paras, title) -> str:
    """Paragraphs in divs with ads, 'read more' teasers and a comment form between them."""
    chunks = []
    for i, p in enumerate(paras):
        chunks.append(f'<div class="para">{html.escape(p)}</div>')
        if i % 2 == 1:
            chunks.append('<div class="ad">Advertisement</div><div class="teaser"><a href="/next">Read more: You will not believe these '
                          'five simple tricks</a></div>')
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>
<nav><ul>{_links(MENU[:6])}</ul></nav><section class="post"><h1>{html.escape(title)}</h1>{"".join(chunks)}</section>
<section class="comments"><h3>Leave a comment</h3><form><textarea></textarea><button>Post comment</button></form></section>
<footer>{_links(["Home", "Archive", "About"])}</footer></body></html>"""


TEMPLATES: dict[str, Callable] = {
    "news": page_news,
    "one-paragraph": page_one_paragraph,
    "short-article-long-menu": page_short_article_long_menu,
    "div-layout": page_div_layout,
    "ads-between": page_ads_between,
}


def main_text(template: str, paras: list[str], title: str) -> str:
    if template == "short-article-long-menu":
        return title + "\n" + paras[0]
    if template == "one-paragraph":
        return " ".join(paras)  # the page has no heading
    return title + "\n" + "\n".join(paras)


def page_paragraphs(template: str, paras: list[str]) -> list[str]:
    if template == "short-article-long-menu":
        return [" ".join(SENT.split(paras[0])[:2])]
    return paras


# ---------------------------------------------------------------------------
# extractors


def ex_justext_v1(data: bytes) -> str:
    import justext

    return "\n".join(p.text for p in justext.justext(data, justext.get_stoplist("English")) if p.class_type == "good")


def ex_justext_blind(data: bytes) -> str:
    import justext

    ps = justext.justext(data, justext.get_stoplist("English"), stopwords_low=0.0, stopwords_high=0.0)
    return "\n".join(p.text for p in ps if p.class_type == "good")


def ex_trafilatura(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), include_comments=False, include_tables=True, deduplicate=False) or ""


def ex_trafilatura_recall(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), include_comments=False, include_tables=True, deduplicate=False,
                               favor_recall=True) or ""


def ex_visible(data: bytes) -> str:
    from unspin.readers.formats import visible_text

    return "\n".join(visible_text(data))


def ex_unspin(data: bytes) -> str:
    from unspin.readers.formats import read_html

    return read_html("page.html", data).text


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "jusText (v1 reader: stopword classes)": ex_justext_v1,
    "jusText, stopword thresholds 0": ex_justext_blind,
    "trafilatura 2.x": ex_trafilatura,
    "trafilatura 2.x, favor_recall": ex_trafilatura_recall,
    "visible text": ex_visible,
    "unspin read_html (this branch)": ex_unspin,
}


def overlap(main: str, got: str) -> tuple[float, float]:
    a = Counter(WORD.findall(main.lower()))
    b = Counter(WORD.findall(got.lower()))
    common = sum((a & b).values())
    kept = common / max(1, sum(a.values()))
    noise = (sum(b.values()) - common) / max(1, sum(b.values()))
    return kept, noise


def run(n_docs: int, seed: int) -> dict:
    docs = clean_documents(n_docs, seed)
    spins = spinners(seed)
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    timing: dict[str, float] = {name: 0.0 for name in EXTRACTORS}
    pages = 0
    for doc_id, text in docs:
        paras = paragraphs_of(text)
        title = " ".join(paras[0].split()[:8]).rstrip(",.;:")
        for spin_name, spin in spins.items():
            spun = [spin(p) for p in paras]
            for tname, template in TEMPLATES.items():
                shown = page_paragraphs(tname, spun)
                data = template(shown, title).encode("utf-8")
                gold = main_text(tname, shown, title)
                pages += 1
                for ename, ex in EXTRACTORS.items():
                    t0 = time.perf_counter()
                    try:
                        got = ex(data)
                    except Exception as exc:  # an extractor that refuses the page kept nothing
                        got = ""
                        if ename.startswith("unspin") and "no main text" not in str(exc):
                            print(f"{doc_id} {tname} {spin_name}: {exc}", file=sys.stderr)
                    timing[ename] += time.perf_counter() - t0
                    kept, noise = overlap(gold, got)
                    cell = results.setdefault(ename, {}).setdefault(f"{tname}|{spin_name}", {"kept": [], "noise": []})
                    cell["kept"].append(kept)
                    cell["noise"].append(noise)
    return {"docs": [d for d, _ in docs], "pages": pages, "spinners": list(spins), "templates": list(TEMPLATES),
            "results": results, "seconds": timing}


def summarise(res: dict) -> str:
    lines = []
    spins = res["spinners"]
    lines.append("Share of the main text kept (mean over pages; in brackets: pages that kept < 90%), by spin:")
    lines.append("")
    lines.append("| extractor | " + " | ".join(spins) + " | noise (all pages) | ms/page |")
    lines.append("|---|" + "---|" * (len(spins) + 2))
    per_page = res["pages"]
    for ename, cells in res["results"].items():
        row = [ename]
        noise_all: list[float] = []
        for s in spins:
            kept = [k for key, c in cells.items() if key.endswith("|" + s) for k in c["kept"]]
            lost = sum(1 for k in kept if k < 0.9)
            row.append(f"{sum(kept) / len(kept):.3f} ({lost}/{len(kept)})")
        for c in cells.values():
            noise_all.extend(c["noise"])
        row.append(f"{sum(noise_all) / len(noise_all):.3f}")
        row.append(f"{1000 * res['seconds'][ename] / per_page:.1f}")
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("By page template (all spins together): share kept (pages < 90%):")
    lines.append("")
    lines.append("| extractor | " + " | ".join(res["templates"]) + " |")
    lines.append("|---|" + "---|" * len(res["templates"]))
    for ename, cells in res["results"].items():
        row = [ename]
        for t in res["templates"]:
            kept = [k for key, c in cells.items() if key.startswith(t + "|") for k in c["kept"]]
            lost = sum(1 for k in kept if k < 0.9)
            row.append(f"{sum(kept) / len(kept):.3f} ({lost})")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "unspin-html.json"))
    args = ap.parse_args()
    res = run(args.docs, args.seed)
    Path(args.json).write_text(json.dumps(res), encoding="utf-8")
    print(f"{len(res['docs'])} documents x {len(res['spinners'])} spins x {len(res['templates'])} templates = {res['pages']} pages")
    print(summarise(res))


if __name__ == "__main__":
    main()
