"""Files, directories, archives and standard input as a stream of documents.

A :class:`Document` is one file (or stdin, or one member of a ``.zip``
archive) not yet read: readers take its bytes with :meth:`Document.bytes`, so
a worker process reads the files it is given itself. A ``.gz`` file is read
decompressed; a ``.zip`` archive gives one document per member of a known
kind. This module only finds the documents; what a document holds is for the
readers to say.
"""

from __future__ import annotations

import gzip
import os
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Failure, RecordError, UsageError

# File endings picked up when a directory is given (and inside a .zip archive).
# Files named explicitly are read whatever their ending.
ENTRY_SUFFIXES = frozenset({".txt", ".text", ".xml", ".json", ".jsonl", ".ndjson"})
ARCHIVE_SUFFIXES = frozenset({".gz", ".zip"})
DIRECTORY_SUFFIXES = ENTRY_SUFFIXES | ARCHIVE_SUFFIXES

STDIN_NAMES = frozenset({"-"})

# The most a .gz file or an archive member may unpack to (bytes): the largest
# document any reader accepts (registry XML, 64 MiB). Beyond it: too-large.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Member:
    """One file inside a ``.zip`` archive; its path is ``ARCHIVE/NAME``."""

    archive: str
    name: str

    def __str__(self) -> str:
        return f"{self.archive}/{self.name}"


Input = str | Member | None  # a file, an archive member, or None for stdin


@dataclass(slots=True)
class Document:
    """One input: where it is (None for stdin) and, once read, its bytes.

    ``value`` is the document already decoded where its source had to decode
    it anyway (a study of the registry API), ``where`` its JSON path in what
    the source received; ``expected_id`` the record id the source asked for
    (a record with another id gets an ``id-differs`` warning); ``on_done`` is
    called once every record the document held has been written (the
    registry API source saves its place there). ``member`` is the archive
    member it is (``path`` is then ``ARCHIVE/NAME``); ``encoding`` the text
    encoding the user named (``--encoding``), None for UTF-8 / UTF-16.
    """

    path: str | None
    data: bytes | None = None
    value: Any = None
    where: str = "$"
    expected_id: str | None = None
    on_done: Callable[[], None] | None = None
    member: Member | None = None
    encoding: str | None = None

    def bytes(self) -> bytes:
        """The document's bytes (unpacked), read on first use; raises :class:`RecordError`
        (``unreadable``, ``bad-archive``, ``too-large``)."""
        if self.data is None:
            if self.member is not None:
                self.data = _read_member(self.member)
            elif self.path is None:
                try:
                    self.data = sys.stdin.buffer.read()
                except OSError as exc:
                    raise RecordError(Failure("unreadable", f"cannot read standard input: {exc.strerror or exc}")) \
                        from None
            else:
                self.data = _read_file(self.path)
        return self.data


# The first bytes of compressed files and archives: a gzip file is read whatever its
# name; the others are refused with what they are, never read as text.
GZIP_MAGIC = b"\x1f\x8b"
OTHER_ARCHIVES = {b"PK\x03\x04": "a .zip archive",
                  b"BZh": "bzip2-compressed", b"\xfd7zXZ\x00": "xz-compressed", b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
                  b"\x28\xb5\x2f\xfd": "zstd-compressed", b"Rar!": "a RAR archive"}


def _read_file(path: str) -> bytes:
    lower = path.lower()
    try:
        if lower.endswith(".zip"):  # named explicitly but not listable as an archive (see expand_inputs)
            zipfile.ZipFile(path).close()
        with open(path, "rb") as fh:
            if fh.read(2) == GZIP_MAGIC:
                fh.seek(0)
                with gzip.open(fh, "rb") as unpacked:
                    return _bounded(unpacked.read(MAX_UNPACKED_BYTES + 1), path)
            fh.seek(0)
            data = fh.read()
    except (gzip.BadGzipFile, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise RecordError(Failure("bad-archive", f"cannot unpack the archive: {exc}", path=path)) from None
    except OSError as exc:
        raise RecordError(Failure("unreadable", f"cannot read input: {exc.strerror or exc}", path=path)) from None
    for magic, what in OTHER_ARCHIVES.items():
        if data.startswith(magic):
            advice = ("name it .zip to read its members" if magic.startswith(b"PK") else
                      "unpack it first (.gz files and .zip archives are read as they are)")
            raise RecordError(Failure("bad-archive", f"this is {what}, not an entry or a record: {advice}",
                                      path=path))
    return data


def _bounded(data: bytes, path: str) -> bytes:
    if len(data) > MAX_UNPACKED_BYTES:
        raise RecordError(Failure(
            "too-large", f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB, the largest document read "
            "(expected registry entries or records)", path=path))
    return data


# The archive last read from, kept open: its members come one after another,
# and opening it again for each would read its whole directory each time.
_OPEN_ARCHIVE: dict[str, zipfile.ZipFile] = {}


def _archive(path: str) -> zipfile.ZipFile:
    archive = _OPEN_ARCHIVE.get(path)
    if archive is None:
        for other in _OPEN_ARCHIVE.values():
            other.close()
        _OPEN_ARCHIVE.clear()
        archive = _OPEN_ARCHIVE[path] = zipfile.ZipFile(path)
    return archive


def _read_member(member: Member) -> bytes:
    path = str(member)
    try:
        with _archive(member.archive).open(member.name) as fh:
            data = _bounded(fh.read(MAX_UNPACKED_BYTES + 1), path)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
        raise RecordError(Failure("bad-archive", f"cannot unpack the archive member: {exc}", path=path)) from None
    except OSError as exc:
        raise RecordError(Failure("unreadable", f"cannot read input: {exc.strerror or exc}", path=path)) from None
    if member.name.lower().endswith(".gz"):
        try:
            data = _bounded(gzip.decompress(data), path)  # bounded by the member's own limit
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise RecordError(Failure("bad-archive", f"cannot unpack the archive member: {exc}", path=path)) \
                from None
    return data


def expand_inputs(inputs: Iterable[Input], skipped: list[str] | None = None) -> list[Input]:
    """The inputs for the given arguments; ``None`` stands for stdin (also when nothing is given).

    Directories are walked recursively in sorted order, keeping files whose
    ending is in :data:`DIRECTORY_SUFFIXES` and skipping hidden entries; a
    ``.zip`` archive gives its members of a known kind (:class:`Member`).
    Files of other kinds found in a directory or an archive are appended to
    ``skipped``. A path that does not exist, or a directory that holds no
    input file, is a :class:`UsageError`.
    """
    paths: list[Input] = []
    given = list(inputs)
    if not given:
        return [None]
    for arg in given:
        if arg is None or isinstance(arg, Member):
            paths.append(arg)
        elif arg in STDIN_NAMES:
            paths.append(None)
        elif os.path.isdir(arg):
            passed: list[str] = []
            found = [item for name in _walk(Path(arg), passed) for item in _archive_or_file(name, passed)]
            if not found:
                raise UsageError(f"{arg}: the folder holds no input file (expected "
                                 f"{' '.join(sorted(DIRECTORY_SUFFIXES))}){_skipped_clause(passed)}")
            paths.extend(found)
            if skipped is not None:
                skipped.extend(passed)
        elif os.path.exists(arg):
            paths.extend(_archive_or_file(arg, skipped))
        else:
            raise UsageError(f"{arg}: no such file or directory")
    return paths


def skipped_summary(skipped: list[str]) -> str:
    """``skipped 2 files of other kinds: .gz .zip`` (each ending once, sorted)."""
    kinds = sorted({os.path.splitext(name)[1].lower() or "(no ending)" for name in skipped})
    return f"skipped {len(skipped)} file{'s' if len(skipped) != 1 else ''} of other kinds: {' '.join(kinds)}"


def _skipped_clause(skipped: list[str]) -> str:
    return f"; {skipped_summary(skipped)}" if skipped else ""


def _archive_or_file(path: str, skipped: list[str] | None) -> list[Input]:
    """A file, or the members of a ``.zip`` archive (the archive itself if it cannot be listed:
    reading it then fails with ``bad-archive``)."""
    if not path.lower().endswith(".zip"):
        return [path]
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (OSError, zipfile.BadZipFile):
        return [path]
    members: list[Input] = []
    for name in sorted(names):
        base = name.rsplit("/", 1)[-1]
        if base.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if _known(base, ENTRY_SUFFIXES | {".gz"}):
            members.append(Member(path, name))
        elif skipped is not None:
            skipped.append(f"{path}/{name}")
    return members


def _known(name: str, suffixes: frozenset[str] | set[str]) -> bool:
    return os.path.splitext(name)[1].lower() in suffixes


def _walk(root: Path, skipped: list[str]) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if _known(name, DIRECTORY_SUFFIXES):
                yield os.path.join(dirpath, name)
            else:
                skipped.append(os.path.join(dirpath, name))


def input_name(item: Input) -> str | None:
    """The path a record read from ``item`` carries in ``source.path`` (None for stdin)."""
    return None if item is None else str(item)


def file_documents(paths: Iterable[Input], encoding: str | None = None) -> Iterator[Document]:
    """A document for each input (None: stdin), not yet read."""
    for path in paths:
        if isinstance(path, Member):
            yield Document(str(path), member=path, encoding=encoding)
        else:
            yield Document(path, encoding=encoding)
