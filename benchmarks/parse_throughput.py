"""Parse throughput: the rendered corpus through ``registry-tool parse``, whole process.

Every record of the shared XML corpus that has outcomes is read and rendered
into the flattened text layout by the package's own text writer
(``registry_tool.formats.text.writer``), written to a temporary folder, and
parsed as one batch by the CLI in a child process (start-up, reading,
parsing, normalising, schema validation, JSON Lines out to /dev/null), with
``--jobs 1`` and ``--jobs 2``; then the same with a batch ten times larger,
to show that memory does not grow with the batch. Prints entries per second
and peak memory (max RSS of the child).

With ``--stages`` it also times, in this process and warm, what one entry
costs in each stage: the reader, the normalise stack (and within it the
criteria splitter, marks, time frames, outcomes, variants), the canonical
dict, schema validation and JSON encoding.

    python benchmarks/parse_throughput.py [--repeat N] [--stages]
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_of, corpus_files, scaling, start

TARGET_PER_SECOND = 4500


def rendered_entries() -> list[tuple[str, str]]:
    """(file stem, flattened text) of every corpus XML record that has outcomes."""
    from registry_tool import iter_records
    from registry_tool.formats.text.writer import render_entry

    entries = []
    for path, record in zip(corpus_files("ctgov-xml"), iter_records([str(p) for p in corpus_files("ctgov-xml")])):
        if getattr(record, "outcomes", None):
            entries.append((path.stem, render_entry(record)))
    return entries


def render_corpus(folder: Path, copies: int) -> int:
    """Write the rendered entries ``copies`` times into ``folder``; return the count."""
    entries = rendered_entries()
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for stem, text in entries:
            (sub / f"{stem}.txt").write_text(text, encoding="utf-8")
    return copies * len(entries)


def stages(repeat: int) -> None:
    """Microseconds per entry of each stage, each timed alone on the rendered corpus."""
    from registry_tool.formats.canonical.writer import encode_record
    from registry_tool.formats.text.reader import read_entry
    from registry_tool.normalize import STACK, normalize
    from registry_tool.validation import validate

    entries = [text for _, text in rendered_entries()]
    raws = [read_entry(e) for e in entries]

    def per_entry(work) -> float:
        return best_of(repeat, work) / len(entries) * 1e6

    print(f"stages, microseconds per entry ({len(entries)} entries, warm):")
    print(f"  {'reader (text -> raw record)':<36} {per_entry(lambda: [read_entry(e) for e in entries]):7.1f}")
    total = per_entry(lambda: [normalize(read_entry(e)) for e in entries]) - per_entry(
        lambda: [read_entry(e) for e in entries])
    print(f"  {'normalise stack (all steps)':<36} {total:7.1f}")
    for step in STACK:
        before = STACK[: STACK.index(step)]
        prepared = [normalize(read_entry(e), before) for e in entries]
        copies = [[r.__copy__() for r in prepared] for _ in range(repeat)]
        import copy as copy_module

        def run_step(step=step, prepared=prepared):
            for r in [copy_module.deepcopy(p) for p in prepared]:
                step(r)

        deep = per_entry(lambda prepared=prepared: [copy_module.deepcopy(p) for p in prepared])
        print(f"    {step.__name__:<34} {per_entry(run_step) - deep:7.1f}")
        del copies
    records = [normalize(r) for r in [read_entry(e) for e in entries]]
    dicts = [r.to_dict() for r in records]
    print(f"  {'canonical dict (to_dict)':<36} {per_entry(lambda: [r.to_dict() for r in records]):7.1f}")
    print(f"  {'schema validation':<36} {per_entry(lambda: [validate(d) for d in dicts]):7.1f}")
    print(f"  {'JSON encoding':<36} {per_entry(lambda: [encode_record(d) for d in dicts]):7.1f}")
    del raws


def main() -> int:
    def options(parser):
        parser.add_argument("--stages", action="store_true", help="also time the stages in this process")

    args = start(__doc__.splitlines()[0], options=options)
    if args is None:
        return 2
    if args.stages:
        stages(args.repeat)
    scaling(args.repeat, "parse", render_corpus, lambda folder, _: ["parse", str(folder), "-o", "/dev/null"],
            unit="entries")
    print(f"target: {TARGET_PER_SECOND} entries/s per core (--jobs 1), --jobs 2 at least 1.6x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
