"""Breadth: every corpus XML record with outcomes, rendered into the flattened
layout (tests/render_flat.py, truth taken from the XML), parses back with every
rendered field equal (white space folded)."""

from __future__ import annotations

import re
from collections import Counter

import registry_tool
from tests.support.render_flat import render, truth_from_xml

# Heading words the criteria splitter turns into kinds, not text.
_HEADING_WORDS = {"inclusion", "exclusion", "criteria", "key"}


def _words(text: str) -> Counter:
    return Counter(w for w in re.findall(r"\w+", text.lower()) if w not in _HEADING_WORDS)


def _mismatches(truth, record) -> list[str]:
    out = []
    if record.summary != truth.summary:
        out.append(f"summary: {record.summary!r} != {truth.summary!r}")
    names = [i.name for i in record.interventions]
    if names != truth.interventions:
        out.append(f"interventions: {names!r} != {truth.interventions!r}")
    elif truth.interventions and record.interventions[-1].description != truth.intervention_description:
        out.append(f"intervention description: {record.interventions[-1].description!r}")
    got = [(o.measure, o.description, o.time_frame.text if o.time_frame else None) for o in record.outcomes]
    want = [(m, " ".join(d) or None, t) for m, d, t in truth.outcomes]
    if got != want:
        diff = next(((g, w) for g, w in zip(got, want) if g != w), (len(got), len(want)))
        out.append(f"outcomes: first difference {diff!r}")
    allocation = record.design.allocation.text if record.design.allocation else None
    if allocation != truth.allocation:
        out.append(f"allocation: {allocation!r} != {truth.allocation!r}")
    model = record.design.intervention_model.text if record.design.intervention_model else None
    if model != truth.model:
        out.append(f"model: {model!r} != {truth.model!r}")
    if record.declared_variant_count != 0:
        out.append(f"declared_variant_count: {record.declared_variant_count!r}")
    # A section heading is written once above the items it covers; a nested
    # section is a path ("PATIENT CHARACTERISTICS > Age") whose levels are
    # headings of their own.
    sections, previous = [], []
    for c in record.eligibility.criteria:
        path = c.section.split(" > ") if c.section else []
        for level, heading in enumerate(path):
            if path[: level + 1] != previous[: level + 1]:
                sections.append(heading)
        previous = path
    criteria_words = _words(
        " ".join([f"{c.number or ''} {c.text}" for c in record.eligibility.criteria] + sections)
    )
    block_words = _words(" ".join(truth.criteria_lines))
    if criteria_words != block_words:
        lost = block_words - criteria_words
        added = criteria_words - block_words
        out.append(f"criteria words: lost {dict(lost)!r}, added {dict(added)!r}")
    if any(w.code == "unplaced-text" for w in record.warnings):
        out.append("unplaced text")
    return out


def test_rendered_corpus_parses_back_equal(xml_corpus):
    checked, failed = 0, {}
    for path in xml_corpus:
        truth = truth_from_xml(path.read_bytes())
        if truth is None:
            continue
        checked += 1
        record = registry_tool.parse_text(render(truth), str(path))
        problems = _mismatches(truth, record)
        if registry_tool.validate(record.to_dict()):
            problems.append("record breaks the schema")
        if problems:
            failed[path.name] = problems
    print(f"\nbreadth: {checked - len(failed)} of {checked} rendered corpus records parse back equal")
    assert checked > 700
    assert failed == {}, f"{len(failed)} of {checked} differ, e.g. {list(failed.items())[:3]}"


def test_renderer_exercises_the_format_rules(xml_corpus):
    """The rendered corpus covers the layout's hard cases, so the breadth test means something."""
    seen = Counter()
    for path in xml_corpus[:600]:
        truth = truth_from_xml(path.read_bytes())
        if truth is None:
            continue
        text = render(truth)
        seen["glued description"] += bool(re.search(r"\. Time: [^\n]*\S+Description: ", text))
        seen["glued measure"] += bool(re.search(r"\. Time: [^\n]*Measure: ", text))
        seen["empty time frame"] += ". Time: Measure:" in text or ". Time: Description:" in text
        seen["measure ending with a period"] += ".. Time: " in text
        seen["two descriptions after Name"] += bool(truth.intervention_description)
        seen["multi-line summary"] += len(truth.summary_lines) > 1
        seen["multi-line description"] += any(len(d) > 1 for _, d, _ in truth.outcomes)
    for case, count in seen.items():
        assert count > 0, case
