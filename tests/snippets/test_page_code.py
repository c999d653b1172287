"""What you see is what runs: a page's code, copied in page order into a fresh Python, prints what the page shows.

``test_snippet`` runs each snippet file (and records its output); this runs what a reader can copy.
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
                started[each, device] = pool.submit(pagecode.run, each, device)
        return started[page, device].result()

    yield result
    pool.shutdown(cancel_futures=True)


@pytest.mark.xdist_group("page-code")  # one worker starts them all, as many at once as there are cores
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_page_code_runs(page, device, request, page_runs):
    if request.config.getoption("--update-outputs"):
        pytest.skip("outputs are being re-recorded; run again without --update-outputs to compare")
    pagecode.check(page, device, page_runs(page, device))


def test_there_are_pages_with_code():
    assert len(PAGES) >= 10, f"only {len(PAGES)} pages with code found under {pages.DOCS}"
