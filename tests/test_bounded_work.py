"""Item 8 of issue 12: a document's work grows linearly with its size, and a text entry has a limit.

The work is counted, not timed: every Python and built-in call made while an
entry is read, normalised, checked against the schema and encoded, for an
entry and for one twice its size; the same for registry XML and API v2 JSON
records with many locations and criteria.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from registry_tool.errors import Failure, RecordError
from registry_tool.formats.canonical.writer import encode_record
from registry_tool.formats.tables.layout import record_rows
from registry_tool.formats.text import reader as text_reader
from registry_tool.formats.text.reader import MAX_TEXT_BYTES, read_entry
from registry_tool.normalize import normalize
from registry_tool.formats.canonical.writer import JsonEncoder
from registry_tool.processing import Job, check_record
from registry_tool.sources import Document
from tests.support import FIXTURES


def large_entry(criteria: int) -> str:
    """An entry with ``criteria`` numbered criteria lines, every other one with a marked variant."""
    head = ("A Phase II study of ponatinib in chronic myeloid leukemia.\nName: ponatinib\n"
            "Description: Response by bone marrow cytogenetics.\n"
            "Measure: Major cytogenetic response. Time: 12 monthsAllocation: N/A\nSingle Group Assignment\n"
            f"There are {criteria // 2} SNPs\n")
    lines = [f"{i}. Patients whose leukemia carries the T315I mutation, confirmed. --- T315I ---" if i % 2 else
             f"{i}. Adequate organ function with creatinine below 1.5 x ULN" for i in range(1, criteria + 1)]
    return head + "\n".join(lines) + "\n"


def calls_made(work) -> tuple[int, object]:
    """(every call, Python functions and built-ins, that ``work()`` makes; what it returns)."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return count, result


def calls_to_process(text: str) -> int:
    """Every call made reading, normalising, checking and encoding ``text``: as canonical JSON,
    and as the rows of the CSV / SQLite tables."""

    def work():
        record = normalize(read_entry(text))
        data, failure = check_record(record)
        assert failure is None, failure
        encode_record(data)
        record_rows(record)

    return calls_made(work)[0]


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


def _registry_xml(size: int) -> bytes:
    """A registry XML record with ``size`` locations and ``size`` inclusion criteria."""
    xml = (FIXTURES / "ctgov_xml" / "01_complete_interventional.xml").read_text("utf-8")
    location = ("<location><facility><name>Site {i}</name><address><city>Lyon</city>"
                "<country>France</country></address></facility></location>")
    criteria = "\n".join(f"        {i}. Adequate organ function {i}, creatinine below 1.5 x ULN" for i in range(size))
    xml = xml.replace("</clinical_study>", "".join(location.format(i=i) for i in range(size)) + "</clinical_study>")
    xml, found = re.subn(r"(<criteria>\s*<textblock>)", lambda m: m.group(1) + "\n        Inclusion Criteria:\n"
                         + criteria + "\n", xml, count=1)
    assert found == 1
    return xml.encode()


def _api_study(size: int) -> bytes:
    """An API v2 study with ``size`` locations and ``size`` criteria bullets."""
    study = json.loads((FIXTURES / "ctgov_json" / "one_study.json").read_text("utf-8"))
    study = study[0] if isinstance(study, list) else study
    section = study["protocolSection"]
    section.setdefault("contactsLocationsModule", {})["locations"] = [
        {"facility": f"Site {i}", "city": "Lyon", "country": "France"} for i in range(size)]
    section.setdefault("eligibilityModule", {})["eligibilityCriteria"] = "Inclusion Criteria:\n\n" + "\n".join(
        f"* Adequate organ function {i}, creatinine below 1.5 x ULN" for i in range(size))
    return json.dumps(study).encode()


def calls_for_document(data: bytes, path: str) -> int:
    """Every call made reading, normalising, checking and encoding one document."""
    job = Job(JsonEncoder())
    count, processed = calls_made(lambda: job.process_document(Document(path, data)))
    assert len(processed) == 1 and processed[0].failure is None, processed[0].failure
    return count


@pytest.mark.parametrize("make, path", [(_registry_xml, "study.xml"), (_api_study, "study.json")])
def test_doubling_a_registry_record_at_most_doubles_the_work(make, path):
    calls_for_document(make(10), path)  # first sight: compiled patterns, caches
    single, double = calls_for_document(make(1000), path), calls_for_document(make(2000), path)
    assert 1.2 <= double / single <= 2.1, (single, double)
