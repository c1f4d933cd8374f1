"""What a curator sees of each record's warnings: lines on stderr and ``--warnings FILE``.

``parse``, ``export`` and ``validate`` print, for each record with warnings,
the record id and input first, then one line a warning in the form compilers
and editors understand (``path:line: code: message [field]``), sorted by line.
Warnings whose code the catalogue keeps off screen (documented derivations,
such as ``phases-from-summary``) are left out there but kept in the file.
``--quiet`` prints none of it; ``--warnings FILE`` writes every warning as
JSON Lines (``record_id``, ``path``, ``code``, ``message``, ``field``,
``line``, ``stage``: ``record`` for the reader's and normalisers',
``export`` for the writer's).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .atomic import atomic_writer
from .catalogue import on_screen


def _get(warning: Any, name: str) -> Any:
    return warning.get(name) if isinstance(warning, dict) else getattr(warning, name, None)


def warning_line(path: str | None, warning: Any) -> str:
    """One warning as a line: ``entry.txt:4: label-misspelled: ... [outcomes[0].description]``."""
    where = path or "<stdin>"
    line = _get(warning, "line")
    if line:
        where += f":{line}"
    field = _get(warning, "field")
    return f"{where}: {_get(warning, 'code')}: {_get(warning, 'message')}" + (f" [{field}]" if field else "")


def _by_line(warnings: Iterable[Any]) -> list[Any]:
    return sorted(warnings, key=lambda w: (_get(w, "line") is None, _get(w, "line") or 0))


class WarningReport:
    """Collects the warnings of a batch, prints them record by record, writes them on request.

    ``echo`` prints one line on stderr; ``quiet`` prints nothing; ``path`` is
    the ``--warnings`` file (written by :meth:`close`, atomically).
    """

    def __init__(self, echo: Callable[[str], None], quiet: bool = False, path: str | None = None):
        self.echo = echo
        self.quiet = quiet
        self.path = path
        self.rows: list[dict[str, Any]] = []
        self.shown = 0

    def record(self, record_id: str | None, path: str | None, warnings: Iterable[Any],
               export_lines: Iterable[str] = (), export_warnings: Iterable[Any] = ()) -> None:
        """One record's warnings: its own, then the lines its export prints (missing XML elements)."""
        warnings = list(warnings)
        if self.path is not None:
            for stage, items in (("record", warnings), ("export", export_warnings)):
                for w in items:
                    self.rows.append({"record_id": record_id, "path": path, "code": _get(w, "code"),
                                      "message": _get(w, "message"), "field": _get(w, "field"),
                                      "line": _get(w, "line"), "stage": stage})
        shown = [w for w in warnings if on_screen(str(_get(w, "code")))]
        export_lines = list(export_lines)
        self.shown += len(shown) + len(export_lines)
        if self.quiet or not (shown or export_lines):
            return
        if shown:
            self.echo(f"{record_id} ({path or '<stdin>'}): {len(shown)} warning(s)")
            for w in _by_line(shown):
                self.echo(warning_line(path, w))
        for line in export_lines:
            self.echo(line)

    def close(self) -> None:
        """Write ``--warnings FILE`` (JSON Lines, one warning a line), if asked for."""
        if self.path is None:
            return
        with atomic_writer(self.path, "w") as fh:
            for row in self.rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
