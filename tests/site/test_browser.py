"""The built site as readers meet it: every page of both languages in Chromium."""

from __future__ import annotations

import contextlib
import os
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tools import browser, pagecode, pages

pytestmark = pytest.mark.browser
SCREENSHOTS = pages.ROOT / "build" / "screenshots"
ROUTES = browser.page_routes()


@pytest.fixture(scope="session")
def chromium():
    path = browser.find_chromium()
    reason = f"no Chromium found (looked for $CHROMIUM_PATH, {', '.join(browser.CANDIDATES)})"
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the browser tests must run (install Debian's chromium)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=browser.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site(good_build, tmp_path_factory):
    server = browser.Server(good_build["dir"], tmp_path_factory.mktemp("serve"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def tab(chromium, site):
    """One tab per worker that goes from page to page, as a reader clicking through the site does.

    A new browser context for every page (a new renderer process) cost three times what the visit itself
    does. What each visit saw goes into the tab's report, emptied when the next visit starts; a test that
    changes the viewport or the colour scheme puts them back (`looking`).
    """
    ctx = chromium.new_context(base_url=site.base)
    ctx.add_init_script(browser.OPEN_SHADOW_ROOTS)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.origin)
    page = ctx.new_page()
    report = {}

    def requested(r):
        report["urls"].append(r.url)
        if not r.url.startswith(("data:", "blob:", site.origin)):
            report["outside"].append(r.url)

    page.on("request", requested)
    page.on("requestfailed", lambda r: report["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and report["failed"].append(f"{r.url} (HTTP {r.status})"))
    page.on("console", lambda m: m.type == "error" and report["console"].append(m.text))
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    yield page, report
    ctx.close()


def open_page(tab, site, route, wait_until="load", draw=True):
    """Load a page in the tab and collect what went wrong on the way."""
    page, report = tab
    # Leave the last page first: requests it still had in flight are cancelled now, and reported against it.
    page.goto("about:blank")
    report.update(outside=[], failed=[], console=[], urls=[])
    # "load" covers the page's own scripts, styles and images; diagrams, drawn later, are waited for
    # explicitly, so no fixed half-second of network silence is spent on every page.
    page.goto(site.base + route, wait_until=wait_until)
    if draw:
        wait_for_diagrams_and_maths(page)
    return page, report


@contextlib.contextmanager
def looking(page, width=None, height=None, scheme=None):
    """View the tab at another size or in another colour scheme, and put it back afterwards."""
    before = page.viewport_size
    page.set_viewport_size({"width": width or before["width"], "height": height or before["height"]})
    if scheme:
        page.emulate_media(color_scheme=scheme)
    try:
        yield page
    finally:
        page.set_viewport_size(before)
        page.emulate_media(color_scheme="light")  # Playwright's default


def wait_for_diagrams_and_maths(page):
    """Bring every diagram near the screen, give Mermaid time to draw it; what did not render is reported.

    Diagrams are drawn when they come within a screen of the viewport (docs/assets/javascripts/mermaid.mjs), so
    each one (a diagram in a tab: its set of tabs) is scrolled into view in turn; the page then returns to where
    it was. Waiting ends when every diagram is drawn or has failed (one that Mermaid cannot parse is never
    drawn). Maths is typeset when the site is built (overrides/hooks/mathjax.py): nothing to wait for.
    """
    page.evaluate(browser.SCROLL_TO_EVERY_DIAGRAM)
    try:
        page.wait_for_function(browser.DIAGRAMS_SETTLED, timeout=15_000)
    except PlaywrightTimeout:
        pass


# Each formula (an .arithmatex element, its TeX in data-tex) holds MathJax's SVG output (typeset when the site is
# built, overrides/hooks/mathjax.py), without a TeX error, and every glyph it draws is there: each <use> finds the
# outline it refers to.
MATH_PROBLEMS = """() => {
  const leftover = [...document.querySelectorAll('.jp-RenderedMarkdown')].filter(m => m.textContent.includes('$$'));
  if (leftover.length) return [`maths in ${leftover.length} notebook cell(s) left as raw $$ text`];
  const blocks = [...document.querySelectorAll('.arithmatex')];
  return blocks.map((b, i) => {
    const source = (b.dataset.tex || b.textContent).slice(0, 80);
    const out = b.querySelector('mjx-container');
    const svg = out && out.querySelector('svg');
    if (!svg) return `maths ${i + 1}: not rendered: ${source}`;
    const err = out.querySelector('mjx-merror, [data-mjx-error]');
    const message = err && (err.getAttribute('data-mjx-error') || err.textContent);
    if (err) return `maths ${i + 1}: TeX error "${message}" in ${source}`;
    const glyphs = [...svg.querySelectorAll('use')];
    const target = u => (u.getAttribute('xlink:href') || u.getAttribute('href') || '#').slice(1);
    const missing = glyphs.filter(u => !document.getElementById(target(u)));
    if (!glyphs.length || missing.length)
      return `maths ${i + 1}: ${missing.length} of ${glyphs.length} glyph(s) without an outline: ${source}`;
    if (b.offsetParent && !svg.getBoundingClientRect().width) return `maths ${i + 1}: drawn with no width: ${source}`;
    return null;
  }).filter(Boolean);
}"""


DIAGRAMS = "div.mermaid, pre.mermaid"
# Mermaid's ESM build keeps each diagram type in chunks named after it; the site draws flowcharts only.
OTHER_DIAGRAMS = re.compile(r"/chunks/mermaid\.esm\.min/(?!flowDiagram)\w*(Diagram|diagram-definition|katex)\w*-")


@pytest.mark.parametrize("route,source", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_page_in_browser(tab, site, route, source):
    """Renders cleanly, stays inside the site, and its language switch keeps the page and section."""
    section = next((h.value for h in pages.headings(source)), "") if source.suffix == ".md" else ""
    anchor = f"#{section}" if section else ""
    page, report = open_page(tab, site, route + anchor)
    problems = [f"request outside the site: {u}" for u in report["outside"]]
    problems += [f"failed request: {u}" for u in report["failed"]]
    problems += [f"console error: {c}" for c in report["console"]]
    problems += page.evaluate(browser.DIAGRAM_PROBLEMS)
    problems += page.evaluate(MATH_PROBLEMS)
    # Mermaid loads once where a diagram is drawn and nowhere else, and only the parts a flowchart needs;
    # maths comes typeset with the page: no page loads MathJax or a font of its own.
    loads, needed = sum("/mermaid.esm.min.mjs" in u for u in report["urls"]), page.locator(DIAGRAMS).count() > 0
    if loads != (1 if needed else 0):
        problems.append(f"Mermaid loaded {loads} times on a page {'with' if needed else 'without'} diagrams")
    problems += [f"MathJax loaded in the browser: {u}" for u in report["urls"] if "mathjax" in u.lower()]
    problems += [
        f"a diagram type this page does not use loaded: {u}" for u in report["urls"] if OTHER_DIAGRAMS.search(u)
    ]
    # Search loads when the reader opens it (docs/assets/javascripts/lazy-search.js), not with every page.
    early = [u for u in report["urls"] if "search_index.json" in u or "/workers/search." in u]
    if early:
        problems.append(f"search loaded before anyone opened it: {early}")
    other = "zh" if route.startswith("en/") else "en"
    expected = site.base + (route[len("en/") :] if other == "zh" else f"en/{route}") + anchor
    # Where the selector's link leads after a click (docs/assets/javascripts/language-switch.js adds the
    # section on click): the click runs every listener, and only the navigation itself is held back, since
    # the other page is tested on its own. Material reroutes such clicks only with <link rel="alternate">,
    # which overrides/main.html leaves out.
    target = page.evaluate(
        """lang => {
          const link = document.querySelector(`.md-select a[hreflang="${lang}"]`);
          link.addEventListener("click", event => event.preventDefault(), { once: true });
          link.click();
          return link.href;
        }""",
        other,
    )
    if target != expected:
        problems.append(f"the language switch goes to {target}, expected {expected}")
    assert not problems, f"{pages.rel(source)} (/{route}):\n  " + "\n  ".join(problems)


def test_diagrams_drawn_when_they_come_near(tab, site):
    """A reader at the top of intro/concepts/ loads no Mermaid (its diagrams are screens below); scrolling to
    them loads it once and draws every one (docs/assets/javascripts/mermaid.mjs)."""
    route = "intro/concepts/"
    page, report = open_page(tab, site, route, wait_until="networkidle", draw=False)
    urls = report["urls"]
    tops = page.evaluate(f"[...document.querySelectorAll('{DIAGRAMS}')].map(d => d.getBoundingClientRect().top)")
    assert tops and min(t for t in tops if t > 0) > 3 * page.viewport_size["height"], (
        f"/{route}: a diagram is within three screens of the top ({tops}): pick a page whose diagrams are further down"
    )
    early = [u for u in urls if "/vendor/mermaid/" in u]
    assert not early, f"/{route}: Mermaid loaded before any diagram came near the screen: {early}"
    wait_for_diagrams_and_maths(page)
    assert page.evaluate(browser.DIAGRAM_PROBLEMS) == []
    assert sum("/mermaid.esm.min.mjs" in u for u in urls) == 1, [u for u in urls if "mermaid" in u]


@pytest.mark.parametrize(
    "route,term,expected",
    [
        ("", "计算图", "intro/concepts/"),
        ("", "叶子张量", "autograd/basics/"),
        ("en/", "autograd", "en/autograd/basics/"),
        ("en/", "guards", "en/autograd/graph_capture/"),
    ],
)
def test_search_finds_pages(tab, site, route, term, expected):
    page, _ = open_page(tab, site, route)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator(".md-search__input")
    # Material searches on keyup, and the worker first builds its index in the browser (seconds on
    # a slow machine); a query typed before it is ready is dropped. Type again until results come.
    for _ in range(12):
        box.press("Control+A")
        box.press("Backspace")
        box.press_sequentially(term, delay=30)
        box.press("End")  # CJK text is inserted without key events; this keyup submits it
        try:
            page.wait_for_selector(".md-search-result__item", timeout=2_500)
            break
        except PlaywrightTimeout:
            continue
    links = page.eval_on_selector_all(".md-search-result__item a", "as => as.map(a => a.href)")
    assert any(link.startswith(site.base + expected) for link in links), (
        f"searching /{route} for '{term}' did not find /{expected}; results: {links[:8]}"
    )
    other_language = [link for link in links if link.startswith(site.base + "en/") != route.startswith("en/")]
    assert not other_language, (
        f"searching /{route} for '{term}' listed pages of the other language: {other_language[:5]}"
    )


@pytest.mark.parametrize("route,term", [("autograd/basics/", "叶子张量"), ("en/autograd/basics/", "leaf")])
def test_search_result_highlights_its_terms(tab, site, route, term):
    """A page opened from a search result (?h=...) loads search at once, to mark the terms it matched."""
    page, report = open_page(tab, site, f"{route}?h={term}")
    index = [u for u in report["urls"] if "search_index.json" in u]
    try:
        page.wait_for_selector("mark[data-md-highlight]", timeout=10_000)
    except PlaywrightTimeout:
        pytest.fail(f"/{route}?h={term}: no term highlighted; search index requests: {index}")


def first_snippet_section():
    """The first code block of docs/autograd/basics.md, as the page shows it (its setup section)."""
    first = pagecode.shown(pages.DOCS / "autograd/basics.md")[0][0]
    return pagecode.section_text(first.path, first.section)


def first_notebook_cell():
    import nbformat

    notebook = nbformat.read(pages.ROOT / "docs/notebooks/autograd.en.ipynb", as_version=4)
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize(
    "route,expected", [("autograd/basics/", first_snippet_section), ("en/notebooks/autograd/", first_notebook_cell)]
)
def test_copy_button_copies_the_code(tab, site, route, expected):
    page, _ = open_page(tab, site, route)
    block = page.locator(".md-content div.highlight").first
    block.hover()
    block.locator('button[data-md-type="copy"]').click()
    copied, wanted = page.evaluate("navigator.clipboard.readText()"), expected()
    assert copied.strip() == wanted.strip(), f"/{route}: copied:\n{copied}\nexpected:\n{wanted}"


# Each closed solution's code: is it laid out (has a width), and does it have Material's copy button?
SOLUTION_CODE = """details => details.map(d => [...d.querySelectorAll('pre')].map(pre => [
  pre.getBoundingClientRect().width > 0, !!pre.parentElement.querySelector('button[data-md-type="copy"]')]))"""


def test_solutions_stay_closed_until_opened(tab, site):
    """A solution shows nothing until the reader opens it (overrides/main.html lays closed blocks out as nothing),
    then shows its code, with the copy button, like any other code on the page."""
    page, _ = open_page(tab, site, "practice/exercises/")
    solutions = page.locator("details.success")
    assert solutions.count() >= 3, "practice/exercises/: expected a solution block per exercise"
    closed = solutions.evaluate_all(SOLUTION_CODE)
    assert closed and all(not laid_out for code in closed for laid_out, _ in code), f"closed solutions: {closed}"
    solutions.first.locator("summary").click()
    opened = solutions.evaluate_all(SOLUTION_CODE)[0]
    assert opened and all(laid_out and button for laid_out, button in opened), (
        f"practice/exercises/: the first solution, opened, shows its code blocks as (laid out, copy button): {opened}"
    )


SCREENSHOT_PAGES = {"concepts": "intro/concepts/#mlp-graph", "backprop": "en/math/backprop/", "home": ""}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diagrams_legible_and_screenshots(tab, site, scheme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with looking(tab[0], width=1280, height=900, scheme=scheme):
        for name, route in SCREENSHOT_PAGES.items():
            page, _ = open_page(tab, site, route)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=False)
        page, _ = open_page(tab, site, "intro/concepts/")
        pairs = page.evaluate(LABEL_COLOURS)
    assert pairs, "no diagram labels found on intro/concepts/"
    bad = [
        (text, fg, bg, round(contrast(fg, bg, page_bg), 2))
        for text, fg, bg, page_bg in pairs
        if contrast(fg, bg, page_bg) < 3
    ]
    assert not bad, f"diagram labels hard to read in the {scheme} scheme (text, colour, background, contrast):\n{bad}"


# For each node label: the colour of its innermost text element, the fill of the shape behind it, and the
# page background.
LABEL_COLOURS = """() => {
  const pageBg = getComputedStyle(document.body).backgroundColor;
  const out = [];
  for (const host of document.querySelectorAll('div.mermaid, pre.mermaid')) {
    const root = host.shadowRoot; if (!root) continue;
    for (const node of root.querySelectorAll('g.node')) {
      const shape = node.querySelector('rect, polygon, path');
      let label = node.querySelector('.nodeLabel, foreignObject span, text');
      if (!shape || !label) continue;
      // The colour that paints the text is the innermost element's (Material styles `.nodeLabel p` itself).
      while (label.firstElementChild && label.firstElementChild.textContent.trim()) label = label.firstElementChild;
      const fill = getComputedStyle(shape).fill;
      const behind = fill && fill !== 'none' ? fill : pageBg;
      out.push([label.textContent.trim(), getComputedStyle(label).color, behind, pageBg]);
    }
  }
  return out;
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    nums = [float(x) for x in css[css.index("(") + 1 : css.index(")")].replace(",", " ").replace("/", " ").split()]
    return nums[0], nums[1], nums[2], nums[3] if len(nums) > 3 else 1.0


def _over(top: tuple, below: tuple) -> tuple[float, float, float]:
    """Composite a translucent colour over an opaque one."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], below[:3]))


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str, page_bg: str) -> float:
    """WCAG contrast ratio of text over its (possibly translucent) shape on the page."""
    behind = _over(_rgba(bg), _rgba(page_bg))
    text = _over(_rgba(fg), behind + (1.0,))
    a, b = sorted((_luminance(text), _luminance(behind)), reverse=True)
    return (a + 0.05) / (b + 0.05)


HEADING_TOP = "id => { const t = document.getElementById(id); return t && t.getBoundingClientRect().top; }"


def test_notebook_table_of_contents_scrolls_to_its_heading(tab, site):
    """On a Chinese notebook page, a table-of-contents entry lands on its heading (ids from the chapter pages)."""
    route, section = "notebooks/autograd/", "no-grad"  # a middle section: the page can scroll it to the top
    page, _ = open_page(tab, site, route)
    entry = page.locator(f'.md-sidebar--secondary a.md-nav__link[href="#{section}"]')
    assert entry.count() == 1, (
        f"/{route}: no table-of-contents entry links to #{section} (the id of docs/autograd/no_grad.md's H1); "
        f"it links to {page.eval_on_selector_all('.md-sidebar--secondary a.md-nav__link', 'as => as.map(a => a.hash)')}"
    )
    entry.click()
    try:  # Material may scroll smoothly: wait until the heading arrives
        page.wait_for_function(
            f"id => {{ const top = ({HEADING_TOP})(id); return top !== null && top >= 0 && top < 160; }}",
            arg=section,
            timeout=5_000,
        )
    except PlaywrightTimeout:
        pass
    top, scrolled = page.evaluate(HEADING_TOP, section), page.evaluate("window.scrollY")
    assert top is not None, f"/{route}: no element with id {section!r} (docs/notebooks/autograd.ipynb's heading)"
    assert page.url.endswith(f"#{section}"), f"/{route}: clicking the entry for #{section} went to {page.url}"
    assert scrolled > 0 and 0 <= top < 160, (
        f"/{route}: after clicking the table-of-contents entry for #{section}, its heading's top is at {top:.0f} px "
        f"(page scrolled {scrolled:.0f} px, viewport {page.viewport_size['height']} px high); expected it near "
        "the top, just below the header"
    )


# For each diagram: the smallest text on screen, in CSS pixels (the font size times the SVG's scale).
DIAGRAM_TEXT_SIZES = """() => [...document.querySelectorAll('div.mermaid, pre.mermaid')].map((host, i) => {
  const svg = host.shadowRoot && host.shadowRoot.querySelector('svg');
  const box = svg && svg.getBoundingClientRect();
  if (!box || !box.width) return null;  // in a tab that is not shown
  const scale = svg.viewBox.baseVal && svg.viewBox.baseVal.width ? box.width / svg.viewBox.baseVal.width : 1;
  let smallest = [Infinity, ''];
  for (const el of svg.querySelectorAll('.nodeLabel, .edgeLabel, .cluster-label, text')) {
    const text = el.textContent.trim();
    if (!text) continue;
    const size = parseFloat(getComputedStyle(el).fontSize) * scale;
    if (size < smallest[0]) smallest = [size, text.slice(0, 50)];
  }
  return [i + 1, Math.round(smallest[0] * 10) / 10, smallest[1]];
}).filter(Boolean)"""
DIAGRAM_ROUTES = [(r, s) for r, s in ROUTES if s.suffix == ".md" and "```mermaid" in s.read_text(encoding="utf-8")]
SMALLEST_TEXT_PX = 12  # body text is 16 px


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("route,source", DIAGRAM_ROUTES, ids=[r for r, _ in DIAGRAM_ROUTES])
def test_diagram_text_is_legible(tab, site, route, source, width):
    """Every diagram's text, generated ones included, is at least 12 px on screen, on a desktop and on a phone."""
    with looking(tab[0], width=width, height=900):
        page, _ = open_page(tab, site, route)
        sizes = {}
        for label in [None, *page.locator(".tabbed-labels > label").all()]:
            if label is not None:  # diagrams in content tabs are drawn when their tab is shown
                label.click()
                wait_for_diagrams_and_maths(page)
            for number, px, text in page.evaluate(DIAGRAM_TEXT_SIZES):
                sizes[number] = min(sizes.get(number, (px, text)), (px, text))
    expected = page_diagram_count = source.read_text(encoding="utf-8").count("```mermaid")
    assert len(sizes) == expected, f"/{route}: measured {len(sizes)} of {page_diagram_count} diagrams"
    small = {n: s for n, s in sizes.items() if s[0] < SMALLEST_TEXT_PX}
    assert not small, (
        f"{pages.rel(source)} (/{route}) at {width} px: diagram text smaller than {SMALLEST_TEXT_PX} px:\n"
        + "\n".join(f"  diagram {n}: {px} px, e.g. '{text}'" for n, (px, text) in sorted(small.items()))
    )


# The header's title on its background, and a link in running text on the page's (mkdocs.yml's palette, its
# colours in overrides/main.html): text colour, background, page background.
PALETTE_PAIRS = """() => {
  const page = getComputedStyle(document.body).backgroundColor;
  const header = document.querySelector('.md-header');
  const title = document.querySelector('.md-header__topic .md-ellipsis');
  const link = document.querySelector('.md-content p a[href]:not(.headerlink)');
  return [
    ['header title', getComputedStyle(title).color, getComputedStyle(header).backgroundColor, page],
    ['link', getComputedStyle(link).color, page, page, getComputedStyle(link).textDecorationLine],
  ];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palette_meets_wcag_aa(tab, site, scheme):
    """The header's text and the links read at 4.5:1 or more (WCAG AA), and links in text are underlined."""
    with looking(tab[0], scheme=scheme):
        page, _ = open_page(tab, site, "intro/concepts/", draw=False)
        pairs = page.evaluate(PALETTE_PAIRS)
    low = [
        (what, fg, bg, round(contrast(fg, bg, page_bg), 2))
        for what, fg, bg, page_bg, *_ in pairs
        if contrast(fg, bg, page_bg) < 4.5
    ]
    assert not low, f"{scheme} scheme: below WCAG AA's 4.5:1 (what, colour, background, contrast): {low}"
    assert pairs[1][4] == "underline", f"{scheme} scheme: links in running text are not underlined ({pairs[1][4]})"
