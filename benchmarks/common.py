"""What every benchmark script shares: the command line, the machine line, and
timing ``registry-tool`` in a child process (whole process: start-up included).

Imported by the scripts beside it; not part of the package.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.corpus import corpus_files  # noqa: E402

# Runs ``registry-tool`` in a grandchild and prints its seconds, exit status and
# peak RSS (KiB): RUSAGE_CHILDREN of this small wrapper is exactly that process.
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.call(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - t, rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def machine_line() -> str:
    """The machine the figures were measured on."""
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def start(description: str, needs: str = "ctgov-xml") -> argparse.Namespace | None:
    """Parse ``--repeat``, check the shared corpus is there, print the machine line.

    Returns None (after saying why) when the corpus folder ``needs`` is absent.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is reported")
    args = parser.parse_args()
    if not corpus_files(needs):
        print("shared corpus not found (set REGISTRY_TOOL_SHARED)", file=sys.stderr)
        return None
    print(machine_line())
    return args


def registry_tool_exe() -> str:
    """The ``registry-tool`` script of the running interpreter's environment."""
    return shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"


def run_cli(*args: str) -> tuple[float, int, int]:
    """Seconds, exit status and peak RSS (KiB) of one ``registry-tool ARGS`` process."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, registry_tool_exe(), *args], capture_output=True, text=True, check=True
    )
    seconds, rc, rss = out.stdout.split()
    return float(seconds), int(rc), int(rss)


def best_run(repeat: int, *args: str) -> tuple[float, int, int]:
    """The fastest of ``repeat`` runs of ``registry-tool ARGS``, with the largest peak memory seen."""
    runs = [run_cli(*args) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)
