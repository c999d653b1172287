"""Keep notebooks as pages.

mkdocs-jupyter marks .ipynb files as documentation pages, but mkdocs-static-i18n
rebuilds every File afterwards and the mark is lost, so a notebook would be copied
as raw JSON to .../index.html while the build still passes (static-i18n #198).
Running last, mark them again; mkdocs-jupyter then renders them as usual.

mkdocs-jupyter 0.26 (the last release for Python 3.11) also puts into every notebook
page a module script importing Mermaid and its ELK layouts from cdnjs, and an empty
MathJax 2 loader (<script src="">). Our notebooks contain no diagrams, their maths is
typeset when the site is built (overrides/hooks/mathjax.py), and a page must not reach outside the site, so both
are removed from the page's content.

It also inlines JupyterLab's entire stylesheet (about 570 KB) into every notebook page,
more than the rest of the page together, and gives each code cell its own copy button
with a hidden second copy of the code. Both are removed: the code cells are marked up as
Material code blocks (Material's colours and copy button), nbconvert's nested wrappers are
reduced to one <div> per cell, and docs/assets/stylesheets/notebooks.css lays out the cells.
(overrides/hooks/code_markup.py trims the code's spans on these pages as on every page.)

Heading ids: nbconvert and mkdocs-jupyter's table of contents slug a heading's text down to ASCII,
so a Chinese heading gets `id=""` and a TOC link to `#_2`, which exists nowhere. tools/notebooks.py
writes each heading with an explicit anchor, `## 张量 <a id="tensors"></a>` (the id of the chapter
page's H1, the same in both languages); here that id moves onto the heading, its ¶ link and its
table-of-contents entry, so /notebooks/autograd/#tensors lands where /autograd/tensors/#tensors does.
A heading without an anchor keeps the table of contents' slug, so the two always agree.

mkdocs-jupyter caches each converted notebook (`.cache/mkdocs-jupyter/`) and, after a build, deletes the
entries that build did not use. mkdocs-static-i18n builds the languages one after another in one process, so
each language's build deleted the other's entries and every build converted every notebook again (about a
third of the build's time). Each language gets a cache folder of its own.
"""

import html as htmllib
import logging
import re
import types
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString
from mkdocs.plugins import event_priority


def _is_page(self):
    return True


_CACHE_DIR = []  # mkdocs-jupyter's own cache_dir, before the first build of this process changed it


def on_pre_build(config, **kwargs):
    """Point mkdocs-jupyter's cache at a folder for the language about to be built."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config["cache"]:
        return
    _CACHE_DIR[:] = _CACHE_DIR or [plugin.config["cache_dir"]]
    plugin.config["cache_dir"] = str(Path(_CACHE_DIR[0]) / config.theme["language"])


@event_priority(-100)
def on_files(files, config, **kwargs):
    for file in files:
        if file.src_uri.startswith("notebooks/") and file.src_uri.endswith(".ipynb"):
            file.is_documentation_page = types.MethodType(_is_page, file)
    return files


NOTEBOOK_EXTRAS = re.compile(
    r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*?</script>'
    r'|<!-- Load mathjax -->\s*<script src=""> </script>'
    r'|<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">.*?</script>',
    re.S,
)


DEFAULT_LANGUAGE = "zh"  # served at the site root; other languages under /<lang>/
LANGUAGE_LINK = re.compile(r'<a\b[^>]*\bhreflang="(?P<lang>[a-z]+)"[^>]*>')


# JupyterLab's whole stylesheet (about 570 KB) and pygments colours, inlined in every notebook page;
# docs/assets/stylesheets/notebooks.css and Material's own code colours replace them.
NOTEBOOK_STYLES = re.compile(r"<style\b[^>]*>.*?</style>", re.S)

# Each code cell's own copy button (an icon plus a hidden second copy of the code). Material's copy
# button replaces it once the cell's code is marked up as Material's: <pre><code> in .highlight.
NOTEBOOK_COPY = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
    r'|<div class="clipboard-copy-txt"[^>]*>.*?</div>'
    r"|<script>(?:(?!</script>).)*?clipboard-copy(?:(?!</script>).)*?</script>",  # its scripts, now idle
    re.S,
)
NOTEBOOK_CODE = re.compile(r'<div class="(highlight-ipynb[^"]*)"><pre>(.*?)</pre>', re.S)

NOTEBOOK_MATH = re.compile(r"<p>\$\$(.*?)\$\$</p>", re.S)


log = logging.getLogger("mkdocs.hooks.notebooks")
HEADING_TAG = re.compile(r"^h[1-6]$")


def _toc_entries(items):
    """The table of contents in document order (it nests: h1, its h2s, ...)."""
    for item in items:
        yield item
        yield from _toc_entries(item.children)


def _text(heading) -> str:
    """A heading's text without its ¶ link, as the table of contents titles it."""
    return "".join(s for s in heading.strings if not s.find_parent("a", class_="anchor-link")).strip()


def _heading_ids(soup, page):
    """Give each heading its explicit anchor's id, on the heading, its ¶ link and its TOC entry."""
    entries = list(_toc_entries(page.toc))
    for heading in soup.find_all(HEADING_TAG):
        entry = None
        if entries and htmllib.unescape(entries[0].title).strip() == _text(heading):
            entry = entries.pop(0)
        anchor = next((a for a in heading.find_all("a", id=True) if "anchor-link" not in a.get("class", [])), None)
        if anchor is not None:
            new_id = anchor["id"]
            before = anchor.previous_sibling  # "张量 ": the space that set the anchor apart
            if isinstance(before, NavigableString):
                before.replace_with(before.rstrip())
            anchor.decompose()
        else:
            new_id = entry.id if entry else heading.get("id", "")
        if not new_id:
            log.warning(
                "%s: heading %r has no id; tools/notebooks.py writes one as <a id=...> in the heading",
                page.file.src_uri,
                _text(heading),
            )
            continue
        heading["id"] = new_id
        link = heading.find("a", class_="anchor-link")
        if link is not None:
            link["href"] = f"#{new_id}"
        if entry is not None:
            entry.id = new_id


def _plain_cells(soup):
    """Keep one <div> per cell: nbconvert's other wrappers only served JupyterLab's stylesheet."""
    for element in soup.select(".jp-InputPrompt, .jp-Collapser"):
        element.decompose()
    for element in soup.find_all(class_=re.compile(r"^(jp-|CodeMirror)")):
        classes = element.get("class", [])
        # nbconvert nests two identical cell <div>s; the inner one has the id
        if not ("jp-Notebook" in classes or ("jp-Cell" in classes and element.get("id"))):
            element.unwrap()


def on_page_content(html, page, config, files, **kwargs):
    """Drop the notebook page's outside scripts; mark its $$ formulas the way arithmatex does.

    With the formulas in <div class="arithmatex">, overrides/hooks/mathjax.py typesets them
    exactly as on a Markdown page, and the browser tests check them the same way.
    """
    if page.file.src_uri.endswith(".ipynb"):
        html = NOTEBOOK_EXTRAS.sub("", html)
        html = NOTEBOOK_STYLES.sub("", html)
        html = NOTEBOOK_COPY.sub("", html)
        html = NOTEBOOK_CODE.sub(r'<div class="highlight \1"><pre><code>\2</code></pre>', html)
        # Material's copy button finds its code by a CSS selector built from the cell's id,
        # and nbconvert's ids ("cell-id=autograd-2") are not valid in a selector.
        html = html.replace('id="cell-id=', 'id="cell-')
        soup = BeautifulSoup(html, "html.parser")
        _plain_cells(soup)
        _heading_ids(soup, page)
        html = str(soup)
        return NOTEBOOK_MATH.sub(r'<div class="arithmatex">\\[\1\\]</div>', html)
    return html


def on_post_page(output, page, config, **kwargs):
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    # The i18n plugin never learned that notebooks are pages, so its language selector points
    # at the other language's home page; point it at the same notebook instead.
    chapter = page.file.src_uri.rsplit("/", 1)[-1].split(".")[0]
    base = urlsplit(config.site_url or "/").path.rstrip("/")

    def same_notebook(link):
        lang = link.group("lang")
        prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
        return re.sub(r'href="[^"]*"', f'href="{base}/{prefix}notebooks/{chapter}/"', link.group(0))

    return LANGUAGE_LINK.sub(same_notebook, output)
