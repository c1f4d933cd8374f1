"""The README's "For analysts" examples run as written on the shared corpus."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import corpus

README = Path(__file__).parents[1] / "README.md"


def _blocks(kind: str) -> list[str]:
    text = README.read_text("utf-8")
    section = text[text.index("## For analysts"):]
    section = section[: section.index("\n## ", 3)]
    return re.findall(rf"```{kind}\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    shared = corpus.shared_dir()
    if shared is None or not corpus.corpus_files("ctgov-xml"):
        pytest.skip("shared corpus not present")
    root = tmp_path_factory.mktemp("analysts")
    (root / "shared").symlink_to(shared)
    work = root / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for block in _blocks("sh"):
        subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=work, env=env, check=True,
                       capture_output=True)
    return work


def test_the_section_has_its_examples():
    assert len(_blocks("sh")) == 1 and len(_blocks("python")) == 1 and len(_blocks("sql")) == 2


def test_the_pandas_example_runs(workdir):
    pytest.importorskip("pandas")
    result = subprocess.run([sys.executable, "-c", _blocks("python")[0]], cwd=workdir, capture_output=True,
                            text=True, check=True)
    assert "1207 values of 144 trials" in result.stdout


def test_the_sql_examples_run(workdir):
    conn = sqlite3.connect(workdir / "corpus.db")
    try:
        horizon, events = (conn.execute(sql).fetchall() for sql in _blocks("sql"))
    finally:
        conn.close()
    assert horizon == [(325,)]
    assert len(events) == 5 and all(0 < row[4] <= 100 for row in events)
