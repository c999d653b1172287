"""The site builds with `mkdocs build --strict` and every page comes out in both languages."""

import re

import pytest

from tools import browser, pagecode, pages

NOISE = re.compile(r"MERMAID2|mkdocs_static_i18n|Cleaning site|Building documentation|Documentation built")


def test_strict_build_passes(built_site):
    proc = built_site["proc"]
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR")) or "Error" in line]
    assert proc.returncode == 0 and not problems, "`mkdocs build --strict` failed:\n" + "\n".join(
        problems or log.splitlines()[-30:]
    )


ROUTES = browser.page_routes()


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_every_page_built(built_site, route, source):
    """Every page (and notebook) of both languages comes out as a rendered page."""
    if built_site["proc"].returncode:
        pytest.fail("the build failed; see test_strict_build_passes")
    html = built_site["dir"] / route / "index.html"
    assert html.exists(), f"{pages.rel(source)}: built site lacks /{route}"
    assert 'class="md-content"' in html.read_text(encoding="utf-8"), f"/{route}: not a rendered page"


OUTSIDE = re.compile(
    r"""<(?:script|img|iframe|audio|video|source)\b[^>]*\bsrc=["'](https?:)?//"""
    r"""|<link\b[^>]*\bhref=["'](https?:)?//[^"']*["'][^>]*>"""
    r"""|@import\s+(?:url\()?["']?(https?:)?//|url\(["']?(https?:)?//"""
    r"""|\bimport\s*\(\s*["'](https?:)?//|\bfrom\s+["'](https?:)?//""",  # ES modules in inline scripts
    re.IGNORECASE,
)


def test_no_asset_from_outside_the_site(built_site):
    """No page or stylesheet loads a script, style, font or image from another host."""
    if built_site["proc"].returncode:
        pytest.fail("the build failed; see test_strict_build_passes")
    site = built_site["dir"]
    sources = {f"{route}index.html": pages.rel(src) for route, src in browser.page_routes()}
    problems = []
    for path in sorted([*site.rglob("*.html"), *site.rglob("*.css")]):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in OUTSIDE.finditer(text):
            tag = m.group(0)
            if tag.lower().startswith("<link") and not re.search(
                r'rel=["\']?(stylesheet|preload|icon|modulepreload|manifest)', tag, re.IGNORECASE
            ):
                continue  # plain links (canonical, repository) load nothing
            line = text[: m.start()].count("\n") + 1
            built = str(path.relative_to(site))
            where = f"{sources[built]} (built page {built}:{line})" if built in sources else f"{built}:{line}"
            problems.append(f"{where}: loads from outside the site: {text[m.start() : m.start() + 120]!r}")
    assert not problems, "serve every asset from the site itself (see docs/assets/vendor):\n" + "\n".join(problems)


def test_name_spans_were_invisible(built_site):
    """overrides/hooks/code_markup.py drops <span class="n">: right only while names keep the code colour."""
    (css,) = (built_site["dir"] / "assets/stylesheets").glob("main.*.min.css")
    text = css.read_text(encoding="utf-8")
    assert "--md-code-hl-name-color:var(--md-code-fg-color)" in text, (
        f"{css.name}: Material no longer colours names like the rest of the code; "
        "remove overrides/hooks/code_markup.py or make it keep the spans"
    )
    page = (built_site["dir"] / "autograd/basics/index.html").read_text(encoding="utf-8")
    assert '<span class="n">' not in page and '<span class="nb">' in page, "code spans were not trimmed as expected"


def test_page_code_offered_as_download(built_site):
    """Each page with code links to its program, and the site serves exactly the program the tests run."""
    if built_site["proc"].returncode:
        pytest.fail("the build failed; see test_strict_build_passes")
    problems = []
    for route, source in browser.page_routes():
        if source.suffix != ".md" or not pagecode.program(source):
            continue
        name = pagecode.program_name(source)
        served = built_site["dir"] / route / name
        html = (built_site["dir"] / route / "index.html").read_text(encoding="utf-8")
        if not served.exists() or served.read_text(encoding="utf-8") != pagecode.program(source):
            problems.append(f"{pages.rel(source)}: /{route}{name} is missing or is not the page's program")
        if f'href="{name}" download' not in html:
            problems.append(f"{pages.rel(source)}: /{route} has no download link to {name}")
    assert not problems, "\n".join(problems)
