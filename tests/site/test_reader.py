"""What a reader finds around the pages (issue 15): Colab links, notebook zips, report links, social previews,
404 pages, glossary tooltips, and where "edit this page" leads; all read from the built site."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import zipfile
from posixpath import join, normpath
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.site.built import parsed
from tools import browser, config, notebooks, pages

# One worker runs every test that reads parsed pages (tests/site/built.py), so each page is parsed once.
pytestmark = pytest.mark.xdist_group("parsed-pages")
ROUTES = browser.page_routes()
SITE_URL = config.load()["site_url"]
REPO_URL = config.load()["repo_url"]
SLUG = urlsplit(REPO_URL).path.strip("/")
FORMS = pages.ROOT / ".github" / "ISSUE_TEMPLATE"
REPORT = {"zh": "报告本页问题", "en": "Report a problem with this page"}
COLAB = r"^https://colab\.research\.google\.com/github/"


def _lang(route: str) -> str:
    """The language a built page is in: the one whose prefix (en/) it starts with, or the default."""
    return next(
        (lang.locale for lang in config.languages() if lang.prefix and route.startswith(lang.prefix)),
        config.default_language().locale,
    )


def _html(site, route: str) -> str:
    return (site["dir"] / route / "index.html").read_text(encoding="utf-8")


def _soup(site, route: str) -> BeautifulSoup:
    """The built page, parsed (some pages are re-serialized by mermaid2, attributes in another order)."""
    return parsed(site["dir"], route)


def _hrefs(site, route: str, pattern: str = "", **attrs) -> list[str]:
    return [a["href"] for a in _soup(site, route).find_all("a", href=re.compile(pattern), **attrs)]


def _tracked() -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=pages.ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


def _chapter_of(source) -> str | None:
    """The chapter whose notebook a page belongs to: a page in docs/<chapter>/, or the notebook itself."""
    rel = source.relative_to(pages.DOCS)
    if rel.parts[0] == "notebooks":
        return source.name.split(".")[0]
    return rel.parts[0] if len(rel.parts) > 1 and rel.parts[0] in notebooks.chapters() else None


def test_colab_links_open_tracked_notebooks(good_build):
    """Every chapter and notebook page opens its chapter's notebook, in its language, at a path git tracks."""
    tracked, problems = _tracked(), []
    for route, source in ROUTES:
        found = _hrefs(good_build, route, COLAB)
        chapter = _chapter_of(source)
        if chapter is None:
            if found:
                problems.append(f"/{route}: Colab link on a page outside the chapters: {found}")
            continue
        lang = _lang(route)
        path = pages.rel(notebooks.target(chapter, lang))
        expected = f"https://colab.research.google.com/github/{SLUG}/blob/main/{path}"
        if found != [expected]:
            problems.append(f"{pages.rel(source)} (/{route}): Colab links {found}, expected [{expected}]")
        elif path not in tracked:
            problems.append(f"/{route}: links {path} on Colab, which git does not track (moved or not committed?)")
    assert not problems, "\n".join(problems)


def _zip_links(site, route: str) -> list[str]:
    return [normpath(join("/" + route, href)).lstrip("/") for href in _hrefs(site, route, r"\.zip$", download=True)]


@pytest.mark.parametrize("lang", [lang.locale for lang in config.languages()])
def test_notebook_zip_holds_every_chapter(good_build, lang):
    """One zip per language, linked from the home page and every notebook page, holding the chapter notebooks."""
    prefix = next(language.prefix for language in config.languages() if language.locale == lang)
    linking = [prefix] + [route for route, source in ROUTES if route.startswith(f"{prefix}notebooks/")]
    links = {route: _zip_links(good_build, route) for route in linking}
    targets = {target for found in links.values() for target in found}
    assert all(len(found) == 1 for found in links.values()) and len(targets) == 1, (
        f"each of these pages should link to the one {lang} zip of notebooks: {links}"
    )
    (target,) = targets
    with zipfile.ZipFile(good_build["dir"] / target) as archive:
        contents = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    expected = {notebooks.target(c, lang).name: notebooks.target(c, lang).read_bytes() for c in notebooks.chapters()}
    assert sorted(contents) == sorted(expected), f"/{target} holds {sorted(contents)}, expected {sorted(expected)}"
    stale = [name for name in expected if contents[name] != expected[name]]
    assert not stale, f"/{target}: {stale} differ from docs/notebooks/"
    if lang == config.default_language().locale:  # readers who cannot reach Colab run them locally
        for route in linking:
            html = _html(good_build, route)
            assert "pip install torch==" in html and "jupyter notebook" in html, f"/{route}: no local-run commands"


def _fields(form: str) -> dict[str, bool]:
    body = yaml.safe_load((FORMS / form).read_text(encoding="utf-8"))["body"]
    return {f["id"]: bool(f.get("validations", {}).get("required")) for f in body if "id" in f}


def test_issue_forms_require_their_fields():
    """What a report needs cannot be left empty in any of the issue forms."""
    optional = [
        f"{form.name}: {name}" for form in FORMS.glob("*.yml") for name, req in _fields(form.name).items() if not req
    ]
    assert not optional, f"issue form fields without `required: true`: {optional}"


def test_every_page_links_to_a_prefilled_report(good_build):
    """A plain link to an issue form, with the page's title and address filled in, on every page."""
    problems = []
    for route, _ in ROUTES:
        links = [a["href"] for a in _soup(good_build, route).find_all("a", string=REPORT[_lang(route)])]
        if len(links) != 1:
            problems.append(f"/{route}: {len(links)} links '{REPORT[_lang(route)]}'")
            continue
        url = urlsplit(links[0])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        title = _meta(good_build, route).get("og:title", "")
        if f"{url.scheme}://{url.netloc}{url.path}" != f"{REPO_URL}/issues/new":
            problems.append(f"/{route}: report link goes to {links[0]}")
        elif not (FORMS / query.get("template", "")).exists():
            problems.append(f"/{route}: report link names the form {query.get('template')!r}, not in {FORMS}")
        elif query.get("page") != SITE_URL + route or query.get("title") != f"[{title}] ":
            problems.append(f"/{route}: report link fills in {query}, expected page={SITE_URL + route} and the title")
        elif not all(_fields(query["template"]).get(k) for k in query if k not in ("template", "title")):
            problems.append(f"/{route}: report link fills fields that its form lacks or does not require: {query}")
    assert not problems, "\n".join(problems)


SOCIAL = ["og:title", "og:description", "og:image", "og:url", "og:locale"]
TWITTER = ["twitter:card", "twitter:title", "twitter:description", "twitter:image"]


def _meta(site, route: str) -> dict[str, str]:
    tags = _soup(site, route).find_all("meta", attrs={"content": True})
    return {m.get("property") or m.get("name"): m["content"] for m in tags if m.get("property") or m.get("name")}


def test_social_preview_tags(good_build):
    """Open Graph and Twitter tags on every page, in its language, with an image the site serves."""
    problems, descriptions = [], {}
    for route, _ in ROUTES:
        meta = _meta(good_build, route)
        missing = [name for name in SOCIAL + TWITTER if not meta.get(name)]
        if missing:
            problems.append(f"/{route}: no {missing}")
            continue
        locale = {"zh": "zh_CN", "en": "en_US"}[_lang(route)]
        image = meta["og:image"]
        if meta["og:url"] != SITE_URL + route or meta["og:locale"] != locale:
            problems.append(f"/{route}: og:url {meta['og:url']}, og:locale {meta['og:locale']} (expected {locale})")
        if not image.startswith(SITE_URL) or not (good_build["dir"] / image[len(SITE_URL) :]).is_file():
            problems.append(f"/{route}: og:image {image} is not a file of the built site")
        if meta["twitter:image"] != image or meta["twitter:title"] != meta["og:title"]:
            problems.append(f"/{route}: twitter tags disagree with og tags: {meta}")
        descriptions[route] = meta["og:description"]
    assert not problems, "\n".join(problems)
    en = next(lang.prefix for lang in config.languages() if not lang.default)
    same = [r for r in descriptions if r.startswith(en) and descriptions[r] == descriptions.get(r[len(en) :])]
    assert not same, f"these pages describe themselves in Chinese and English alike: {same}"
    assert len(set(descriptions.values())) > len(descriptions) / 2, "most pages should have their own description"


@pytest.mark.parametrize("lang", config.languages(), ids=lambda lang: lang.locale)
def test_404_page_in_each_language(good_build, lang):
    html = (good_build["dir"] / lang.prefix / "404.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang.locale}"' in html, f"/{lang.prefix}404.html is not in {lang.locale}"
    heading = {"zh": "页面不存在", "en": "Page not found"}[lang.locale]
    assert f"<h1>404 - {heading}</h1>" in html, f"/{lang.prefix}404.html does not say '{heading}'"
    home = config.site_path() + lang.prefix
    assert f'href="{home}"' in html, f"/{lang.prefix}404.html does not link to its home page {home}"


def _glossary(page):
    """Each row's renderings (first column) and its English column, read straight from the table."""
    rows = {}
    for _, line, fence in pages.scan(page):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if fence or not line.startswith("|") or len(cells) < 2 or cells[0] == "中文" or set(cells[0]) <= set("-: "):
            continue
        for term in re.split(r" / |（|）", cells[0]):
            if term:
                rows[term] = cells[1]
    return rows


NO_TOOLTIP_INSIDE = "pre, code, a, h1, h2, h3, h4, h5, h6, abbr, .arithmatex, .mermaid"


def test_glossary_terms_are_tooltips(good_build):
    """Chinese terms carry their English term; English abbreviations what they stand for; never in code,
    headings or links, and never twice on a page."""
    zh = _glossary(pages.DOCS / "glossary.md")
    en = {
        m.group(2): m.group(1)
        for v in _glossary(pages.DOCS / "glossary.en.md").values()
        if (m := re.match(r"^(.*?) \(([A-Z]{2,})\)$", v))
    }
    problems, marked = [], {"zh": set(), "en": set()}
    for route, source in ROUTES:
        article = _soup(good_build, route).find("article")
        abbrs = article.find_all("abbr")
        lang = _lang(route)
        terms = zh if lang == "zh" else en
        if source.stem.split(".")[0] == "glossary" and abbrs:
            problems.append(f"/{route}: the glossary itself marks {len(abbrs)} terms")
        for abbr in abbrs:
            if terms.get(abbr.text) != abbr.get("title"):
                problems.append(f"/{route}: {abbr} is not in the glossary")
            marked[lang].add(abbr.text)
        texts = [a.text for a in abbrs]
        if len(texts) != len(set(texts)):
            problems.append(f"/{route}: a term marked more than once: {sorted(t for t in texts if texts.count(t) > 1)}")
        inside = [str(a)[:80] for a in article.select(", ".join(f"{s} abbr" for s in NO_TOOLTIP_INSIDE.split(", ")))]
        if inside:
            problems.append(f"/{route}: tooltips inside code, headings or links: {inside}")
    assert not problems, "\n".join(problems)
    assert {"计算图", "反向传播", "叶子张量"} <= marked["zh"], f"Chinese pages mark only {sorted(marked['zh'])}"
    assert "MSE" in marked["en"], f"English pages mark only {sorted(marked['en'])}"
    page = _html(good_build, "autograd/basics/")
    assert '<abbr title="chain rule">链式法则</abbr>' in page, "autograd/basics: 链式法则 has no tooltip"


def test_serve_watches_snippets_and_results():
    """`mkdocs serve` rebuilds when an included snippet, its output or a benchmark result changes."""
    watched = {str(p) for p in config.load()["watch"]}
    for folder in ("snippets", "tools/bench/results"):
        assert str(pages.ROOT / folder) in watched, f"mkdocs.yml: add {folder} to `watch:` (watching {watched})"


def test_notebook_pages_edit_their_snippets(good_build):
    """On a notebook page, edit and view-source open the snippets it is generated from; elsewhere, the page."""
    problems = []
    for route, source in ROUTES:
        buttons = _hrefs(good_build, route, class_="md-content__button")
        if source.suffix == ".ipynb":
            expected = f"{REPO_URL}/tree/main/snippets/{_chapter_of(source)}/"
            if not (pages.ROOT / "snippets" / _chapter_of(source)).is_dir():
                problems.append(f"/{route}: snippets/{_chapter_of(source)}/ does not exist")
        else:
            expected = f"{REPO_URL}/edit/main/{pages.rel(source)}"
        if not buttons or buttons[0] != expected:
            problems.append(f"/{route}: edit button {buttons[:1]}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_notebook_checks_the_installed_torch(monkeypatch):
    """The first code cell names the PyTorch the outputs were recorded with, and what may differ on another."""
    import torch

    recorded = notebooks.recorded_version()
    stamps = {m for p in pages.ROOT.glob("snippets/*/*.out") for m in notebooks.VERSION.findall(p.read_text("utf-8"))}
    assert stamps == {recorded}, f"the .out files were recorded with {stamps}"
    for chapter in notebooks.chapters():
        for lang in ("zh", "en"):
            cells = json.loads(notebooks.target(chapter, lang).read_text(encoding="utf-8"))["cells"]
            first = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
            assert f'RECORDED = "{recorded}"' in first, (
                f"{pages.rel(notebooks.target(chapter, lang))}: no version check"
            )
    monkeypatch.setattr(torch, "__version__", "1.13.1+cu117")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(first, {})
    assert f"PyTorch 1.13.1+cu117 here, {recorded} on the site. What may differ" in out.getvalue(), out.getvalue()
    assert "device: cpu" in out.getvalue()
