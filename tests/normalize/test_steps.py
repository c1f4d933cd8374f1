"""The normalise stack as a whole: its steps in order, each deriving only what a record lacks.

Each step's own rules are tested beside its normaliser (test_criteria,
test_timeframe, test_variants, test_outcomes); here: running the stack twice
gives what running it once gives, on every text and registry XML fixture, and
the last step places each warning on the input line its field came from.
"""

from __future__ import annotations

import copy

import pytest

from registry_tool.formats.text.reader import read_entry
from registry_tool.model import Record, RecordWarning
from registry_tool.normalize import STACK, normalize
from registry_tool.normalize.steps import place_warnings
from registry_tool.processing import read_document
from registry_tool.sources import Document
from tests.support import FIXTURES

TEXT_FIXTURES = sorted((FIXTURES / "text").glob("*.txt"))
XML_FIXTURES = sorted((FIXTURES / "ctgov_xml").glob("*.xml"))


def test_the_stack_runs_each_step_once_in_its_order():
    names = [step.__name__ for step in STACK]
    assert len(set(names)) == len(names)
    assert names.index("split_criteria_blocks") < names.index("describe_marks") < names.index("add_found_variants")
    assert names[-1] == "place_warnings"  # after every step that warns


@pytest.mark.parametrize("path", TEXT_FIXTURES + XML_FIXTURES, ids=lambda p: p.name)
def test_running_the_stack_twice_adds_nothing(path):
    raws = [r for r in read_document(Document(str(path), path.read_bytes())) if isinstance(r, Record)]
    for raw in raws:
        once = normalize(raw)
        before = once.to_dict()
        assert normalize(copy.deepcopy(once)).to_dict() == before


ENTRY = """A study of drug X.
Name: drug X
Description: Response.
Measure: Overall response. Time: when the sponsor decidesAllocation: N/A
Single Group Assignment
"""


def test_a_warning_is_placed_on_the_line_its_field_was_read_from():
    record = normalize(read_entry(ENTRY, "entry.txt"))
    unparsed = [w for w in record.warnings if w.code == "time-frame-unparsed"]
    assert len(unparsed) == 1 and unparsed[0].field == "outcomes[0].time_frame"
    assert unparsed[0].line == 4 == record.spans["outcomes[0].time_frame"][2]


def test_a_nested_field_takes_its_nearest_span_and_a_given_line_stays():
    record = read_entry(ENTRY, "entry.txt")
    record.warnings = [RecordWarning("x", "nested", "outcomes[0].time_frame.points[0]"),
                       RecordWarning("x", "has a line", "outcomes[0].measure", 2),
                       RecordWarning("x", "no span", "design.masking"),
                       RecordWarning("x", "no field")]
    place_warnings(record)
    assert [w.line for w in record.warnings] == [4, 2, None, None]


def test_a_record_without_spans_is_left_as_it_is():
    record = read_entry(ENTRY, "entry.txt")
    record.spans = {}
    record.warnings = [RecordWarning("x", "m", "outcomes[0].time_frame")]
    assert place_warnings(record).warnings[0].line is None
