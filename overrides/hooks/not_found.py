"""A 404 page in each language: 404.html in the default language, <locale>/404.html in the others.

mkdocs-static-i18n builds every language into the same site folder, and MkDocs writes each build's
404.html at its root, so the language built last wins. This keeps each build's rendering and, once the
builds are done, writes each where it belongs (overrides/404.html is the page).
"""

from pathlib import Path

from mkdocs.plugins import event_priority

RENDERED: dict[str, str] = {}  # language -> its 404 page


def _prefix(config) -> str:
    language = config.theme["language"]
    default = next(lang.locale for lang in config.plugins["i18n"].config.languages if lang.default)
    return "" if language == default else f"{language}/"


def on_post_template(output_content, template_name, config, **kwargs):
    if template_name == "404.html":
        RENDERED[_prefix(config)] = output_content
    return output_content


@event_priority(-110)  # after the i18n plugin's own (-100), which builds the other languages
def on_post_build(config, **kwargs):
    for prefix, page in RENDERED.items():
        target = Path(config.site_dir) / prefix / "404.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
