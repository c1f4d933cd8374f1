"""The flattened registry text parser (``../shared/FORMAT.md``).

Parsing runs in three steps:

1. *lines*: the entry is split on CR, LF or CRLF; every line keeps its
   1-based number; a byte-order mark and trailing spaces are dropped.
2. *segments*: each line that starts with a label (any letter case) is cut into
   labelled segments. A ``Measure:`` line is cut at its first ``. Time:`` and
   its time frame ends at a label glued to it (``3 monthsDescription:``), which
   starts the next segment on the same line (FORMAT rules 2, 3 and 6).
3. *assembly*: segments become fields. A ``Description:`` waits for the
   ``Measure:`` that follows it (rule 1); unlabelled lines continue an open
   summary or description (rule 8); after the last structural line of the
   entry every line is an eligibility criterion, with its ``--- X ---`` marks
   taken out as variants (rule 7).

Whatever fits no field goes to ``record.extras`` with a warning; the parser
never drops text. It gives a raw record: time frames as written, marks as
written; the normalise stack parses them, reads what each mark names and
finds the variants the text names.

The module is a little over 600 lines because it is one parser: the line
loop and the segment rules share the state of one entry (the layout's
labels and patterns are in layout.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from itertools import accumulate
from collections.abc import Iterator
from typing import Any

from msgspec import Struct, field

from ... import vocabulary
from ...decoding import decode_text
from ...errors import Failure, RecordError
from ...model import Intervention, Outcome, Record, RecordWarning, Source, TimeFrame, Variant
from ...normalize.criteria import split_criteria_lines
from ...textclean import fold_ws
from ..base import ReadResult
from .layout import (
    GLUED_LABEL,
    GLUED_LABEL_LIKE,
    LABEL_AT_START,
    LABEL_LIKE_AT_START,
    MARK_LIST_SEPARATOR,
    NUMBER_WORDS,
    TIME_SEPARATOR,
    TIME_SEPARATOR_LIKE,
    MarkFound,
    find_marks,
    line_kind,
    misspelled_label,
    misspelled_time_separator,
)


class Segment(Struct, gc=False):
    """A labelled piece of one line."""

    label: str  # name | description | measure | allocation | model
    text: str
    line: int
    time: str | None = None  # measure only: the time frame text
    has_time_separator: bool = False  # measure only
    written: str | None = None  # a misspelled label as written ("Descripton"); None when spelled right
    written_time: str | None = None  # measure only: a misspelled "Time" separator as written
    column: int = 0  # where ``text`` starts in the line
    time_column: int = 0  # where ``time`` starts in the line


class _Description(Struct):
    parts: list[str]
    line: int
    follows_name: bool
    span: list[int] | None = None  # [start, end, line] in the entry
    misspelled: RecordWarning | None = None  # the label-misspelled warning of its label, if any

    def placed(self, record: Record, path: str) -> None:
        """The description went to ``path``: its span, and the field its label's warning names."""
        _set_span(record, path, self.span)
        if self.misspelled is not None:
            self.misspelled.field = path


class _Assembly(Struct):
    """The state of step 3: fields found so far."""

    record: Record
    summary: list[str] = field(default_factory=list)
    pending: list[_Description] = field(default_factory=list)
    previous: str | None = None  # the label of the previous segment
    criteria_lines: list[tuple[int, str]] = field(default_factory=list)
    open_description: _Description | None = None
    starts: list[int] = field(default_factory=list)  # where each line starts in the entry
    summary_span: list[int] | None = None

    def span(self, line: int, column: int, text: str) -> list[int] | None:
        """[start, end, line] of ``text`` (white space around it aside) at ``column`` of ``line``."""
        end = len(text.rstrip())
        if not end:
            return None
        at = self.starts[line - 1] + column
        return [at + len(text) - len(text.lstrip()), at + end, line]


# The kind of a line that starts with a misspelled label (beside the matches of line_kind).
_MISSPELLED = object()


def split_lines(text: str) -> list[str]:
    """The entry's lines, byte-order mark and trailing white space removed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


_LINE_END = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """Where each line of the entry starts (in the text without its byte-order mark): the
    offsets :attr:`Record.spans` count in."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" not in text:
        return [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


def _canonical_label(raw: str) -> str:
    label = raw.lower()
    return "model" if label.startswith("intervention") else label


def line_segments(line: str, number: int) -> list[Segment]:
    """The labelled segments of a line that starts with a label (or a misspelling of one); [] otherwise."""
    m = LABEL_AT_START.match(line)
    if m:
        return _labelled(_canonical_label(m.group(1)), line[m.end():], number, m.end())
    found = misspelled_label_at_start(line)
    if found is None:
        return []
    label, written, end = found
    segments = _labelled(label, line[end:], number, end)
    segments[0].written = written
    return segments


def misspelled_label_at_start(line: str) -> tuple[str, str, int] | None:
    """(label, the spelling written, where its value starts) of a line starting with a
    misspelled label (``Descripton:``); None for any other line."""
    if line.find(":", 0, 30) < 0:
        return None
    m = LABEL_LIKE_AT_START.match(line)
    if m is None:
        return None
    label = misspelled_label(m.group(1))
    if label is None and " " in m.group(1).strip():
        return None  # two words that misspell no label ("Primary endpoint:"): text
    return (label, m.group(1).strip(), m.end()) if label else None


def _glued(after: str) -> tuple[re.Match[str], str, str | None] | None:
    """The first label glued to a time frame: (its match, the label, its misspelled spelling or None)."""
    if ":" not in after:
        return None
    exact = GLUED_LABEL.search(after)
    for m in GLUED_LABEL_LIKE.finditer(after, 0, exact.start() if exact else len(after)):
        label = misspelled_label(m.group(1))
        if label is not None:
            return m, label, m.group(1)
    return (exact, _canonical_label(exact.group(1)), None) if exact else None


def _time_separator(rest: str) -> tuple[re.Match[str] | None, str | None]:
    """The ``. Time: `` separator of a measure line (its first), else a misspelled one (``. Tme: ``)."""
    sep = TIME_SEPARATOR.search(rest)
    if ":" not in rest:
        return sep, None
    for m in TIME_SEPARATOR_LIKE.finditer(rest, 0, sep.start() if sep else len(rest)):
        if misspelled_time_separator(m.group(1)):
            return m, m.group(1)
    return sep, None


def _labelled(label: str, rest: str, number: int, column: int) -> list[Segment]:
    """The segments of ``rest``, the value of ``label``, which starts at ``column`` of its line."""
    if label != "measure":
        return [Segment(label, rest, number, column=column)]
    sep, written_time = _time_separator(rest)
    if sep is None:
        return [Segment("measure", rest, number, column=column)]
    after = rest[sep.end():]
    glued = _glued(after)
    time = after[: glued[0].start()] if glued else after
    segments = [Segment("measure", rest[: sep.start()], number, time, True, written_time=written_time,
                        column=column, time_column=column + sep.end())]
    if glued:
        m, glued_label, written = glued
        segments.extend(_labelled(glued_label, after[m.end():], number, column + sep.end() + m.end()))
        segments[1].written = written
    return segments


def stable_id(lines: list[str]) -> str:
    """A record id derived from the entry's content (line ends and trailing spaces aside)."""
    digest = hashlib.sha1("\n".join(lines).strip().encode("utf-8")).hexdigest()
    return f"text-{digest[:16]}"


def read_entry(text: str, path: str | None = None) -> Record:
    """The raw record of one flattened registry entry (the normalise stack runs next).

    Raises :class:`registry_tool.errors.ParseError` for an entry with no text,
    with NUL characters (binary data), or with no field of the layout at all
    (``not-an-entry``).
    """
    state = _assemble(text, path)
    _finish(state)
    return state.record


def criteria_block(text: str) -> list[str]:
    """The lines of an entry's criteria region with their ``--- X ---`` marks taken out:
    what the criteria splitter reads (for benchmarks and debugging)."""
    return _criteria_block(_assemble(text, None))[0]


def _assemble(text: str, path: str | None) -> _Assembly:
    """Steps 1 and 2 and the fields of step 3; the criteria and enrichment are left to _finish."""
    if "\x00" in text:
        before = text[: text.index("\x00")].replace("\r\n", "\n").replace("\r", "\n")
        raise RecordError(
            Failure(
                "binary-input",
                "entry holds NUL characters: this is binary data, not registry text",
                path=path,
                line=before.count("\n") + 1,
                column=len(before) - (before.rfind("\n") + 1) + 1,
            )
        )
    lines = split_lines(text)
    if not any(lines):
        raise RecordError(Failure("empty-entry", "entry is empty (expected flattened registry text)", path=path))
    record = Record(record_id=stable_id(lines), source=Source("text", path))
    state = _Assembly(record, starts=line_starts(text))
    kinds: list[Any] = [line_kind(line) for line in lines]
    for i, line in enumerate(lines):
        if kinds[i] is None and line.find(":", 0, 30) >= 0 and misspelled_label_at_start(line) is not None:
            kinds[i] = _MISSPELLED
    structural_lines = [i for i, kind in enumerate(kinds) if kind]
    if not structural_lines:  # no field of the layout at all: prose, notes, another format
        raise RecordError(Failure(
            "not-an-entry",
            "no field of the flattened layout found (no Name:, Measure:, Description:, Allocation:, "
            "model line, variant-count line or criteria heading): this is not a registry entry",
            path=path,
        ))
    first, last = structural_lines[0], structural_lines[-1]
    # Before the first structural line: the summary (FORMAT: the text before the first label).
    state.summary = [line.strip() for line in lines[:first] if line]
    _summary_span(state, lines, first)
    in_criteria = False

    for index in range(first, last + 1):
        line = lines[index]
        number = index + 1
        stripped = line.strip()
        if not stripped:
            if in_criteria:
                state.criteria_lines.append((number, line))
            continue
        kind = kinds[index]
        block = "label" if kind is _MISSPELLED else kind.lastgroup if kind else None
        if block == "label":
            in_criteria = False
            for segment in line_segments(line, number):
                _take_segment(state, segment)
        elif block == "model":
            in_criteria = False
            _take_segment(state, Segment("model", line, number))
        elif block == "snp":
            in_criteria = True
            _take_snp_line(state, kind.group("count"), stripped, number,  # type: ignore[union-attr]
                           state.span(number, 0, line))
        elif block == "heading":
            in_criteria = True
            _close_descriptions(state)
            state.criteria_lines.append((number, line))
        elif in_criteria:
            state.criteria_lines.append((number, line))
        elif state.open_description is not None:
            state.open_description.parts.append(stripped)
            _extend(state.open_description.span, state.span(number, 0, line))
        else:
            _unplaced(record, f"line {number}", stripped, number, "text on this line fits no field",
                      state.span(number, 0, line))

    # After the last structural line every line is a criterion (from the first non-blank one).
    _close_descriptions(state)
    tail = range(last + 1, len(lines))
    if not in_criteria:
        tail = range(next((i for i in tail if lines[i]), len(lines)), len(lines))
    state.criteria_lines.extend((i + 1, lines[i]) for i in tail)
    return state


_LABEL_WORDING = {"name": "Name", "description": "Description", "measure": "Measure",
                  "allocation": "Allocation", "model": "Intervention model"}


def _misspelling(record: Record, written: str, meant: str, line: int, field: str | None) -> None:
    record.warn("label-misspelled", f"line {line}: {written + ':'!r} is taken for the label {meant + ':'!r}",
                field, line)


def _take_segment(state: _Assembly, seg: Segment) -> None:
    record = state.record
    state.open_description = None
    label = seg.label
    if seg.written is not None:
        field = {"name": f"interventions[{len(record.interventions)}].name",
                 "measure": f"outcomes[{len(record.outcomes)}].measure",
                 "allocation": "design.allocation", "model": "design.intervention_model"}.get(label)
        _misspelling(record, seg.written, _LABEL_WORDING[label], seg.line, field)
    if seg.written_time is not None:
        _misspelling(record, seg.written_time, "Time", seg.line, f"outcomes[{len(record.outcomes)}].time_frame")
    if label == "description":
        desc = _Description([seg.text.strip()], seg.line, state.previous in ("name", "description-after-name"),
                            state.span(seg.line, seg.column, seg.text))
        if seg.written is not None:
            desc.misspelled = record.warnings[-1]
        state.pending.append(desc)
        state.open_description = desc
        state.previous = "description-after-name" if desc.follows_name else "description"
        return
    if label == "name":
        _close_descriptions(state)
        name = fold_ws(seg.text)
        if not name:
            record.warn("empty-value", "a Name: line has no name; kept as an empty intervention", "interventions", seg.line)
        _set_span(record, f"interventions[{len(record.interventions)}].name", state.span(seg.line, seg.column, seg.text))
        record.interventions.append(Intervention(name))
    elif label == "measure":
        _take_measure(state, seg)
    elif label == "allocation":
        _close_descriptions(state)
        _set_design(state, "allocation", seg, vocabulary.ALLOCATION)
    elif label == "model":
        _close_descriptions(state)
        _set_design(state, "intervention_model", seg, vocabulary.INTERVENTION_MODEL)
    state.previous = label


def _take_measure(state: _Assembly, seg: Segment) -> None:
    record = state.record
    description = None
    pending = state.pending
    if pending:
        if len(pending) >= 2 and pending[0].follows_name and _can_describe_intervention(record):
            # Rule 5: two descriptions in a row after a Name: the first is the intervention's.
            first = pending.pop(0)
            record.interventions[-1].description = _text(first)
            first.placed(record, f"interventions[{len(record.interventions) - 1}].description")
        for orphan in pending[:-1]:
            _orphan_description(record, orphan, "another description follows it before the measure")
        description = _text(pending[-1])
        pending[-1].placed(record, f"outcomes[{len(record.outcomes)}].description")
        state.pending = []
    measure = fold_ws(seg.text)
    index = len(record.outcomes)
    _set_span(record, f"outcomes[{index}].measure", state.span(seg.line, seg.column, seg.text))
    if seg.time:
        _set_span(record, f"outcomes[{index}].time_frame", state.span(seg.line, seg.time_column, seg.time))
    if not measure:
        record.warn("empty-value", "a Measure: line has no measure text", f"outcomes[{index}].measure", seg.line)
    if not seg.has_time_separator:
        record.warn(
            "no-time-separator",
            "the Measure: line has no '. Time: ' separator; the whole line is the measure and the time frame is null",
            f"outcomes[{index}].time_frame",
            seg.line,
        )
    time = fold_ws(seg.time) if seg.time else ""
    record.outcomes.append(Outcome(measure=measure, description=description, time_frame=TimeFrame(time) if time else None))


def _set_design(state: _Assembly, name: str, seg: Segment, concept: vocabulary.Concept) -> None:
    record = state.record
    value = seg.text.strip()
    label = "Allocation" if name == "allocation" else "Intervention model"
    span = state.span(seg.line, seg.column, seg.text)
    if getattr(record.design, name) is not None:
        _unplaced(record, f"{label} (line {seg.line})", value, seg.line, f"a second {label.lower()} value", span)
        return
    _set_span(record, f"design.{name}", span)
    found = concept.coded(value)
    if found is None:
        record.warn("empty-value", f"{label} is given with no value", f"design.{name}", seg.line)
        return
    if found.code is None:
        record.warn(
            "unknown-code",
            f"{label.lower()} {value!r} is not a spelling we know; text kept, code null",
            f"design.{name}",
            seg.line,
        )
    setattr(record.design, name, found)


def _take_snp_line(state: _Assembly, word: str, line: str, number: int, span: list[int] | None) -> None:
    _close_descriptions(state)
    state.previous = "snp"
    state.open_description = None
    record = state.record
    word = word.lower()
    count = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
    if count is None:
        _unplaced(record, f"line {number}", line, number, f"variant count {word!r} is not a number we know", span)
    elif record.declared_variant_count is not None:
        _unplaced(record, f"line {number}", line, number, "a second variant-count line", span)
    else:
        record.declared_variant_count = count
        _set_span(record, "declared_variant_count", span)


def _can_describe_intervention(record: Record) -> bool:
    return bool(record.interventions) and record.interventions[-1].description is None


def _close_descriptions(state: _Assembly) -> None:
    """Descriptions no measure followed: the intervention's (rule 5) or kept as extras."""
    pending, state.pending = state.pending, []
    state.open_description = None
    if not pending:
        return
    record = state.record
    if pending[0].follows_name and _can_describe_intervention(record):
        first = pending.pop(0)
        record.interventions[-1].description = _text(first)
        first.placed(record, f"interventions[{len(record.interventions) - 1}].description")
        record.warn(
            "description-to-intervention",
            "a Description: after a Name: line is followed by no Measure:; it was taken as the "
            "intervention's description",
            f"interventions[{len(record.interventions) - 1}].description",
            first.line,
        )
    for orphan in pending:
        _orphan_description(record, orphan, "no measure follows it")


def _orphan_description(record: Record, desc: _Description, why: str) -> None:
    key = f"Description (line {desc.line})"
    _unplaced(record, key, _text(desc) or "", desc.line, f"a description that describes nothing: {why}", desc.span)
    desc.placed(record, extras_path(key))


def _text(desc: _Description) -> str | None:
    return fold_ws(" ".join(desc.parts)) or None


def _unplaced(record: Record, key: str, value: str, line: int, why: str, span: list[int] | None = None) -> None:
    record.extras[key] = value
    _set_span(record, extras_path(key), span)
    record.warn("unplaced-text", f"{why}; kept in extras[{key!r}]", extras_path(key), line)


def extras_path(key: str) -> str:
    """The JSON path of an extras entry: ``extras["line 7"]``."""
    return f"extras[{json.dumps(key, ensure_ascii=False)}]"


def _set_span(record: Record, path: str, span: list[int] | None) -> None:
    if span is not None:
        record.spans[path] = span


def _extend(span: list[int] | None, more: list[int] | None) -> None:
    """A span grown to the end of ``more`` (a line continuing its value)."""
    if span is not None and more is not None:
        span[1] = more[1]


def _summary_span(state: _Assembly, lines: list[str], end: int) -> None:
    """The summary's span: from its first line with text to the last before line ``end``."""
    numbers = [i + 1 for i in range(end) if lines[i]]
    if numbers:
        first = state.span(numbers[0], 0, lines[numbers[0] - 1])
        _extend(first, state.span(numbers[-1], 0, lines[numbers[-1] - 1]))
        _set_span(state.record, "summary", first)


def _finish(state: _Assembly) -> None:
    record = state.record
    summary = fold_ws(" ".join(state.summary))
    record.summary = summary or None
    _take_criteria(state)


def _criteria_block(state: _Assembly) -> tuple[list[str], list[tuple[int, list[tuple[str, MarkFound]]]]]:
    """The criteria region's lines with marks taken out, and (line index, [(variant text, its mark)])
    of each marked line."""
    cleaned: list[str] = []
    marks: list[tuple[int, list[tuple[str, MarkFound]]]] = []
    for i, (_, line) in enumerate(state.criteria_lines):
        found = find_marks(line) if "-" in line else None
        if found:
            marks.append((i, [(part, mark) for mark in found for part in _split_mark(mark.body)]))
            kept, at = [], 0
            for mark in found:
                kept.append(line[at:mark.start])
                at = mark.end
            line = " ".join(kept + [line[at:]]).rstrip()
        cleaned.append(line)
    return cleaned, marks


def _take_criteria(state: _Assembly) -> None:
    """Criteria from the criteria region, with ``--- X ---`` marks taken out as variants."""
    record = state.record
    if not state.criteria_lines:
        return
    numbers = [number for number, _ in state.criteria_lines]
    cleaned, marks = _criteria_block(state)
    spans = split_criteria_lines(cleaned)
    offset = len(record.eligibility.criteria)
    starts, criteria, record_spans = state.starts, record.eligibility.criteria, record.spans
    for span in spans:
        # from the item's first character to the end of its last line (both rstripped, marks taken out)
        first, last = cleaned[span.first_line], cleaned[span.last_line]
        number = numbers[span.first_line]
        record_spans[f"eligibility.criteria[{len(criteria)}]"] = [
            starts[number - 1] + len(first) - len(first.lstrip()), starts[numbers[span.last_line] - 1] + len(last),
            number]
        criteria.append(span.criterion)
    firsts = [span.first_line for span in spans]
    for i, found in marks:
        criterion = _criterion_for_line(firsts, i)
        warned: set[int] = set()
        for text, mark in found:
            index = len(record.variants)
            if criterion is None:
                record.warn(
                    "unattached-variant",
                    f"variant mark {text!r} is on a line with no criterion; kept with no criterion",
                    f"variants[{index}]",
                    numbers[i],
                )
            if mark.malformed and id(mark) not in warned:
                warned.add(id(mark))
                record.warn(
                    "mark-malformed",
                    f"line {numbers[i]}: the mark {mark.written!r} has fewer than three dashes on one side; "
                    f"read as the mark '--- {mark.body} ---'",
                    f"variants[{index}]",
                    numbers[i],
                )
            _set_span(record, f"variants[{index}]", state.span(numbers[i], mark.written_start, mark.written))
            # The mark as written; the normalise stack reads what it names (kind, HGVS, gene).
            record.variants.append(Variant(text, "other", marked=True,
                                           criterion=None if criterion is None else criterion + offset))


def _criterion_for_line(firsts: list[int], line_index: int) -> int | None:
    """The criterion a line belongs to; a marks-only line belongs to the criterion above it.

    ``firsts`` are the criteria's first lines: the splitter gives criteria in
    line order, each over lines of its own, so the last criterion starting at
    or before the line is the one holding it, or the one above it."""
    k = bisect_right(firsts, line_index) - 1
    return k if k >= 0 else None


def _split_mark(mark: str) -> list[str]:
    """One mark may name several variants: ``T315I, E255K``."""
    parts = [p.strip() for p in MARK_LIST_SEPARATOR.split(mark)]
    return [p for p in parts if p]


# The largest text entry read (bytes): registry entries are a few kilobytes, the
# largest in the corpus well under 1 MiB; a document beyond this is refused
# (``too-large``) before it is decoded, like registry XML beyond its 64 MiB.
MAX_TEXT_BYTES = 16 * 1024 * 1024

_OTHER_FORMATS = {"ctgov-xml": "registry XML", "json": "JSON"}


def read(document: Any) -> Iterator[ReadResult]:
    """The ``text`` reader: one entry per document.

    A document over :data:`MAX_TEXT_BYTES` fails with ``too-large``; one that
    looks like XML or JSON is not read as text (``not-an-entry``, with the
    ``--from`` that reads it).
    """
    from .. import detect_format

    data = document.bytes()
    path = document.path
    if len(data) > MAX_TEXT_BYTES:
        raise RecordError(Failure(
            "too-large", f"the entry is {len(data):,} bytes, more than the {MAX_TEXT_BYTES // 2**20} MiB limit "
            "of a text entry (expected one registry entry a file)", path=path))
    encoding = getattr(document, "encoding", None)
    other = detect_format(data, path, encoding)
    if other != "text":
        hint = "--from ctgov-xml" if other == "ctgov-xml" else "--from ctgov-json or --from canonical"
        raise RecordError(Failure(
            "not-an-entry", f"this looks like {_OTHER_FORMATS[other]}, not flattened registry text: "
            f"read it with {hint} (or --from auto)", path=path))
    yield read_entry(decode_text(data, path, encoding), path)
