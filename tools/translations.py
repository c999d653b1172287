"""Translation staleness: each pair of twins is reviewed together, and a change to one side alone is flagged.

python -m tools.translations --mark-reviewed docs/faq.md   # after updating both languages
python -m tools.translations --mark-reviewed               # every pair
"""

from __future__ import annotations

import argparse
import hashlib
import json

from tools import pages

RECORD = pages.ROOT / "tools" / "translations.json"
MARK = "python -m tools.translations --mark-reviewed"
NOTE = {"//": f"written by `{MARK}`; do not edit by hand"}  # JSON has no comments


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def load() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}


def problems() -> list[str]:
    record, found = load(), []
    for zh in pages.zh_pages():
        en = pages.twin(zh)
        if not en.exists():
            continue  # the twin test reports it
        key = pages.rel(zh)
        seen = record.get(key)
        if seen is None:
            found.append(
                f"{key}: never reviewed together with {pages.rel(en)}; after checking both, run `{MARK} {key}`"
            )
            continue
        zh_changed, en_changed = seen["zh"] != digest(zh), seen["en"] != digest(en)
        if zh_changed and not en_changed:
            found.append(
                f"{key} changed but its twin {pages.rel(en)} did not; update the English page, then `{MARK} {key}`"
            )
        elif en_changed and not zh_changed:
            found.append(
                f"{pages.rel(en)} changed but its twin {key} did not; update the Chinese page, then `{MARK} {key}`"
            )
        elif zh_changed and en_changed:
            found.append(
                f"{key} and {pages.rel(en)} both changed since their last review; once they match, `{MARK} {key}`"
            )
    return found


def mark_reviewed(selected: list[str]) -> None:
    record = load()
    for zh in pages.zh_pages():
        key = pages.rel(zh)
        if (not selected or key in selected or pages.rel(pages.twin(zh)) in selected) and pages.twin(zh).exists():
            record[key] = {"zh": digest(zh), "en": digest(pages.twin(zh))}
    record.pop("//", None)
    text = json.dumps(NOTE | dict(sorted(record.items())), indent=1, ensure_ascii=False)
    RECORD.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--mark-reviewed", nargs="*", metavar="PAGE", help="record these pairs (default: all) as reviewed"
    )
    args = parser.parse_args()
    if args.mark_reviewed is not None:
        mark_reviewed(args.mark_reviewed)
    issues = problems()
    print("\n".join(issues) or "every pair of twins was reviewed together")
    raise SystemExit(1 if issues else 0)
