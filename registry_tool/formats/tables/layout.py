"""The table layout shared by the CSV and SQLite exports, declared once.

Each :class:`Table` names its columns (with their Frictionless type,
description and constraints), its primary key, its foreign keys, the indexes
the SQLite export builds, and how a record gives its rows. The CSV exporter
turns this into ``datapackage.json`` and CSV files, the SQLite exporter into
``CREATE TABLE`` statements; neither lists a column of its own.

How the record flattens:

* ``trials`` holds one row a record; every other table holds the record's
  items, one a row, keyed by ``record_id`` and a 1-based index (1 for the
  first outcome, ...), in the record's own order.
* A design-like field gives two columns: the contract code (``allocation``)
  and the input's wording (``allocation_text``).
* ``phases`` is a ``;``-joined list of contract codes (``PHASE1;PHASE2``);
  codes never hold a ``;``. Lists of free text (conditions, other names, ...)
  and the ``dates`` mapping are JSON text (``["a", "b"]``), so a value holding
  a ``;`` or a comma stays one value.
* An empty list, a null and an empty string are all an empty cell in CSV
  (SQLite keeps an empty string apart from NULL).
* References inside a record become 1-based indexes too: a variant's
  ``criterion_index`` and a criterion's ``parent_index`` are the
  ``criterion_index`` they point to.

The protocol child tables are in :mod:`.protocol`, the results tables in
:mod:`.results_layout`, and what a table is declared with in :mod:`.table`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from ... import vocabulary
from ...errors import Failure, RecordError, UsageError
from ...model import CodedText, Record
from ..base import Encoder, Prepared, Sink, WriteOptions
from .protocol import PROTOCOL_TABLES, healthy_volunteers, trial_columns
from .results_layout import RESULT_TABLES
from .table import (
    TO_TRIALS,
    Column,
    ForeignKey,
    Item,
    Table,
    attr,
    child_table,
    joined,
    json_list,
    json_text,
    key,
    record_id_column,
)

# Bump when a table or column changes meaning or goes away (adding one is
# also a bump, so an older database is never half-filled); the SQLite export
# stores it as PRAGMA user_version and datapackage.json names it.
LAYOUT_VERSION = 3  # 3: the spans, protocol child and results tables; variants.genes, .name, .mention; the ICTRP columns

_PHASE = "(" + "|".join(vocabulary.PHASE.codes) + ")"
PHASES_PATTERN = f"{_PHASE}(;{_PHASE})*"


def _code(coded: CodedText | None) -> str | None:
    return None if coded is None else coded.code


def _text(coded: CodedText | None) -> str | None:
    return None if coded is None else coded.text


def _index_of(zero_based: int | None) -> int | None:
    return None if zero_based is None else zero_based + 1


def _coded_columns(
    name: str, get: Callable[[Record], CodedText | None], what: str, codes: tuple[str, ...] = ()
) -> tuple[Column, Column]:
    return (
        Column(name, "string", f"{what}: the contract code; empty where the wording maps to none.",
               lambda r: _code(get(r)), enum=codes),
        Column(f"{name}_text", "string", f"{what}: the input's own wording.", lambda r: _text(get(r))),
    )


# --- the tables ---------------------------------------------------------------------------

TRIALS = Table(
    "trials",
    "One row a record: the trial's identity, titles, design and eligibility summary.",
    (
        Column("record_id", "string",
               "The record's id: the registry id (NCT number) where known, else a stable id derived from the content.",
               lambda r: r.record_id, required=True),
        Column("source_format", "string", "The input format the record was read from.",
               lambda r: r.source.format, enum=vocabulary.SOURCE_FORMAT.codes),
        Column("source_path", "string", "The file the record was read from; empty for standard input.",
               lambda r: r.source.path),
        Column("registry_ids", "array", "Registry ids as a JSON list: the NCT id first where known, then other ids.",
               lambda r: json_list(r.registry_ids)),
        Column("title", "string", "Brief title.", lambda r: r.title),
        Column("official_title", "string", "Official title.", lambda r: r.official_title),
        Column("acronym", "string", "Acronym of the trial.", lambda r: r.acronym),
        Column("summary", "string", "Brief summary.", lambda r: r.summary),
        Column("detailed_description", "string", "Detailed description.", lambda r: r.detailed_description),
        Column("phases", "string", "Phases as contract codes joined by ';' (PHASE1;PHASE2); empty when none is given.",
               lambda r: joined(r.phases), pattern=PHASES_PATTERN),
        *_coded_columns("study_type", lambda r: r.study_type, "Study type", vocabulary.STUDY_TYPE.codes),
        *_coded_columns("overall_status", lambda r: r.overall_status, "Overall recruitment status",
                        vocabulary.OVERALL_STATUS.codes),
        *_coded_columns("allocation", lambda r: r.design.allocation, "Allocation", vocabulary.ALLOCATION.codes),
        *_coded_columns("intervention_model", lambda r: r.design.intervention_model, "Intervention model",
                        vocabulary.INTERVENTION_MODEL.codes),
        *_coded_columns("masking", lambda r: r.design.masking, "Masking", vocabulary.MASKING.codes),
        *_coded_columns("primary_purpose", lambda r: r.design.primary_purpose, "Primary purpose",
                        vocabulary.PRIMARY_PURPOSE.codes),
        Column("conditions", "array", "Conditions studied, as a JSON list.", lambda r: json_list(r.conditions)),
        Column("keywords", "array", "Keywords, as a JSON list.", lambda r: json_list(r.keywords)),
        Column("enrollment_count", "integer", "Number of participants enrolled or anticipated.",
               lambda r: None if r.enrollment is None else r.enrollment.count, minimum=0),
        Column("enrollment_type", "string", "Whether the enrollment count is actual or estimated (API v2 code; "
               "legacy Anticipated is ESTIMATED).",
               lambda r: None if r.enrollment is None else vocabulary.DATE_TYPE.code(r.enrollment.type),
               enum=vocabulary.DATE_TYPE.codes),
        Column("enrollment_type_text", "string", "The enrollment type as the source wrote it (Anticipated).",
               lambda r: None if r.enrollment is None else r.enrollment.type),
        Column("source_organization", "string", "The organisation that provides the registry record.",
               lambda r: r.source_organization),
        Column("dates", "object",
               "Registry dates as written, as a JSON object keyed by the registry schema's element name.",
               lambda r: json_text(r.dates) if r.dates else None),
        Column("date_types", "object",
               "The kind of each registry date as written (Actual, Anticipated, ESTIMATED), a JSON object keyed "
               "like dates.",
               lambda r: json_text(r.date_types) if r.date_types else None),
        *_coded_columns("gender", lambda r: r.eligibility.gender, "Eligible sex", vocabulary.GENDER.codes),
        Column("minimum_age", "string", "Minimum eligible age as written (18 Years).",
               lambda r: r.eligibility.minimum_age),
        Column("maximum_age", "string", "Maximum eligible age as written.", lambda r: r.eligibility.maximum_age),
        Column("healthy_volunteers", "boolean", "Whether healthy volunteers are accepted.",
               lambda r: healthy_volunteers(r.eligibility.healthy_volunteers)),
        Column("healthy_volunteers_text", "string", "Whether healthy volunteers are accepted, as written.",
               lambda r: r.eligibility.healthy_volunteers),
        Column("declared_variant_count", "integer",
               "How many variant mentions the entry declares ('There is one SNP'); empty where it does not say.",
               lambda r: r.declared_variant_count, minimum=0),
        Column("criteria_blocks", "array",
               "The eligibility criteria as the source wrote them, before they were split into criteria.csv: "
               "a JSON list of {kind, markup, text}.",
               lambda r: json_list([msgspec.to_builtins(b) for b in r.eligibility.criteria_blocks])),
        Column("has_results", "boolean", "true when the record carries results (the result_* tables).",
               lambda r: r.results is not None, True),
        *trial_columns(),
        Column("source_registry", "string",
               "The source register as the input names it (a WHO ICTRP export's ChiCTR, ClinicalTrials.gov, ...).",
               lambda r: r.source.registry),
        Column("countries", "array", "Countries of the trial, each once, as a JSON list.",
               lambda r: json_list(r.countries)),
        Column("enrollment_groups", "array",
               "The groups a target size is given for (WHO ICTRP), a JSON list of {label, count}; "
               "enrollment_count is their sum.",
               lambda r: None if r.enrollment is None else json_list([msgspec.to_builtins(g)
                                                                      for g in r.enrollment.groups])),
    ),
    ("record_id",),
    lambda record: (record,),
)

SPONSORS = child_table(
    "sponsors",
    "The lead sponsor (first, where known) and the collaborators of each record.",
    "sponsor_index",
    "sponsor",
    (
        Column("role", "string", "lead or collaborator.", lambda item: item.obj[0], True,
               enum=("lead", "collaborator")),
        Column("agency", "string", "The sponsoring agency.", lambda item: item.obj[1].agency),
        Column("agency_class", "string", "The agency's class (API v2 code: INDUSTRY, NIH, FED, OTHER, ...).",
               lambda item: vocabulary.AGENCY_CLASS.code(item.obj[1].agency_class),
               enum=vocabulary.AGENCY_CLASS.codes),
        Column("agency_class_text", "string", "The agency's class as the source wrote it (Industry, U.S. Fed).",
               lambda item: item.obj[1].agency_class),
    ),
    lambda r: ([("lead", r.sponsors.lead)] if r.sponsors.lead else [])
    + [("collaborator", c) for c in r.sponsors.collaborators],
)

ARM_GROUPS = child_table(
    "arm_groups",
    "The arms (groups) of each record.",
    "arm_group_index",
    "arm",
    (
        Column("label", "string", "The arm's label.", attr("label")),
        Column("type", "string", "The arm's type (API v2 code: EXPERIMENTAL, PLACEBO_COMPARATOR, ...).",
               lambda item: vocabulary.ARM_GROUP_TYPE.code(item.obj.type), enum=vocabulary.ARM_GROUP_TYPE.codes),
        Column("type_text", "string", "The arm's type as the source wrote it (Placebo Comparator).", attr("type")),
        Column("description", "string", "The arm's description.", attr("description")),
    ),
    lambda r: r.arm_groups,
)

INTERVENTIONS = child_table(
    "interventions",
    "The interventions of each record.",
    "intervention_index",
    "intervention",
    (
        Column("name", "string", "The intervention's name.", attr("name")),
        Column("description", "string", "The intervention's description.", attr("description")),
        Column("type", "string", "The intervention type as a contract code.", attr("type"),
               enum=vocabulary.INTERVENTION_TYPE.codes),
        Column("other_names", "array", "Other names of the intervention, as a JSON list.",
               lambda item: json_list(item.obj.other_names)),
        Column("arm_group_labels", "array", "Labels of the arms that receive it (arm_groups.label), as a JSON list.",
               lambda item: json_list(item.obj.arm_group_labels)),
    ),
    lambda r: r.interventions,
    indexes=(("type",),),
)


def _time_frame(item: Item, name: str) -> Any:
    tf = item.obj.time_frame
    return None if tf is None else getattr(tf, name)


OUTCOMES = child_table(
    "outcomes",
    "The outcome measures of each record, with their time frame's horizon.",
    "outcome_index",
    "outcome",
    (
        Column("type", "string", "primary, secondary or other; empty where the input does not say.", attr("type"),
               enum=vocabulary.OUTCOME_TYPE.codes),
        Column("measure", "string", "The outcome measure (its title) as written.", attr("measure")),
        Column("description", "string", "The outcome's description.", attr("description")),
        Column("time_frame", "string", "The time frame as written; empty where none is given.",
               lambda item: _time_frame(item, "text")),
        Column("max_days", "number",
               "The time frame's horizon in days: the largest days of its time points "
               "(1 week = 7, 1 month = 30.4375, 1 year = 365.25 days).",
               lambda item: _time_frame(item, "max_days")),
        Column("time_frame_events", "array",
               "Events with no fixed length the time frame names (end of study), as a JSON list.",
               lambda item: None if item.obj.time_frame is None else json_list(item.obj.time_frame.events)),
        Column("time_frame_fully_parsed", "boolean",
               "true when every time expression became a time point or a named event; "
               "false where the parser understood only part (see warnings).",
               lambda item: _time_frame(item, "fully_parsed")),
        Column("abbreviation", "string", "The abbreviation the measure defines (ORR).", attr("abbreviation")),
        Column("assessors", "array", "Who assesses the measure, where it says, as a JSON list.",
               lambda item: json_list(item.obj.assessors)),
    ),
    lambda r: r.outcomes,
    indexes=(("max_days",), ("type",)),
)


def _time_point_items(record: Record) -> Iterator[Item]:
    for i, outcome in enumerate(record.outcomes, 1):
        if outcome.time_frame is not None:
            for j, point in enumerate(outcome.time_frame.points, 1):
                yield Item(record.record_id, (i, j), point)


TIME_POINTS = Table(
    "time_points",
    "The time points of each outcome's time frame, converted to days where the unit has a fixed length.",
    (
        record_id_column("time point"),
        Column("outcome_index", "integer", "The outcome (outcomes.outcome_index) whose time frame holds the point.",
               key(0), True, minimum=1),
        Column("point_index", "integer", "1-based position of the point within its time frame.",
               key(1), True, minimum=1),
        Column("value", "number", "The number as written (3 in '3 months').", attr("value"), True),
        Column("unit", "string", "The unit of the value, one of the listed words.", attr("unit"), True,
               enum=vocabulary.TIME_UNIT.codes),
        Column("days", "number", "The point in days; empty where the unit has no fixed length (a cycle).",
               attr("days")),
        Column("relation", "string", "How the point bounds the time frame.", attr("relation"), True,
               enum=vocabulary.TIME_RELATION.codes),
        Column("anchor", "string", "The event the point counts from (surgery), where named.", attr("anchor")),
    ),
    ("record_id", "outcome_index", "point_index"),
    _time_point_items,
    (TO_TRIALS, ForeignKey(("record_id", "outcome_index"), "outcomes", ("record_id", "outcome_index"))),
    (("days",),),
)

_TO_CRITERION = ("record_id", "criterion_index")

CRITERIA = child_table(
    "criteria",
    "The eligibility criteria of each record, one item a row; nested items name their parent.",
    "criterion_index",
    "criterion",
    (
        Column("kind", "string", "inclusion or exclusion; empty where the input does not say.", attr("kind"),
               enum=vocabulary.CRITERION_KIND.codes),
        Column("number", "string", "The item's number as written (5, 2a, iii).", attr("number")),
        Column("text", "string", "The criterion's text.", attr("text")),
        Column("parent_index", "integer",
               "The criterion_index of the item this one nests under; empty at the top level.",
               lambda item: _index_of(item.obj.parent), minimum=1),
        Column("section", "string", "The heading the item falls under (DISEASE CHARACTERISTICS).", attr("section")),
    ),
    lambda r: r.eligibility.criteria,
    (ForeignKey(("record_id", "parent_index"), "criteria", _TO_CRITERION, optional=True),),
    (("kind",),),
)

VARIANTS = child_table(
    "variants",
    "Gene-variant mentions found in each record (marked ones and ones found in the text).",
    "variant_index",
    "variant mention",
    (
        Column("text", "string", "The mention as written (T315I).", attr("text"), True),
        Column("kind", "string", "The kind of variant.", attr("kind"), True,
               enum=vocabulary.VARIANT_KIND.codes),
        Column("hgvs", "string", "HGVS form where known (p.Thr315Ile).", attr("hgvs")),
        Column("gene", "string", "The gene, where named.", attr("gene")),
        Column("marked", "boolean", "true for a marked mention (--- T315I --- in flattened text).", attr("marked"),
               True),
        Column("criterion_index", "integer",
               "The criterion (criteria.criterion_index) the mention belongs to; empty when found elsewhere.",
               lambda item: _index_of(item.obj.criterion), minimum=1),
        Column("found_in", "string", "JSON path of the text the mention was found in.", attr("found_in")),
        Column("candidate", "boolean", "true for a likely typo reported for review (see warnings).",
               attr("candidate"), True),
        Column("genes", "array", "A fusion's partners, 5' then 3', as current HGNC symbols, as a JSON list "
               "([\"BCR\", \"ABL1\"]).", lambda item: json_list(item.obj.genes or [])),
        Column("name", "string", "A fusion's HGNC name (BCR::ABL1).", attr("name")),
        Column("mention", "string", "The mention as written where it names several alternatives (V82A/F/T/S/L).",
               attr("mention")),
    ),
    lambda r: r.variants,
    (ForeignKey(_TO_CRITERION, "criteria", _TO_CRITERION, optional=True),),
    (("hgvs",), ("gene",)),
)

WARNINGS = child_table(
    "warnings",
    "Where the importer guessed or could not place something: one row a warning. Check these before analysis.",
    "warning_index",
    "warning",
    (
        Column("code", "string", "Stable warning code (time-frame-partial, unplaced-text, ...).", attr("code"), True),
        Column("message", "string", "What happened, in words.", attr("message")),
        Column("field", "string", "JSON path of the field concerned (outcomes[2].time_frame).", attr("field")),
        Column("line", "integer", "Line of the input concerned, where known.", attr("line"), minimum=1),
    ),
    lambda r: r.warnings,
    indexes=(("code",),),
)


def _extra_text(item: Item) -> str | None:
    value = item.obj[1]
    return value if isinstance(value, str) else None


def _extra_json(item: Item) -> str | None:
    value = item.obj[1]
    return None if isinstance(value, str) else json_text(value)


EXTRAS = child_table(
    "extras",
    "Input that fitted no field, kept under its label: text in 'text', any other value as JSON in 'json'.",
    "extra_index",
    "value",
    (
        Column("label", "string", "The label the value was found under (or where it was).",
               lambda item: item.obj[0]),
        Column("text", "string", "The value, when it is text.", _extra_text),
        Column("json", "string", "The value as JSON, when it is not text (a registry element's structure).",
               _extra_json),
    ),
    lambda r: list(r.extras.items()),
)

SPANS = child_table(
    "spans",
    "Where each field of a flattened-text entry was read from (the review page highlights them); "
    "none for registry records.",
    "span_index",
    "field span",
    (
        Column("field", "string", "JSON path of the field (outcomes[0].measure, variants[2]).",
               lambda item: item.obj[0], True),
        Column("start", "integer", "0-based offset of its first character in the entry.",
               lambda item: item.obj[1][0], True, minimum=0),
        Column("end", "integer", "0-based offset just after its last character.",
               lambda item: item.obj[1][1], True, minimum=0),
        Column("line", "integer", "The line it starts on.", lambda item: item.obj[1][2], True, minimum=1),
    ),
    lambda r: list(r.spans.items()),
)

# In dependency order: a table comes after every table it refers to.
TABLES: tuple[Table, ...] = (
    TRIALS, SPONSORS, ARM_GROUPS, INTERVENTIONS, OUTCOMES, TIME_POINTS, CRITERIA, VARIANTS, WARNINGS, EXTRAS,
    SPANS, *PROTOCOL_TABLES, *RESULT_TABLES,
)


def record_rows(record: Record) -> list[tuple[Table, list[tuple[Any, ...]]]]:
    """Every table's rows for one record, after checking its internal references.

    Raises :class:`RecordError` (``bad-reference``) when a variant or a
    criterion points at a criterion the record does not have: such a row
    would break the tables' foreign keys.
    """
    check_references(record)
    return [(table, table.rows(record)) for table in TABLES]


def check_references(record: Record) -> None:
    """Raise ``bad-reference`` if an index inside the record points at no criterion."""
    count = len(record.eligibility.criteria)
    pointers = [(f"$.eligibility.criteria[{i}].parent", c.parent) for i, c in enumerate(record.eligibility.criteria)]
    pointers += [(f"$.variants[{i}].criterion", v.criterion) for i, v in enumerate(record.variants)]
    for path, target in pointers:
        if target is not None and not 0 <= target < count:
            raise RecordError(
                Failure(
                    "bad-reference",
                    f"{path} is {target}, but the record has {count} criteria "
                    f"(expected a 0-based index below {count}, or null)",
                    record_id=record.record_id,
                    path=record.source.path,
                    json_path=path,
                )
            )


class TableEncoder(Encoder):
    """A record as its rows of every table, after checking its internal references."""

    def prepare(self, record: Record, data: dict[str, Any] | None = None) -> Prepared:
        rows = [rows for _, rows in record_rows(record)]
        return Prepared(record.record_id, record.source.path, rows)


class TableSink(Sink):
    """What the CSV and SQLite writers share: an output path is required, and a
    record goes in whole or not at all.

    A record whose references dangle fails (``bad-reference``, in the
    encoder), and so does a second record with an id already written in the
    batch (``duplicate-record-id``): ``record_id`` is every table's key, so
    the first is kept and the batch goes on. Subclasses write one record's
    rows (a list per table, in :data:`TABLES` order) in :meth:`write_rows`.
    """

    format_name = "tables"  # the --to name
    usage = "-o PATH"  # what it needs, for the usage error

    def __init__(self, out: str | None, options: WriteOptions):
        super().__init__(out, options)
        if self.out is None:
            raise UsageError(f"--to {self.format_name} needs {self.usage}")
        self.encoder = TableEncoder()
        self._written: dict[str, str | None] = {}  # record id -> the file it came from

    def write(self, prepared: Prepared) -> None:
        rid = prepared.record_id
        if rid in self._written:
            raise RecordError(
                Failure(
                    "duplicate-record-id",
                    f"record id {rid} is in both {self._written[rid] or '<stdin>'} and {prepared.path or '<stdin>'}; "
                    "the first is kept, this one is left out (a record id is every table's key)",
                    record_id=rid,
                    path=prepared.path,
                )
            )
        self.write_rows(rid, prepared.path, prepared.payload)
        self._written[rid] = prepared.path

    def write_rows(self, record_id: str, path: str | None, rows: list[list[tuple[Any, ...]]]) -> None:
        raise NotImplementedError
