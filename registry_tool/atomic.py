"""Atomic output: write to a temporary file beside the target, then rename.

An interrupted run never leaves a half-written file where the output should be:
the target either keeps its old content or gets the complete new one.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


def is_special_file(path: str) -> bool:
    """True for an existing target that is not a regular file (``/dev/null``, a FIFO, a tty).

    Such a target is written in place: renaming a temporary file over it would
    replace the device itself.
    """
    try:
        st = os.stat(path)
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)


@contextmanager
def atomic_writer(path: str, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success it replaces ``path``.

    A target that is a device or a pipe (``-o /dev/null``) is written directly.
    """
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
        open_args.setdefault("newline", "")
    if is_special_file(path):
        with open(path, mode, **open_args) as fh:
            yield fh
        return
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, mode, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_directory(path: str) -> Iterator[str]:
    """A temporary directory that becomes ``path`` on success.

    An existing ``path`` is replaced only after the new content is complete.
    """
    target = os.path.abspath(path.rstrip("/\\") or path)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=parent)
    try:
        yield tmp
        if os.path.isdir(target):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".old", dir=parent)
            os.rmdir(old)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class AtomicFile:
    """A file opened now and committed or discarded later (for streaming exporters)."""

    def __init__(self, path: str, mode: str = "w", **open_args: Any):
        self._cm = atomic_writer(path, mode, **open_args)
        self.handle: IO[Any] = self._cm.__enter__()

    def commit(self) -> None:
        self._cm.__exit__(None, None, None)

    def discard(self) -> None:
        try:
            self._cm.__exit__(RuntimeError, RuntimeError("discarded"), None)
        except RuntimeError:
            pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
