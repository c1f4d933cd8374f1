"""Import throughput: the shared registry corpus through ``registry-tool parse``, one process.

For each corpus folder (``ctgov-xml``, ``ctgov-json``) the CLI parses the
whole folder as one batch in a child process: start-up, reading, importing,
normalising, schema validation, JSON Lines out to /dev/null -- the whole
process, one worker. The best of ``--repeat`` runs is reported as records per
second, with the child's peak memory (max RSS). Then the same with a batch ten
times larger (the folder's files linked ten times into a temporary folder), to
show that memory does not grow with the batch.

With ``--stages`` it also times the stages in this process, per record, to
show where the time goes (the safe XML parse, the importer as a whole,
``to_dict``, schema validation, JSON encoding).

    python benchmarks/import_throughput.py [--repeat N] [--stages]
"""

from __future__ import annotations

import sys
import time

from common import corpus_files, linked_copies, scaling, start

TARGET_XML_PER_SECOND = 2500  # per core (--jobs 1); --jobs 2 at least 1.6x that


def records_per_file(kind: str) -> float:
    """Records in the corpus folder per file (an API v2 file may hold several studies)."""
    from registry_tool import iter_records

    files = corpus_files(kind)
    return sum(1 for _ in iter_records([str(p) for p in files])) / len(files)


def measure(kind: str, repeat: int) -> None:
    files = corpus_files(kind)
    per_file = records_per_file(kind)

    def batch(folder, copies):
        return round(linked_copies(files, folder, copies) * per_file)

    scaling(repeat, f"{kind} batch", batch, lambda folder, _: ["parse", str(folder), "-o", "/dev/null"])


def stages(kind: str) -> None:
    """Per-record time of each stage, in this process (records streamed, not kept)."""
    from registry_tool.formats.canonical.writer import encode_record
    from registry_tool.normalize import normalize
    from registry_tool.processing import read_document
    from registry_tool.sources import Document
    from registry_tool.validation import validate

    docs = [(str(p), p.read_bytes()) for p in corpus_files(kind)]
    timings = {"reader (parse + map)": 0.0, "normalise stack": 0.0, "canonical dict": 0.0, "validate": 0.0,
               "JSON encode": 0.0}
    count = 0
    parse_only = 0.0
    if kind == "ctgov-xml":
        from registry_tool.formats.ctgov_xml.safety import parse_xml

        t = time.perf_counter()
        for path, data in docs:
            parse_xml(data, path)
        parse_only = time.perf_counter() - t
    for path, data in docs:
        t0 = time.perf_counter()
        raws = list(read_document(Document(path, data)))
        t1 = time.perf_counter()
        records = [normalize(r) for r in raws]
        t2 = time.perf_counter()
        dicts = [r.to_dict() for r in records]
        t3 = time.perf_counter()
        for d in dicts:
            validate(d)
        t4 = time.perf_counter()
        for d in dicts:
            encode_record(d)
        t5 = time.perf_counter()
        count += len(records)
        for key, dt in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            timings[key] += dt
    print(f"{kind} stages, microseconds per record ({count} records):")
    if parse_only:
        print(f"  {'of which lxml parsing (safe parser)':<36} {parse_only / count * 1e6:8.0f}")
    for key, total in timings.items():
        print(f"  {key:<36} {total / count * 1e6:8.0f}")


def main() -> int:
    def options(parser):
        parser.add_argument("--stages", action="store_true", help="also time the stages in this process")

    args = start(__doc__.splitlines()[0], options=options)
    if args is None:
        return 2
    for kind in ("ctgov-xml", "ctgov-json"):
        if not corpus_files(kind):
            print(f"{kind}: corpus folder absent, skipped")
            continue
        measure(kind, args.repeat)
        if args.stages:
            stages(kind)
    print(f"target: {TARGET_XML_PER_SECOND} XML records/s per core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
