"""``--jobs``: worker processes give the same output as one process, in input order, and stop cleanly.

The real console script runs in a subprocess, so the worker processes are real.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry_tool import cli, workers
from tests.support import FIXTURES

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
TEXT = sorted((FIXTURES / "text").glob("*.txt"))
XML = sorted((FIXTURES / "ctgov_xml").glob("*.xml"))


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A batch of several worker chunks: the text and XML fixtures four times over, a broken
    entry and a binary file among them, in sub-folders (sorted walk order)."""
    root = tmp_path_factory.mktemp("batch")
    for copy in range(4):
        folder = root / f"c{copy}"
        folder.mkdir()
        for path in TEXT + XML:
            (folder / path.name).write_bytes(path.read_bytes() + (b"\n" * copy))  # distinct ids per copy
        (folder / "zz_binary.txt").write_bytes(b"\x00\x01binary")
        (folder / "zz_not_utf8.txt").write_bytes(b"Summary \xff\n")
    return root


def test_parse_output_and_reports_are_the_same_whatever_the_number_of_workers(batch):
    one = _run("parse", str(batch), "--jobs", "1")
    many = _run("parse", str(batch), "--jobs", "3")
    assert one.returncode == many.returncode == 1  # the broken files fail, the rest is written
    assert one.stdout == many.stdout
    assert one.stderr == many.stderr
    assert one.stdout.count(b"\n") > 3 * workers.CHUNK  # enough documents for several chunks


def test_records_come_out_in_input_order(batch):
    many = _run("parse", str(batch), "--jobs", "2")
    paths = [line.split(b'"path":"', 1)[1].split(b'"', 1)[0].decode() for line in many.stdout.splitlines()]
    assert paths == sorted(paths, key=lambda p: (Path(p).parent.name, Path(p).name))


@pytest.mark.parametrize("to", ["csv", "xml", "sqlite", "jsonl"])
def test_every_writer_gives_the_same_output_with_workers(batch, tmp_path, to):
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}{'.db' if to == 'sqlite' else '.jsonl' if to == 'jsonl' else ''}"
        result = _run("export", str(batch), "--to", to, "-o", str(out), "--jobs", jobs)
        assert result.returncode == 1, result.stderr  # the broken files
        outputs.append((_contents(out), result.stderr.replace(str(out).encode(), b"OUT")))
    assert outputs[0] == outputs[1]


def _contents(out: Path):
    if out.suffix == ".db":
        with sqlite3.connect(out) as conn:
            return list(conn.iterdump())
    if out.is_dir():
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    return out.read_bytes()


def test_small_batches_use_one_process_and_large_ones_one_worker_per_cpu(monkeypatch):
    monkeypatch.setattr(cli, "default_jobs", lambda: 2)
    assert cli._jobs(None, [None]) == 1  # stdin
    assert cli._jobs(None, ["a.txt"] * (cli.MIN_FILES_PER_WORKER - 1)) == 1
    assert cli._jobs(None, ["a.txt"] * (2 * cli.MIN_FILES_PER_WORKER)) == 2
    assert cli._jobs(None, ["a.txt"] * (10 * cli.MIN_FILES_PER_WORKER)) == 2
    assert cli._jobs(3, [None]) == 3


def test_jobs_below_one_is_a_usage_error(batch):
    result = _run("parse", str(batch), "--jobs", "0")
    assert result.returncode == 2 and b"--jobs" in result.stderr


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _entries(folder: Path, count: int) -> Path:
    """A folder of ``count`` distinct small entries: enough work for workers to be caught mid-run."""
    folder.mkdir()
    entry = (FIXTURES / "text" / "01_minimal_entry.txt").read_bytes()
    for i in range(count):
        (folder / f"e{i:05d}.txt").write_bytes(entry + f"\nline {i}".encode())
    return folder


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see worker processes")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_worker_and_leaves_no_output(tmp_path, signum):
    big = _entries(tmp_path / "big", 3000)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([SCRIPT, "parse", str(big), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = _children(proc.pid)
    assert len(kids) >= 2, "the workers did not start"
    time.sleep(0.3)
    proc.send_signal(signum)
    stopped = time.monotonic()
    proc.communicate(timeout=30)
    assert time.monotonic() - stopped < 10
    assert proc.returncode not in (0, None)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "big"] == []  # no .part file either
    time.sleep(0.5)
    alive = [k for k in kids if Path(f"/proc/{k}").exists() and "zombie" not in _state(k)]
    assert alive == []


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "zombie"
    return next((line for line in status.splitlines() if line.startswith("State:")), "").lower()


def test_signals_at_any_moment_never_hang_the_exit(tmp_path):
    """Issue 12, item 8: a worker killed while it sends a result back leaves half a message in
    the pool's result pipe; the pool's manager thread then waited for the rest for ever and
    the interrupted process hung at exit. Signals sent at staggered moments of a --jobs run
    must each end it within seconds, with 130 (Ctrl-C) or 143 (SIGTERM)."""
    big = _entries(tmp_path / "big", 2000)
    out = tmp_path / "out.jsonl"
    for trial in range(8):
        signum, status = (signal.SIGTERM, 143) if trial % 2 else (signal.SIGINT, 130)
        proc = subprocess.Popen([SCRIPT, "parse", str(big), "-o", str(out), "--jobs", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5 + 0.07 * trial)
        proc.send_signal(signum)
        try:
            _, error = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"trial {trial}: the interrupted run hung at exit") from None
        if proc.returncode in (0, -signum) and out.exists():  # finished before the signal (or as it came)
            out.unlink()
            continue
        assert proc.returncode == status, (trial, proc.returncode, error)
        assert [p.name for p in tmp_path.iterdir() if p.name != "big"] == []


def test_a_task_ends_at_its_byte_budget_or_its_document_count():
    from registry_tool.sources import Document
    from registry_tool.workers import CHUNK, CHUNK_BYTES, _next_chunk

    big = [Document(f"big{i}.xml", b"x" * (CHUNK_BYTES // 2)) for i in range(5)]
    stream = iter(big)
    assert [len(_next_chunk(stream)) for _ in range(3)] == [2, 2, 1]  # two halves fill a task
    small = iter([Document(f"s{i}.txt", b"entry") for i in range(CHUNK + 3)])
    assert [len(_next_chunk(small)) for _ in range(2)] == [CHUNK, 3]
    assert _next_chunk(iter(())) == []
