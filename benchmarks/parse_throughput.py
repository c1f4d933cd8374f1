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
import tempfile
from pathlib import Path

from common import best_run, start

from tests.corpus import corpus_files
from tests.render_flat import render, truth_from_xml


def render_corpus(folder: Path, copies: int) -> int:
    """Write the rendered entries ``copies`` times into ``folder``; return the count."""
    entries = []
    for path in corpus_files("ctgov-xml"):
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            entries.append((path.stem, render(truth)))
    count = 0
    for copy in range(copies):
        sub = folder / f"copy{copy:02d}"
        sub.mkdir()
        for stem, text in entries:
            (sub / f"{stem}.txt").write_text(text, encoding="utf-8")
            count += 1
    return count


def main() -> int:
    args = start(__doc__.splitlines()[0])
    if args is None:
        return 2
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 10):
            folder = Path(tmp) / f"x{copies}"
            folder.mkdir()
            n = render_corpus(folder, copies)
            seconds, rc, peaks[copies] = best_run(args.repeat, "parse", str(folder), "-o", "/dev/null")
            status = "" if rc == 0 else f" (exit status {rc})"
            print(f"batch x{copies:<2}: {n:6d} entries in {seconds:6.2f} s = {n / seconds:7.0f} entries/s, "
                  f"peak memory {peaks[copies] / 1024:6.1f} MiB{status}")
    print(f"memory ratio x10/x1: {peaks[10] / peaks[1]:.2f} (target < 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
