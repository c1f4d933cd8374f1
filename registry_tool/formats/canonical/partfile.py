"""A resumable canonical JSON Lines output: ``OUT.part`` now, ``OUT`` when complete.

Records are appended to ``OUT.part`` and flushed one at a time, so an
interrupted run (Ctrl-C, SIGTERM, a source that gave up) leaves every record
written so far; the source saves where it stands beside it in
``OUT.part.state`` (:data:`STATE_SUFFIX`). A later run with ``resume`` reads
the ids already in ``OUT.part`` (:attr:`PartFileSink.done`; an unfinished
last line is cut off) and appends. When the run completes, ``OUT.part``
becomes ``OUT``: one record as an indented object, more as JSON Lines, as
``parse`` writes them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from ...atomic import atomic_writer
from ...errors import UsageError
from ..base import Prepared, Sink, WriteOptions
from .writer import JsonEncoder, encode_record

PART_SUFFIX = ".part"
STATE_SUFFIX = ".part.state"


class PartFileSink(Sink):
    """``OUT.part`` (JSON Lines, flushed per record), renamed to ``OUT`` at close.

    ``keep_if`` is asked at close: when it says so (a request still failing
    after its last retry), ``OUT.part`` and its state stay for a resumed run.
    """

    def __init__(self, out: str, options: WriteOptions, resume: bool = False,
                 keep_if: Callable[[], bool] = lambda: False):
        super().__init__(out, options)
        self.encoder = JsonEncoder()
        self.path = out
        self.part = out + PART_SUFFIX
        self.state_path = out + STATE_SUFFIX
        self.keep_if = keep_if
        self.done: set[str] = set()
        self.count = 0
        self.first_line = b""
        if os.path.isdir(out):
            raise UsageError(f"{out} is a directory; -o names the output file")
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.part)), exist_ok=True)
            if resume and os.path.exists(self.part):
                self._scan_part()
            else:
                open(self.part, "wb").close()
            self.handle = open(self.part, "ab")
        except OSError as exc:
            raise UsageError(f"cannot write {exc.filename or self.part}: {exc.strerror or exc}") from None

    def _scan_part(self) -> None:
        """Ids of the complete records in ``OUT.part``; an unfinished last line is cut off."""
        keep = 0
        with open(self.part, "rb") as fh:
            for line in fh:
                try:
                    record_id = json.loads(line)["record_id"] if line.endswith(b"\n") else None
                except (ValueError, KeyError, TypeError):
                    record_id = None
                if not isinstance(record_id, str):
                    break
                if not self.count:
                    self.first_line = line
                self.done.add(record_id)
                self.count += 1
                keep += len(line)
        os.truncate(self.part, keep)

    def write(self, prepared: Prepared) -> None:
        line = prepared.payload
        self.handle.write(line)
        self.handle.flush()
        if not self.count:
            self.first_line = line
        self.done.add(prepared.record_id)
        self.count += 1

    def close(self) -> None:
        self.handle.close()
        if self.keep_if():
            return
        if self.count == 1:
            with atomic_writer(self.path, "wb") as fh:
                fh.write(encode_record(json.loads(self.first_line), pretty=True))
            os.unlink(self.part)
        else:
            os.replace(self.part, self.path)
        try:
            os.unlink(self.state_path)
        except FileNotFoundError:
            pass

    def abort(self) -> None:
        """Leave ``OUT.part`` and its state for ``--resume``."""
        self.handle.close()
