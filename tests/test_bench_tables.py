"""Benchmark tables that pages include are generated from the recorded JSON results: they must agree."""

from tools.bench import common, memory


def test_memory_tables_match_recorded_results(tmp_path):
    """docs/deep/graph_memory.md includes results/memory-<device>.<lang>.md; regenerating them changes nothing."""
    fragments = memory.fragments()  # also checks that the results still show what the page says
    assert common.RESULTS / "memory-cpu.zh.md" in fragments
    for path, text in fragments.items():
        fresh = common.write_generated(tmp_path / path.name, text, memory.COMMAND).read_text(encoding="utf-8")
        assert path.exists(), f"{path.name} is missing: run python -m {memory.COMMAND} --tables"
        assert path.read_text(encoding="utf-8") == fresh, (
            f"{path.name} does not match the recorded JSON: run python -m {memory.COMMAND} --tables"
        )
