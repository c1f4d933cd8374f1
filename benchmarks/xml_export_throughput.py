"""Registry XML export throughput: ``registry-tool export --to xml``, whole process.

The shared registry XML corpus (1,719 records) is read, normalised, checked
and written back as one ``clinical_study`` document a record (``-o DIR``), in
a child process, with ``--jobs 1`` and ``--jobs 2``; then ten times the
batch, to show that memory does not grow with it. Each document is validated
against the registry's schema as it is built, and carries the round-trip note
where it needs one (found by walking the built tree, not by reading the
document back).

With ``--stages`` it also times, in this process, what each stage of the
writer costs a record: building the document from the layout, fitting the
partial schema, finding the note's values, serialising.

    python benchmarks/xml_export_throughput.py [--repeat N] [--stages]
"""

from __future__ import annotations

import sys
import time

from common import best_of, corpus_files, linked_copies, scaling, start

TARGET_PER_SECOND = 1500  # per core


def stages(repeat: int) -> None:
    from registry_tool import iter_records
    from registry_tool.formats.ctgov_xml import writer
    from registry_tool.formats.ctgov_xml.state import DumpState
    from registry_tool.formats.ctgov_xml.layout import CLINICAL_STUDY
    from registry_tool.formats.ctgov_xml.note import note_values

    records = list(iter_records([str(p) for p in corpus_files("ctgov-xml")]))
    datas = [r.to_dict() for r in records]
    built = []
    for record in records:
        state = DumpState(record)
        built.append((CLINICAL_STUDY.build(record, "", state), state))

    def per_record(work) -> float:
        return best_of(repeat, work) / len(records) * 1e6

    def layout_build():
        for record in records:
            CLINICAL_STUDY.build(record, "", DumpState(record))

    print(f"XML writer stages, microseconds per record ({len(records)} records, warm):")
    print(f"  {'whole document (build_document)':<36} "
          f"{per_record(lambda: [writer.build_document(r, None, d) for r, d in zip(records, datas)]):7.1f}")
    print(f"  {'  layout build':<36} {per_record(layout_build):7.1f}")
    print(f"  {'  fit the partial schema':<36} "
          f"{per_record(lambda: [writer._fit_partial_schema(root, st) for root, st in built]):7.1f}")
    print(f"  {'  the note (walk of the built tree)':<36} "
          f"{per_record(lambda: [note_values(r, d, root) for r, d, (root, _) in zip(records, datas, built)]):7.1f}")
    documents = [writer.build_document(r, None, d)[0] for r, d in zip(records, datas)]
    print(f"  {'serialising':<36} {per_record(lambda: [writer.document_bytes(root) for root in documents]):7.1f}")


def distinct_copies(files, folder, copies: int) -> int:
    """``copies`` copies of the corpus in sub-folders, the first linked, the others rewritten with
    NCT ids of their own (one document a record id in the output folder)."""
    linked_copies(files, folder, 1)
    for copy in range(1, copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for path in files:
            (sub / path.name).write_bytes(path.read_bytes().replace(b"<nct_id>NCT0", f"<nct_id>NCT{copy}".encode()))
    return copies * len(files)


def main() -> int:
    def options(parser):
        parser.add_argument("--stages", action="store_true", help="also time the writer's stages in this process")

    args = start(__doc__.splitlines()[0], options=options)
    if args is None:
        return 2
    files = corpus_files("ctgov-xml")
    if args.stages:
        stages(args.repeat)
    started = time.perf_counter()
    scaling(args.repeat, "export --to xml", lambda folder, copies: distinct_copies(files, folder, copies),
            lambda folder, out: ["export", str(folder), "--to", "xml", "-o", str(out)], sizes=(1, 3))
    print(f"target: {TARGET_PER_SECOND} records/s per core ({time.perf_counter() - started:.0f} s measuring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
