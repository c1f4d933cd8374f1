"""WHO ICTRP exports -> raw records, one a trial (the normalise stack runs next).

Two forms of the same columns (:mod:`.layout`): the XML export
(``<Trials_downloaded_from_ICTRP><Trial><TrialID>...``), parsed with the
registry XML reader's safe parser (no DTD, no entities, no network, a size
limit), and the CSV export (header row first), read with the csv module
(byte-order mark, quoting, line breaks inside a cell). Each trial gives one
record; a trial that cannot be read gives a Failure naming its position and
line, and the file goes on.

The reader splits and codes what each column holds (:mod:`.fields`,
:mod:`.design`, :mod:`.items`) and normalises nothing: criteria blocks stay
blocks, time frames stay text. Every non-empty column lands in a field or in
``extras`` under its element name; where a value is ambiguous the text is
kept, no code is given, and the record says so in a warning.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ... import vocabulary
from ...decoding import decode_text
from ...errors import Failure, RecordError
from ...model import (
    ArmGroup,
    CodedText,
    CriteriaBlock,
    Enrollment,
    EnrollmentGroup,
    Record,
    Source,
    Sponsor,
)
from ...textclean import fold_ws
from ..base import ReadResult
from ..ctgov_xml.safety import parse_xml
from . import fields
from .design import read_design
from .items import PLACEHOLDERS, collapse_repeats, split_interventions, split_outcomes
from .layout import DATES, XML_ROOT, column_name

FORMAT = "ictrp"

# Large cells (a trial's criteria) are allowed; the csv module's default limit is 128 KiB.
csv.field_size_limit(64 * 1024 * 1024)

_EXPORT_LABEL = {kind: re.compile(rf"^{kind} criteria\s*:", re.IGNORECASE)
                 for kind in ("inclusion", "exclusion")}


def read(document: Any) -> Iterator[ReadResult]:
    """The raw records of an ICTRP XML or CSV export, one a trial (or a Failure in a trial's place)."""
    path = document.path
    data = document.bytes()
    try:
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            yield from _read_xml(data, path)
        else:
            yield from _read_csv(data, path)
    except RecordError as exc:
        if exc.failure.path is None:
            exc.failure.path = path
        yield exc.failure


# --- the two forms ------------------------------------------------------------------------------


def _read_xml(data: bytes, path: str | None) -> Iterator[ReadResult]:
    root = parse_xml(data, path, expected="an ICTRP export (<Trials_downloaded_from_ICTRP>)")
    if root.tag != XML_ROOT:
        raise RecordError(Failure(
            "not-ictrp", f"the root element is <{root.tag}>, expected <{XML_ROOT}> (a WHO ICTRP XML export)",
            path=path, line=root.sourceline))
    index = 0
    for trial in root:
        if not isinstance(trial.tag, str):
            continue  # a processing instruction
        line = trial.sourceline
        try:
            columns: list[tuple[str, str]] = []
            nested: list[str] = []
            if trial.tag != "Trial":
                columns.append(("(element)", trial.tag))
            stray = [trial.text or ""]  # text between a trial's elements, which no export writes: kept
            for child in trial:
                stray.append(child.tail or "")
                if not isinstance(child.tag, str):
                    continue
                columns.append((column_name(child.tag), _element_text(child)))
                if len(child):
                    nested.append(child.tag)
            if "".join(stray).strip():
                columns.append(("(text)", " ".join(t.strip() for t in stray if t.strip())))
            record = record_from_columns(columns, path, line)
            for tag in nested:
                record.warn("unexpected-xml", f"<{tag}> holds elements where text was expected; read as text "
                            "with its markup", tag, line)
            yield record
        except Exception as exc:  # noqa: BLE001 - one trial must not stop the export
            yield Failure("internal-error", f"unexpected {type(exc).__name__}: {exc} (please report this input)",
                          path=path, index=index, line=line)
        index += 1


def _element_text(element: etree._Element) -> str:
    if not len(element):
        return element.text or ""
    inner = "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return (element.text or "") + inner


def _read_csv(data: bytes, path: str | None) -> Iterator[ReadResult]:
    text = decode_text(data, path)
    first_line = text.split("\n", 1)[0]
    # a comma, unless the header is written with semicolons or tabs (a spreadsheet's own CSV)
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        raise RecordError(Failure("bad-csv", f"cannot read the CSV header: {exc}", path=path, line=1)) from None
    if header is None or "TrialID" not in [column_name(h) for h in header]:
        raise RecordError(Failure(
            "not-ictrp", "expected an ICTRP export: the XML export (<Trials_downloaded_from_ICTRP>) or a CSV export "
            "whose header names TrialID", path=path, line=1))
    names = [column_name(h) for h in header]
    index = 0
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Failure("bad-csv", f"cannot read the CSV row: {exc} (expected RFC 4180 quoting)",
                          path=path, index=index, line=line)
            return
        if not any(cell.strip() for cell in row):
            continue
        try:
            columns = list(zip(names, row))
            columns += [(f"column {i + 1}", cell) for i, cell in enumerate(row[len(names):], len(names))]
            yield record_from_columns(columns, path, line)
        except Exception as exc:  # noqa: BLE001 - one trial must not stop the export
            yield Failure("internal-error", f"unexpected {type(exc).__name__}: {exc} (please report this input)",
                          path=path, index=index, line=line)
        index += 1


# --- one trial -----------------------------------------------------------------------------------


def record_from_columns(columns: list[tuple[str, str]], path: str | None = None, line: int | None = None) -> Record:
    """The raw record of one trial's columns ``(element name, text as given)``."""
    values: dict[str, str] = {}
    record = Record(record_id="", source=Source(FORMAT, path))
    for name, raw in columns:
        value = raw.strip()
        if not value:
            continue  # an empty column holds nothing to keep
        if name in values:  # a column given twice: the second kept as written
            n = 2
            while f"{name}[{n}]" in record.extras:
                n += 1
            record.extras[f"{name}[{n}]"] = value
            continue
        values[name] = value
    _Trial(record, values, line).read()
    return record


class _Trial:
    """Reads one trial's values into its record; whatever no field takes goes to ``extras``."""

    def __init__(self, record: Record, values: dict[str, str], line: int | None):
        self.record = record
        self.values = values
        self.line = line
        self.taken: set[str] = set()

    # helpers

    def take(self, name: str, decode: bool = True) -> str | None:
        """The column's text (markup decoded), marked as taken; None where the trial does not give it."""
        value = self.values.get(name)
        if value is None:
            return None
        self.taken.add(name)
        return fields.decode_markup(value) if decode else value

    def keep(self, name: str) -> None:
        """Keep the column's text as given in extras (it is not wholly in a field)."""
        if name in self.values:
            self.record.extras[name] = self.values[name]

    def warn(self, code: str, message: str, field: str | None) -> None:
        self.record.warn(code, message, field, self.line)

    def coded(self, name: str, concept: vocabulary.Concept, field: str) -> CodedText | None:
        text = self.take(name)
        if text is None or not fold_ws(text):
            return None
        text = fold_ws(text)
        code = concept.code(text)
        why = vocabulary.AMBIGUOUS.get(concept.name, {}).get(vocabulary.key(text))
        if code is None and why is not None:
            self.warn("ambiguous-value", f"{name} {text!r} is ambiguous ({why}); text kept, no code", field)
        elif code is None:
            self.warn("unknown-code", f"{name} {text!r} is not a known {concept.described}; text kept, code null",
                      field)
        return CodedText(text, code)

    # the trial

    def read(self) -> None:
        r = self.record
        self._identity()
        r.title = fold_ws(self.take("Public_title") or "") or None
        r.official_title = fold_ws(self.take("Scientific_title") or "") or None
        r.acronym = fold_ws(self.take("Acronym") or "") or None
        lead = fold_ws(self.take("Primary_sponsor") or "")
        if lead:
            r.sponsors.lead = Sponsor(lead)
        r.sponsors.collaborators = [Sponsor(s) for s in fields.split_list(self.take("Secondary_Sponsor") or "")]
        registry = fold_ws(self.take("Source_Register") or "")
        r.source.registry = registry or None
        self._dates()
        r.overall_status = self.coded("Recruitment_Status", vocabulary.OVERALL_STATUS, "overall_status")
        r.study_type = self.coded("Study_type", vocabulary.STUDY_TYPE, "study_type")
        self._phases()
        self._design()
        self._eligibility()
        groups = self._enrollment()
        conditions = fields.split_list(self.take("Condition") or "")
        r.conditions = collapse_repeats(conditions)
        if len(r.conditions) < len(conditions):
            self.keep("Condition")  # the export repeated the whole list: the text as given
        r.countries = fields.unique(fields.split_list(self.take("Countries") or ""))
        self._interventions(groups)
        self._outcomes()
        for name, value in self.values.items():
            if name not in self.taken and name not in r.extras:
                r.extras[name] = value

    def _identity(self) -> None:
        r = self.record
        trial_id = fold_ws(self.take("TrialID") or "")
        if not trial_id:
            content = "\n".join(f"{k}\t{v}" for k, v in sorted(self.values.items()))
            trial_id = "ictrp-" + hashlib.sha1(content.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            r.record_id = trial_id
            self.warn("no-trial-id", f"the trial has no TrialID; record id {trial_id} derived from its content",
                      "record_id")
        else:
            r.record_id = trial_id
            r.registry_ids.append(trial_id)
        for other in fields.split_list(self.take("Secondary_ID") or ""):
            if fields.label_key(other) in PLACEHOLDERS:
                self.keep("Secondary_ID")  # "NIL" is no id: the text as given
            elif other not in r.registry_ids:
                r.registry_ids.append(other)

    def _dates(self) -> None:
        r = self.record
        for name, key in DATES.items():
            text = self.take(name)
            if text is None:
                continue
            text = fold_ws(text)
            iso = fields.iso_date(text)
            if iso is None:
                self.keep(name)
                self.warn("unparsed-value", f"{name} {text!r} is not a date this reader knows "
                          "(30/01/2020, 2020-01-30, January 30, 2020); kept in extras", f"dates.{key}")
                continue
            r.dates[key] = iso
            if iso != text:
                self.keep(name)  # the date as written
        compact = self.take("Date_registration3")
        if compact is not None and fields.iso_date(compact) != r.dates.get("registration"):
            self.keep("Date_registration3")

    def _phases(self) -> None:
        text = self.take("Phase")
        if text is None or not fold_ws(text):
            return
        codes, problem = fields.phase_codes(text)
        self.record.phases = codes
        shown = fold_ws(text)
        if problem is not None or fields.phase_wording_kept(text):
            self.keep("Phase")  # the codes do not say it all: the text as given
        if problem is not None:
            if problem == "ambiguous":
                why = vocabulary.AMBIGUOUS["phase"].get(vocabulary.key(shown), "it could be more than one phase")
                self.warn("ambiguous-value", f"Phase {shown!r} is ambiguous ({why}); text kept in extras, no code",
                          "phases")
            else:
                self.warn("unknown-code", f"Phase {shown!r} is not a known phase; text kept in extras, no code",
                          "phases")

    def _design(self) -> None:
        text = self.take("Study_design")
        if text is None:
            return
        study_type = self.record.study_type.code if self.record.study_type else None
        reading = read_design(text, study_type)
        self.record.design = reading.design
        for code, message in reading.warnings:
            self.warn(code, message, "design")
        coded = [reading.design.allocation, reading.design.intervention_model, reading.design.masking,
                 reading.design.primary_purpose]
        if not reading.complete or not any(coded):
            self.keep("Study_design")

    def _eligibility(self) -> None:
        e = self.record.eligibility
        e.gender = None
        gender = self.take("Inclusion_gender")
        if gender is not None and fold_ws(gender):
            shown = fold_ws(gender)
            code = fields.gender_code(gender)
            if code is None and vocabulary.key(shown) not in fields.NOT_GIVEN:
                self.warn("unknown-code", f"Inclusion_gender {shown!r} is not a known eligible sex; text kept, "
                          "code null", "eligibility.gender")
            e.gender = CodedText(shown, code)
        for name, attr in (("Inclusion_agemin", "minimum_age"), ("Inclusion_agemax", "maximum_age")):
            text = self.take(name)
            if text is None or not fold_ws(text):
                continue
            shown = fold_ws(text)
            setattr(e, attr, shown)
            years, understood = fields.age_years(shown)
            if attr == "maximum_age" and years == 0:
                self.keep(name)
                self.warn("ambiguous-value", f"{name} {shown!r}: a maximum age of 0 is how some registers write "
                          "no limit; text kept, no number", "eligibility.maximum_age_years")
                continue
            setattr(e, f"{attr}_years", years)
            if not understood:
                self.warn("unparsed-value", f"{name} {shown!r} is not an age this reader knows (18 Years, 16, "
                          "6 Months); text kept, no number", f"eligibility.{attr}_years")
        for name, kind in (("Inclusion_Criteria", "inclusion"), ("Exclusion_Criteria", "exclusion")):
            text = self.take(name)
            if text is None or not text.strip():
                continue
            # a block with headings of both kinds (ClinicalTrials.gov rows) sets its items' kinds itself
            lowered = text.lower()
            both = "inclusion criteria" in lowered and "exclusion criteria" in lowered
            # the export's own label before every register's text ("Inclusion criteria: ...") is the
            # column's name, which the block's kind says; the register's own headings stay
            block = text.strip() if both else _EXPORT_LABEL[kind].sub("", text.strip(), count=1).strip()
            if not block:
                continue  # the label alone: no criteria
            e.criteria_blocks.append(CriteriaBlock(kind=None if both else kind, markup="plain", text=block))

    def _enrollment(self) -> list[str]:
        text = self.take("Target_size")
        if text is None or not fold_ws(text):
            return []
        count, groups, problem = fields.target_size(text)
        self.record.enrollment = Enrollment(count, None, [EnrollmentGroup(label, n) for label, n in groups])
        if fields.target_size_says_more(text):
            self.keep("Target_size")
        if problem is not None:
            self.warn("target-size-unclear", f"Target_size {fold_ws(text)!r} does not add up ({problem}); "
                      "groups kept, count null", "enrollment.count")
        return [label for label, _ in groups]

    def _interventions(self, groups: list[str]) -> None:
        text = self.take("Intervention")
        if text is None:
            return
        found = split_interventions(text, groups)
        self.record.interventions = found.items
        if found.placeholders or found.collapsed:
            self.keep("Intervention")  # what the interventions do not show: the text as given
        arms = {label: None for i in found.items for label in i.arm_group_labels}
        self.record.arm_groups = [ArmGroup(label) for label in arms]

    def _outcomes(self) -> None:
        for name, kind in (("Primary_outcome", "primary"), ("Secondary_outcome", "secondary")):
            text = self.take(name)
            if text is None:
                continue
            found = split_outcomes(text, kind)
            self.record.outcomes.extend(found.items)
            for label, kept in found.kept.items():
                self.record.extras[f"{name}/{label}"] = kept
