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
never drops text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import Failure, RecordError
from ..model import CodedText, Intervention, Outcome, Record, Source
from ..normalize import enrich_record
from ..normalize.codes import ALLOCATION, INTERVENTION_MODEL, coded, phases_in_prose
from ..normalize.criteria import split_criteria_lines
from ..normalize.text import fold_ws
from ..normalize.timeframe import parse_time_frame
from ..normalize.variants import variant_from_mark
from ..reading import decode_text

# A label at the start of a line (after optional indentation), any letter case.
_LABEL_AT_START = re.compile(
    r"^[ \t]*(name|description|measure|allocation|intervention[ \t]+model)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
# The separator between a measure and its time frame (rule 3). The first match
# on the line wins: a measure ending in a period shows two (``rate.. Time:``).
_TIME_SEPARATOR = re.compile(r"\.[ \t]*time[ \t]*:[ \t]*", re.IGNORECASE)
# A label glued to the end of a time frame (rule 2): ``3 monthsDescription:``.
# Its first letter must be a capital, so lower-case prose is never cut.
_GLUED_LABEL = re.compile(r"([DMAN](?i:escription|easure|llocation|ame))[ \t]*:[ \t]*")

_NUMBER_WORDS = {
    "no": 0, "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}
# Every line that is not a label line but still starts a block: the model line,
# the variant-count line, a criteria heading. One pattern, so each line is
# classified with a single match.
_STRUCTURAL = re.compile(
    r"^[ \t]*(?:"
    r"(?P<label>name|description|measure|allocation|intervention[ \t]+model)[ \t]*:"
    r"|(?P<heading>(?:key[ \t]+)?(?:inclusion|exclusion)[ \t]+criteria\b)"
    r"|(?P<model>(?:single[ \t-]*group|parallel|cross[ \t-]*over|factorial|sequential)"
    r"(?:[ \t]+assignment)?[ \t]*\.?$)"
    r"|(?P<snp>there[ \t]+(?:is|are)[ \t]+(?P<count>\d+|[a-z]+)[ \t]+snps?[ \t]*\.?$)"
    r")",
    re.IGNORECASE,
)
# The first four letters of a structural line, lower-cased (after its indentation): a label,
# a criteria heading (with or without "Key"), a model line or the SNP line.
_STRUCTURAL_HEADS = frozenset({
    "name", "desc", "meas", "allo", "inte", "key ", "key\t", "incl", "excl",
    "sing", "para", "cros", "fact", "sequ", "ther",
})


def _structural(line: str) -> re.Match[str] | None:
    """The structural block a line starts, if any (one match of _STRUCTURAL)."""
    head = line.lstrip(" \t")[:4]
    if head.isascii() and head.lower() not in _STRUCTURAL_HEADS:
        return None  # a quick no for most lines; other characters may fold case into a label
    return _STRUCTURAL.match(line)


# Between the variants one mark names: ``T315I, E255K``.
_MARK_LIST_SEPARATOR = re.compile(r"[;,]\s*")
# A variant mark: ``--- T315I ---`` (three or more dashes each side).
_MARK = re.compile(r"[ \t]*-{3,}[ \t]*([^-\s](?:[^-]|-(?!--))*?)[ \t]*-{3,}[ \t]*")


@dataclass(slots=True)
class Segment:
    """A labelled piece of one line."""

    label: str  # name | description | measure | allocation | model
    text: str
    line: int
    time: str | None = None  # measure only: the time frame text
    has_time_separator: bool = False  # measure only

    def __init__(
        self, label: str, text: str, line: int, time: str | None = None, has_time_separator: bool = False
    ) -> None:
        # written out, as in registry_tool.model: mypyc compiles this one
        self.label = label
        self.text = text
        self.line = line
        self.time = time
        self.has_time_separator = has_time_separator


@dataclass(slots=True)
class _Description:
    parts: list[str]
    line: int
    follows_name: bool

    def __init__(self, parts: list[str], line: int, follows_name: bool) -> None:
        self.parts = parts
        self.line = line
        self.follows_name = follows_name


@dataclass(slots=True)
class _Assembly:
    """The state of step 3: fields found so far."""

    record: Record
    summary: list[str] = field(default_factory=list)
    pending: list[_Description] = field(default_factory=list)
    previous: str | None = None  # the label of the previous segment
    criteria_lines: list[tuple[int, str]] = field(default_factory=list)
    open_description: _Description | None = None


def split_lines(text: str) -> list[str]:
    """The entry's lines, byte-order mark and trailing white space removed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _canonical_label(raw: str) -> str:
    label = raw.lower()
    return "model" if label.startswith("intervention") else label


def line_segments(line: str, number: int) -> list[Segment]:
    """The labelled segments of a line that starts with a label; [] otherwise."""
    m = _LABEL_AT_START.match(line)
    if not m:
        return []
    return _labelled(_canonical_label(m.group(1)), line[m.end():], number)


def _labelled(label: str, rest: str, number: int) -> list[Segment]:
    if label != "measure":
        return [Segment(label, rest, number)]
    sep = _TIME_SEPARATOR.search(rest)
    if sep is None:
        return [Segment("measure", rest, number)]
    after = rest[sep.end():]
    glued = _GLUED_LABEL.search(after) if ":" in after else None
    time = after[: glued.start()] if glued else after
    segments = [Segment("measure", rest[: sep.start()], number, time, True)]
    if glued:
        segments.extend(_labelled(_canonical_label(glued.group(1)), after[glued.end():], number))
    return segments


def stable_id(lines: list[str]) -> str:
    """A record id derived from the entry's content (line ends and trailing spaces aside)."""
    digest = hashlib.sha1("\n".join(lines).strip().encode("utf-8")).hexdigest()
    return f"text-{digest[:16]}"


def parse_text(text: str, path: str | None = None) -> Record:
    """Parse one flattened registry entry into a canonical record.

    Raises :class:`registry_tool.errors.ParseError` for an entry with no text
    or with NUL characters (binary data, not an entry).
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
    state = _Assembly(record)
    kinds = [_structural(line) for line in lines]
    structural = [i for i, kind in enumerate(kinds) if kind]
    if not structural:  # no block at all: the whole entry is its summary
        state.summary = [line.strip() for line in lines if line]
        return state
    first, last = structural[0], structural[-1]
    # Before the first structural line: the summary (FORMAT: the text before the first label).
    state.summary = [line.strip() for line in lines[:first] if line]
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
        block = kind.lastgroup if kind else None
        if block == "label":
            in_criteria = False
            for segment in line_segments(line, number):
                _take_segment(state, segment)
        elif block == "model":
            in_criteria = False
            _take_segment(state, Segment("model", stripped, number))
        elif block == "snp":
            in_criteria = True
            _take_snp_line(state, kind.group("count"), stripped, number)  # type: ignore[union-attr]
        elif block == "heading":
            in_criteria = True
            _close_descriptions(state)
            state.criteria_lines.append((number, line))
        elif in_criteria:
            state.criteria_lines.append((number, line))
        elif state.open_description is not None:
            state.open_description.parts.append(stripped)
        else:
            _unplaced(record, f"line {number}", stripped, number, "text on this line fits no field")

    # After the last structural line every line is a criterion (from the first non-blank one).
    _close_descriptions(state)
    tail = range(last + 1, len(lines))
    if not in_criteria:
        tail = range(next((i for i in tail if lines[i]), len(lines)), len(lines))
    state.criteria_lines.extend((i + 1, lines[i]) for i in tail)
    return state


def _take_segment(state: _Assembly, seg: Segment) -> None:
    record = state.record
    state.open_description = None
    label = seg.label
    if label == "description":
        desc = _Description([seg.text.strip()], seg.line, state.previous in ("name", "description-after-name"))
        state.pending.append(desc)
        state.open_description = desc
        state.previous = "description-after-name" if desc.follows_name else "description"
        return
    if label == "name":
        _close_descriptions(state)
        name = fold_ws(seg.text)
        if not name:
            record.warn("empty-name", "a Name: line has no name; kept as an empty intervention", "interventions", seg.line)
        record.interventions.append(Intervention(name))
    elif label == "measure":
        _take_measure(state, seg)
    elif label == "allocation":
        _close_descriptions(state)
        _set_design(state, "allocation", seg, ALLOCATION)
    elif label == "model":
        _close_descriptions(state)
        _set_design(state, "intervention_model", seg, INTERVENTION_MODEL)
    state.previous = label


def _take_measure(state: _Assembly, seg: Segment) -> None:
    record = state.record
    description = None
    pending = state.pending
    if pending:
        if len(pending) >= 2 and pending[0].follows_name and _can_describe_intervention(record):
            # Rule 5: two descriptions in a row after a Name: the first is the intervention's.
            record.interventions[-1].description = _text(pending.pop(0))
        for orphan in pending[:-1]:
            _orphan_description(record, orphan, "another description follows it before the measure")
        description = _text(pending[-1])
        state.pending = []
    measure = fold_ws(seg.text)
    index = len(record.outcomes)
    if not measure:
        record.warn("empty-measure", "a Measure: line has no measure text", f"outcomes[{index}].measure", seg.line)
    if not seg.has_time_separator:
        record.warn(
            "no-time-separator",
            "the Measure: line has no '. Time: ' separator; the whole line is the measure and the time frame is null",
            f"outcomes[{index}].time_frame",
            seg.line,
        )
    record.outcomes.append(Outcome(measure=measure, description=description, time_frame=parse_time_frame(seg.time)))


def _set_design(state: _Assembly, name: str, seg: Segment, table: dict[str, str]) -> None:
    record = state.record
    value = seg.text.strip()
    label = "Allocation" if name == "allocation" else "Intervention model"
    if getattr(record.design, name) is not None:
        _unplaced(record, f"{label} (line {seg.line})", value, seg.line, f"a second {label.lower()} value")
        return
    found = coded(table, value)
    if found is None:
        record.warn(f"empty-{name.replace('_', '-')}", f"{label} is given with no value", f"design.{name}", seg.line)
        return
    if found.code is None:
        record.warn(
            f"unknown-{name.replace('_', '-')}",
            f"{label.lower()} {value!r} is not a spelling we know; text kept, code null",
            f"design.{name}",
            seg.line,
        )
    setattr(record.design, name, CodedText(value, found.code))


def _take_snp_line(state: _Assembly, word: str, line: str, number: int) -> None:
    _close_descriptions(state)
    state.previous = "snp"
    state.open_description = None
    record = state.record
    word = word.lower()
    count = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    if count is None:
        _unplaced(record, f"line {number}", line, number, f"variant count {word!r} is not a number we know")
    elif record.declared_variant_count is not None:
        _unplaced(record, f"line {number}", line, number, "a second variant-count line")
    else:
        record.declared_variant_count = count


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
    _unplaced(record, f"Description (line {desc.line})", _text(desc) or "", desc.line, f"a description that describes nothing: {why}")


def _text(desc: _Description) -> str | None:
    return fold_ws(" ".join(desc.parts)) or None


def _unplaced(record: Record, key: str, value: str, line: int, why: str) -> None:
    record.extras[key] = value
    record.warn("unplaced-text", f"{why}; kept in extras[{key!r}]", "extras", line)


def _finish(state: _Assembly) -> None:
    record = state.record
    summary = fold_ws(" ".join(state.summary))
    record.summary = summary or None
    phases, phrases = phases_in_prose(record.summary)
    if phases:
        record.phases = phases
        record.warn(
            "phases-from-summary",
            f"phases {', '.join(phases)} derived from the summary ({'; '.join(repr(p) for p in phrases)}); "
            "the entry has no phase field",
            "phases",
        )
    _take_criteria(state)
    enrich_record(record)
    marked = sum(1 for v in record.variants if v.marked)
    declared = record.declared_variant_count
    if declared is not None and declared != marked:
        record.warn(
            "variant-count-mismatch",
            f"the entry declares {declared} variant(s) but {marked} marked variant(s) were found",
            "declared_variant_count",
        )


def _criteria_block(state: _Assembly) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The criteria region's lines with marks taken out, and (line index, mark texts) of each marked line."""
    cleaned: list[str] = []
    marks: list[tuple[int, list[str]]] = []
    for i, (_, line) in enumerate(state.criteria_lines):
        found = _MARK.findall(line) if "---" in line else None
        if found:
            marks.append((i, [part for mark in found for part in _split_mark(mark)]))
            line = _MARK.sub(" ", line).rstrip()
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
    for span in spans:
        record.eligibility.criteria.append(span.criterion)
    for i, texts in marks:
        criterion = _criterion_for_line(spans, i)
        if criterion is None:
            for text in texts:
                record.warn(
                    "unattached-variant",
                    f"variant mark {text!r} is on a line with no criterion; kept with no criterion",
                    "variants",
                    numbers[i],
                )
        for text in texts:
            record.variants.append(variant_from_mark(text, None if criterion is None else criterion + offset))


def _criterion_for_line(spans: list, line_index: int) -> int | None:
    """The criterion a line belongs to; a marks-only line belongs to the criterion above it."""
    for k, span in enumerate(spans):
        if span.first_line <= line_index <= span.last_line:
            return k
    above = [k for k, span in enumerate(spans) if span.last_line < line_index]
    return above[-1] if above else None


def _split_mark(mark: str) -> list[str]:
    """One mark may name several variants: ``T315I, E255K``."""
    parts = [p.strip() for p in _MARK_LIST_SEPARATOR.split(mark)]
    return [p for p in parts if p]


def read(data: bytes, path: str | None) -> Iterator[Record]:
    """The ``text`` importer: one entry per document."""
    yield parse_text(decode_text(data, path), path)


