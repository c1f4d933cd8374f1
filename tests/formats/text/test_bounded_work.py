"""Item 8 of issue 12: a text entry's work grows linearly with its size, and has a limit.

The work is counted, not timed: every Python and built-in call made while an
entry is read, normalised, checked against the schema and encoded, for an
entry and for one twice its size.
"""

from __future__ import annotations

import sys

from registry_tool.errors import Failure, RecordError
from registry_tool.formats.canonical.writer import encode_record
from registry_tool.formats.tables.layout import record_rows
from registry_tool.formats.text import reader as text_reader
from registry_tool.formats.text.reader import MAX_TEXT_BYTES, read_entry
from registry_tool.normalize import normalize
from registry_tool.processing import check_record
from registry_tool.sources import Document


def large_entry(criteria: int) -> str:
    """An entry with ``criteria`` numbered criteria lines, every other one with a marked variant."""
    head = ("A Phase II study of ponatinib in chronic myeloid leukemia.\nName: ponatinib\n"
            "Description: Response by bone marrow cytogenetics.\n"
            "Measure: Major cytogenetic response. Time: 12 monthsAllocation: N/A\nSingle Group Assignment\n"
            f"There are {criteria // 2} SNPs\n")
    lines = [f"{i}. Patients whose leukemia carries the T315I mutation, confirmed. --- T315I ---" if i % 2 else
             f"{i}. Adequate organ function with creatinine below 1.5 x ULN" for i in range(1, criteria + 1)]
    return head + "\n".join(lines) + "\n"


def calls_to_process(text: str) -> int:
    """Every call (Python functions and built-ins) made reading, normalising, checking and encoding
    ``text``: as canonical JSON, and as the rows of the CSV / SQLite tables."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        record = normalize(read_entry(text))
        data, failure = check_record(record)
        assert failure is None, failure
        encode_record(data)
        record_rows(record)
    finally:
        sys.setprofile(None)
    return count


def test_doubling_an_entry_doubles_the_work():
    calls_to_process(large_entry(200))  # first sight of the time frames, compiled patterns: not counted
    single, double = calls_to_process(large_entry(2000)), calls_to_process(large_entry(4000))
    # linear work doubles (plus a constant); quadratic work would give 4
    assert 1.8 <= double / single <= 2.1, (single, double)


def test_an_entry_over_the_size_limit_is_refused_unread(monkeypatch):
    assert MAX_TEXT_BYTES == 16 * 1024 * 1024  # the limit the README documents
    data = large_entry(50).encode()
    monkeypatch.setattr(text_reader, "MAX_TEXT_BYTES", len(data) - 1)
    try:
        list(text_reader.read(Document("big.txt", data)))
    except RecordError as exc:
        failure: Failure = exc.failure
    else:
        raise AssertionError("an entry over the limit was read")
    assert failure.code == "too-large" and failure.path == "big.txt"
    assert f"{len(data):,} bytes" in failure.message and "limit" in failure.message
    monkeypatch.setattr(text_reader, "MAX_TEXT_BYTES", len(data))
    assert len(list(text_reader.read(Document("big.txt", data)))) == 1
