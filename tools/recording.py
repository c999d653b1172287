"""Run a snippet, split what it prints by named section, compare with the recording.

A snippet marks the blocks a page shows with ``# --8<-- [start:name]`` /
``# --8<-- [end:name]``. Running it here attributes every ``print`` to the
module-level statement that caused it, so the recorded ``.out`` file carries the
same section markers and a page can show the output of exactly the block above.

Needs only the standard library (and whatever the snippet imports), so a GPU
machine without the docs toolchain can run it.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import io
import os
import re
import runpy
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
DOCS = ROOT / "docs"
UPDATE_COMMAND = "pytest tests/snippets --update-outputs"

MARKER = re.compile(r"--8<-- \[(start|end):([a-z][-_0-9a-z]*)\]")
# A number not glued to a word, so ids like n3 or colours like #3e2723 stay text.
NUMBER = re.compile(r"(?<![\w#.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w)")
# What legitimately differs between devices, and is not the point of any page.
DEVICE_NOISE = [
    (re.compile(r"torch\.cuda\."), "torch."),
    (re.compile(r",\s*device='cuda:\d+'"), ""),
    (re.compile(r"device\(type='cuda', index=\d+\)"), "device(type='cpu')"),
    (re.compile(r"\bcuda:\d+\b"), "cpu"),
    (re.compile(r"\bcuda\b"), "cpu"),
]
RTOL = 1e-3  # numbers agree within 0.1 % of the recorded value ...
TOLERANCE = "0.1 % of the recorded value, or one unit of its last printed decimal"


def snippet_files() -> list[Path]:
    return sorted(p for p in SNIPPETS.rglob("*.py") if p.name != "__init__.py")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def sections_of(path: Path) -> dict[int, str]:
    """Map each line number inside a named section to that section's name."""
    owner: dict[int, str] = {}
    current, start = None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = MARKER.search(line)
        if not m:
            if current:
                owner[number] = current
            continue
        kind, name = m.groups()
        if kind == "start":
            if current:
                raise ValueError(
                    f"{path}:{number}: section '{name}' starts inside '{current}' (line {start}); sections may not nest"
                )
            current, start = name, number
        elif name != current:
            raise ValueError(f"{path}:{number}: [end:{name}] does not close the open section '{current}'")
        else:
            current = None
    if current:
        raise ValueError(f"{path}:{start}: section '{current}' is never closed")
    return owner


@dataclass
class Run:
    """What one run of a snippet produced."""

    text: str  # stdout, with section markers, as stored in the .out file
    files: dict[str, bytes] = field(default_factory=dict)  # files it wrote (figures)


class _SectionWriter(io.TextIOBase):
    """stdout replacement that tags each write with the snippet's current section."""

    def __init__(self, path: Path, owner: dict[int, str]):
        self.filename = str(path)
        self.owner = owner
        self.chunks: list[tuple[str | None, str]] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        frame = sys._getframe(1)
        while frame and not (frame.f_code.co_filename == self.filename and frame.f_code.co_name == "<module>"):
            frame = frame.f_back
        section = self.owner.get(frame.f_lineno) if frame else None
        if self.chunks and self.chunks[-1][0] == section:
            self.chunks[-1] = (section, self.chunks[-1][1] + text)
        else:
            self.chunks.append((section, text))
        return len(text)

    def render(self) -> str:
        out = []
        for section, text in self.chunks:
            if section:
                out.append(f"--8<-- [start:{section}]\n{text.rstrip()}\n--8<-- [end:{section}]\n")
            else:
                out.append(text)
        return "".join(out)


class SnippetError(AssertionError):
    pass


def process_state() -> dict[str, object]:
    """Process-wide autograd and compiler switches that a snippet might flip and forget to restore.

    Snippets run one after another in one process here, so a switch left flipped would change the
    output of the next snippet, while the same page, run alone by a reader, would print something else.
    """
    import torch  # here, not at the top: the module needs only the standard library until a snippet runs

    state = {
        "torch.is_grad_enabled()": torch.is_grad_enabled(),
        "torch.is_inference_mode_enabled()": torch.is_inference_mode_enabled(),
        "torch.is_anomaly_enabled()": torch.is_anomaly_enabled(),
        "torch.get_default_dtype()": torch.get_default_dtype(),
        "torch.are_deterministic_algorithms_enabled()": torch.are_deterministic_algorithms_enabled(),
        # off unless turned on; reading it before anything imported torch._dynamo would cost a second
        "torch._dynamo.config.compiled_autograd": "torch._dynamo" in sys.modules
        and torch._dynamo.config.compiled_autograd,
    }
    return state


def run(path: Path, device: str = "cpu") -> Run:
    """Run ``path`` as ``python -m snippets....`` would, in a scratch directory."""
    before = process_state()
    owner = sections_of(path)
    writer = _SectionWriter(path, owner)
    scratch = Path(tempfile.mkdtemp(prefix="snippet-"))
    old_cwd, old_device = os.getcwd(), os.environ.get("TORCH_DEVICE")
    os.environ["TORCH_DEVICE"] = device
    os.chdir(scratch)
    try:
        with contextlib.redirect_stdout(writer):
            runpy.run_module(module_name(path), run_name="__main__", alter_sys=True)
    except BaseException as exc:  # report where in the snippet it broke
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        where = f"{path.relative_to(ROOT)}:{frames[-1].lineno}" if frames else str(path.relative_to(ROOT))
        detail = "".join(traceback.format_exception(exc))
        raise SnippetError(f"{where}: snippet raised {type(exc).__name__}: {exc}\n\n{detail}") from None
    finally:
        os.chdir(old_cwd)
        if old_device is None:
            os.environ.pop("TORCH_DEVICE", None)
        else:
            os.environ["TORCH_DEVICE"] = old_device
    files = {p.name: p.read_bytes() for p in sorted(scratch.iterdir()) if p.is_file()}
    shutil.rmtree(scratch, ignore_errors=True)
    after = process_state()
    changed = [f"{key}: {before[key]} before, {value} after" for key, value in after.items() if value != before[key]]
    if changed:
        raise SnippetError(
            f"{path.relative_to(ROOT)}: the snippet leaves process-wide state changed, so the next snippet run in "
            f"the same process would print something else than when a reader runs it alone; restore it (a `with` "
            f"block, or set it back at the end of the section):\n  " + "\n  ".join(changed)
        )
    return Run(writer.render(), files)


def output_path(path: Path) -> Path:
    return path.with_suffix(".out")


def figure_dir(path: Path) -> Path:
    """Files a snippet writes (plots) are published next to the page that shows it."""
    chapter = path.parent.relative_to(SNIPPETS)
    return DOCS / chapter / "figures"


def normalise(text: str) -> str:
    for pattern, replacement in DEVICE_NOISE:
        text = pattern.sub(replacement, text)
    return text


def _close(recorded: str, actual: str) -> bool:
    """0.1 % of the value, or one unit of the last printed decimal (the last digit may round either way).

    A value printed without decimals (an integer, or torch's ``6.``) must match to 0.1 %: a count is exact.
    """
    r, a = float(recorded), float(actual)
    mantissa, _, exponent = recorded.lower().partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    unit = 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0
    return abs(a - r) <= max(RTOL * abs(r), unit * (1 + 1e-9))


def same_line(recorded: str, actual: str) -> bool:
    if recorded == actual:
        return True
    rec_nums, act_nums = NUMBER.findall(recorded), NUMBER.findall(actual)
    if NUMBER.split(recorded) != NUMBER.split(actual):
        # Text differs; torch pads columns differently when a sign flips, so
        # compare with runs of spaces collapsed before giving up.
        if [" ".join(s.split()) for s in NUMBER.split(recorded)] != [" ".join(s.split()) for s in NUMBER.split(actual)]:
            return False
    if len(rec_nums) != len(act_nums):
        return False
    return all(_close(r, a) for r, a in zip(rec_nums, act_nums))


def compare(path: Path, actual: str) -> None:
    """Raise with a readable diff when ``actual`` drifted from the recorded output."""
    recorded_file = output_path(path)
    rel_out, rel_py = recorded_file.relative_to(ROOT), path.relative_to(ROOT)
    if not recorded_file.exists():
        raise SnippetError(f"{rel_py}: no recorded output {rel_out}; record it with `{UPDATE_COMMAND}`")
    text = recorded_file.read_text(encoding="utf-8")
    header = 1 if text.startswith(HEADER_START) else 0  # keep line numbers those of the file
    recorded = normalise(STAMP.sub("", text)).splitlines()[header:]
    got = normalise(actual).splitlines()
    first_bad = next(
        (i for i, (r, a) in enumerate(zip(recorded, got)) if not same_line(r, a)),
        None if len(recorded) == len(got) else min(len(recorded), len(got)),
    )
    if first_bad is None:
        return
    section = next(
        (MARKER.search(line).group(2) for line in reversed(recorded[: first_bad + 1]) if MARKER.search(line)), None
    )
    diff = "\n".join(difflib.unified_diff(recorded, got, str(rel_out), "this run", lineterm=""))
    where = f" (section '{section}')" if section else ""
    raise SnippetError(
        f"{rel_out}:{first_bad + 1 + header}: output of {rel_py} drifted from the recording{where} "
        f"(numbers compared within {TOLERANCE}).\n"
        f"If the change is intended, re-record with `{UPDATE_COMMAND}`.\n\n{diff}"
    )


PIXEL_TOLERANCE = 0.01  # mean absolute difference of RGBA values in [0, 1]: antialiasing, not a new curve


def compare_files(path: Path, files: dict[str, bytes]) -> None:
    """Every file the snippet writes is published, and the published one shows the same picture."""
    folder = figure_dir(path)
    for name, data in files.items():
        published = folder / name
        where = f"{path.relative_to(ROOT)}: writes {name}, but {published.relative_to(ROOT)}"
        if not published.exists():
            raise SnippetError(f"{where} is missing; run `{UPDATE_COMMAND}`")
        if published.read_bytes() == data:
            continue
        if published.suffix != ".png":
            raise SnippetError(f"{where} differs from what this run wrote; run `{UPDATE_COMMAND}`")
        import matplotlib.image
        import numpy

        old, new = matplotlib.image.imread(published), matplotlib.image.imread(io.BytesIO(data))
        if old.shape != new.shape:
            raise SnippetError(
                f"{where} is {old.shape[1]}x{old.shape[0]} px, this run drew {new.shape[1]}x{new.shape[0]}"
            )
        difference = float(numpy.abs(old - new).mean())
        if difference > PIXEL_TOLERANCE:
            raise SnippetError(
                f"{where} shows a different picture (mean pixel difference {difference:.3f} > {PIXEL_TOLERANCE}); "
                f"if the change is intended, re-record with `{UPDATE_COMMAND}`"
            )


HEADER_START = "# Output of "


def header(path: Path) -> str:
    """The first line of a .out file: what wrote it. Pages include sections, so it is never shown."""
    return f"{HEADER_START}{path.relative_to(ROOT)}, recorded by `{UPDATE_COMMAND}`; do not edit by hand.\n"


STAMP = re.compile(r"--8<-- \[start:verified\]\n.*?--8<-- \[end:verified\]\n", re.DOTALL)


def stamp(device: str) -> str:
    """The 'last verified' line a page shows: what recorded this output, and when."""
    import platform

    import torch

    today = datetime.date.today().isoformat()
    line = f"PyTorch {torch.__version__} · Python {platform.python_version()} · {device.upper()} · {today}"
    return f"--8<-- [start:verified]\n{line}\n--8<-- [end:verified]\n"


def update(path: Path, result: Run, device: str = "cpu") -> None:
    output_path(path).write_text(header(path) + result.text + stamp(device), encoding="utf-8")
    if result.files:
        folder = figure_dir(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in result.files.items():
            (folder / name).write_bytes(data)
