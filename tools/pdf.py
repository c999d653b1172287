"""Print the whole site to one PDF per language, from the print pages of a build that has them.

    PRINT_PAGES=true mkdocs build --site-dir build/print-site
    python -m tools.pdf build/print-site --out site/pdf      # writes site/pdf/<name>.<locale>.pdf

overrides/hooks/print_site.py assembles /print/ (and /<locale>/print/): every page in navigation order, built
only with PRINT_PAGES=true (mkdocs.yml, `extra.print_pages`), since the published site leaves them out. This
opens each print page in Chromium, lets Mermaid draw every diagram (the maths is typeset when the site is
built), and prints it with page numbers in the
footer and the headings as the PDF's outline (its bookmarks). The deploy workflow runs it after the build, so
the published site carries the PDFs that its home page links to.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tools import browser, config

NAME = "pytorch-dynamic-graph"
FOOTER = (
    '<div style="width:100%;font-size:8px;color:#555;text-align:center">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_all(site_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Print each language's print page; the PDFs go to out_dir (default: the site's pdf/ folder)."""
    from playwright.sync_api import sync_playwright

    chromium = browser.find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: install one (apt-get install chromium) or set CHROMIUM_PATH")
    missing = [lang.prefix + "print/" for lang in config.languages() if not (site_dir / lang.prefix / "print").is_dir()]
    if missing:
        raise SystemExit(
            f"{site_dir} has no print pages ({', '.join(missing)}): build them with "
            f"`PRINT_PAGES=true mkdocs build --site-dir {site_dir}` first"
        )
    written = []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as p:
        server = browser.Server(site_dir, Path(scratch))
        engine = p.chromium.launch(executable_path=chromium, args=browser.CHROMIUM_ARGS)
        try:
            for lang in config.languages():
                page = engine.new_page()
                page.add_init_script(browser.OPEN_SHADOW_ROOTS)
                page.emulate_media(media="print")
                page.goto(f"{server.base}{lang.prefix}print/", wait_until="load")
                page.evaluate(browser.SCROLL_TO_EVERY_DIAGRAM)
                page.wait_for_function(browser.DIAGRAMS_SETTLED, timeout=120_000)
                problems = page.evaluate(browser.DIAGRAM_PROBLEMS)
                if problems:
                    raise SystemExit(f"{lang.prefix}print/: " + "; ".join(problems))
                target = (out_dir or site_dir / "pdf") / f"{NAME}.{lang.locale}.pdf"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.pdf(
                    path=str(target),
                    format="A4",
                    margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    outline=True,
                    tagged=True,
                )
                page.close()
                written.append(target)
        finally:
            engine.close()
            server.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site_dir", nargs="?", type=Path, default=Path(config.load()["site_dir"]))
    parser.add_argument("--out", type=Path, help="where to write the PDFs (default: the site's pdf/ folder)")
    args = parser.parse_args()
    for path in print_all(args.site_dir, args.out):
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
