"""API v2 JSON throughput: importing the shared corpus, and fetching it over HTTP.

1. import: the 140 studies of ``corpus/ctgov-json`` copied N times into a
   temporary folder and read as one batch by ``registry-tool parse`` in a
   child process (whole process, one worker, schema validation on, JSON Lines
   to /dev/null), for N = 10 and N = 50, showing records per second and that
   peak memory does not grow with the batch.
2. fetch: the same studies served by the test server (tests/fake_registry.py)
   on 127.0.0.1, fetched in process with ``fetch_to`` by query (pages of 100)
   and one by one by NCT id, written to a file. Loopback HTTP, so this is the
   tool's own cost per record, not the registry's.

    python benchmarks/ctgov_json_throughput.py [--repeat N]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import best_run, start

from registry_tool.fetch import fetch_to
from tests.corpus import corpus_files
from tests.fake_registry import FakeRegistry, corpus_studies


def copy_corpus(folder: Path, copies: int) -> int:
    files = corpus_files("ctgov-json")
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for path in files:
            shutil.copyfile(path, sub / path.name)
    return copies * len(files)


def bench_import(repeat: int) -> None:
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (10, 50):
            folder = Path(tmp) / f"x{copies}"
            folder.mkdir()
            n = copy_corpus(folder, copies)
            seconds, rc, peaks[copies] = best_run(repeat, "parse", str(folder), "-o", "/dev/null")
            status = "" if rc == 0 else f" (exit status {rc})"
            print(f"import x{copies:<2}: {n:5d} records in {seconds:5.2f} s = {n / seconds:6.0f} records/s, "
                  f"peak memory {peaks[copies] / 1024:5.1f} MiB{status}")
    print(f"import memory ratio x50/x10: {peaks[50] / peaks[10]:.2f}")


def bench_fetch(repeat: int) -> None:
    fake = FakeRegistry(corpus_studies())
    base_url = fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.jsonl")
            for label, ids, query in (("by query", [], "all"), ("by NCT id", fake.order, None)):
                best = float("inf")
                for _ in range(repeat):
                    started = time.perf_counter()
                    report = fetch_to(ids, query=query, base_url=base_url, out=out, page_size=100)
                    best = min(best, time.perf_counter() - started)
                    assert report.ok and report.records_out == len(fake.order), report.to_dict()
                n = len(fake.order)
                print(f"fetch {label:<9}: {n:5d} records in {best:5.2f} s = {n / best:6.0f} records/s")
    finally:
        fake.stop()


def main() -> int:
    args = start(__doc__.splitlines()[0], needs="ctgov-json")
    if args is None:
        return 2
    bench_import(args.repeat)
    bench_fetch(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
