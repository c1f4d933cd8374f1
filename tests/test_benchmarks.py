"""The benchmark scripts start: each imports what it uses and answers --help.

They are run by hand (their figures are in the README), so a renamed function
would otherwise break one unnoticed; importing nothing of ``tests`` is part of
the check (the scripts run with only ``benchmarks/`` and the package on the path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if p.name != "common.py")


def test_every_benchmark_is_listed_in_the_readme():
    readme = (BENCHMARKS.parent / "README.md").read_text("utf-8")
    assert [s for s in SCRIPTS if f"`{s}" not in readme] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_starts(script, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--repeat" in done.stdout
    source = (BENCHMARKS / script).read_text("utf-8")
    assert "from tests" not in source and "import tests" not in source
