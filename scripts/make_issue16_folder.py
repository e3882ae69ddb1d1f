"""Build the folder of issue 16: three clean and three spun documents, as .txt, .html and .pdf,
plus a corrupt PDF.

    python scripts/make_issue16_folder.py FOLDER

The spun ones use the ``pps`` profile (word swaps learned from real paper-mill output); the
.html pages are the issue's shape (one nav line and one paragraph); the PDFs are typeset by
reportlab (``pip install unspin[test]``). Documents: the first six of the test corpus with
200-450 words.
"""

from __future__ import annotations

import gzip
import html
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]


def main() -> None:
    import screening_docs as sd
    from unspin.spinner import spin

    with gzip.open(ROOT / "benchmarks/corpora/test.jsonl.gz", "rt", encoding="utf-8") as fh:
        docs = [t for t in (json.loads(line)["text"] for line in fh) if 200 <= len(t.split()) <= 450][:6]
    farm = Path(sys.argv[1])
    farm.mkdir(parents=True)

    def page(t: str) -> str:
        return ("<html><body><nav><a href='/'>Home</a> | <a href='/a'>Articles</a></nav><p>"
                + html.escape(" ".join(t.split())) + "</p></body></html>")

    for kind, texts in (("clean", docs[:3]), ("spun", [spin(d, profile="pps", seed=0).spun for d in docs[3:]])):
        (farm / f"{kind}-1.txt").write_text(texts[0], encoding="utf-8")
        (farm / f"{kind}-2.html").write_text(page(texts[1]), encoding="utf-8")
        sd.pdf_paragraphs(farm / f"{kind}-3.pdf", [p for p in texts[2].split("\n\n") if p.strip()])
    (farm / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> trunc")


if __name__ == "__main__":
    main()
