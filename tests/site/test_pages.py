"""Page structure: twins, heading ids, identical includes, no typed-in Python, no orphan snippet."""

import re

import pytest

from tools import pages, recording

ALL_PAGES = pages.zh_pages() + pages.en_pages()
ZH = pages.zh_pages()


def _id(p):
    return pages.rel(p)


@pytest.mark.parametrize("page", ALL_PAGES, ids=_id)
def test_page_has_twin(page):
    other = pages.twin(page)
    assert other.exists(), (
        f"{pages.rel(page)}:1: has no twin {pages.rel(other)}; every page exists in both languages "
        "(zh: page.md, en: page.en.md)"
    )


@pytest.mark.parametrize("page", ALL_PAGES, ids=_id)
def test_headings_have_explicit_ids(page):
    missing = [h for h in pages.headings(page) if not h.value]
    assert not missing, "\n".join(
        f"{pages.rel(page)}:{h.line}: heading has no explicit id; write it as `## Title {{ #some-id }}`"
        for h in missing
    )


def _same_in_twin(page, found_in, what):
    """Assert the twin lists the same values (heading ids, includes) in the same order."""
    twin = pages.twin(page)
    zh, en = found_in(page), found_in(twin)
    for a, b in zip(zh, en):
        assert a.value == b.value, (
            f"{pages.rel(page)}:{a.line}: {what} '{a.value}' differs from {pages.rel(twin)}:{b.line}: '{b.value}'; "
            f"both languages keep the same {what}s in the same order"
        )
    assert len(zh) == len(en), (
        f"{pages.rel(page)} has {len(zh)} {what}s, {pages.rel(twin)} has {len(en)}: "
        f"{[f.value for f in zh]} vs {[f.value for f in en]}"
    )


@pytest.mark.parametrize("page", [p for p in ZH if pages.twin(p).exists()], ids=_id)
def test_twins_have_same_heading_ids(page):
    _same_in_twin(page, pages.headings, "heading id")


LANGUAGE_FRAGMENT = re.compile(r"\.(zh|en)\.md$")  # a generated table in each language (tools/bench/results/)


def _includes_across_languages(page):
    """Includes, with a generated fragment's language suffix dropped: steps-cpu.zh.md and .en.md are one table."""
    return [pages.Found(i.line, LANGUAGE_FRAGMENT.sub(".md", i.value)) for i in pages.includes(page)]


@pytest.mark.parametrize("page", [p for p in ZH if pages.twin(p).exists()], ids=_id)
def test_twins_include_same_snippets(page):
    _same_in_twin(page, _includes_across_languages, "include")


@pytest.mark.parametrize("page", ALL_PAGES, ids=_id)
def test_language_fragments_match_the_page(page):
    """A page includes the generated fragments of its own language."""
    own = "en" if page.name.endswith(".en.md") else "zh"
    wrong = [i for i in pages.includes(page) if (m := LANGUAGE_FRAGMENT.search(i.value)) and m.group(1) != own]
    assert not wrong, "\n".join(
        f"{pages.rel(page)}:{i.line}: includes {i.value}, a fragment in another language" for i in wrong
    )


@pytest.mark.parametrize("page", ALL_PAGES, ids=_id)
def test_no_python_typed_into_pages(page):
    bad = pages.python_fences(page)
    assert not bad, "\n".join(
        f"{pages.rel(page)}:{f.line}: python code typed into the page; move it to snippets/ and include it with "
        f'--8<-- "snippets/<chapter>/<page>.py:<section>"'
        for f in bad
    )


def test_every_snippet_is_shown():
    shown = {i.value.split(":")[0] for p in ALL_PAGES for i in pages.includes(p)}
    orphans = [p for p in recording.snippet_files() if pages.rel(p) not in shown]
    assert not orphans, "\n".join(
        f"{pages.rel(o)}: no page includes this snippet; show it on a page or delete it" for o in orphans
    )


def test_every_recorded_output_belongs_to_a_snippet():
    stale = [o for o in recording.SNIPPETS.rglob("*.out") if not o.with_suffix(".py").exists()]
    assert not stale, "\n".join(f"{pages.rel(o)}: recorded output without its snippet; delete it" for o in stale)


@pytest.mark.parametrize("page", ALL_PAGES, ids=_id)
def test_pages_show_when_their_code_was_verified(page):
    found = pages.includes(page)
    values = {i.value for i in found}
    missing = [
        i
        for i in found
        if i.value.split(":")[0].endswith(".py") and i.value.split(":")[0][:-3] + ".out:verified" not in values
    ]
    assert not missing, "\n".join(
        f"{pages.rel(page)}:{i.line}: shows {i.value.split(':')[0]} but not its stamp; add "
        f'--8<-- "{i.value.split(":")[0][:-3]}.out:verified" in a "last verified" note at the end of the page'
        for i in missing[:1]
    )


def test_translations_reviewed_together():
    from tools import translations

    stale = translations.problems()
    assert not stale, "\n".join(stale)


def test_glossary_terms_are_search_words():
    """Search keeps every Chinese glossary term whole (jieba user dictionary), so searching a term finds it."""
    words = {
        line.split()[0]
        for line in (pages.ROOT / "overrides/search_words.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    glossary = pages.DOCS / "glossary.md"
    missing = []
    for number, line, fence in pages.scan(glossary):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if fence or not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-: ") or cells[0] == "中文":
            continue
        for term in cells[0].replace("（", " / ").replace("）", "").split(" / "):
            # A term with Latin letters (eager 模式, FX 图, TorchDynamo) needs no entry: jieba cuts at the
            # boundary between scripts and keeps the Latin word whole.
            if term.strip() and not re.search(r"[A-Za-z]", term) and term.strip() not in words:
                missing.append(f"{pages.rel(glossary)}:{number}: '{term.strip()}' is not in overrides/search_words.txt")
    assert not missing, "\n".join(missing)


def test_page_titles_have_one_source():
    """A page's title is its H1 (or front-matter title) in each language: nav lists pages by path alone."""
    from tools import config

    titled = [(title, path) for _, title, path in config.nav_entries() if title and path.endswith(".md")]
    assert not titled, "\n".join(
        f"mkdocs.yml: nav entry '{t}: {p}' repeats a title; write '- {p}' (the title is the page's H1)"
        for t, p in titled
    )
