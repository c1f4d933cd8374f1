"""Parse throughput: the rendered corpus through ``registry-tool parse``, one process.

Every record of the shared XML corpus that has outcomes is rendered into the
flattened text layout (tests/render_flat.py), written to a temporary folder,
and parsed as one batch by the CLI in a child process (whole process: start-up,
reading, parsing, schema validation on, JSON Lines out to /dev/null). Then the
same with a batch ten times larger, to show that memory does not grow with the
batch. Prints entries per second and peak memory (max RSS of the child).

    python benchmarks/parse_throughput.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.corpus import corpus_files  # noqa: E402
from tests.render_flat import render, truth_from_xml  # noqa: E402


def render_corpus(folder: Path, copies: int) -> int:
    """Write the rendered entries ``copies`` times into ``folder``; return the count."""
    entries = []
    for path in corpus_files("ctgov-xml"):
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            entries.append((path.stem, render(truth)))
    count = 0
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for stem, text in entries:
            (sub / f"{stem}.txt").write_text(text, encoding="utf-8")
            count += 1
    return count


def run_batch(folder: Path) -> tuple[float, int, int]:
    """Seconds, exit status and peak RSS (KiB) of one ``registry-tool parse`` run."""
    exe = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
    cmd = [exe, "parse", str(folder), "-o", os.devnull]
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.call(sys.argv[1:])\n"
        "print(time.perf_counter() - t, rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    seconds, rc, rss = out.stdout.split()
    return float(seconds), int(rc), int(rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch size; the best is reported")
    args = parser.parse_args()
    if not corpus_files("ctgov-xml"):
        print("shared corpus not found (set REGISTRY_TOOL_SHARED)", file=sys.stderr)
        return 2
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 10):
            folder = Path(tmp) / f"x{copies}"
            folder.mkdir()
            n = render_corpus(folder, copies)
            runs = [run_batch(folder) for _ in range(args.repeat)]
            seconds = min(r[0] for r in runs)
            rss = max(r[2] for r in runs)
            if any(r[1] != 0 for r in runs):
                print(f"batch x{copies}: registry-tool exited {runs[0][1]}", file=sys.stderr)
            results[copies] = (n, seconds, rss)
            print(f"batch x{copies:<2}: {n:6d} entries in {seconds:6.2f} s = {n / seconds:7.0f} entries/s, "
                  f"peak memory {rss / 1024:6.1f} MiB")
    ratio = results[10][2] / results[1][2]
    print(f"memory ratio x10/x1: {ratio:.2f} (target < 1.2)")
    return 0


if __name__ == "__main__":
    resource  # noqa: B018 - imported for the child's getrusage in run_batch
    sys.exit(main())
