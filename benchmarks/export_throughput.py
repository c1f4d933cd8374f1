"""Export throughput: records per second of the CSV, SQLite and JSON Lines exporters.

1. Exporters alone: the shared corpus (registry XML and API v2 JSON) is read
   once into memory, then written by each exporter with
   schema validation off, so the figure is the exporter's own cost. SQLite is
   timed twice: into a new file, and re-exporting every record into the
   filled file (each record's old rows deleted first). The CSV package is
   then validated with the ``frictionless`` library (if installed), timed.
2. Streaming, memory: the rendered corpus, and ten copies of it (distinct
   record ids), read, parsed, validated and exported to CSV in a fresh
   process each; peak memory must not grow with the batch.
3. Registry records with results: the legacy XML corpus (1,719 records, 148
   of them with results, which fill the results tables), and three copies of
   it (distinct NCT ids), through ``registry-tool export --to csv`` in a fresh
   process each, one worker: the target is 1,500 records/s per core and a
   memory ratio under 1.2. The CSV exporter alone on the 148 is timed too.

    python benchmarks/export_throughput.py [--repeat N] [--registry-only]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from common import best_of, corpus_files, scaling, start
from parse_throughput import render_corpus
from xml_export_throughput import distinct_copies

from registry_tool import ExportOptions, Record, convert, iter_records
from registry_tool.formats.tables.results_layout import RESULT_TABLES


def render_distinct_copies(folder: Path, copies: int) -> int:
    """The XML corpus rendered as flattened text ``copies`` times, each copy's entries with their
    own record ids (a text entry's id comes from its content, so each summary gets its copy's name)."""
    count = render_corpus(folder, copies)
    for path in folder.glob("copy*/*.txt"):
        path.write_text(f"({path.parent.name}) {path.read_text('utf-8')}", encoding="utf-8")
    return count


def load_records() -> list[Record]:
    """The shared registry corpus (XML and API v2 JSON) as records, each record id once."""
    inputs = [str(corpus_files(kind)[0].parent) for kind in ("ctgov-xml", "ctgov-json") if corpus_files(kind)]
    seen: set[str] = set()
    records = []
    for result in iter_records(inputs):
        if isinstance(result, Record) and result.record_id not in seen:
            seen.add(result.record_id)
            records.append(result)
    return records


def count_rows(path: Path) -> int:
    csv.field_size_limit(sys.maxsize)  # extras cells hold whole registry sections (clinical_results)
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


REGISTRY_TARGET = 1500  # records/s per core, export --to csv of the registry corpus with results


def registry_with_results(repeat: int) -> None:
    """Part 3: registry records with results, the exporter alone and the whole process."""
    files = corpus_files("ctgov-xml")
    with_results = [p for p in files if b"<clinical_results>" in p.read_bytes()]
    records = [r for r in iter_records([str(p) for p in with_results]) if isinstance(r, Record)]
    with tempfile.TemporaryDirectory() as tmp_name:
        out = Path(tmp_name) / "csv"
        seconds = best_of(repeat, lambda: convert(records, "csv", str(out), ExportOptions(existing="replace"), validate=False))
        rows = sum(count_rows(out / f"{t.name}.csv") for t in RESULT_TABLES)
        print(f"csv exporter, the {len(records)} records with results: {seconds:6.2f} s = "
              f"{len(records) / seconds:7.0f} records/s ({rows} results rows)")
    rates = scaling(repeat, "registry-tool export --to csv (XML corpus, 148 with results)",
                    lambda folder, copies: distinct_copies(files, folder, copies),
                    lambda folder, out: ["export", str(folder), "--to", "csv", "-o", str(out), "--replace"],
                    sizes=(1, 3), jobs=(1,))
    print(f"target: {REGISTRY_TARGET} records/s per core; measured {rates[1]:.0f}")


def main() -> int:
    def options(parser):
        parser.add_argument("--registry-only", action="store_true",
                            help="only part 3: registry records with results through export --to csv")

    args = start(__doc__.splitlines()[0], options=options)
    if args is None:
        return 2
    if args.registry_only:
        registry_with_results(args.repeat)
        return 0
    options = ExportOptions(existing="replace")  # repeated runs replace the last; validate=False: the exporter's own cost
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        records = load_records()
        n = len(records)
        print(f"records: {n} (registry XML + API v2 JSON corpus)")

        def report(label: str, seconds: float) -> None:
            print(f"{label:<30} {n:6d} records in {seconds:6.2f} s = {n / seconds:8.0f} records/s")

        report("csv", best_of(args.repeat, lambda: convert(records, "csv", str(tmp / "csv"), options, validate=False)))
        db = tmp / "x.db"

        def fresh_sqlite() -> None:
            if db.exists():
                db.unlink()
            convert(records, "sqlite", str(db), options, validate=False)

        report("sqlite (new file)", best_of(args.repeat, fresh_sqlite))
        report("sqlite (replace every record)",
               best_of(args.repeat, lambda: convert(records, "sqlite", str(db), options, validate=False)))
        report("jsonl", best_of(args.repeat, lambda: convert(records, "jsonl", str(tmp / "x.jsonl"), options, validate=False)))
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

    scaling(args.repeat, "registry-tool export --to csv", render_distinct_copies,
            lambda folder, out: ["export", str(folder), "--to", "csv", "-o", str(out), "--replace"], unit="entries")
    registry_with_results(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
