"""Golden tests for the flattened-text parser: one per fixture file.

``tests/fixtures/text/NAME.txt`` is an entry; ``NAME.json`` says what it must
give: ``record`` (a subset of the canonical record, see tests/golden.py) and
``warning_codes`` (the exact list of warning codes), or ``error`` (the
failure's code and position) for an entry that must be refused.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import registry_tool
from registry_tool.commands import iter_records
from registry_tool.errors import Failure
from tests.support import FIXTURES
from tests.support.golden import mismatches

FIXTURES = FIXTURES / "text"
CASES = sorted(p.stem for p in FIXTURES.glob("*.txt"))
# The entries the parser accepts (a refused entry's expected file holds its "error").
ACCEPTED = [c for c in CASES if "error" not in json.loads((FIXTURES / f"{c}.json").read_text("utf-8"))]


def test_there_are_enough_golden_fixtures():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_golden_entry(name):
    expected = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    results = list(iter_records([str(FIXTURES / f"{name}.txt")], "text"))
    assert len(results) == 1
    result = results[0]
    if "error" in expected:
        assert isinstance(result, Failure), "expected a failure, got a record"
        assert mismatches(expected["error"], result.to_dict()) == []
        assert result.message  # says what was expected
        return
    assert not isinstance(result, Failure), result.describe()
    data = result.to_dict()
    assert registry_tool.validate(data) == []
    assert mismatches(expected["record"], data) == []
    assert sorted(w["code"] for w in data["warnings"]) == sorted(expected["warning_codes"])


_LABELS = re.compile(
    r"(?im)^[ \t]*(?:name|description|measure|allocation)[ \t]*:"  # a label starting a line
    r"|(?:Description|Measure|Allocation|Name|DESCRIPTION|MEASURE|ALLOCATION|NAME)[ \t]*:"  # a glued label
    r"|\.[ \t]*time[ \t]*:"  # the time separator
    r"|^there[ \t]+(?:is|are)[ \t]+\S+[ \t]+snps?\.?[ \t]*$"  # the variant-count line (its number is a field)
    r"|^[ \t]*(?:key[ \t]+)?(?:inclusion|exclusion)[ \t]+criteria[ \t]*:?"  # a heading: it sets criteria kinds
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key) if key != "source" else ()
            if key != "source":
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _word_counts(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text))


@pytest.mark.parametrize("name", ACCEPTED)
def test_golden_entry_loses_no_word(name):
    """Nothing lost: every word of the entry is in a field, in extras or in a warning."""
    raw = (FIXTURES / f"{name}.txt").read_bytes()
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    record = registry_tool.parse_text(text).to_dict()
    for warning in record["warnings"]:  # a misspelled label is a label (its spelling is in the warning)
        if warning["code"] == "label-misspelled":
            written = re.search(r"'([^']+):' is taken for", warning["message"]).group(1)
            text = text.replace(written + ":", " ", 1)
    entry_words = _word_counts(_LABELS.sub(" ", text))
    record_words = _word_counts(" ".join(_strings(record)))
    missing = entry_words - record_words
    assert not missing, f"words of the entry found nowhere in the record: {dict(missing)}"
