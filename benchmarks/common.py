"""What every benchmark script shares: the command line, the machine line, and
timing ``registry-tool`` in a child process (whole process: start-up included).

Imported by the scripts beside it; not part of the package, and it imports
nothing of ``tests/``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))



def shared_dir() -> Path | None:
    """The shared folder (``corpus/``, ``seeds/``): ``$REGISTRY_TOOL_SHARED``, else ``shared/``
    beside the repository or one of its parents."""
    env = os.environ.get("REGISTRY_TOOL_SHARED")
    for candidate in ([Path(env)] if env else []) + [parent / "shared" for parent in REPO.parents]:
        if (candidate / "corpus").is_dir():
            return candidate
    return None


def corpus_files(kind: str) -> list[Path]:
    """Sorted files of ``corpus/<kind>`` (``ctgov-xml``, ``ctgov-json``, ``ictrp``), [] if absent."""
    shared = shared_dir()
    folder = shared / "corpus" / kind if shared else None
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder and folder.is_dir() else []

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


def start(
    description: str, needs: str = "ctgov-xml", options: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace | None:
    """Parse ``--repeat`` (and what ``options`` adds), check the shared corpus is there, print
    the machine line.

    Returns None (after saying why) when the corpus folder ``needs`` is absent.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is reported")
    if options is not None:
        options(parser)
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


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``work()`` in this process, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def linked_copies(files: list[Path], folder: Path, copies: int) -> int:
    """``copies`` sub-folders of ``folder`` holding symbolic links to ``files``; the files linked."""
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for path in files:
            (sub / path.name).symlink_to(path.resolve())
    return copies * len(files)


def scaling(
    repeat: int,
    label: str,
    make_batch: Callable[[Path, int], int],
    command: Callable[[Path, Path], list[str]],
    unit: str = "records",
    sizes: tuple[int, int] = (1, 10),
    jobs: tuple[int, ...] = (1, 2),
) -> dict[int, float]:
    """Time ``registry-tool`` on a batch and on one ``sizes[1] / sizes[0]`` times larger, with
    each number of worker processes in ``jobs`` (``--jobs N`` is added to the command).

    ``make_batch(folder, copies)`` fills ``folder`` and returns how many
    records (or entries) it holds; ``command(folder, out)`` is the
    ``registry-tool`` argument list for it. Prints, per batch and ``--jobs``,
    the rate and the process's peak memory, then the memory ratio of the
    larger batch to the smaller one (records stream through, so it should stay
    near 1) and the speed-up of each ``--jobs`` over ``--jobs 1``. Returns the
    larger batch's rate for each ``--jobs``.
    """
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for copies in sizes:
            folder = Path(tmp) / f"x{copies}"
            folder.mkdir()
            folders[copies] = (folder, make_batch(folder, copies))
        for n_jobs in jobs:
            peaks: dict[int, int] = {}
            for copies in sizes:
                folder, n = folders[copies]
                out = Path(tmp) / f"out{copies}-{n_jobs}"
                seconds, rc, peaks[copies] = best_run(repeat, *command(folder, out), "--jobs", str(n_jobs))
                if rc not in (0, 1):  # 2: a usage error, 130/143: stopped; nothing was measured
                    raise SystemExit(f"{label}: registry-tool {' '.join(command(folder, out))} exited {rc}; "
                                     "no figure (run it by hand to see why)")
                rate = n / seconds
                status = "" if rc == 0 else f" (exit status {rc}: some records failed)"
                print(f"{label} x{copies:<2} --jobs {n_jobs}: {n:6d} {unit} in {seconds:6.2f} s = {rate:7.0f} {unit}/s, "
                      f"peak memory {peaks[copies] / 1024:6.1f} MiB{status}")
                rates[n_jobs] = rate
            print(f"{label} --jobs {n_jobs} memory ratio x{sizes[1]}/x{sizes[0]}: {peaks[sizes[1]] / peaks[sizes[0]]:.2f}"
                  " (target < 1.2)")
    for n_jobs in jobs[1:]:
        print(f"{label}: --jobs {n_jobs} is {rates[n_jobs] / rates[jobs[0]]:.2f}x --jobs {jobs[0]} (x{sizes[1]} batch)")
    return rates
