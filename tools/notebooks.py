"""Companion notebooks, one per chapter and language, generated from the chapter's snippets.

    python -m tools.notebooks            # (re)write docs/notebooks/<chapter>.ipynb and <chapter>.en.ipynb

Generated files: edit the snippets and the pages, never the notebooks (a test compares them).

Each page of the chapter becomes a heading (the page's title in that language) followed by its
snippet, one code cell per named section (code between sections gets a cell of its own). The
notebooks carry no outputs: the pages show the recorded ones, and the tests execute every notebook.

Every heading carries an explicit anchor, `## 张量 <a id="tensors"></a>`: the id of the page's H1
(`{ #tensors }`), the same in both languages, and `notebook` for the notebook's own title. Jupyter
links to it as it is; on the site, overrides/hooks/notebooks.py moves it onto the heading and into
the table of contents (nbconvert's own slugs drop Chinese characters, leaving `id=""`), so
`/notebooks/autograd/#tensors` and `/autograd/tensors/#tensors` open the same section.
"""

from __future__ import annotations

import re

import nbformat

from tools import config, pages, recording

OUT = pages.DOCS / "notebooks"
MARKER = re.compile(r"^\s*# --8<-- \[(start|end):[a-z][-_0-9a-z]*\]\s*$")
INTRO = {
    "zh": "[下载本笔记本]({file})（`.ipynb`）。本笔记本由 `snippets/{chapter}/` 中的代码生成"
    "（`python -m tools.notebooks`），与网站上的代码完全一致。"
    "从上到下依次运行即可；默认在 CPU 上运行，设置环境变量 `TORCH_DEVICE=cuda` 可改用 GPU。",
    "en": "[Download this notebook]({file}) (`.ipynb`). Generated from the code in `snippets/{chapter}/` "
    "(`python -m tools.notebooks`), identical to the code on the site. Run it top to bottom; "
    "it uses the CPU unless the environment variable `TORCH_DEVICE=cuda` is set.",
}
VERSION = re.compile(r"^PyTorch (\S+) · ", re.M)  # in the "last verified" stamp of each .out file
CHECK = """# The PyTorch here, and the one the outputs on the site were recorded with
import os

import torch

RECORDED = "{version}"
if torch.__version__.split("+")[0] == RECORDED.split("+")[0]:
    print(f"PyTorch {{torch.__version__}}: the version the outputs on the site were recorded with.")
else:
    print(
        f"PyTorch {{torch.__version__}} here, {{RECORDED}} on the site. What may differ: printed numbers in "
        "their last digits, the wording of messages and warnings, the names in printed graphs and "
        "generated code; code that needs a newer PyTorch than this one may fail."
    )
# Every cell reads its device as the snippets do: the TORCH_DEVICE environment variable, cpu if unset.
print("device:", os.environ.get("TORCH_DEVICE", "cpu"), "| CUDA available:", torch.cuda.is_available())
if torch.cuda.is_available() and os.environ.get("TORCH_DEVICE", "cpu") == "cpu":
    print("To use the GPU, run  %env TORCH_DEVICE=cuda  in a cell, then run the notebook again.")"""
TITLE = {"zh": "{title}：本章全部代码", "en": "{title}: all the code of this chapter"}
TITLE_ID = "notebook"  # the notebook's own title; the page headings take their pages' ids


def chapter_titles(chapter: str) -> dict[str, str]:
    """The chapter's tab title in mkdocs.yml's nav, in each language."""
    section = next(s for s, _, path in config.nav_entries() if path.startswith(f"{chapter}/"))
    return {lang.locale: lang.translate(section) for lang in config.languages()}


def chapters() -> dict[str, list]:
    """Chapter folder -> its snippets, in the order the site's navigation shows their pages."""
    order = [path for _, _, path in config.nav_entries()]
    found: dict[str, list] = {}
    for path in recording.snippet_files():
        if path.parent != recording.SNIPPETS:
            found.setdefault(path.parent.name, []).append(path)
    for chapter, paths in found.items():
        paths.sort(key=lambda p: order.index(f"{chapter}/{p.stem}.md"))
    return found


def recorded_version(snippets=None) -> str:
    """The PyTorch that recorded the outputs (of these snippets; of all by default), from their stamps."""
    found = {
        m.group(1)
        for path in snippets or recording.snippet_files()
        if path.with_suffix(".out").exists()
        for m in VERSION.finditer(path.with_suffix(".out").read_text(encoding="utf-8"))
    }
    if len(found) != 1:
        raise ValueError(f"outputs recorded with PyTorch {sorted(found)}: re-record them with one version")
    return found.pop()


def cells_of(snippet) -> list[str]:
    """Split a snippet into code cells at its section markers; drop the markers and the docstring."""
    source = snippet.read_text(encoding="utf-8")
    source = re.sub(r'^""".*?"""\n', "", source, count=1, flags=re.S)
    cells, current = [], []
    for line in source.splitlines():
        if MARKER.match(line):
            cells.append("\n".join(current).strip("\n"))
            current = []
        else:
            current.append(line)
    cells.append("\n".join(current).strip("\n"))
    return [c for c in cells if c.strip()]


def page_title(snippet, lang: str) -> str:
    first = page_of(snippet, lang).read_text(encoding="utf-8").splitlines()[0]
    return pages.HEADING_ID.sub("", first.lstrip("# ")).strip()


def page_id(snippet, lang: str) -> str:
    """The explicit id of the page's H1 (`# 张量 { #tensors }` -> tensors)."""
    first = page_of(snippet, lang).read_text(encoding="utf-8").splitlines()[0]
    found = pages.HEADING_ID.search(first)
    if not found:
        raise ValueError(f"{pages.rel(page_of(snippet, lang))}: its H1 has no explicit id, e.g. `# Title {{ #name }}`")
    return found.group(1)


def heading(level: int, text: str, anchor: str) -> str:
    """A Markdown heading with an explicit anchor that Jupyter keeps and the site's hook reads."""
    return f'{"#" * level} {text} <a id="{anchor}"></a>'


DISPLAY_MATH = re.compile(r"^\\\[\n(.*?)\n\\\]$", re.S | re.M)


def _suffix(lang: str) -> str:
    return next(language.suffix for language in config.languages() if language.locale == lang)


def page_of(snippet, lang: str):
    return pages.DOCS / snippet.parent.name / f"{snippet.stem}{_suffix(lang)}.md"


def formulas(snippet, lang: str) -> str:
    """The page's display formulas, as $$ blocks, so the notebook carries the maths with the code."""
    found = DISPLAY_MATH.findall(page_of(snippet, lang).read_text(encoding="utf-8"))
    return "\n\n".join(f"$$\n{block.strip()}\n$$" for block in found)


def notebook(chapter: str, snippets: list, lang: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["generated_by"] = f"python -m tools.notebooks, from snippets/{chapter}/ (do not edit by hand)"
    title = TITLE[lang].format(title=chapter_titles(chapter)[lang])
    intro = INTRO[lang].format(chapter=chapter, file=target(chapter, lang).name)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"{heading(1, title, TITLE_ID)}\n\n{intro}"))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK.format(version=recorded_version(snippets))))
    for snippet in snippets:
        head = heading(2, page_title(snippet, lang), page_id(snippet, lang))
        nb.cells.append(nbformat.v4.new_markdown_cell(f"{head}\n\n`{pages.rel(snippet)}`"))
        if formulas(snippet, lang):
            nb.cells.append(nbformat.v4.new_markdown_cell(formulas(snippet, lang)))
        nb.cells.extend(nbformat.v4.new_code_cell(code) for code in cells_of(snippet))
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes nothing
        cell["id"] = f"{chapter}-{i}"
    return nb


def render(chapter: str, snippets: list, lang: str) -> str:
    return nbformat.writes(notebook(chapter, snippets, lang)) + "\n"


def target(chapter: str, lang: str):
    return OUT / f"{chapter}{_suffix(lang)}.ipynb"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for chapter, snippets in chapters().items():
        for lang in (language.locale for language in config.languages()):
            target(chapter, lang).write_text(render(chapter, snippets, lang), encoding="utf-8")
            print(pages.rel(target(chapter, lang)))


if __name__ == "__main__":
    main()
