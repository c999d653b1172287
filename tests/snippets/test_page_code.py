"""What you see is what runs: a page's code, copied in page order into a fresh Python, prints what the page shows.

``test_snippet`` runs each snippet file (and records its output); this runs what a reader can copy. Where
that is the snippet's code line for line (``pagecode.snippet_itself``: every section of one snippet, in its
order, nothing hidden, nothing that reads how it was started), ``test_snippet`` has already run it and
compared its output with what the page shows, and it is not run twice.
Test ids are page paths: ``test_page_code_runs[cpu-autograd/basics.md]`` runs the program that
``python -m tools.pagecode docs/autograd/basics.md`` prints.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tools import pagecode, pages

# Pages with code; the English twins include the same blocks in the same order (tests/site/test_pages.py).
PAGES = [p for p in pages.zh_pages() if pagecode.shown(p)[0]]
IDS = [str(p.relative_to(pages.DOCS)) for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_hidden_code(page):
    """Every executed line of the page's snippets is shown, and so is everything they print."""
    problems = pagecode.hidden_lines(page) + pagecode.unshown_outputs(page)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def page_runs():
    """Each page's program runs in its own interpreter; as many run at once as there are cores."""
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    started = {}

    def result(page, device):
        if (page, device) not in started:  # the first test starts every page for its device
            for each in PAGES:
                if pagecode.snippet_itself(each) is None:
                    started[each, device] = pool.submit(pagecode.run, each, device)
        return started[page, device].result()

    yield result
    pool.shutdown(cancel_futures=True)


@pytest.mark.xdist_group("page-code")  # one worker starts them all, as many at once as there are cores
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_page_code_runs(page, device, request, page_runs):
    if request.config.getoption("--update-outputs"):
        pytest.skip("outputs are being re-recorded; run again without --update-outputs to compare")
    if pagecode.snippet_itself(page) is not None:
        return  # the page's program is its snippet's code: test_snippet ran it and compared its output
    pagecode.check(page, device, page_runs(page, device))


def test_there_are_pages_with_code():
    assert len(PAGES) >= 10, f"only {len(PAGES)} pages with code found under {pages.DOCS}"


def _page(tmp_path, *sections, snippet="snippets/math/backprop.py"):
    """A stand-in for docs/math/backprop.md that shows these sections of its snippet."""
    blocks = [f'```python\n--8<-- "{snippet}:{s}"\n```\n' for s in sections]
    page = tmp_path / "docs" / "math" / "backprop.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("# A page\n\n" + "\n".join(blocks), encoding="utf-8")
    return page


def test_only_a_page_that_runs_its_whole_snippet_in_order_is_that_snippet(tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "DOCS", tmp_path / "docs")
    snippet = pages.ROOT / "snippets/math/backprop.py"
    order = list(dict.fromkeys(pagecode.recording.sections_of(snippet).values()))
    assert pagecode.snippet_itself(_page(tmp_path, *order)) == snippet
    assert pagecode.snippet_itself(_page(tmp_path, *order[:-1])) is None  # a section left out
    assert pagecode.snippet_itself(_page(tmp_path, order[0], *order[2:], order[1])) is None  # reordered
    assert pagecode.snippet_itself(_page(tmp_path, *order, "setup")) is None  # shown twice
