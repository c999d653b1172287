"""The built site's pages, each parsed once per test process: the checks of ids, links and reader links share them."""

from __future__ import annotations

import functools
from pathlib import Path

from bs4 import BeautifulSoup


@functools.cache
def parsed(site_dir: Path, route: str) -> BeautifulSoup:
    """The page at `route` (e.g. en/autograd/basics/) of the site built into `site_dir`. Read it, do not change it."""
    return BeautifulSoup((site_dir / route / "index.html").read_text(encoding="utf-8"), "html.parser")
