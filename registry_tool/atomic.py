"""Atomic output: write to a temporary file beside the target, then rename.

An interrupted run never leaves a half-written file where the output should be:
the target either keeps its old content or gets the complete new one.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from .errors import OutputError, output_error


def make_parent(path: str) -> str:
    """Create the folder ``path`` goes in (and those above it); its absolute path.

    Raises :class:`OutputError` naming ``path`` where that cannot be done, and
    says which part is a file where one stands in the way (rather than the
    system's "File exists").
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = os.path.dirname(path) or directory  # as the user wrote it
        while blocking and not os.path.exists(blocking):
            blocking = os.path.dirname(blocking)
        raise OutputError(path, OSError(errno.ENOTDIR, f"{blocking} is a file, not a folder")) from None
    except OSError as exc:
        raise output_error(path, exc) from None
    return directory


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
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
        open_args.setdefault("newline", "")
    An OS error (a full or read-only disk, no such folder) is raised as an
    :class:`~registry_tool.errors.OutputError` naming ``path``.
    """
    if is_special_file(path):
        try:
            with open(path, mode, **open_args) as fh:
                yield fh
        except OSError as exc:
            raise output_error(path, exc) from None
        return
    target = os.path.abspath(path)
    directory = make_parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        os.fchmod(fd, _mode_for(target, 0o666))
        with os.fdopen(fd, mode, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise output_error(path, exc) from None
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_directory(path: str) -> Iterator[str]:
    """A temporary directory that becomes ``path`` on success.

    An existing ``path`` is replaced only after the new content is complete.
    """
    folder = AtomicDirectory(path)
    try:
        yield folder.path
    except BaseException:
        folder.discard()
        raise
    folder.commit()


class AtomicDirectory:
    """A folder built in a hidden temporary sibling of ``target`` and renamed onto it at commit.

    ``path`` is where to write meanwhile. Until :meth:`commit` the target is
    untouched; :meth:`discard` removes the temporary folder. On Linux an
    existing target is swapped with the new folder in one step
    (``renameat2(RENAME_EXCHANGE)``); elsewhere it is moved aside, the new
    folder moved in, and the old one deleted, with the old one put back if the
    second move fails. A process killed outright (SIGKILL, power loss) can
    leave the hidden ``.NAME.*.part`` folder behind, never a half-written
    target.
    """

    def __init__(self, target: str):
        self.target = os.path.abspath(target.rstrip("/\\") or target)
        parent = make_parent(target.rstrip("/\\") or target)
        self.path = tempfile.mkdtemp(prefix=f".{os.path.basename(self.target)}.", suffix=".part", dir=parent)
        os.chmod(self.path, _mode_for(self.target, 0o777))
        self._done = False

    def commit(self) -> None:
        """Put the finished folder in place of the target (replacing an existing one)."""
        if self._done:
            return
        try:
            if os.path.isdir(self.target):
                _swap_directories(self.path, self.target)
                shutil.rmtree(self.path, ignore_errors=True)  # now the old content
            else:
                os.replace(self.path, self.target)
            _fsync_directory(os.path.dirname(self.target))
        except BaseException:
            self.discard()
            raise
        self._done = True

    def discard(self) -> None:
        """Remove the temporary folder; the target stays as it was."""
        if not self._done:
            shutil.rmtree(self.path, ignore_errors=True)
            self._done = True


def _swap_directories(new: str, target: str) -> None:
    """Exchange ``new`` and ``target``: afterwards ``target`` holds the new content, ``new`` the old."""
    if _rename_exchange(new, target):
        return
    parent = os.path.dirname(target)
    aside = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".old", dir=parent)
    os.rmdir(aside)
    os.replace(target, aside)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(aside, target)
        raise
    os.replace(aside, new)


def _rename_exchange(a: str, b: str) -> bool:
    """Swap two paths atomically with Linux renameat2; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def sync_filesystem(path: str) -> None:
    """Make every file written under ``path`` durable at once: Linux ``syncfs`` on its file
    system (one call for a folder of thousands of files), ``os.sync`` elsewhere."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            fd = os.open(path, os.O_RDONLY)
        except (OSError, ImportError):
            fd = -1
        if fd >= 0:
            try:
                if ctypes.CDLL(None, use_errno=True).syncfs(fd) == 0:
                    return
            except (OSError, AttributeError):
                pass
            finally:
                os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


def _fsync_directory(path: str) -> None:
    """Make a rename in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A file opened now and committed or discarded later (for streaming exporters)."""

    def __init__(self, path: str, mode: str = "w", **open_args: Any):
        self.path = path
        self._cm = atomic_writer(path, mode, **open_args)
        self.handle: IO[Any] = self._cm.__enter__()

    def commit(self) -> None:
        self._cm.__exit__(None, None, None)

    def discard(self) -> None:
        try:
            self._cm.__exit__(RuntimeError, RuntimeError("discarded"), None)
        except RuntimeError:
            pass


def _mode_for(target: str, default: int) -> int:
    """The permission bits the output should get: those of the file it replaces, else
    ``default`` less the umask, as a plain ``open``/``mkdir`` would give (temporary
    files are created private)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return default & ~umask


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
