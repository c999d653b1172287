"""Valid HTML on every page: the W3C Nu Html Checker (vnu) over the built site.

    npm install -E --ignore-scripts --prefix /tmp/vnu vnu-jar@26.9.27   # once; needs Java 17+ to run
    python -m tools.bench.html                       # builds the site (strict) into a temporary folder
    python -m tools.bench.html --site-dir site/      # checks a site already built
    python -m tools.bench.html --vnu path/to/vnu.jar # or set VNU_JAR

`--ignore-scripts` skips vnu-jar's postinstall, which only downloads a Java runtime; the jar is in the
package. Any folder outside the repository (or the gitignored build/) will do; the default jar paths are
$VNU_JAR, build/vnu/node_modules/vnu-jar/build/dist/vnu.jar, /tmp/vnu/node_modules/vnu-jar/build/dist/vnu.jar.

A benchmark, not a test: the checker is a 32 MB Java program that the test suite does not install.
Each message is classified as ours (our pages, hooks, overrides) or upstream (Material's templates, a
plugin), by the rules in UPSTREAM: anything no rule claims counts as ours. The goal is no error of ours.

vnu runs with --no-langdetect: its guess of a page's language samples the text at random (the same file
is "English" in one run and not in the next; a code-heavy Chinese page is a coin toss), which would make
the counts flicker. Instead this command checks that every page's <html lang> is its language.

Writes tools/bench/results/html.json and html.md (generated; the development page includes the .md).
Each run is compared with a recorded baseline, kept in html.json from run to run; `--as-baseline LABEL`
records a new one (the current one: the site before issue #20, checked with `--site-dir`).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools import browser, config, pages
from tools.bench import common

ROOT = Path(__file__).resolve().parents[2]
VNU_VERSION = "26.9.27"
INSTALL = f"npm install -E --ignore-scripts --prefix /tmp/vnu vnu-jar@{VNU_VERSION}"
JAR_IN_PACKAGE = Path("node_modules/vnu-jar/build/dist/vnu.jar")
JARS = [ROOT / "build/vnu" / JAR_IN_PACKAGE, Path("/tmp/vnu") / JAR_IN_PACKAGE]


@dataclass(frozen=True)
class Rule:
    """Messages that come from code we do not own, and why they stay."""

    origin: str
    why: str
    message: str  # a substring of the checker's message
    extract: str = ""  # a substring of the checker's extract, where the message alone is too broad
    page_contains: str = ""  # only on pages whose HTML contains this

    def claims(self, message: dict, html: str) -> bool:
        return (
            self.message in message["message"]
            and self.extract in message.get("extract", "")
            and self.page_contains in html
        )


UPSTREAM = [
    Rule(
        origin="Material, templates/base.html",
        why='`autocomplete="off"` on the drawer and search toggles (checkboxes): Firefox restores a form '
        "control's state when a page is reloaded or revisited, and this keeps the drawer or search from "
        "coming back open; dropping it would change that, so it stays",
        message="Attribute “autocomplete” is only allowed when the input type is",
        extract='type="checkbox"',
    ),
    Rule(
        origin="Material, templates/partials/nav-item.html",
        why='`tabindex=""` on section labels: fixed, overrides/main.html drops it (browsers ignore an empty '
        "tabindex, so nothing else changes)",
        message="Bad value “” for attribute “tabindex” on element “label”",
    ),
    Rule(
        origin="mkdocs-mermaid2-plugin (on_post_page)",
        why="on every page whose HTML mentions mermaid, the plugin re-serialises the whole page with "
        "BeautifulSoup after minification, writing void elements as `<meta ... />`; info only, harmless",
        message="Trailing slash on void elements",
        page_contains="mermaid",
    ),
]


def find_jar(given: str | None) -> Path:
    candidates = [Path(given)] if given else [Path(os.environ["VNU_JAR"])] if os.environ.get("VNU_JAR") else JARS
    for jar in candidates:
        if jar.is_file():
            return jar
    sys.exit(f"no vnu.jar at {', '.join(map(str, candidates))}; install it with:\n  {INSTALL}")


def run_vnu(jar: Path, site_dir: Path) -> tuple[list[dict], str, str]:
    """The checker's messages for every .html file under site_dir, its version and Java's."""
    version = subprocess.run(["java", "-jar", str(jar), "--version"], capture_output=True, text=True, check=True)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    options = ["--format", "json", "--stdout", "--exit-zero-always", "--skip-non-html", "--no-langdetect"]
    proc = subprocess.run(["java", "-jar", str(jar), *options, str(site_dir)], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"vnu failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)["messages"], version.stdout.strip(), java.stderr.splitlines()[0]


def sources(site_dir: Path) -> dict[str, str]:
    """Built file (relative to the site) -> the source it comes from, docs/... where there is one."""
    found = {f"{route}index.html": pages.rel(source) for route, source in browser.page_routes()}
    found["404.html"] = "404.html (Material's 404 template, last-built language)"
    return found


HTML_LANG = re.compile(r"<html\b[^>]*\blang=\"([^\"]*)\"")


def language_messages(site_dir: Path) -> list[dict]:
    """In vnu's own form: a page whose <html lang> is not the language it is in."""
    found = []
    for route, _ in browser.page_routes():
        prefixed = [lang.locale for lang in config.languages() if lang.prefix and route.startswith(lang.prefix)]
        lang = prefixed[0] if prefixed else config.default_language().locale
        path = site_dir / route / "index.html"
        match = HTML_LANG.search(path.read_text(encoding="utf-8"))
        if not match or match.group(1) != lang:
            found.append(
                {
                    "type": "error",
                    "url": f"file:{path}",
                    "message": f"<html lang> is “{match.group(1) if match else ''}” on a page in “{lang}” "
                    "(checked by tools/bench/html.py)",
                    "extract": match.group(0) if match else "",
                }
            )
    return found


def classify(messages: list[dict], site_dir: Path) -> list[dict]:
    by_file = sources(site_dir)
    rows = []
    for message in messages:
        path = Path(message["url"].removeprefix("file:"))
        built = str(path.relative_to(site_dir))
        html = path.read_text(encoding="utf-8")
        rule = next((r for r in UPSTREAM if r.claims(message, html)), None)
        # vnu's types: error, non-document-error, and info, whose subType "warning" marks a warning
        kind = "warning" if message.get("subType") == "warning" else "info" if message["type"] == "info" else "error"
        rows.append(
            {
                "file": built,
                "source": by_file.get(built, built),
                "type": kind,
                "message": message["message"],
                "extract": message.get("extract", ""),
                "origin": rule.origin if rule else "ours",
                "why": rule.why if rule else "",
            }
        )
    return rows


def summarise(rows: list[dict], files: int, vnu: str, java: str) -> dict:
    def counts(selected):
        c = collections.Counter(r["type"] for r in selected)
        return {t: c.get(t, 0) for t in ("error", "warning", "info")}

    ours = [r for r in rows if r["origin"] == "ours"]
    upstream = [r for r in rows if r["origin"] != "ours"]
    grouped = collections.Counter((r["origin"], r["type"], r["message"]) for r in rows)
    why = {r["origin"]: r["why"] for r in upstream}
    return {
        "checker": f"vnu {vnu}",
        "java": java,
        "date": datetime.date.today().isoformat(),
        "files": files,
        "files_with_messages": len({r["file"] for r in rows}),
        "total": len(rows),
        "ours": counts(ours),
        "upstream": counts(upstream),
        "by_message": [
            {"count": n, "origin": origin, "type": kind, "message": message, "why": why.get(origin, "")}
            for (origin, kind, message), n in sorted(grouped.items(), key=lambda item: (-item[1], item[0]))
        ],
        "ours_by_file": [
            {"source": source, "type": kind, "message": message, "count": n}
            for (source, kind, message), n in sorted(
                collections.Counter((r["source"], r["type"], r["message"]) for r in ours).items()
            )
        ],
        "ours_messages": ours,  # each with its file and extract, to find it
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _counts(c: dict) -> str:
    return f"{c['error']} errors, {c['warning']} warnings, {c['info']} info"


def markdown(result: dict) -> str:
    ours, upstream = result["ours"], result["upstream"]
    lines = [
        "| from | errors | warnings | info |",
        "| --- | --- | --- | --- |",
        f"| our pages, hooks and overrides | {ours['error']} | {ours['warning']} | {ours['info']} |",
        f"| upstream (Material's templates, plugins) | {upstream['error']} | {upstream['warning']} "
        f"| {upstream['info']} |",
        "",
    ]
    base = result.get("baseline")
    before = {}
    if base:
        before = {(r["origin"], r["type"], r["message"]): r["count"] for r in base["by_message"]}
        lines += [
            f"*{base['label']} ({base['date']}, {base['checker']}): {base['total']} messages in "
            f"{base['files_with_messages']} of {base['files']} files; ours {_counts(base['ours'])}, "
            f"upstream {_counts(base['upstream'])}.*",
            "",
        ]
    now = {(r["origin"], r["type"], r["message"]): r for r in result["by_message"]}
    keys = sorted(set(now) | set(before), key=lambda k: (-now.get(k, {}).get("count", 0), -before.get(k, 0), k))
    why = {r["origin"]: r["why"] for r in result["by_message"]}
    why.update({rule.origin: rule.why for rule in UPSTREAM})
    if keys:
        columns = ["now", "before"] if base else ["messages"]
        columns += ["type", "from", "message", "notes"]
        lines += ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
        for key in keys:
            origin, kind, message = key
            count = now[key]["count"] if key in now else 0
            reason = why.get(origin) or ("to fix" if count else "fixed")
            cells = [str(count)] + ([str(before.get(key, 0))] if base else [])
            cells += [kind, _cell(origin), _cell(message), _cell(reason)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if result["ours_by_file"]:
        lines += ["| page | messages | type | message |", "| --- | --- | --- | --- |"]
        for row in result["ours_by_file"]:
            lines.append(f"| `{row['source']}` | {row['count']} | {row['type']} | {_cell(row['message'])} |")
        lines.append("")
    lines.append(
        f"*{result['checker']} · {result['java']} · {result['files']} HTML files, "
        f"{result['files_with_messages']} with messages, {result['total']} messages · {result['date']}*"
    )
    return "\n".join(lines) + "\n"


def baseline(result: dict, label: str) -> dict:
    keep = ("checker", "date", "files", "files_with_messages", "total", "ours", "upstream")
    by_message = [{k: r[k] for k in ("count", "origin", "type", "message")} for r in result["by_message"]]
    return {"label": label, **{k: result[k] for k in keep}, "by_message": by_message}


def check(site_dir: Path, jar: Path, as_baseline: str | None = None) -> dict:
    messages, vnu, java = run_vnu(jar, site_dir)
    messages += language_messages(site_dir)
    rows = classify(messages, site_dir)
    result = summarise(rows, len(list(site_dir.rglob("*.html"))), vnu, java)
    previous = common.RESULTS / "html.json"
    if as_baseline:
        result["baseline"] = baseline(result, as_baseline)
    elif previous.exists() and "baseline" in json.loads(previous.read_text(encoding="utf-8")):
        result["baseline"] = json.loads(previous.read_text(encoding="utf-8"))["baseline"]  # kept from run to run
    common.save_json("html", result)
    common.write_generated(common.RESULTS / "html.md", markdown(result), "tools.bench.html")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-dir", type=Path, help="a built site to check (default: build one)")
    parser.add_argument("--vnu", help="path to vnu.jar (default: $VNU_JAR, then the paths above)")
    parser.add_argument(
        "--as-baseline",
        metavar="LABEL",
        help="record this run as the baseline that later runs are compared with (kept in html.json)",
    )
    args = parser.parse_args()
    jar = find_jar(args.vnu)
    with tempfile.TemporaryDirectory() as scratch:
        site_dir = args.site_dir
        if site_dir is None:
            site_dir = Path(scratch) / "site"
            build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
            proc = subprocess.run(build, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True)
            if proc.returncode:
                sys.exit(f"the strict build failed:\n{proc.stderr.decode()[-3000:]}")
        result = check(site_dir.resolve(), jar, args.as_baseline)
    print(markdown(result))
    ours = result["ours"]["error"]
    print(f"{ours} error(s) from our own pages, hooks and overrides", file=sys.stderr)


if __name__ == "__main__":
    main()
