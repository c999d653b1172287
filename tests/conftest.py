"""Shared pytest options: which devices snippets run on, and re-recording their outputs."""

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("snippets")
    group.addoption(
        "--device",
        choices=["cpu", "cuda", "all"],
        default="cpu",
        help="run every snippet on this device (all = cpu and cuda); cuda without a GPU is an error",
    )
    group.addoption(
        "--update-outputs",
        action="store_true",
        help="re-record each snippet's .out file (and figures) instead of comparing",
    )


def _devices(config):
    choice = config.getoption("--device")
    return ["cpu", "cuda"] if choice == "all" else [choice]


def pytest_configure(config):
    if "cuda" in _devices(config):
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError(
                f"--device={config.getoption('--device')} asks for CUDA, but torch {torch.__version__} sees no GPU "
                "(torch.cuda.is_available() is False). Run on a machine with an NVIDIA GPU, or use --device=cpu."
            )


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", _devices(metafunc.config))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Build the whole bilingual site once per session with `mkdocs build --strict`."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    return {"dir": out, "proc": proc, "seconds": time.perf_counter() - start}
