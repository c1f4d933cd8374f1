"""Golden tests for the flattened-text parser: one per fixture file.

``tests/fixtures/text/NAME.txt`` is an entry; ``NAME.json`` says what it must
give: ``record`` (a subset of the canonical record, see tests/golden.py) and
``warning_codes`` (the exact list of warning codes), or ``error`` (the
failure's code and position) for an entry that must be refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import registry_tool
from registry_tool.api import read_path
from registry_tool.errors import Failure
from tests.golden import mismatches

FIXTURES = Path(__file__).parent / "fixtures" / "text"
CASES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def test_there_are_enough_golden_fixtures():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_golden_entry(name):
    expected = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    results = list(read_path(str(FIXTURES / f"{name}.txt"), "text"))
    assert len(results) == 1
    result = results[0]
    if "error" in expected:
        assert isinstance(result, Failure), f"expected a failure, got a record"
        assert mismatches(expected["error"], result.to_dict()) == []
        assert result.message  # says what was expected
        return
    assert not isinstance(result, Failure), result.describe()
    data = result.to_dict()
    assert registry_tool.validate(data) == []
    assert mismatches(expected["record"], data) == []
    assert sorted(w["code"] for w in data["warnings"]) == sorted(expected["warning_codes"])
