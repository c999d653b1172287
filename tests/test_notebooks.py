"""Companion notebooks: in sync with the snippets, executable top to bottom, rendered as pages."""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from tools import notebooks, pages

CHAPTERS = notebooks.chapters()
REGENERATE = "python -m tools.notebooks"


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notebook_in_sync(chapter, lang):
    path = notebooks.target(chapter, lang)
    assert path.exists(), f"{pages.rel(path)} is missing; generate it with `{REGENERATE}`"
    expected = notebooks.render(chapter, CHAPTERS[chapter], lang)
    assert path.read_text(encoding="utf-8") == expected, (
        f"{pages.rel(path)} is out of date with snippets/{chapter}/; regenerate it with `{REGENERATE}`"
    )


def test_no_stale_notebook():
    expected = {notebooks.target(c, lang) for c in CHAPTERS for lang in ("zh", "en")}
    stale = [p for p in notebooks.OUT.glob("*.ipynb") if p not in expected]
    assert not stale, f"notebooks without a chapter: {[pages.rel(p) for p in stale]}; delete them"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_runs_top_to_bottom(chapter, tmp_path):
    """Execute the notebook on the CPU; both languages share the same code cells."""
    zh, en = (nbformat.read(notebooks.target(chapter, lang), as_version=4) for lang in ("zh", "en"))
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (zh, en)]
    assert code[0] == code[1], f"docs/notebooks/{chapter}.ipynb and .en.ipynb differ in code"
    client = NotebookClient(zh, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except Exception as err:  # nbclient's CellExecutionError names the cell and shows its traceback
        pytest.fail(f"{pages.rel(notebooks.target(chapter, 'zh'))}: {err}")


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_notebook_page_is_html(good_build, chapter, prefix):
    html = (good_build["dir"] / prefix / "notebooks" / chapter / "index.html").read_text(encoding="utf-8")
    source = json.loads(notebooks.target(chapter, "en" if prefix else "zh").read_text(encoding="utf-8"))
    cells = sum(c["cell_type"] == "code" for c in source["cells"])
    assert not html.lstrip().startswith("{"), f"/{prefix}notebooks/{chapter}/ is the raw notebook JSON, not a page"
    assert html.count("jp-CodeCell") >= cells, f"/{prefix}notebooks/{chapter}/ shows fewer than its {cells} code cells"
