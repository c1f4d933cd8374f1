"""Time frames: the hand-checked golden set, the corpus coverage target, and properties.

``tests/fixtures/timeframes/golden.json`` holds time frames we wrote (the
shapes registry time frames take, with other numbers and wording), each with
every point it must give (value, unit, days, relation, anchor), its events
and whether it is fully parsed; strings that must give no point ("3
monthes", "Visit 3") are in it too.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry_tool.normalize.timeframe import DAYS_PER_UNIT, days_of, parse_time_frame
from tests.support import FIXTURES, normalize_corpus

GOLDEN = json.loads((FIXTURES / "timeframes" / "golden.json").read_text("utf-8"))
COVERAGE_TARGET = 0.97


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _differences(expected: dict) -> list[str]:
    tf = parse_time_frame(expected["text"])
    assert tf is not None
    got = tf.to_dict()
    out = []
    if len(got["points"]) != len(expected["points"]):
        out.append(f"{len(got['points'])} points, expected {len(expected['points'])}: {got['points']}")
    for i, (g, e) in enumerate(zip(got["points"], expected["points"])):
        for key in ("unit", "relation", "anchor"):
            if g[key] != e[key]:
                out.append(f"points[{i}].{key}: {g[key]!r} != {e[key]!r}")
        for key in ("value", "days"):
            if not _close(g[key], e[key]):
                out.append(f"points[{i}].{key}: {g[key]!r} != {e[key]!r}")
    if not _close(got["max_days"], expected["max_days"]):
        out.append(f"max_days: {got['max_days']!r} != {expected['max_days']!r}")
    if got["events"] != expected["events"]:
        out.append(f"events: {got['events']!r} != {expected['events']!r}")
    if got["fully_parsed"] != expected["fully_parsed"]:
        out.append(f"fully_parsed: {got['fully_parsed']!r} != {expected['fully_parsed']!r}")
    return out


@pytest.mark.parametrize("expected", GOLDEN, ids=[g["text"][:60] for g in GOLDEN])
def test_golden_time_frame(expected):
    assert _differences(expected) == []


def test_golden_set_is_large_diverse_and_all_right():
    assert len(GOLDEN) >= 150
    assert len({g["text"] for g in GOLDEN}) == len(GOLDEN)
    relations = {p["relation"] for g in GOLDEN for p in g["points"]}
    units = {p["unit"] for g in GOLDEN for p in g["points"]}
    assert relations == {"at", "up_to", "about", "from", "to", "baseline", "every"}
    assert units == {"minute", "hour", "day", "week", "month", "year", "cycle"}
    assert any(p["anchor"] for g in GOLDEN for p in g["points"])
    assert any(not g["fully_parsed"] for g in GOLDEN)  # the set also says where no number may come out
    right = sum(not _differences(g) for g in GOLDEN)
    assert right == len(GOLDEN)


def test_corpus_time_frames_are_fully_parsed(xml_corpus, json_corpus):
    frames = normalize_corpus.time_frames()
    assert len(frames) > 1000
    parsed = [parse_time_frame(text) for text in frames]
    full = sum(tf.fully_parsed for tf in parsed)
    coverage = full / len(frames)
    print(f"\ntime frames: {full} of {len(frames)} distinct corpus strings fully parsed ({coverage:.2%})")
    assert coverage >= COVERAGE_TARGET
    for tf in parsed:  # what is not fully parsed still keeps its text, and never a point without a unit
        assert tf.text
        assert all(p.unit in DAYS_PER_UNIT or p.unit == "cycle" for p in tf.points)


@pytest.mark.parametrize(
    "text, value, unit, days, relation",
    [
        ("3 months", 3, "month", 91.3125, "at"),
        ("2 years", 2, "year", 730.5, "at"),
        ("28 days", 28, "day", 28.0, "at"),
        ("Up to 2 years", 2, "year", 730.5, "up_to"),
        ("12 weeks", 12, "week", 84.0, "at"),
        ("90 minutes", 90, "minute", 0.0625, "at"),
        ("36 hours", 36, "hour", 1.5, "at"),
    ],
)
def test_contract_unit_factors(text, value, unit, days, relation):
    tf = parse_time_frame(text)
    assert [(p.value, p.unit, p.relation) for p in tf.points] == [(value, unit, relation)]
    assert tf.points[0].days == pytest.approx(days)
    assert tf.max_days == pytest.approx(days)
    assert tf.fully_parsed


def test_missing_or_blank_time_frame_is_none():
    assert parse_time_frame(None) is None
    assert parse_time_frame("") is None
    assert parse_time_frame("  \n\t ") is None


def test_text_is_kept_with_white_space_folded():
    tf = parse_time_frame("  Baseline,\n  week 12 \t and week 24 ")
    assert tf.text == "Baseline, week 12 and week 24"


def test_cycles_have_days_only_when_the_text_gives_their_length():
    assert parse_time_frame("Cycle 3 Day 1").points[0].days is None
    assert parse_time_frame("Cycle 3 Day 1 (28-day cycles)").points[0].days == 84
    assert parse_time_frame("Up to 4 cycles (each cycle is 21 or 28 days)").points[0].days is None


def test_results_are_fresh_objects():
    first = parse_time_frame("6 months")
    first.points[0].value = 99
    first.points.append(first.points[0])
    again = parse_time_frame("6 months")
    assert [p.value for p in again.points] == [6]


def test_a_shape_not_understood_gives_no_number():
    for text in ("3 yeasrs", "Visit 3", "Phase 2", "Grade 3 toxicity", "Q3W", "See plan description"):
        assert parse_time_frame(text).points == [], text


# --- properties ----------------------------------------------------------------------------

_WORDS = [
    "day", "Day", "days", "week", "Weeks", "month", "months", "year", "cycle", "Cycle", "hours", "min", "hrs",
    "up to", "every", "after", "before", "prior to", "post-dose", "baseline", "Baseline", "approximately",
    "from", "to", "through", "and", ",", ";", "-", "(", ")", "±", "~", "of", "each", "first", "twice",
    "daily", "weekly", "28-day", "cycles", "times", "a", "surgery", "randomization", "end of study",
    "0", "1", "-2", "3", "12", "1.5", "six", "twenty-four", "2nd", "C1D1", "1/2/2020", "March 2020",
]
_TEXTS = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_any_text_parses_without_error(text):
    tf = parse_time_frame(text)
    if tf is None:
        assert not text.strip()
        return
    assert tf.text == " ".join(text.split())
    assert tf.fully_parsed in (True, False)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_days_are_value_times_factor_and_max_days_is_the_largest(text):
    tf = parse_time_frame(text)
    if tf is None:
        return
    cycle_lengths = set()
    for p in tf.points:
        if p.unit == "cycle":
            if p.days is not None and p.value:
                cycle_lengths.add(round(p.days / p.value, 9))  # one cycle length for the whole frame
        else:
            assert p.days == pytest.approx(p.value * DAYS_PER_UNIT[p.unit], abs=1e-12)
            assert p.days == days_of(p.value, p.unit) or math.isclose(p.days, days_of(p.value, p.unit))
    assert len(cycle_lengths) <= 1 and all(length > 0 for length in cycle_lengths)
    days = [p.days for p in tf.points if p.days is not None]
    assert tf.max_days == (max(days) if days else None)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.sampled_from(sorted(DAYS_PER_UNIT)))
def test_a_number_and_a_unit_is_one_point(value, unit):
    tf = parse_time_frame(f"{value} {unit}s")
    assert [(p.value, p.unit, p.relation) for p in tf.points] == [(value, unit, "at")]
    assert tf.points[0].days == pytest.approx(value * DAYS_PER_UNIT[unit])
    assert tf.fully_parsed


def test_event_table_is_lower_case():
    """ASCII time frames are matched lower-cased against the event table without IGNORECASE:
    a capital letter in the table would silently never match there."""
    import re

    from registry_tool.normalize import timeframe

    letters = re.sub(r"\\[A-Za-z]|\(\?P<e\d+>", "", timeframe.vocabulary.EVENTS_LOWER.pattern)
    assert not re.search(r"[A-Z]", letters)
    assert timeframe.vocabulary.EVENTS_LOWER.pattern == timeframe.vocabulary.EVENTS.pattern
