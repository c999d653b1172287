"""The site builds with `mkdocs build --strict` and every page comes out in both languages."""

import re

import pytest

from tests.site import pages

NOISE = re.compile(r"MERMAID2|mkdocs_static_i18n|Cleaning site|Building documentation|Documentation built")


def test_strict_build_passes(built_site):
    proc = built_site["proc"]
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR")) or "Error" in line]
    assert proc.returncode == 0 and not problems, (
        "`mkdocs build --strict` failed:\n" + "\n".join(problems or log.splitlines()[-30:])
    )


@pytest.mark.parametrize("page", pages.zh_pages(), ids=pages.rel)
def test_page_built_in_both_languages(built_site, page):
    if built_site["proc"].returncode:
        pytest.fail("the build failed; see test_strict_build_passes")
    rel = page.relative_to(pages.DOCS).with_suffix("")
    route = "" if rel.name == "index" else f"{rel}/"
    route = str(rel.parent) + "/" if rel.name == "index" and str(rel.parent) != "." else route
    for prefix in ("", "en/"):
        html = built_site["dir"] / prefix / route / "index.html"
        assert html.exists(), f"{pages.rel(page)}: built site lacks /{prefix}{route} ({html})"
        text = html.read_text(encoding="utf-8")
        assert 'class="md-content"' in text, f"/{prefix}{route}: not a rendered page"
