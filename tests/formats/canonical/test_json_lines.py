"""JSON Lines: each line stands alone (issue 12, item 1). Whatever lines are broken, every
other line is read, each broken line is one ``bad-json`` failure at its line, and the counts
add up."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from registry_tool.errors import Failure
from registry_tool.formats.json_documents import iter_json_values

GOOD = st.dictionaries(st.sampled_from(["record_id", "a", "b"]), st.integers() | st.text(max_size=5),
                       min_size=1).map(lambda d: json.dumps(d))
BROKEN = st.sampled_from(['{"record_id": ', "{oops", '{"a": 1,}', "{'single': 1}", '{"a": tru}'])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), GOOD, BROKEN), min_size=2, max_size=12), st.sampled_from(
    ["batch.jsonl", "batch.ndjson", "batch.jsonl.gz", None]))
def test_every_good_line_is_read_and_each_broken_line_is_one_failure(lines, path):
    if all(broken for broken, _, _ in lines) and path is None:
        lines[0] = (False, lines[0][1], lines[0][2])  # unnamed: a good line tells it is JSON Lines
    text = "\n".join(bad if broken else good for broken, good, bad in lines) + "\n"
    items = list(iter_json_values(text.encode(), path))
    assert len(items) == len(lines)  # records in = read + failed
    for number, ((broken, good, _), item) in enumerate(zip(lines, items), 1):
        if broken:
            assert isinstance(item, Failure) and item.code == "bad-json" and item.line == number
            assert f"line {number} is not valid JSON" in item.message
        else:
            assert item == (json.loads(good), f"line {number}")


def test_integers_beyond_64_bits_are_kept_exact():
    """orjson would round them to floats without a word; such a document is read exactly."""
    big = -9223372036854775809
    for text, path in ((f'{{"record_id": "a", "n": {big}}}', "one.json"),
                       (f'{{"record_id": "a"}}\n{{"record_id": "b", "n": {big}}}\n', "two.jsonl")):
        values = [item[0] for item in iter_json_values(text.encode(), path)]
        assert values[-1]["n"] == big and isinstance(values[-1]["n"], int)
