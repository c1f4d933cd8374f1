"""Fetch throughput: the API v2 corpus fetched over HTTP from a local registry.

The 140 studies of ``corpus/ctgov-json`` are served by the test server
(tests/fake_registry.py) on 127.0.0.1 and fetched in process with
``fetch_to`` -- by query (pages of 100) and one by one by NCT id -- through
the ``ctgov-json`` importer, written to a JSON Lines file. Loopback HTTP, so
this is the tool's own cost per record, not the registry's. (Importing the
same corpus from files is timed by import_throughput.py.)

    python benchmarks/fetch_throughput.py [--repeat N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from common import start

from registry_tool.commands import fetch_to
from tests.support.fake_registry import FakeRegistry, corpus_studies


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
    bench_fetch(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
