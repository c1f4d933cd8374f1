"""``--- X ---`` marks as the reader finds them: well formed, malformed, and dashes of prose."""

from __future__ import annotations

import pytest

import registry_tool
from registry_tool.formats.text.layout import find_marks
from registry_tool.normalize.steps import one_character_apart


@pytest.mark.parametrize("line, marks", [
    ("5. a T315I mutation. --- T315I ---", [("T315I", False)]),
    ("5. a T315I mutation. --- T315I -------", [("T315I", False)]),  # however many dashes
    ("5. x. ----- T315I ---", [("T315I", False)]),
    ("5. x. --- F317L --", [("F317L", True)]),
    ("5. x. -- Y253H ---", [("Y253H", True)]),
    ("5. x. --- Y253H -", [("Y253H", True)]),
    ("7. KRAS. --- G12C --- --- G12D ---", [("G12C", False), ("G12D", False)]),
    ("8. x. --- Y96D, R68S ---", [("Y96D, R68S", False)]),
    ("9. x. --- BCR-ABL1 T315I ---", [("BCR-ABL1 T315I", False)]),
    ("9. x. --- exon 19 deletion ---", [("exon 19 deletion", False)]),
    ("a -- b -- c", []),  # dashes of prose: fewer than three on both sides
    ("T-cell -- CD19 positive", []),
    ("grade 3--4 toxicity - any", []),
])
def test_marks_on_a_line(line, marks):
    assert [(m.body, m.malformed) for m in find_marks(line)] == marks


def test_nothing_of_a_malformed_mark_stays_in_the_criterion():
    record = registry_tool.parse_text("Name: A\nMeasure: R. Time: 8 weeks\n1. With F317L. --- F317L --\n"
                                      "2. With Y253H. -- Y253H ---\n")
    assert [c.text for c in record.eligibility.criteria] == ["With F317L.", "With Y253H."]
    assert [v.hgvs for v in record.variants] == ["p.Phe317Leu", "p.Tyr253His"]
    assert [w.code for w in record.warnings] == ["mark-malformed", "mark-malformed"]


def test_a_mark_on_a_criterion_that_writes_no_variant_is_no_disagreement():
    record = registry_tool.parse_text("Name: A\nMeasure: R. Time: 8 weeks\n1. Resistance mutations allowed. "
                                      "--- Y96D ---\n")
    assert [v.text for v in record.variants] == ["Y96D"]
    assert record.warnings == []


def test_one_character_apart():
    assert one_character_apart("T3151", "T315I")
    assert one_character_apart("T790N", "T790M")
    assert one_character_apart("T35I", "T315I")
    assert not one_character_apart("T315I", "T315I")
    assert not one_character_apart("L858R", "T790M")
