"""The canonical outputs of the shared corpus, to hold a change to byte-identity.

    python -m tests.support.snapshot write OUT [--jobs N]   # outputs of the installed registry-tool
    python -m tests.support.snapshot compare BEFORE AFTER    # what differs, by JSON path

``write`` runs the ``registry-tool`` console script of this environment on
the 1,719 registry XML records, the 140 API v2 records, the corpus rendered as
flattened text (``tests/support/render_flat.py``) and the text fixtures, and
writes the canonical JSON of each, the CSV package, the registry XML export
and an SQL dump of the SQLite export. ``compare`` prints, per file, how many
records are byte-identical and, for the others, each JSON path that differs
with an example; the exports are compared file by file.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support import FIXTURES
from tests.support.corpus import corpus_dir, seed
from tests.support.render_flat import render, truth_from_xml

SCRIPT = shutil.which("registry-tool", path=str(Path(sys.executable).parent)) or "registry-tool"
JSONL = ("xml.jsonl", "json.jsonl", "rendered.jsonl")


def write(out: Path, jobs: str | None) -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("shared corpus not found (set REGISTRY_TOOL_SHARED)")
    out.mkdir(parents=True, exist_ok=True)
    rendered = out / "rendered"
    rendered.mkdir(exist_ok=True)
    for path in sorted((corpus / "ctgov-xml").iterdir()):
        truth = truth_from_xml(path.read_bytes())
        if truth is not None:
            (rendered / f"{path.stem}.txt").write_text(render(truth), encoding="utf-8")
    extra = ["--jobs", jobs] if jobs else []

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([SCRIPT, *args], capture_output=True, text=True, cwd=out)

    # the rendered entries by a relative path, so records name them the same whatever OUT is
    for name, source in (("xml", corpus / "ctgov-xml"), ("json", corpus / "ctgov-json"), ("rendered", "rendered")):
        (out / f"{name}.stderr").write_text(run("parse", str(source), "-o", str(out / f"{name}.jsonl"), *extra).stderr)
    with open(out / "fixtures.txt", "w", encoding="utf-8") as fh:
        for path in sorted((FIXTURES / "text").glob("*.txt")):
            result = run("parse", str(path), "--from", "text")
            fh.write(f"== {path.name} {result.returncode}\n{result.stdout}{result.stderr}")
    cnct19 = seed()
    if cnct19 is not None:
        (out / "cnct19.json").write_text(run("parse", str(cnct19)).stdout)
        (out / "cnct19.xml").write_text(run("export", str(cnct19), "--to", "xml").stdout)
    inputs = [str(corpus / "ctgov-xml"), str(corpus / "ctgov-json"), "rendered"]
    (out / "csv.stderr").write_text(run("export", *inputs, "--to", "csv", "-o", str(out / "csv"), *extra).stderr)
    (out / "xml.stderr").write_text(run("export", inputs[0], inputs[2], "--to", "xml", "-o", str(out / "xmlout"),
                                        *extra).stderr)
    db = out / "all.db"
    db.unlink(missing_ok=True)
    (out / "sqlite.stderr").write_text(run("export", *inputs, "--to", "sqlite", "-o", str(db), *extra).stderr)
    with sqlite3.connect(db) as conn, open(out / "sqlite.sql", "w", encoding="utf-8") as fh:
        for line in conn.iterdump():
            fh.write(line + "\n")
    db.unlink()


def _paths(a, b, path: str, out: list) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _paths(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for x, y in zip(a, b):
            _paths(x, y, path + "[]", out)
    else:
        out.append((re.sub(r"\[\d+\]", "[]", path), a, b))


def compare(before: Path, after: Path) -> int:
    differs = 0
    for name in JSONL:
        old = (before / name).read_text("utf-8").splitlines()
        new = (after / name).read_text("utf-8").splitlines()
        same = sum(x == y for x, y in zip(old, new))
        print(f"{name}: {len(old)} vs {len(new)} records, {same} byte-identical")
        counts: collections.Counter = collections.Counter()
        examples: dict = {}
        for x, y in zip(old, new):
            if x != y:
                found: list = []
                _paths(json.loads(x), json.loads(y), "", found)
                for path, a, b in found:
                    counts[path] += 1
                    examples.setdefault(path, (str(a)[:100], str(b)[:100]))
        for path, n in counts.most_common():
            print(f"  {n:5d} {path}: e.g. {examples[path][0]!r} -> {examples[path][1]!r}")
        differs += len(old) != len(new) or same != len(old)
    for name in ("fixtures.txt", "cnct19.json", "cnct19.xml", "sqlite.sql", "csv", "xmlout"):
        a, b = before / name, after / name
        if a.is_dir():
            files = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
            changed = [f for f in files if not (a / f).exists() or not (b / f).exists()
                       or (a / f).read_bytes() != (b / f).read_bytes()]
            print(f"{name}/: {len(files)} files, {len(changed)} differ" + (f" ({', '.join(changed[:5])}...)" if changed else ""))
            differs += bool(changed)
        elif a.exists():
            same = a.read_bytes() == b.read_bytes()
            print(f"{name}: {'identical' if same else 'differs'}")
            differs += not same
    return 1 if differs else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--jobs")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.verb == "write":
        write(args.out, args.jobs)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
