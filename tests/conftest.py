"""Shared pytest options: which devices snippets run on, and re-recording their outputs; the built site."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

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
    """The strict build first: a broken link or image is then the first failure, named once.

    The guard rails next: their planted copies take longest, so they start early and run beside the rest
    (they report nothing when the tree itself fails; see tests/guards/test_guard_rails.py). Then the tests
    that do not read the built site, so that no worker waits for the build while there is other work; the
    tests of the built site last, the longest of them (printing the PDFs) first, so that it does not run alone
    at the end.
    """
    if item.nodeid.startswith("tests/site/test_build.py::test_strict_build_passes"):
        return 0
    if item.nodeid.startswith("tests/guards/"):
        return 1
    if "built_site" not in getattr(item, "fixturenames", ()):  # README's blocks have no fixtures
        return 2
    return 3 if item.nodeid.startswith("tests/site/test_pdf.py") else 4


# The only tests that run snippets/ in this process, where coverage measures it (the others run snippets in
# fresh interpreters, or none). Coverage's tracer (sys.settrace on Python 3.11) would only slow the rest: it
# doubles the time of parsing HTML, say. Pausing it elsewhere cannot hide a line: the run must still cover
# every line of snippets/, and fails when it does not.
COVERAGE_MEASURED_IN = "tests/snippets/test_snippets.py::"


@pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture, which would undo this
def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_rank)  # stable: the rest keep their order
    for item in items:
        if not item.nodeid.startswith(COVERAGE_MEASURED_IN):
            item.add_marker(pytest.mark.no_cover)


def _drop_coverage_threshold_on_partial_runs(config):
    """The 100 % coverage of snippets/ is a property of the whole suite: a partial run does not check it.

    pyproject.toml sets --cov-fail-under=100; a run that names paths, selects with -k or -m, or
    deselects anything (tests/site/test_browser.py alone, say) drops the threshold for that run. This
    runs in pytest_configure, so it also holds for pytest-xdist's controller, which checks the threshold.
    """
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
    _drop_coverage_threshold_on_partial_runs(config)
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


def shared_folder(request, tmp_path_factory) -> Path:
    """A folder every worker of this run sees (pytest-xdist gives each worker a base temp below this run's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(request.config, "workerinput") else base


PRINT_PAGES = "PRINT_PAGES"  # mkdocs.yml: `extra.print_pages`


def build_site(shared: Path) -> dict:
    """Build the whole bilingual site with `mkdocs build --strict` into `shared`, once per run.

    The first caller builds; every other caller, on any worker, waits for it and reads the same record.
    With the print pages (PRINT_PAGES=true), which the published site leaves out: tests/site/test_pdf.py prints
    them, and the checks of ids and links cover them too. The guard rails' planted copies, which test neither,
    build without them (PRINT_PAGES=false in their environment).
    """
    from filelock import FileLock

    out, record = shared / "site", shared / "site-build.json"
    with FileLock(str(shared / "site.lock")):
        if not record.exists():
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                cwd=Path(__file__).resolve().parents[1],
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1", PRINT_PAGES: os.environ.get(PRINT_PAGES, "true")},
                capture_output=True,
                text=True,
            )
            result = {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
            record.write_text(json.dumps(result | {"seconds": time.perf_counter() - start}), encoding="utf-8")
    result = json.loads(record.read_text(encoding="utf-8"))
    proc = subprocess.CompletedProcess([], result["returncode"], result["stdout"], result["stderr"])
    return {"dir": out, "proc": proc, "seconds": result["seconds"]}


@pytest.fixture(scope="session")
def built_site(request, tmp_path_factory):
    """The built site, shared by every worker of the run (build_site)."""
    return build_site(shared_folder(request, tmp_path_factory))


def pytest_runtest_logreport(report):
    """Leave a mark that some test failed, for the guard rails running on another worker."""
    if report.failed and FAILURES_MARK is not None:
        FAILURES_MARK.touch()


FAILURES_MARK: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _failures_mark(request, tmp_path_factory):
    global FAILURES_MARK
    FAILURES_MARK = shared_folder(request, tmp_path_factory) / "some-test-failed"


def failures_elsewhere() -> bool:
    """Whether a test of this run failed, on this worker or another."""
    return FAILURES_MARK is not None and FAILURES_MARK.exists()


@pytest.fixture(scope="session")
def good_build(built_site):
    """The built site, for tests that read it; when the build failed they skip and point at the one failure."""
    if built_site["proc"].returncode:
        pytest.skip("needs the built site, but the build failed: see the failure of test_strict_build_passes")
    return built_site
