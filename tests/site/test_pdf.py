"""The PDF of the whole site, one per language: every chapter and page in it, its fonts embedded, its diagrams
and formulas drawn. Printed from the built site's print pages (overrides/hooks/print_site.py, tools/pdf.py) and
read back with poppler's pdftotext and pdffonts (Debian: poppler-utils)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tools import browser, config, pages, pdf

# One worker prints the PDFs once for all four tests (a module fixture is per worker under pytest-xdist).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pdf")]
IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
# A diagram's or formula's source printed as text: a Mermaid header at the start of a line (code that builds
# diagrams writes it inside quotes), the frontmatter of the live diagrams, or TeX delimiters and commands.
UNDRAWN = re.compile(r"(?m)^\s*(flowchart|graph) (LR|RL|TD|TB|BT)\b|useMaxWidth|\\frac|\\partial|\\\(|\$\$")


def _poppler(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(good_build, tmp_path_factory):
    """{locale: (pdf path, its text)}."""
    missing = [tool for tool in ("pdftotext", "pdffonts", "pdfinfo") if shutil.which(tool) is None]
    if browser.find_chromium() is None or missing:
        why = f"needs Chromium and poppler-utils (missing: {missing or 'chromium'})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}; under CI=true the PDF must be printed and read")
        pytest.skip(why)
    out = tmp_path_factory.mktemp("pdf")
    # A process of its own: Playwright's sync API refuses to start where another test's browser already runs.
    proc = subprocess.run(
        [sys.executable, "-m", "tools.pdf", str(good_build["dir"]), "--out", str(out)],
        cwd=pages.ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"python -m tools.pdf failed:\n{proc.stderr[-3000:]}"
    paths = sorted(out.glob(f"{pdf.NAME}.*.pdf"))
    assert len(paths) == len(config.languages()), f"one PDF per language expected, found {paths}"
    return {p.name.split(".")[-2]: (p, _poppler("pdftotext", str(p), "-")) for p in paths}


def _title(page) -> str:
    line = next(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    return re.sub(r"\s*\{.*\}\s*$", "", line[2:]).replace("`", "")


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("lang", config.languages(), ids=lambda lang: lang.locale)
def test_every_chapter_and_page_is_in_the_pdf(printed, lang):
    path, text = printed[lang.locale]
    entries = [entry for _, _, entry in config.nav_entries() if entry.endswith(".md")]  # notebooks left out
    titles = [_title(pages.DOCS / entry.replace(".md", f"{lang.suffix}.md")) for entry in entries]
    chapters = {lang.translate(section) for section, _, _ in config.nav_entries() if section}
    missing = [title for title in [*titles, *chapters] if _plain(title) not in _plain(text)]
    assert not missing, f"{pages.rel(path) if path.is_relative_to(pages.ROOT) else path.name} lacks: {missing}"
    sheets = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(path))).group(1))
    assert sheets >= len(titles), f"{sheets} sheets for {len(titles)} pages, each of which starts a new sheet"


@pytest.mark.parametrize("lang", config.languages(), ids=lambda lang: lang.locale)
def test_diagrams_formulas_and_glyphs_are_drawn(printed, lang):
    path, text = printed[lang.locale]
    undrawn = UNDRAWN.search(text)
    assert not undrawn, f"{path.name}: {undrawn.group()!r} printed as text: a diagram or formula was not drawn"
    assert IDEOGRAPH.search(text), f"{path.name}: no Chinese text"  # both have some (glossary, language names)
    rows = _poppler("pdffonts", str(path)).splitlines()[2:]
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]  # columns: ... emb sub uni object ID
    assert rows and not not_embedded, f"{path.name}: fonts not embedded, so glyphs may show as boxes:\n" + "\n".join(
        not_embedded[:5]
    )


@pytest.mark.parametrize("lang", config.languages(), ids=lambda lang: lang.locale)
def test_home_page_links_to_both_pdfs(good_build, lang):
    """The deploy workflow writes <site>/pdf/<name>.<locale>.pdf (tools/pdf.py); each home page links to both."""
    home = (good_build["dir"] / lang.prefix / "index.html").read_text(encoding="utf-8")
    up = "../" * lang.prefix.count("/")
    for other in config.languages():
        assert f'href="{up}pdf/{pdf.NAME}.{other.locale}.pdf"' in home, f"{lang.prefix}index.html: no link to it"
