"""overrides/hooks/trim_css.py drops only the rules no page can use."""

import importlib.util

from tools import pages

spec = importlib.util.spec_from_file_location("trim_css", pages.ROOT / "overrides/hooks/trim_css.py")
trim_css = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trim_css)

USED = trim_css.Used(
    words={"md-typeset", "admonition", "note", "lock"},
    prefixes=("tabbed-control--",),
    attributes={"data-md-color-primary=deep-orange"},
    script_words={"lock"},
)


def test_keeps_used_and_drops_unused_classes():
    css = ".md-typeset .admonition{a:1}.md-typeset .keys{b:2}.md-post,.note{c:3}"
    assert trim_css.trim(css, USED) == ".md-typeset .admonition{a:1}.note{c:3}"


def test_keeps_classes_built_at_run_time_from_a_prefix():
    assert trim_css.trim(".tabbed-control--next{a:1}", USED) == ".tabbed-control--next{a:1}"


def test_classes_in_not_is_and_attributes_are_not_required():
    css = '.note:not(.md-post){a:1}:is(.note,.md-post) p{b:2}a[href$=".pdf"]{c:3}'
    assert trim_css.trim(css, USED) == css


def test_exact_attribute_values_must_be_on_a_page_or_set_by_a_script():
    css = "[data-md-color-primary=deep-orange]{a:1}[data-md-color-primary=red]{b:2}[data-md-state=lock]{c:3}"
    assert trim_css.trim(css, USED) == "[data-md-color-primary=deep-orange]{a:1}[data-md-state=lock]{c:3}"


def test_media_blocks_are_trimmed_inside_and_dropped_when_empty():
    css = "@media print{.note{a:1}.md-post{b:2}}@media screen{.md-post{c:3}}"
    assert trim_css.trim(css, USED) == "@media print{.note{a:1}}"


def test_the_built_stylesheet_is_trimmed(built_site):
    (css,) = (built_site["dir"] / "assets/stylesheets").glob("main.*.min.css")
    text = css.read_text(encoding="utf-8")
    assert ".md-typeset .admonition" in text, f"{css}: a rule every admonition needs was dropped"
    assert ".md-post" not in text, f"{css}: still carries Material's blog styles, which no page uses"
