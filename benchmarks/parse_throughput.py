"""Parse throughput: the rendered corpus through ``registry-tool parse``, one process.

Every record of the shared XML corpus that has outcomes is rendered into the
flattened text layout (tests/render_flat.py), written to a temporary folder,
and parsed as one batch by the CLI in a child process (whole process: start-up,
reading, parsing, schema validation on, JSON Lines out to /dev/null). Then the
same with a batch ten times larger, to show that memory does not grow with the
batch. Prints entries per second and peak memory (max RSS of the child).

With ``--stages`` it also times, in this process and warm, what one entry
costs in each stage: the whole parse, and within it the criteria splitter,
the variant search, outcome enrichment and time frames (through their
cache); then ``to_dict``, schema validation and JSON encoding.

    python benchmarks/parse_throughput.py [--repeat N] [--stages]
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import best_of, scaling, start

from tests.support.corpus import corpus_files
from tests.support.render_flat import render, truth_from_xml

TARGET_PER_SECOND = 5000


def rendered_entries() -> list[tuple[str, str]]:
    """(file stem, flattened text) of every corpus XML record that has outcomes."""
    entries = []
    for path in corpus_files("ctgov-xml"):
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            entries.append((path.stem, render(truth)))
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
    import orjson

    import registry_tool.importers.text as text_importer
    from registry_tool.normalize import _add_found_variants
    from registry_tool.normalize.criteria import split_criteria_lines
    from registry_tool.normalize.outcomes import enrich_outcome
    from registry_tool.normalize.timeframe import parse_time_frame
    from registry_tool.validation import validate

    entries = [text for _, text in rendered_entries()]
    blocks = [text_importer.criteria_block(e) for e in entries]  # what the parser hands the splitter
    records = [text_importer.parse_text(e) for e in entries]
    dicts = [r.to_dict() for r in records]
    validate(dicts[0])

    def find_variants_again(record):
        record.variants = [v for v in record.variants if v.marked]
        _add_found_variants(record)

    def per_entry(work, items) -> float:
        return best_of(repeat, lambda: [work(x) for x in items]) / len(entries) * 1e6

    print(f"stages, microseconds per entry ({len(entries)} entries, warm):")
    for label, work, items in (
        ("parse_text (all of the below)", text_importer.parse_text, entries),
        ("  criteria splitter", split_criteria_lines, blocks),
        ("  variants (quick check, search)", find_variants_again, records),
        ("  outcome enrichment", lambda r: [enrich_outcome(o) for o in r.outcomes], records),
        ("  time frames (cached)", lambda r: [parse_time_frame(o.time_frame.text) for o in r.outcomes
                                              if o.time_frame], records),
        ("to_dict", lambda r: r.to_dict(), records),
        ("schema validation", validate, dicts),
        ("JSON encoding", orjson.dumps, dicts),
    ):
        print(f"  {label:<34} {per_entry(work, items):7.1f}")


def main() -> int:
    def options(parser):
        parser.add_argument("--stages", action="store_true", help="also time the stages in this process")

    args = start(__doc__.splitlines()[0], options=options)
    if args is None:
        return 2
    if args.stages:
        stages(args.repeat)
    scaling(args.repeat, "parse batch", render_corpus, lambda folder, _: ["parse", str(folder), "-o", "/dev/null"],
            unit="entries")
    print(f"target: {TARGET_PER_SECOND} entries/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
