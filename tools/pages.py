"""Read the Markdown sources: twins, heading ids, includes and code fences, with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tools import config

ROOT = config.ROOT
DOCS = ROOT / "docs"

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
HEADING_ID = re.compile(r"\{\s*#([\w-]+)\s*\}\s*$")
INCLUDE = re.compile(r"--8<--\s+\"([^\"]+)\"")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")


@dataclass(frozen=True)
class Found:
    line: int
    value: str


# mkdocs-static-i18n's suffix structure: page.md in the default language, page.<locale>.md in the others.
# Page names are identifiers (tools/scaffold.py), so a dot in the stem means a translation; no config
# is needed to tell them apart, and the snippet suite runs where MkDocs is not installed (the GPU job).


def zh_pages() -> list[Path]:
    """Pages of the default language (Chinese): page.md."""
    return sorted(p for p in DOCS.rglob("*.md") if "." not in p.stem)


def en_pages() -> list[Path]:
    """Pages of the other language (English): page.en.md."""
    return sorted(p for p in DOCS.rglob("*.md") if "." in p.stem)


def twin(page: Path) -> Path:
    """The same page in the other language (the site has two: config.languages())."""
    (other,) = [lang for lang in config.languages() if not lang.default]
    if page.name.endswith(f"{other.suffix}.md"):
        return page.with_name(page.name.removesuffix(f"{other.suffix}.md") + ".md")
    return page.with_suffix(f"{other.suffix}.md")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def scan(page: Path):
    """Yield (line number, text, fence info or None) for lines outside/inside code fences."""
    fence = None
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        m = FENCE.match(line)
        if m and fence is None:
            fence = (m.group(2)[0], len(m.group(2)), m.group(3))
            yield number, line, ("open", fence[2])
            continue
        if fence and m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not m.group(3):
            fence = None
            yield number, line, ("close", None)
            continue
        yield number, line, ("in", fence[2]) if fence else None


def headings(page: Path) -> list[Found]:
    """Headings h2 and deeper (h1 is the page title) with their explicit ids; '' where missing."""
    found = []
    for number, line, fence in scan(page):
        if fence is not None:
            continue
        m = HEADING.match(line)
        if m and len(m.group(1)) >= 2:
            id_match = HEADING_ID.search(m.group(2))
            found.append(Found(number, id_match.group(1) if id_match else ""))
    return found


def includes(page: Path) -> list[Found]:
    return [Found(n, m.group(1)) for n, line, _ in scan(page) for m in [INCLUDE.search(line)] if m]


def python_fences(page: Path) -> list[Found]:
    """Python code blocks whose body is anything other than snippet includes."""
    bad, start, body = [], None, []
    for number, line, fence in scan(page):
        if fence and fence[0] == "open" and fence[1] in ("python", "py", "python3", "pycon"):
            start, body = number, []
        elif fence and fence[0] == "in" and start:
            body.append(line.strip())
        elif fence and fence[0] == "close" and start:
            if not body or not all(INCLUDE.search(b) for b in body if b):
                bad.append(Found(start, "\n".join(body[:3])))
            start = None
    return bad
