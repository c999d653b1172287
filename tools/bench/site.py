"""Site figures: strict build time, full test-suite time, cold transfer size of every page.

    python -m tools.bench.site               # all three (the test suite takes minutes)
    python -m tools.bench.site --skip-tests  # build time and page sizes only

Writes tools/bench/results/site.{json,md} and site-pages.{json,md}; the development page shows them.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import browser
from tools.bench import common

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
COMMAND = "tools.bench.site"
TARGET_KB = 300  # a cold first visit to a page without diagrams or maths


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if proc.returncode:  # a time is only worth recording for a run that passed
        raise SystemExit(f"{' '.join(cmd)} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - start


def page_weights(site_dir: Path, scratch: Path) -> list[dict]:
    """Bytes each page pulls on a cold visit (bodies, uncompressed), and which big libraries it loads."""
    from playwright.sync_api import sync_playwright

    server = browser.Server(site_dir, scratch)
    rows = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.find_chromium(), args=browser.CHROMIUM_ARGS)
        for route, source in browser.page_routes():
            context = chromium.new_context()  # a fresh context: nothing cached
            page = context.new_page()
            responses = []
            page.on("response", lambda r, seen=responses: seen.append(r))
            page.goto(server.base + route, wait_until="networkidle")
            page.wait_for_timeout(300)
            total = sum(len(r.body()) for r in responses if r.ok)
            urls = [r.url for r in responses]
            rows.append(
                {
                    "page": str(source.relative_to(ROOT)),
                    "kb": f"{total / 1024:,.0f}",
                    "requests": len(responses),
                    "mermaid": sum("mermaid.min.js" in u for u in urls),
                    "mathjax": sum("tex-chtml.js" in u for u in urls),
                }
            )
            context.close()
        chromium.close()
    server.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the full test suite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        measure(Path(scratch), args.skip_tests)


def measure(scratch: Path, skip_tests: bool) -> None:
    site_dir = scratch / "site"
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    builds = [timed(build) for _ in range(3)]
    summary = [
        {"what": "strict build of the bilingual site (median of 3)", "value": f"{statistics.median(builds):.1f} s"}
    ]
    if not skip_tests:
        summary.append(
            {"what": "full test suite (`pytest`)", "value": f"{timed([sys.executable, '-m', 'pytest', '-q']):.0f} s"}
        )
    weights = page_weights(site_dir, scratch / "serve")
    plain = sorted((int(r["kb"].replace(",", "")), r["page"]) for r in weights if not r["mermaid"] and not r["mathjax"])
    within = sum(kb <= TARGET_KB for kb, _ in plain)
    material = sum(
        f.stat().st_size
        for pattern in ("stylesheets/main.*.min.css", "stylesheets/palette.*.min.css", "javascripts/bundle.*.min.js")
        for f in (site_dir / "assets").glob(pattern)
    )
    summary += [
        {"what": f"pages without diagrams or maths within {TARGET_KB} KB cold", "value": f"{within} of {len(plain)}"},
        {"what": "largest cold page without diagrams or maths", "value": f"{plain[-1][0]} KB ({plain[-1][1]})"},
        {"what": "Material's own styles and scripts, on every page", "value": f"{material / 1024:.0f} KB"},
    ]
    machine = common.machine()
    common.save(
        "site", {"machine": machine, "columns": {"what": "measure", "value": "value"}, "rows": summary}, COMMAND
    )
    columns = {
        "page": "page",
        "kb": "cold transfer (KB)",
        "requests": "requests",
        "mermaid": "Mermaid",
        "mathjax": "MathJax",
    }
    common.save("site-pages", {"machine": machine, "columns": columns, "rows": weights}, COMMAND)
    print(common.table({"machine": machine, "columns": {"what": "measure", "value": "value"}, "rows": summary}))


if __name__ == "__main__":
    main()
