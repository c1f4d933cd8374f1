"""Import throughput: the shared registry corpus through ``registry-tool parse``, one process.

For each corpus folder (``ctgov-xml``; ``ctgov-json`` too once its importer
is in the package) the CLI parses the whole folder as one batch in a child
process: start-up, reading, importing, schema validation, JSON Lines out to
/dev/null -- the whole process, one worker. The best of ``--repeat`` runs is
reported as records per second, with the child's peak memory (max RSS). Then
the same with a batch ten times larger (the folder's files linked ten times
into a temporary folder), to show that memory does not grow with the batch.

With ``--stages`` it also times the stages in this process, per record, to
show where the time goes (reading and parsing, the importer, ``to_dict``,
schema validation, JSON encoding).

    python benchmarks/import_throughput.py [--repeat N] [--stages]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.corpus import corpus_dir, corpus_files  # noqa: E402

TARGET_XML_PER_SECOND = 4000
_CHILD = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.call(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - t, rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def importer_available(kind: str) -> bool:
    module = {"ctgov-xml": "registry_tool.importers.ctgov_xml", "ctgov-json": "registry_tool.importers.ctgov_json"}
    return importlib.util.find_spec(module[kind]) is not None


def run_batch(folder: Path) -> tuple[float, int, int]:
    """Seconds, exit status and peak RSS (KiB) of one ``registry-tool parse FOLDER -o /dev/null``."""
    exe = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
    out = subprocess.run([sys.executable, "-c", _CHILD, exe, "parse", str(folder), "-o", os.devnull],
                         capture_output=True, text=True, check=True)
    seconds, rc, rss = out.stdout.split()
    return float(seconds), int(rc), int(rss)


def count_records(kind: str) -> int:
    """Records in the corpus folder (an API v2 file may hold several studies)."""
    if kind == "ctgov-xml":
        return len(corpus_files(kind))
    from registry_tool import iter_records

    return sum(1 for _ in iter_records([str(corpus_dir() / kind)]))


def linked_copies(source: Path, folder: Path, copies: int) -> None:
    """``copies`` sub-folders of symbolic links to the files of ``source`` (no disk space used)."""
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for path in sorted(source.iterdir()):
            (sub / path.name).symlink_to(path)


def measure(kind: str, repeat: int) -> None:
    source = corpus_dir() / kind
    records = count_records(kind)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 10):
            folder = source if copies == 1 else Path(tmp) / "x10"
            if copies > 1:
                folder.mkdir()
                linked_copies(source, folder, copies)
            runs = [run_batch(folder) for _ in range(repeat if copies == 1 else max(1, repeat // 2))]
            seconds = min(r[0] for r in runs)
            rss = max(r[2] for r in runs)
            status = {r[1] for r in runs}
            n = records * copies
            results[copies] = rss
            print(f"{kind} batch x{copies:<2}: {n:6d} records in {seconds:6.2f} s = {n / seconds:6.0f} records/s, "
                  f"peak memory {rss / 1024:6.1f} MiB" + (f"  (exit status {sorted(status)})" if status != {0} else ""))
    print(f"{kind} memory ratio x10/x1: {results[10] / results[1]:.2f} (target < 1.2)")


def stages(kind: str) -> None:
    """Per-record time of each stage, in this process (records streamed, not kept)."""
    import orjson

    from registry_tool import formats
    from registry_tool.reading import detect_format
    from registry_tool.validation import validate

    docs = [(str(p), p.read_bytes()) for p in corpus_files(kind)]
    timings = {"import (parse + map + normalise)": 0.0, "to_dict": 0.0, "validate": 0.0, "JSON encode": 0.0}
    count = 0
    parse_only = 0.0
    if kind == "ctgov-xml":
        from registry_tool.xml_safety import parse_xml

        t = time.perf_counter()
        for path, data in docs:
            parse_xml(data, path)
        parse_only = time.perf_counter() - t
    for path, data in docs:
        read = formats.importer(detect_format(data, path))
        t0 = time.perf_counter()
        records = list(read(data, path))
        t1 = time.perf_counter()
        dicts = [r.to_dict() for r in records]
        t2 = time.perf_counter()
        for d in dicts:
            validate(d)
        t3 = time.perf_counter()
        for d in dicts:
            orjson.dumps(d)
        t4 = time.perf_counter()
        count += len(records)
        for key, dt in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            timings[key] += dt
    print(f"{kind} stages, microseconds per record ({count} records):")
    if parse_only:
        print(f"  {'of which lxml parsing (safe parser)':<36} {parse_only / count * 1e6:8.0f}")
    for key, total in timings.items():
        print(f"  {key:<36} {total / count * 1e6:8.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch size; the best is reported")
    parser.add_argument("--stages", action="store_true", help="also time the stages in this process")
    args = parser.parse_args()
    if corpus_dir() is None:
        print("shared corpus not found (set REGISTRY_TOOL_SHARED)", file=sys.stderr)
        return 2
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    for kind in ("ctgov-xml", "ctgov-json"):
        if not corpus_files(kind):
            print(f"{kind}: corpus folder absent, skipped")
        elif not importer_available(kind):
            print(f"{kind}: importer not in this package yet, skipped")
        else:
            measure(kind, args.repeat)
            if args.stages:
                stages(kind)
    print(f"target: {TARGET_XML_PER_SECOND} XML records/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
