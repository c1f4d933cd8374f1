"""Parse throughput: the rendered corpus through ``registry-tool parse``, one process.

Every record of the shared XML corpus that has outcomes is rendered into the
flattened text layout (tests/render_flat.py), written to a temporary folder,
and parsed as one batch by the CLI in a child process (whole process: start-up,
reading, parsing, schema validation on, JSON Lines out to /dev/null). Then the
same with a batch ten times larger, to show that memory does not grow with the
batch. Prints entries per second and peak memory (max RSS of the child).

    python benchmarks/parse_throughput.py [--repeat N]
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import scaling, start

from tests.corpus import corpus_files
from tests.render_flat import render, truth_from_xml

TARGET_PER_SECOND = 5000


def render_corpus(folder: Path, copies: int) -> int:
    """Write the rendered entries ``copies`` times into ``folder``; return the count."""
    entries = []
    for path in corpus_files("ctgov-xml"):
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            entries.append((path.stem, render(truth)))
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for stem, text in entries:
            (sub / f"{stem}.txt").write_text(text, encoding="utf-8")
    return copies * len(entries)


def main() -> int:
    args = start(__doc__.splitlines()[0])
    if args is None:
        return 2
    scaling(args.repeat, "parse batch", render_corpus, lambda folder, _: ["parse", str(folder), "-o", "/dev/null"],
            unit="entries")
    print(f"target: {TARGET_PER_SECOND} entries/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
