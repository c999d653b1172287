"""Serve the built site on loopback under site_url's path, and find a Chromium to drive."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import threading
from pathlib import Path

from tools import config, pages

BASE_PATH = config.site_path()  # e.g. /pytorch-dynamic-graph/
PRINT_PAGE = "print"  # docs/print.md: the whole site on one page, the PDFs' source (tools/pdf.py)
CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
# Closed network here: keep Chromium from calling home (see the env notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Diagrams are drawn when they come within a screen of the viewport (docs/assets/javascripts/mermaid.mjs):
# bring each one (a diagram in content tabs: its set of tabs) into view in turn, then go back to where the page was.
SCROLL_TO_EVERY_DIAGRAM = """async () => {
  const diagrams = [...document.querySelectorAll('div.mermaid, pre.mermaid')];
  if (!diagrams.length) return;
  const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const [x, y] = [scrollX, scrollY];
  for (const diagram of diagrams) {
    (diagram.closest('.tabbed-set') || diagram).scrollIntoView({ block: 'center' });
    await frame();
  }
  scrollTo(x, y);
  await frame();
}"""


# What Mermaid said when it could not draw a diagram: docs/assets/javascripts/mermaid.mjs keeps its errors.
DIAGRAM_PROBLEMS = """() => [...document.querySelectorAll('div.mermaid, pre.mermaid')].map((d, i) => {
  const svg = d.shadowRoot && d.shadowRoot.querySelector('svg');
  const source = d.textContent.trim().slice(0, 80);
  if (!svg) return `diagram ${i + 1}: Mermaid drew nothing (a syntax error?): ${source}`;
  const text = svg.textContent;
  if (svg.getAttribute('aria-roledescription') === 'error' || /Syntax error|Parse error/.test(text))
    return `diagram ${i + 1}: Mermaid error: ${text.slice(0, 120)}`;
  return null;
}).filter(Boolean).concat(((window.mermaid && window.mermaid.errors) || []).map(e => `Mermaid: ${e.slice(0, 200)}`))"""
# Every diagram on the page drawn, or every one tried: docs/assets/javascripts/mermaid.mjs counts the attempts
# that have finished, drawn or failed (a diagram Mermaid cannot parse is never drawn).
DIAGRAMS_SETTLED = """() => {
  const diagrams = [...document.querySelectorAll('div.mermaid, pre.mermaid')];
  return diagrams.every(d => d.shadowRoot && d.shadowRoot.querySelector('svg'))
    || (window.mermaid && window.mermaid.settled >= diagrams.length);
}"""
# Material opens every diagram in a closed shadow root; open it so tests can look inside.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };
"""


def find_chromium() -> str | None:
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def page_routes(print_pages: bool = False) -> list[tuple[str, Path]]:
    """(route under the site root, source file) for every page and notebook in every language.

    The print pages (docs/print.md and its twins) only with print_pages=True: the published site leaves them
    out, and a build has them only with PRINT_PAGES=true (overrides/hooks/print_site.py).
    """
    routes = []
    for page in pages.zh_pages():
        if page.stem == PRINT_PAGE and not print_pages:
            continue
        rel = page.relative_to(pages.DOCS).with_suffix("")
        route = "" if rel.name == "index" else f"{rel.as_posix()}/"
        for lang in config.languages():
            routes.append((lang.prefix + route, page.with_name(f"{rel.name}{lang.suffix}.md")))
    for lang in config.languages():
        for notebook in sorted((pages.DOCS / "notebooks").glob(f"*{lang.suffix}.ipynb")):
            chapter = notebook.name.removesuffix(".ipynb").removesuffix(lang.suffix)
            if "." not in chapter:
                routes.append((f"{lang.prefix}notebooks/{chapter}/", notebook))
    return routes


# What GitHub Pages compresses: text, not fonts or images (woff/woff2/png are compressed already).
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Gzip(_Quiet):
    """Sends text gzip-compressed to a client that accepts it, as GitHub Pages does (level 6, in memory)."""

    cache: dict = {}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL with its slash
            path = os.path.join(path, "index.html")
        kind = self.guess_type(path)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or not kind.startswith(COMPRESSED_TYPES) or not os.path.isfile(path):
            return super().send_head()
        stamp = os.stat(path).st_mtime_ns
        key = (path, stamp)
        body = self.cache.get(key)
        if body is None:
            with open(path, "rb") as f:
                body = self.cache[key] = gzip.compress(f.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class Server:
    """A static server whose root holds the site at BASE_PATH, like GitHub Pages does.

    With compress=True, text goes out compressed to clients that accept it, as GitHub Pages sends it
    (the benchmark measures pages that way); the tests read bodies plain.
    """

    def __init__(self, site_dir: Path, scratch: Path, compress: bool = False):
        root = scratch / "www"
        mount = root / BASE_PATH.strip("/")
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(site_dir, target_is_directory=True)
        handler = functools.partial(_Gzip if compress else _Quiet, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base = self.origin + BASE_PATH
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
