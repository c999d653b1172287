"""The whole site on one page, in navigation order, for printing: /print/ and /<locale>/print/.

docs/print.md (and its twins) hold the title and a lead; after every page of the language has been
rendered, this hook appends each page's content to it, in nav order (notebook pages left out: their code
is the chapter pages' code). Ids are prefixed with the page's path so they stay unique, links between
pages become links within the print page, and relative image and download URLs are made relative to it.
The template then loads Mermaid as for any page with diagrams, and `python -m tools.pdf` prints the page to
the PDF that the site publishes.

The print pages are built only when mkdocs.yml's `extra.print_pages` is on (PRINT_PAGES=true): they are the
PDFs' source, not pages to publish (one page repeating the whole site, heavy on a phone and a duplicate of
every page for search engines).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

PRINT_PAGE = "print.md"
# Each page starts a new sheet; buttons that only work on screen are not printed.
STYLE = "<style>.print-page{break-before:page}.md-clipboard,.page-code{display:none}</style>"
ATTRIBUTE = re.compile(r'\b(id|href|src)="([^"]*)"')


def anchor_of(url: str) -> str:
    """An id prefix for the page at site path `url` (e.g. en/autograd/basics/ -> autograd-basics)."""
    return url.strip("/").replace("/", "-") or "home"


def _rewrite(html: str, page_url: str, print_url: str, printed: set[str]) -> str:
    own = anchor_of(page_url)

    def fix(match: re.Match) -> str:
        name, value = match.groups()
        if name == "id":
            return f'id="{own}--{value}"'
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith(("mailto:", "data:")):
            return match.group(0)
        if not parts.path:  # a link within the page
            return f'{name}="#{own}--{parts.fragment}"' if parts.fragment else match.group(0)
        target = posixpath.normpath(posixpath.join("/" + page_url, parts.path))
        target += "/" if parts.path.endswith("/") else ""
        if name == "href" and target.lstrip("/") in printed:  # another page of the print page
            fragment = f"{anchor_of(target)}--{parts.fragment}" if parts.fragment else anchor_of(target)
            return f'href="#{fragment}"'
        relative = posixpath.relpath(target, "/" + print_url)
        return f'{name}="{relative}{"/" if target.endswith("/") and relative != "." else ""}"'

    return ATTRIBUTE.sub(fix, html)


def _contents(items, printed: set[str]) -> str:
    """The navigation as a nested list of links to the page sections: the print page's table of contents."""
    entries = []
    for item in items:
        if getattr(item, "children", None):
            inner = _contents(item.children, printed)
            if inner:
                entries.append(f"<li>{item.title}{inner}</li>")
        elif getattr(item, "url", None) in printed:
            entries.append(f'<li><a href="#{anchor_of(item.url)}">{item.title}</a></li>')
    return f"<ul>{''.join(entries)}</ul>" if entries else ""


def on_files(files, config, **kwargs):
    """Leave the print pages (print.md and its twins) out of the build unless they are asked for."""
    if config.extra.get("print_pages"):
        return files
    for file in [f for f in files if f.src_uri.split(".")[0] == PRINT_PAGE.split(".")[0]]:
        files.remove(file)
    return files


def on_page_context(context, page, config, nav, **kwargs):
    """Runs once every page's content exists: MkDocs renders all pages before it applies any template."""
    if page.file.src_uri.split(".")[0] != PRINT_PAGE.split(".")[0]:
        return context
    chosen = [p for p in nav.pages if p.file.src_uri.endswith(".md") and p is not page and p.content]
    printed = {p.url for p in chosen}
    parts = [STYLE, page.content, f'<nav class="print-contents">{_contents(nav.items, printed)}</nav>']
    for p in chosen:
        body = _rewrite(p.content, p.url, page.url, printed)
        parts.append(f'<section class="print-page" id="{anchor_of(p.url)}">{body}</section>')
    page.content = "\n".join(parts)
    return context
