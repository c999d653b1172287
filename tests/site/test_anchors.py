"""Every heading reachable: ids on every heading, and every link with a #fragment lands on one.

Over the built site, both languages, Markdown pages and notebook pages alike:
- every heading has a non-empty id, unique on its page;
- every in-page link (href="#..."; the table of contents, the ¶ links, footnotes, "skip to content")
  names an id on that page;
- every link to another page of the site with a #fragment names an id on that page.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.site.built import parsed
from tools import browser, pages

# One worker runs every test that reads parsed pages (tests/site/built.py), so each page is parsed once.
pytestmark = pytest.mark.xdist_group("parsed-pages")
ROUTES = browser.page_routes(print_pages=True)  # the print pages too: the PDFs keep their ids and links
SOURCE = {route: source for route, source in ROUTES}
HEADING = re.compile(r"^h[1-6]$")
REGENERATE = "python -m tools.notebooks"


def _fix_heading(source: Path) -> str:
    if source.suffix == ".ipynb":
        return (
            f"the notebook is generated: regenerate it with `{REGENERATE}` (it writes each heading as "
            '`## Title <a id="page-id"></a>`, which overrides/hooks/notebooks.py moves onto the heading)'
        )
    return "give the heading an explicit id, the same in both languages: `## Title { #some-id }`"


@functools.cache
def _page(site_dir: Path, route: str):
    """The page parsed, the ids and anchor names a link can land on, and its ids in order (to find repeats)."""
    soup = parsed(site_dir, route)
    ids = [element["id"] for element in soup.find_all(id=True)]
    names = [a["name"] for a in soup.find_all("a", attrs={"name": True})]  # old-style anchors count too
    return soup, set(ids) | set(names), ids


def _links(soup):
    for a in soup.find_all("a", href=True):
        yield a["href"], " ".join(a.get_text().split())[:60]


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_headings_have_unique_ids(good_build, route, source):
    soup, _, ids = _page(good_build["dir"], route)
    problems = []
    missing = [h for h in soup.find_all(HEADING) if not h.get("id")]
    for heading in missing:
        text = " ".join(heading.get_text().replace("¶", "").split())
        problems.append(f"<{heading.name}> {text!r} has no id")
    if missing:
        problems.append(f"Fix: {_fix_heading(source)}")
    counts = Counter(ids)
    for i in sorted(i for i, n in counts.items() if i and n > 1):
        problems.append(f'id="{i}" appears {counts[i]} times: rename one of the headings\' `{{ #{i} }}`')
    assert not problems, f"{pages.rel(source)} (/{route}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_in_page_links_resolve(good_build, route, source):
    soup, ids, _ = _page(good_build["dir"], route)
    broken = []
    for href, text in _links(soup):
        if href.startswith("#") and len(href) > 1 and unquote(href[1:]) not in ids:
            broken.append(f"{href} ({text!r})")
    broken = list(dict.fromkeys(broken))  # the table of contents is in the page twice (sidebar and drawer)
    assert not broken, (
        f"{pages.rel(source)} (/{route}) links to ids that are not on the page:\n  "
        + "\n  ".join(broken)
        + "\nFix: link to an explicit heading id of this page ({ #id }), or give the heading that id"
        + (f"; the notebook is generated, regenerate it with `{REGENERATE}`" if source.suffix == ".ipynb" else "")
    )


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_links_to_other_pages_land_on_an_id(good_build, route, source):
    site_dir = good_build["dir"]
    soup, _, _ = _page(site_dir, route)
    here = urljoin("http://site" + browser.BASE_PATH, route)
    broken = []
    for href, text in _links(soup):
        if "#" not in href or href.startswith("#"):
            continue
        target = urlsplit(urljoin(here, href))
        if target.netloc != "site" or not target.path.startswith(browser.BASE_PATH) or not target.fragment:
            continue  # outside the site, or only "#"
        other = target.path.removeprefix(browser.BASE_PATH)
        if other not in SOURCE:
            if not (site_dir / other).exists():
                broken.append(f"{href} ({text!r}): no page /{other} in the site; fix the link's path")
            continue  # a file (a notebook download, an image): no ids to check
        _, ids, _ = _page(site_dir, other)
        if unquote(target.fragment) not in ids:
            broken.append(
                f"{href} ({text!r}): {pages.rel(SOURCE[other])} has no id {target.fragment!r}; link to one of "
                f"its heading ids, or give the heading it means that id ({{ #{target.fragment} }})"
            )
    broken = list(dict.fromkeys(broken))
    assert not broken, f"{pages.rel(source)} (/{route}) links to sections that do not exist:\n  " + "\n  ".join(broken)
