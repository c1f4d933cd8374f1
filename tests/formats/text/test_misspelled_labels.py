"""Misspelled labels: every label, every kind of edit, at a line start and glued to a time frame;
and label-like words of prose that must stay text."""

from __future__ import annotations

import pytest

import registry_tool
from registry_tool.formats.text.layout import (
    ENGLISH_NEAR_LABELS,
    edit_distance_at_most_one,
    misspelled_label,
    misspelled_time_separator,
)

# One misspelling of each kind for each label: a letter dropped, added, changed, two swapped.
EDITS = {
    "dropped": lambda w: w[:2] + w[3:],
    "added": lambda w: w[:2] + "x" + w[2:],
    "changed": lambda w: w[:2] + "q" + w[3:],
    "swapped": lambda w: w[:2] + w[3] + w[2] + w[4:],
}
LABELS = {"Name": "name", "Description": "description", "Measure": "measure", "Allocation": "allocation",
          "Intervention model": "model"}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("label", sorted(LABELS))
def test_every_edit_of_every_label_is_that_label(label, edit):
    written = EDITS[edit](label)
    assert written.lower() != label.lower()
    assert misspelled_label(written) == LABELS[label]
    assert misspelled_label(written.upper()) == LABELS[label]  # any letter case


@pytest.mark.parametrize("written", ["Tme", "Tiime", "Tiqe", "Tiem", "TMIE"])  # dropped, added, changed, swapped
def test_every_edit_of_time_is_the_time_separator(written):
    assert misspelled_time_separator(written)


def test_exact_labels_two_edits_and_english_words_are_not_misspellings():
    for label in LABELS:
        assert misspelled_label(label) is None  # the exact label is read as it is, without a warning
    for word in ("Nmea", "Descrptin", "Measurement", "Location", "Note", "Age", "Type"):
        assert misspelled_label(word) is None, word
    for word in sorted(ENGLISH_NEAR_LABELS):
        assert misspelled_label(word) is None and misspelled_label(word.title()) is None, word
        assert not misspelled_time_separator(word.title())


def test_edit_distance():
    assert edit_distance_at_most_one("name", "nmae")
    assert edit_distance_at_most_one("name", "nme")
    assert edit_distance_at_most_one("name", "nsame")
    assert not edit_distance_at_most_one("name", "mane")  # two letters changed
    assert not edit_distance_at_most_one("name", "na")


def _entry(first: str, glued: str = "Description") -> str:
    return (
        "A study of drug A.\n"
        f"{first}: drug A\n"
        "Measure: Response rate. Time: 8 weeks" + glued + ": The share of patients who respond.\n"
        "Measure: Overall survival. Time: 2 years\n"
        "Allocation: Randomized\n"
    )


def _codes(record) -> list[str]:
    return [w.code for w in record.warnings]


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_misspelled_label_at_a_line_start(edit):
    record = registry_tool.parse_text(_entry(EDITS[edit]("Name")))
    assert [i.name for i in record.interventions] == ["drug A"]
    warning = next(w for w in record.warnings if w.code == "label-misspelled")
    assert warning.line == 2 and repr(EDITS[edit]("Name") + ":") in warning.message and "'Name:'" in warning.message
    assert record.extras == {}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("label", ["Description", "Measure", "Allocation", "Name"])
def test_misspelled_label_glued_to_a_time_frame(label, edit):
    written = EDITS[edit](label)
    record = registry_tool.parse_text(_entry("Name", written))
    assert record.outcomes[0].time_frame is not None
    assert record.outcomes[0].time_frame.text == "8 weeks"  # the label is not inside the time frame
    assert _codes(record).count("label-misspelled") == 1
    warning = next(w for w in record.warnings if w.code == "label-misspelled")
    assert warning.line == 3 and repr(written + ":") in warning.message


def test_misspelled_time_separator():
    record = registry_tool.parse_text("Name: A\nMeasure: Response rate. Tmie: 8 weeks\nAllocation: N/A\n")
    assert record.outcomes[0].measure == "Response rate"
    assert record.outcomes[0].time_frame is not None and record.outcomes[0].time_frame.text == "8 weeks"
    assert "label-misspelled" in _codes(record)


@pytest.mark.parametrize("text", [
    "Name: A\nDescription: See the Nmae: field; Descripton: is a typo.\nMeasure: Rate. Time: 8 weeks\n",  # mid-line
    "Name: A\nMeasure: Rate. Time: 8 weeks descripton: none\n",  # glued labels start with a capital
    "Name: A\nMeasure: Rate. Time: 8 weeks Descripton: none\n",  # not glued: a space before it
    "Names: the sponsor gives none\nName: A\nMeasure: Rate. Time: 8 weeks\n",  # an English word
    "Same: as before\nName: A\nMeasure: Rate. Time: 8 weeks\n",
    "Name: A\nMeasure: Rate. Tide: 8 weeks\n",  # "Tide" is English: no time separator
    "Name: A\nMeasure: Rate. Time: 8 weeks\nPrimary endpont: response\n",  # two words, no label
])
def test_prose_stays_text(text):
    record = registry_tool.parse_text(text)
    assert "label-misspelled" not in _codes(record)
