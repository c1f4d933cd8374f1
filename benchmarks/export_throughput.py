"""Export throughput: records per second of the CSV, SQLite and JSON Lines exporters.

1. Exporters alone: the shared corpus is read once into memory (registry XML
   and API v2 JSON where their importers are installed, else the XML corpus
   rendered as flattened text and parsed), then written by each exporter with
   schema validation off, so the figure is the exporter's own cost. SQLite is
   timed twice: into a new file, and re-exporting every record into the
   filled file (each record's old rows deleted first). The CSV package is
   then validated with the ``frictionless`` library (if installed), timed.
2. Streaming, memory: the rendered corpus, and ten copies of it (distinct
   record ids), read, parsed, validated and exported to CSV in a fresh
   process each; peak memory must not grow with the batch.

    python benchmarks/export_throughput.py [--repeat N]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from common import best_run, start  # noqa: E402
from parse_throughput import render_corpus  # noqa: E402

from registry_tool import ExportOptions, Record, convert, iter_records  # noqa: E402
from tests.corpus import corpus_files  # noqa: E402


def render_distinct_copies(folder: Path, copies: int) -> int:
    """The XML corpus rendered as flattened text ``copies`` times, each copy's entries with their
    own record ids (a text entry's id comes from its content, so each summary gets its copy's name)."""
    count = render_corpus(folder, copies)
    for path in folder.glob("copy*/*.txt"):
        path.write_text(f"({path.parent.name}) {path.read_text('utf-8')}", encoding="utf-8")
    return count


def load_records(tmp: Path) -> tuple[list[Record], str]:
    """The corpus as records, and what it was read from."""
    try:
        import registry_tool.importers.ctgov_json  # noqa: F401
        import registry_tool.importers.ctgov_xml  # noqa: F401
    except ImportError:
        folder = tmp / "rendered"
        folder.mkdir()
        render_distinct_copies(folder, 1)
        inputs, what = [str(folder)], "XML corpus rendered as flattened text"
    else:
        inputs = [str(corpus_files("ctgov-xml")[0].parent), str(corpus_files("ctgov-json")[0].parent)]
        what = "registry XML + API v2 JSON corpus"
    seen: set[str] = set()
    records = []
    for result in iter_records(inputs):
        if isinstance(result, Record) and result.record_id not in seen:
            seen.add(result.record_id)
            records.append(result)
    return records, what


def count_rows(path: Path) -> int:
    csv.field_size_limit(sys.maxsize)  # extras cells hold whole registry sections (clinical_results)
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    args = start(__doc__.splitlines()[0])
    if args is None:
        return 2
    options = ExportOptions(validate=False)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        records, what = load_records(tmp)
        n = len(records)
        print(f"records: {n} ({what})")

        def report(label: str, seconds: float) -> None:
            print(f"{label:<30} {n:6d} records in {seconds:6.2f} s = {n / seconds:8.0f} records/s")

        report("csv", best_of(args.repeat, lambda: convert(records, "csv", str(tmp / "csv"), options)))
        db = tmp / "x.db"

        def fresh_sqlite() -> None:
            if db.exists():
                db.unlink()
            convert(records, "sqlite", str(db), options)

        report("sqlite (new file)", best_of(args.repeat, fresh_sqlite))
        report("sqlite (replace every record)",
               best_of(args.repeat, lambda: convert(records, "sqlite", str(db), options)))
        report("jsonl", best_of(args.repeat, lambda: convert(records, "jsonl", str(tmp / "x.jsonl"), options)))
        rows = sum(count_rows(p) for p in (tmp / "csv").glob("*.csv"))
        try:
            import frictionless
        except ImportError:
            print("frictionless not installed: package validation not timed")
        else:
            t = time.perf_counter()
            valid = frictionless.validate(str(tmp / "csv" / "datapackage.json")).valid
            print(f"frictionless validation of the package ({rows} rows): "
                  f"{time.perf_counter() - t:.2f} s, valid={valid}")

        sizes = {}
        for copies in (1, 10):
            folder = tmp / f"x{copies}"
            folder.mkdir()
            count = render_distinct_copies(folder, copies)
            seconds, rc, rss = best_run(args.repeat, "export", str(folder), "--to", "csv",
                                        "-o", str(tmp / f"out{copies}"))
            sizes[copies] = rss
            status = "" if rc == 0 else f" (exit status {rc})"
            print(f"registry-tool export --to csv, x{copies:<2}: {count:6d} entries in {seconds:6.2f} s = "
                  f"{count / seconds:6.0f} entries/s (whole process: parsing and validation included), "
                  f"peak memory {rss / 1024:6.1f} MiB{status}")
        print(f"memory ratio x10/x1: {sizes[10] / sizes[1]:.2f} (target < 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
