"""Asking for a GPU where there is none fails loudly instead of skipping."""

import os
import subprocess
import sys

from tools import recording


def test_cuda_without_gpu_is_an_error():
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}  # hide any GPU this machine has
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "tests/snippets/test_snippets.py",
            "--device=cuda",
        ],
        cwd=recording.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0, "pytest --device=cuda passed on a machine without a GPU"
    assert "asks for CUDA" in proc.stderr + proc.stdout, proc.stderr + proc.stdout
