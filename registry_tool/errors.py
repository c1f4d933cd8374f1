"""Errors as data: what failed, where, and what was expected.

A record that cannot be read becomes a :class:`Failure` in the stream of
results, so a batch goes on past it. Library functions that handle one record
raise :class:`RecordError`, which carries the same information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Failure:
    """A record that could not be read, converted or written.

    ``code`` is stable (``not-utf8``, ``empty-entry``, ``bad-json``, ``schema``,
    ...); ``location`` says where in the input: ``line``/``column`` for text and
    XML, ``json_path`` for JSON.
    """

    code: str
    message: str
    record_id: str | None = None
    path: str | None = None  # the input file; None for stdin
    index: int | None = None  # 0-based position of the record within its file
    line: int | None = None
    column: int | None = None
    json_path: str | None = None
    # Warnings this failure was made of (--strict turns a record's export warnings into one
    # failure): counted in a batch's summary; not part of the failure's JSON form.
    warnings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "record_id": self.record_id,
            "path": self.path,
            "index": self.index,
            "line": self.line,
            "column": self.column,
            "json_path": self.json_path,
        }

    def describe(self) -> str:
        """One line for a terminal: ``where: message``."""
        where = self.path or "<stdin>"
        if self.index is not None and self.index > 0:
            where += f" [record {self.index + 1}]"
        if self.record_id:
            where += f" ({self.record_id})"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.json_path:
            where += f" at {self.json_path}"
        return f"{where}: {self.message}"


class RegistryToolError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(RegistryToolError):
    """Bad options or an input that cannot be opened at all (exit status 2)."""


class OutputError(RegistryToolError, OSError):
    """An output that cannot be written (a full or read-only disk, a closed pipe, no such
    folder): names the path the user gave, never a temporary file, and the system's reason.

    An :class:`OSError` too, so code that handles OS errors handles it.
    """

    def __init__(self, path: str | None, exc: OSError):
        OSError.__init__(self, exc.errno, exc.strerror or str(exc))
        self.path = path

    def __str__(self) -> str:
        return f"cannot write {self.path or 'standard output'}: {self.strerror}"


def output_error(path: str | None, exc: OSError) -> OSError:
    """``exc`` as an :class:`OutputError` about ``path`` (one already is stays as it is;
    a closed pipe stays a :class:`BrokenPipeError`, which ends a run quietly)."""
    if isinstance(exc, (OutputError, BrokenPipeError)):
        return exc
    return OutputError(path, exc)


class RecordError(RegistryToolError):
    """One record could not be read or written; carries a :class:`Failure`."""

    def __init__(self, failure: Failure):
        super().__init__(failure.describe())
        self.failure = failure

    @classmethod
    def make(cls, code: str, message: str, **where: Any) -> RecordError:
        return cls(Failure(code, message, **where))


# The name the public API documents for a text entry that cannot be parsed.
ParseError = RecordError
