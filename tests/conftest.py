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


def _rank(item) -> int:
    """The strict build first: a broken link or image is then the first failure, named once."""
    if item.nodeid.startswith("tests/site/test_build.py::test_strict_build_passes"):
        return 0
    if item.nodeid.startswith("tests/guards/"):
        return 2  # last: they plant defects in a copy of a tree that the rest of the suite found sound
    return 1


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_rank)  # stable: the rest keep their order


def pytest_collection_finish(session):
    """The 100 % coverage of snippets/ is a property of the whole suite: a partial run does not check it.

    pyproject.toml sets --cov-fail-under=100; a run that names paths, selects with -k or -m, or
    deselects anything (tests/site/test_browser.py alone, say) drops the threshold for that run.
    """
    config = session.config
    cov = config.pluginmanager.getplugin("_cov")
    partial = (
        config.args_source != pytest.Config.ArgsSource.TESTPATHS
        or config.getoption("keyword")
        or config.getoption("markexpr")
        or config.getoption("--update-outputs")
        or config.getoption("deselect")
        or config.getoption("lf", default=False)
    )
    if cov is not None and partial:
        cov.options.cov_fail_under = None


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


@pytest.fixture(scope="session")
def good_build(built_site):
    """The built site, for tests that read it; when the build failed they skip and point at the one failure."""
    if built_site["proc"].returncode:
        pytest.skip("needs the built site, but the build failed: see the failure of test_strict_build_passes")
    return built_site
