"""The site builds with `mkdocs build --strict` and every page comes out in both languages."""

import re

import pytest

from tools import browser, pagecode, pages

NOISE = re.compile(r"MERMAID2|mkdocs_static_i18n|Cleaning site|Building documentation|Documentation built")


LINK_WARNING = re.compile(r"Doc file '([^']+)' contains a link '([^']+)', but (.*)")


def explain(line: str) -> str:
    """MkDocs names the page and the link; add the line where the link is, and what to do."""
    m = LINK_WARNING.search(line)
    if not m:
        return line
    page, link, why = m.groups()
    source = pages.DOCS / page
    target = link.split("#")[0]
    text = source.read_text(encoding="utf-8").splitlines() if source.exists() else []
    number = next((n for n, t in enumerate(text, 1) if f"({link})" in t or f"({link} " in t), None)
    where = f"docs/{page}:{number}" if number else f"docs/{page}"
    fix = (
        f"make the link point at an existing page or image, or remove it (looked for docs/{target})"
        if "not found" in why
        else "link to a heading id that the target page has (its `{ #id }`), or remove the fragment"
    )
    return f"{where}: link '{link}': {why.rstrip('.')}. Fix: {fix}."


def test_strict_build_passes(built_site):
    proc = built_site["proc"]
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR")) or "Error" in line]
    assert proc.returncode == 0 and not problems, "`mkdocs build --strict` failed:\n" + "\n".join(
        explain(line) for line in problems or log.splitlines()[-30:]
    )


ROUTES = browser.page_routes(print_pages=True)  # the tests' build has the print pages (tests/conftest.py)


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_every_page_built(good_build, route, source):
    """Every page (and notebook) of both languages comes out as a rendered page."""
    html = good_build["dir"] / route / "index.html"
    assert html.exists(), f"{pages.rel(source)}: built site lacks /{route}"
    assert 'class="md-content"' in html.read_text(encoding="utf-8"), f"/{route}: not a rendered page"


OUTSIDE = re.compile(
    r"""<(?:script|img|iframe|audio|video|source)\b[^>]*\bsrc=["'](https?:)?//"""
    r"""|<link\b[^>]*\bhref=["'](https?:)?//[^"']*["'][^>]*>"""
    r"""|@import\s+(?:url\()?["']?(https?:)?//|url\(["']?(https?:)?//"""
    r"""|\bimport\s*\(\s*["'](https?:)?//|\bfrom\s+["'](https?:)?//""",  # ES modules in inline scripts
    re.IGNORECASE,
)


def test_no_asset_from_outside_the_site(good_build):
    """No page or stylesheet loads a script, style, font or image from another host."""
    site = good_build["dir"]
    sources = {f"{route}index.html": pages.rel(src) for route, src in ROUTES}
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


PRINT_LINK = re.compile(r"\]\((?:\.\./)*print(?:\.\w+)?\.md\b")


def test_no_page_links_to_the_print_pages():
    """The published site has no print pages (mkdocs.yml, `extra.print_pages`), so nothing may link to them.

    The tests' build has them, so a link to one would pass here and break the deploy job's strict build.
    """
    problems = []
    for _, source in browser.page_routes():
        for number, line, fence in pages.scan(source) if source.suffix == ".md" else ():
            if fence is None and PRINT_LINK.search(line):
                problems.append(f"{pages.rel(source)}:{number}: links to a print page, which is not published")
    assert not problems, "\n".join(problems) + "\nFix: link to the PDFs instead (docs/index.md)"


def test_name_spans_were_invisible(good_build):
    """overrides/hooks/code_markup.py drops <span class="n">: right only while names keep the code colour."""
    (css,) = (good_build["dir"] / "assets/stylesheets").glob("main.*.min.css")
    text = css.read_text(encoding="utf-8")
    assert "--md-code-hl-name-color:var(--md-code-fg-color)" in text, (
        f"{css.name}: Material no longer colours names like the rest of the code; "
        "remove overrides/hooks/code_markup.py or make it keep the spans"
    )
    page = (good_build["dir"] / "autograd/basics/index.html").read_text(encoding="utf-8")
    assert '<span class="n">' not in page and '<span class="nb">' in page, "code spans were not trimmed as expected"


def test_page_code_offered_as_download(good_build):
    """Each page with code links to its program, and the site serves exactly the program the tests run."""
    problems = []
    for route, source in browser.page_routes():
        if source.suffix != ".md" or not pagecode.program(source):
            continue
        name = pagecode.program_name(source)
        served = good_build["dir"] / route / name
        html = (good_build["dir"] / route / "index.html").read_text(encoding="utf-8")
        if not served.exists() or served.read_text(encoding="utf-8") != pagecode.program(source):
            problems.append(f"{pages.rel(source)}: /{route}{name} is missing or is not the page's program")
        if not re.search(rf'<a(?=[^>]*\bhref="{re.escape(name)}")(?=[^>]*\bdownload\b)[^>]*>', html):
            problems.append(f"{pages.rel(source)}: /{route} has no download link to {name}")
    assert not problems, "\n".join(problems)
