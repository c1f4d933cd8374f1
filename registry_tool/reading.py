"""Reading: input arguments to documents, bytes to text, and format detection.

A *document* is the bytes of one file (or of stdin). Importers turn a document
into one or more records; this module only finds the documents, decodes text
and tells which importer a document needs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Failure, RecordError, UsageError

# File endings picked up when a directory is given. Files named explicitly are
# read whatever their ending.
DIRECTORY_SUFFIXES = frozenset({".txt", ".text", ".xml", ".json", ".jsonl", ".ndjson"})

STDIN_NAMES = frozenset({"-"})


@dataclass(slots=True)
class Document:
    path: str | None  # None for stdin
    data: bytes


def expand_inputs(inputs: Iterable[str | None]) -> list[str | None]:
    """File paths for the given arguments; ``None`` stands for stdin.

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


def read_document(path: str | None) -> Document:
    """The bytes of one input; raises :class:`RecordError` if unreadable."""
    try:
        if path is None:
            return Document(None, sys.stdin.buffer.read())
        with open(path, "rb") as fh:
            return Document(path, fh.read())
    except OSError as exc:
        raise RecordError(Failure("unreadable", f"cannot read input: {exc.strerror or exc}", path=path)) from None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, path: str | None = None) -> str:
    """Decode a document: UTF-8 (byte-order mark dropped) or BOM-marked UTF-16.

    Anything else is refused with the line and column of the first byte that
    is not UTF-8, rather than guessed at.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RecordError(Failure("not-utf16", f"invalid UTF-16 at byte {exc.start}", path=path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RecordError(
            Failure(
                "not-utf8",
                f"input is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded "
                "(expected UTF-8 text; re-encode the file, e.g. with iconv)",
                path=path,
                line=line,
                column=column,
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def detect_format(data: bytes, path: str | None = None) -> str:
    """Tell the importer a document needs from its content.

    A tag first (after white space and a byte-order mark) means registry XML;
    a JSON object or list means JSON (registry API v2 or canonical records,
    told apart per object by :mod:`registry_tool.importers.json_router`);
    anything else, ``<5 years ...`` or ``[Phase II] ...`` included, is
    flattened text.
    """
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(_UTF16_BOMS):
        head = decode_text(data, path).lstrip()[:16].encode()
    if _XML_START.match(head):
        return "ctgov-xml"
    if _JSON_START.match(head):
        return "json"
    return "text"


# A tag, a declaration or a comment; "<5 years" starts a text entry.
_XML_START = re.compile(rb"<[?!A-Za-z_]")
# An object with a key or empty; a list of values or empty; "[Phase II] ..." is text.
_JSON_START = re.compile(rb'\{\s*["}]|\{\s*$|\[\s*[\[{"\d\-tfn\]]|\[\s*$')
