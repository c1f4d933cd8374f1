"""Files, directories and standard input as a stream of documents.

A :class:`Document` is one file (or stdin) not yet read: readers take its
bytes with :meth:`Document.bytes`, so a worker process reads the files it is
given itself. This module only finds the documents; what a document holds is
for the readers to say.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Failure, RecordError, UsageError

# File endings picked up when a directory is given. Files named explicitly are
# read whatever their ending.
DIRECTORY_SUFFIXES = frozenset({".txt", ".text", ".xml", ".json", ".jsonl", ".ndjson"})

STDIN_NAMES = frozenset({"-"})


@dataclass(slots=True)
class Document:
    """One input: where it is (None for stdin) and, once read, its bytes.

    ``value`` is the document already decoded where its source had to decode
    it anyway (a study of the registry API), ``where`` its JSON path in what
    the source received; ``expected_id`` the record id the source asked for
    (a record with another id gets an ``id-differs`` warning); ``on_done`` is
    called once every record the document held has been written (the
    registry API source saves its place there).
    """

    path: str | None
    data: bytes | None = None
    value: Any = None
    where: str = "$"
    expected_id: str | None = None
    on_done: Callable[[], None] | None = None

    def bytes(self) -> bytes:
        """The document's bytes, read on first use; raises :class:`RecordError` (``unreadable``)."""
        if self.data is None:
            try:
                if self.path is None:
                    self.data = sys.stdin.buffer.read()
                else:
                    with open(self.path, "rb") as fh:
                        self.data = fh.read()
            except OSError as exc:
                raise RecordError(
                    Failure("unreadable", f"cannot read input: {exc.strerror or exc}", path=self.path)
                ) from None
        return self.data


def expand_inputs(inputs: Iterable[str | None]) -> list[str | None]:
    """File paths for the given arguments; ``None`` stands for stdin (also when nothing is given).

    Directories are walked recursively in sorted order, keeping files whose
    ending is in :data:`DIRECTORY_SUFFIXES` and skipping hidden entries. A
    path that does not exist is a :class:`UsageError`.
    """
    paths: list[str | None] = []
    given = list(inputs)
    if not given:
        return [None]
    for arg in given:
        if arg is None or arg in STDIN_NAMES:
            paths.append(None)
            continue
        p = Path(arg)
        if p.is_dir():
            paths.extend(_walk(p))
        elif p.exists():
            paths.append(arg)
        else:
            raise UsageError(f"{arg}: no such file or directory")
    return paths


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in DIRECTORY_SUFFIXES:
                yield os.path.join(dirpath, name)


def file_documents(paths: Iterable[str | None]) -> Iterator[Document]:
    """A document for each path (None: stdin), not yet read."""
    for path in paths:
        yield Document(path)
