"""mkdocs.yml, read once through MkDocs' own loader, and what the tools need from it.

The languages come from the i18n plugin's config: the default one lives at the site root with pages
named ``page.md``; each other one under ``<locale>/`` with pages named ``page.<locale>.md``. A page's
title is its H1 (nav lists bare paths); only section titles are translated in ``nav_translations``.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG_FILE = ROOT / "mkdocs.yml"


@dataclass(frozen=True)
class Language:
    locale: str
    default: bool
    nav_translations: dict

    @property
    def prefix(self) -> str:
        """Where this language's pages live in the built site: '' or 'en/'."""
        return "" if self.default else f"{self.locale}/"

    @property
    def suffix(self) -> str:
        """What this language adds before a source file's extension: '' or '.en'."""
        return "" if self.default else f".{self.locale}"

    def translate(self, title: str) -> str:
        return (self.nav_translations or {}).get(title, title)


@functools.cache
def load():
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # plugin notices are not ours to print
    return load_config(str(CONFIG_FILE))


@functools.cache
def languages() -> tuple[Language, ...]:
    """Default language first."""
    found = [
        Language(lang.locale, bool(lang.default), dict(lang.nav_translations or {}))
        for lang in load()["plugins"]["i18n"].config.languages
    ]
    return tuple(sorted(found, key=lambda lang: not lang.default))


def default_language() -> Language:
    return languages()[0]


def site_path() -> str:
    """The path the hosted site lives under, e.g. /pytorch-dynamic-graph/."""
    url = load()["site_url"]
    return "/" + url.split("://", 1)[1].partition("/")[2].strip("/") + "/"


def nav_entries() -> list[tuple[str, str | None, str]]:
    """(section title, entry title or None, path) for every nav entry, in nav order."""
    entries = []

    def walk(items, section):
        for item in items:
            if isinstance(item, str):
                entries.append((section, None, item))
                continue
            ((title, value),) = item.items()
            if isinstance(value, list):
                walk(value, title)
            else:
                entries.append((section, title, value))

    walk(load()["nav"], "")
    return entries
