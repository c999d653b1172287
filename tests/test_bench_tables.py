"""Benchmark tables that pages include are generated from the recorded JSON results: they must agree.

Each benchmark's `--tables` step (write_fragments) is run here with its writer captured instead of writing, and
every fragment it would write must equal the committed file. The generators also check that the recorded
results still show what the pages say about them, and stop when they do not.
"""

import importlib

import pytest

from tools.bench import common

BENCHMARKS = ["steps", "memory", "jacobians", "hooks"]


@pytest.mark.parametrize("name", BENCHMARKS)
def test_tables_match_recorded_results(name, monkeypatch):
    module = importlib.import_module(f"tools.bench.{name}")
    generated = {}

    def capture(path, text, command):
        generated[path] = common.generated(text, command)
        return path

    monkeypatch.setattr(common, "write_generated", capture)
    module.write_fragments()
    assert generated, f"python -m tools.bench.{name} --tables generates nothing"
    for path, text in generated.items():
        assert path.exists(), f"{path.name} is missing: run python -m tools.bench.{name} --tables"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(common.RESULTS.parents[2])} does not match the recorded JSON: "
            f"run python -m tools.bench.{name} --tables"
        )
