"""Companion notebooks: in sync with the snippets, executable top to bottom, rendered as pages."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

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


def _execute(chapter: str, folder: str) -> str | None:
    """Run the chapter's notebook top to bottom on the CPU; the error, if any."""
    notebook = nbformat.read(notebooks.target(chapter, "zh"), as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}})
    try:
        client.execute()
    except Exception as err:  # nbclient's CellExecutionError names the cell and shows its traceback
        return str(err)
    return None


@pytest.fixture(scope="session")
def notebook_runs(tmp_path_factory):
    """Every chapter's notebook in its own kernel, as many at once as there are cores, started once."""
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    runs = {c: pool.submit(_execute, c, str(tmp_path_factory.mktemp(f"nb-{c}"))) for c in CHAPTERS}
    yield runs
    pool.shutdown(cancel_futures=True)


@pytest.mark.xdist_group("notebook-runs")  # one worker starts them all, as many at once as there are cores
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_runs_top_to_bottom(chapter, notebook_runs):
    """Execute the notebook on the CPU; both languages share the same code cells."""
    zh, en = (nbformat.read(notebooks.target(chapter, lang), as_version=4) for lang in ("zh", "en"))
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (zh, en)]
    assert code[0] == code[1], f"docs/notebooks/{chapter}.ipynb and .en.ipynb differ in code"
    error = notebook_runs[chapter].result()
    if error:
        pytest.fail(f"{pages.rel(notebooks.target(chapter, 'zh'))}: {error}")


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_notebook_page_is_html(good_build, chapter, prefix):
    html = (good_build["dir"] / prefix / "notebooks" / chapter / "index.html").read_text(encoding="utf-8")
    source = json.loads(notebooks.target(chapter, "en" if prefix else "zh").read_text(encoding="utf-8"))
    cells = sum(c["cell_type"] == "code" for c in source["cells"])
    assert not html.lstrip().startswith("{"), f"/{prefix}notebooks/{chapter}/ is the raw notebook JSON, not a page"
    assert html.count("jp-CodeCell") >= cells, f"/{prefix}notebooks/{chapter}/ shows fewer than its {cells} code cells"
