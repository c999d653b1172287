"""Shared by the benchmark commands: where results go, what machine made them, how tables look."""

from __future__ import annotations

import datetime
import json
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine(device: str = "cpu") -> dict:
    import torch

    if device == "cuda":
        name = torch.cuda.get_device_name()
    else:
        lines = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
        name = next(
            (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor()
        )
        import os

        name = f"{name}, {os.cpu_count()} cores"
    return {
        "device": name,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(table(data), encoding="utf-8")
    return path


def table(data: dict) -> str:
    """A Markdown table of data["rows"] (a list of dicts), headed by data["columns"], and a stamp line."""
    columns = data["columns"]
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + " --- |" * len(columns)]
    for row in data["rows"]:
        lines.append("| " + " | ".join(str(row[key]) for key in columns) + " |")
    m = data["machine"]
    lines += ["", f"*{m['device']} · PyTorch {m['torch']} · Python {m['python']} · {m['date']}*"]
    return "\n".join(lines) + "\n"
