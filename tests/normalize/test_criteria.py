"""Eligibility criteria: golden blocks, the no-word-lost check over the corpus, and properties.

``tests/fixtures/criteria/golden.json`` holds blocks we wrote in each shape
(registry XML text blocks, API v2 Markdown, the criteria region of flattened
text) with every item they must give and, where the flattened-text parser
relies on them, the exact line spans.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry_tool.normalize.criteria import (
    SECTION_SEPARATOR,
    split_criteria,
    split_criteria_lines,
)
from tests.support import FIXTURES, normalize_corpus

GOLDEN = json.loads((FIXTURES / "criteria" / "golden.json").read_text("utf-8"))

# A plain kind heading ("Inclusion Criteria:", "- EXCLUSION CRITERIA"): its words are the item's kind.
_PLAIN_KIND_HEADING = re.compile(
    r"^\s*(?:[-*•]\s+|\d+[.)]\s+)?(?:\*\*)?(?:inclusion|exclusion)\s+criteri\w*\s*(?::|$)", re.IGNORECASE
)


def _words(text: str | None) -> Counter:
    return Counter(re.findall(r"\w+", text or ""))


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_golden_block(case):
    spans = split_criteria_lines(case["lines"])
    assert [s.criterion.to_dict() for s in spans] == case["criteria"]
    if "spans" in case:
        assert [[s.first_line, s.last_line] for s in spans] == case["spans"]
    # split_criteria reads the same block as one string
    assert [c.to_dict() for c in split_criteria("\n".join(case["lines"]))] == case["criteria"]


def lost_words(block: str) -> list[str]:
    """Every way the split of ``block`` loses or adds a word; [] when it keeps them all.

    Items keep the words of their lines (with their numbers); a heading's words
    are in the section of the item after it, or in the item made of it; a
    plain "Inclusion Criteria" heading's words are its kind.
    """
    lines = block.splitlines()
    spans = split_criteria_lines(lines)
    problems = []
    covered = set()
    for k, span in enumerate(spans):
        covered.update(range(span.first_line, span.last_line + 1))
        written = Counter()
        for i in range(span.first_line, span.last_line + 1):
            written += _words(_PLAIN_KIND_HEADING.sub(" ", lines[i]) if i == span.first_line else lines[i])
        kept = _words(span.criterion.text) + _words(span.criterion.number)
        if kept - written:
            problems.append(f"item {k} adds {dict(kept - written)}")
        heading = span.criterion.section.split(SECTION_SEPARATOR)[-1] if span.criterion.section else ""
        if (written - kept) - _words(heading):  # a heading on the item's line ("AGE: 18 and over")
            problems.append(f"item {k} loses {dict((written - kept) - _words(heading))}")
    for i, line in enumerate(lines):
        if i in covered or not line.strip():
            continue
        after = next((s.criterion for s in spans if s.first_line > i), None)
        kept = _words(after.section) + _words(after.text) if after else Counter()
        missing = _words(_PLAIN_KIND_HEADING.sub(" ", line)) - kept
        if missing:
            problems.append(f"heading on line {i} loses {dict(missing)}")
    return problems


def test_no_word_of_any_corpus_block_is_lost(xml_corpus, json_corpus):
    blocks = normalize_corpus.criteria_blocks()
    assert len(blocks) > 1500
    failed = {name: lost_words(block) for name, block in blocks}
    failed = {name: problems for name, problems in failed.items() if problems}
    items = sum(len(split_criteria(block)) for _, block in blocks)
    print(f"\ncriteria: {len(blocks) - len(failed)} of {len(blocks)} corpus blocks keep every word; {items} items")
    assert failed == {}


def test_words_in_capitals_are_kept(xml_corpus, json_corpus):
    for name, block in normalize_corpus.criteria_blocks():
        capitals = Counter(w for w in re.findall(r"\b[A-Z][A-Z0-9]{2,}\b", block))
        kept = Counter()
        seen_sections = set()
        for c in split_criteria(block):
            kept += Counter(re.findall(r"\b[A-Z][A-Z0-9]{2,}\b", f"{c.number or ''} {c.text}"))
            if c.section and c.section not in seen_sections:
                seen_sections.add(c.section)
                kept += Counter(re.findall(r"\b[A-Z][A-Z0-9]{2,}\b", c.section))
        missing = set(capitals) - set(kept) - {"INCLUSION", "EXCLUSION", "CRITERIA"}
        assert not missing, (name, missing)


def test_corpus_blocks_get_kinds_and_nesting(xml_corpus, json_corpus):
    criteria = [c for _, block in normalize_corpus.criteria_blocks() for c in split_criteria(block)]
    kinds = Counter(c.kind for c in criteria)
    assert kinds["inclusion"] > 1000 and kinds["exclusion"] > 1000
    assert sum(c.parent is not None for c in criteria) > 500
    assert sum(c.section is not None for c in criteria) > 1000
    assert all(c.text.strip() or c.number for c in criteria)


def test_spans_follow_the_lines_for_marks():
    """The flattened-text parser links ``--- X ---`` marks to criteria through the spans."""
    lines = [
        "1. Patients with the T315I mutation",
        "   confirmed by sequencing",
        "",
        "2. Adequate organ function.",
        "Exclusion Criteria:",
        "- Prior ponatinib",
    ]
    spans = split_criteria_lines(lines)
    assert [(s.first_line, s.last_line) for s in spans] == [(0, 1), (3, 3), (5, 5)]
    assert spans[0].criterion.text == "Patients with the T315I mutation confirmed by sequencing"
    assert spans[2].criterion.kind == "exclusion"


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("Inclusion Criteria:", "inclusion"),
        ("inclusion criteria", "inclusion"),
        ("INCLUSION CRITERIA", "inclusion"),
        ("Key inclusion criteria:", "inclusion"),
        ("- EXCLUSION CRITERIA:", "exclusion"),
        ("Exclusion criteria:-", "exclusion"),
        ("**Exclusion Criteria:**", "exclusion"),
        ("1) Exclusion Criteria", "exclusion"),
    ],
)
def test_kind_headings_in_any_spelling(heading, kind):
    items = split_criteria(f"{heading}\n- First item\n- Second item")
    assert [(c.kind, c.text) for c in items] == [(kind, "First item"), (kind, "Second item")]


# --- properties ----------------------------------------------------------------------------

_LINE_PARTS = [
    "Inclusion Criteria:", "EXCLUSION CRITERIA", "DISEASE CHARACTERISTICS:", "Age:", "--Prior Therapy--",
    "-", "*", "•", "1.", "2)", "(a)", "ii.", "a.", "  ", "    ", "\t", "Patients with", "T315I", "no prior",
    "the following:", "(ULN)", "4)", ":", "", "\\*", "#", "x" * 95,
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_LINE_PARTS), max_size=5).map(" ".join)),
                max_size=15))
def test_any_lines_split_into_well_formed_items(lines):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    spans = split_criteria_lines(lines)
    previous_first = -1
    for k, span in enumerate(spans):
        assert 0 <= span.first_line <= span.last_line < len(lines)
        assert span.first_line >= previous_first
        previous_first = span.first_line
        c = span.criterion
        assert c.kind in ("inclusion", "exclusion", None)
        assert c.parent is None or 0 <= c.parent < k
        assert isinstance(c.text, str)
    for block_item, span in zip(split_criteria("\n".join(lines)), spans):
        assert block_item.to_dict() == span.criterion.to_dict()
