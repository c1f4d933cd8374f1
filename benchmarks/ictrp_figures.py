"""WHO ICTRP figures on the shared sample (``corpus/ictrp``): what is read, where it goes, how fast.

1. Records read per sample file and per source register; failures.
2. Columns: every non-empty column of every trial, counted as *mapped* (its
   value is in fields of the record), *mapped, text kept* (in a field, and the
   text as written also in ``extras``: a date not in ISO form, a phase or
   design that says more than its codes, an intervention list with
   placeholders) or *extras only* (a column no field takes).
3. Warnings by code.
4. Speed in this process, per trial: the reader alone, and the reader with the
   normalise stack and schema validation (what ``parse`` does per trial).
5. ``registry-tool parse`` as a whole process on the sample twice over and on a
   batch ten times larger (``--jobs 1`` and ``2``), with the peak memory of
   each: records stream through, so it should not grow with the batch (the
   smaller batch is two copies so that start-up and first-seen time frames do
   not count as growth).

    python benchmarks/ictrp_figures.py [--repeat N]
"""

from __future__ import annotations

import csv
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from common import best_of, corpus_files, scaling, start

TARGET_PER_SECOND = 2000  # trials per second per core (the target)


def sample_files() -> list[Path]:
    return [p for p in corpus_files("ictrp") if p.suffix in (".xml", ".csv")]


def columns_of(path: Path) -> list[list[tuple[str, str]]]:
    """Each trial's columns as given (read with the standard library; the sample is trusted here)."""
    from registry_tool.formats.ictrp.layout import column_name

    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        return [[(column_name(h), v) for h, v in zip(rows[0], row)] for row in rows[1:] if any(c.strip() for c in row)]
    return [[(column_name(c.tag), "".join(c.itertext())) for c in trial] for trial in ET.parse(path).getroot()]


def coverage(files: list[Path]) -> None:
    from registry_tool import iter_records
    from registry_tool.errors import Failure

    registers: Counter[str] = Counter()
    columns: Counter[str] = Counter()
    extras_only: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    total = failures = 0
    for path in files:
        trials = columns_of(path)
        results = list(iter_records([str(path)]))
        failed = sum(isinstance(r, Failure) for r in results)
        print(f"{path.name}: {len(trials)} trials, {len(results) - failed} records, {failed} failures")
        total += len(trials)
        failures += failed
        for trial, record in zip(trials, results):
            if isinstance(record, Failure):
                continue
            registers[record.source.registry or "(none)"] += 1
            codes.update(w.code for w in record.warnings)
            from registry_tool.formats.ictrp.layout import BY_NAME

            for name, value in trial:
                if not value.strip():
                    continue
                column = BY_NAME.get(name)
                if column is None or column.target.startswith("extras"):
                    columns["extras only"] += 1
                    extras_only[name] += 1
                elif name in record.extras:
                    columns["mapped, text kept"] += 1
                else:
                    columns["mapped"] += 1
    print(f"all: {total} trials, {total - failures} records, {failures} failures")
    print("records per source register: " + ", ".join(f"{k} {v}" for k, v in registers.most_common()))
    n = sum(columns.values())
    print(f"non-empty columns: {n}; " + ", ".join(f"{k} {v} ({100 * v / n:.1f}%)" for k, v in columns.most_common()))
    print("columns kept in extras only: " + ", ".join(f"{k} {v}" for k, v in extras_only.most_common()))
    print("warnings by code: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))


def speed(files: list[Path], repeat: int) -> None:
    from registry_tool.normalize import normalize
    from registry_tool.processing import check_record
    from registry_tool.sources import Document
    from registry_tool.formats.ictrp.reader import read

    docs = [Document(str(p), data=p.read_bytes()) for p in files]
    trials = sum(1 for d in docs for _ in read(d))

    def reader_only() -> None:
        for d in docs:
            for _ in read(d):
                pass

    def whole() -> None:
        for d in docs:
            for record in read(d):
                check_record(normalize(record))

    for label, work in (("reader alone", reader_only), ("reader + normalise + validate", whole)):
        seconds = best_of(repeat, work)
        print(f"{label}: {trials} trials in {seconds:.3f} s = {trials / seconds:,.0f} trials/s "
              f"(target {TARGET_PER_SECOND:,}/s per core)")


def process(files: list[Path], repeat: int) -> None:
    trials = sum(len(columns_of(p)) for p in files)

    def batch(folder: Path, copies: int) -> int:
        for copy in range(copies):
            for path in files:
                (folder / f"copy{copy:02d}-{path.name}").symlink_to(path.resolve())
        return copies * trials

    scaling(repeat, "ictrp sample", batch,
            lambda folder, _: ["parse", *sorted(str(p) for p in folder.iterdir()), "-o", "/dev/null"],
            unit="trials", sizes=(2, 20))


def main() -> int:
    args = start(__doc__.splitlines()[0], needs="ictrp")
    if args is None:
        return 0
    files = sample_files()
    coverage(files)
    speed(files, args.repeat)
    process(files, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
