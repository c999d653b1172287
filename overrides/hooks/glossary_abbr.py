"""The glossary's terms as tooltips: <abbr title="computation graph">计算图</abbr>.

Read from the glossary page of the page's own language (docs/glossary.md, docs/glossary.en.md), the one
source of the site's terms:

- on Chinese pages, each Chinese term (the first column, every rendering: 动态计算图 and 动态图) gets the
  English term (the second column) as its title;
- on English pages, each abbreviation in the English column, "vector-Jacobian product (VJP)", gets what it
  stands for as its title; a full English term is already in the reader's language.

Only a term's first occurrence on a page is marked, in prose: never inside code, maths, diagrams, headings,
links or an existing <abbr>, and not on the glossary page itself. Python-Markdown's abbr extension cannot do
this for Chinese: it matches at word boundaries (\\b), and Chinese prose has none between words.
"""

import html as htmllib
import re
from pathlib import Path

GLOSSARY = "glossary"  # docs/glossary.md and its twins
ABBREVIATION = re.compile(r"^(.*?)\s*\(([A-Z]{2,})\)$")  # mean squared error (MSE)

TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>", re.S)
SKIP_TAGS = {"pre", "code", "kbd", "a", "abbr", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "svg", "title"}
SKIP_CLASS = re.compile(r'\bclass="[^"]*\b(arithmatex|mermaid|admonition-title)\b')
VOID = {"br", "img", "input", "hr", "meta", "link", "wbr", "source"}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def terms(glossary: Path, chinese: bool) -> dict[str, str]:
    """Text to mark -> its title, from the glossary's tables (columns 中文 and English)."""
    found, in_table = {}, False
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells[0] == "中文":
            in_table = True
            continue
        if not in_table or set(cells[0]) <= set("-: ") or len(cells) < 2:
            continue
        zh, en = cells[0], cells[1]
        if chinese:
            for term in zh.replace("（", " / ").replace("）", "").split(" / "):
                if term.strip() and term.strip() != en:
                    found[term.strip()] = en
        elif m := ABBREVIATION.match(en):
            found[m.group(2)] = m.group(1)
    return found


def _glossary(page, config):
    """The terms for the page's language: from docs/glossary.md, or docs/glossary.<locale>.md."""
    language = config.theme["language"]
    default = next(lang.locale for lang in config.plugins["i18n"].config.languages if lang.default)
    suffix = "" if language == default else f".{language}"
    return terms(Path(config.docs_dir) / f"{GLOSSARY}{suffix}.md", chinese=not suffix)  # a few ms


def mark(html: str, found: dict[str, str]) -> str:
    """Wrap each term's first occurrence in prose in <abbr title=...>."""
    if not found:
        return html
    chinese = any(re.search(r"[\u4e00-\u9fff]", t) for t in found)
    alternatives = "|".join(re.escape(t) for t in sorted(found, key=len, reverse=True))
    pattern = re.compile(f"(?:{alternatives})" if chinese else rf"\b(?:{alternatives})\b")
    seen: set[str] = set()

    def wrap(m):
        term = m.group(0)
        if term in seen:
            return term
        seen.add(term)
        return f'<abbr title="{htmllib.escape(found[term])}">{term}</abbr>'

    out, pos, skip, depth = [], 0, None, 0
    for m in TOKEN.finditer(html):
        text = html[pos : m.start()]
        out.append(text if skip else pattern.sub(wrap, text))
        out.append(m.group(0))
        pos = m.end()
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name or name in VOID or m.group(0).endswith("/>"):
            continue
        if skip:
            if name == skip:
                depth += -1 if closing else 1
                if depth == 0:
                    skip = None
        elif not closing and (name in SKIP_TAGS or SKIP_CLASS.search(m.group(0))):
            skip, depth = name, 1
    out.append(pattern.sub(wrap, html[pos:]) if not skip else html[pos:])
    return "".join(out)


def on_page_content(html, page, config, files, **kwargs):
    src = page.file.src_uri
    if not src.endswith(".md") or src.split(".")[0] == GLOSSARY:
        return html
    return mark(html, _glossary(page, config))
