"""Every snippet runs alone and prints what its page shows.

Test ids are snippet paths: ``test_snippet[cpu-autograd/basics.py]`` runs
``snippets/autograd/basics.py`` and compares with ``snippets/autograd/basics.out``.
"""

import pytest

from tools import recording

SNIPPETS = recording.snippet_files()


@pytest.mark.parametrize("path", SNIPPETS, ids=[str(p.relative_to(recording.SNIPPETS)) for p in SNIPPETS])
def test_snippet(path, device, request):
    result = recording.run(path, device)
    if request.config.getoption("--update-outputs"):
        if device != "cpu":
            pytest.fail("record outputs on the CPU (--device=cpu); other devices are compared against them")
        recording.update(path, result, device)
        return
    recording.compare(path, result.text)
    recording.compare_files(path, result.files)


def test_there_are_snippets():
    assert SNIPPETS, f"no snippet found under {recording.SNIPPETS}"
