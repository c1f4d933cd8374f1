"""The canonical record, declared once.

Every reader produces a :class:`Record`, every normalise step takes and gives
one, every writer consumes one. Each class is a ``msgspec.Struct``: its fields
are written here once, and from them follow

* the canonical JSON (``msgspec.json.encode``; the field order below is the
  key order of the JSON, which is the order of CONTRACT.md),
* decoding with type checks (:func:`record_from_json`, :func:`record_from_builtins`),
* the JSON Schema ``schemas/record.schema.json`` (:mod:`registry_tool.schema`
  builds it from these classes: each field's description, its constraints,
  the vocabulary named in ``extra={"codes": ...}``, and the fields a valid
  record must hold, listed in ``__schema_required__``).

This module imports nothing of the package.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import Meta, Struct, field

# The JSON value kept in ``Record.extras``: a string for text entries, any JSON
# value (nested objects and lists) for registry XML or JSON elements.
JsonValue = Any

NonNegative = Annotated[int, Meta(ge=0)]
Positive = Annotated[int, Meta(ge=1)]


class Model(Struct):
    """Base of the model's classes: each gives its canonical JSON form as plain dicts and lists."""

    def to_dict(self) -> Any:
        """This object's canonical JSON form (plain dicts, lists and scalars)."""
        return msgspec.to_builtins(self)


def _text(description: str, codes: str | None = None) -> Any:
    """Field metadata: a description, and the vocabulary (registry_tool.vocabulary) its codes come from."""
    return Meta(description=description, extra={"codes": codes} if codes else None)


class RecordWarning(Model):
    """A guess or a loss the reader must know about; ``code`` is one of registry_tool.catalogue."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("code", "message", "field")

    code: Annotated[str, Meta(min_length=1)]
    message: str
    field: Annotated[str | None, _text("JSON path of the field concerned: outcomes[2].time_frame.")] = None
    line: Annotated[Positive | None, _text("Line of the input concerned, where known.")] = None


class Source(Model):
    """Where a record came from."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("format", "path")

    format: Annotated[str, _text("The input format the record was read from.", "source_format")]
    path: Annotated[str | None, _text("The file the record was read from; null for stdin.")] = None


class CodedText(Model):
    """A design-like value: the input's own wording and its contract code (null where none fits)."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("text", "code")

    text: Annotated[str, _text("The input's own wording.")]
    code: str | None = None


class Design(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("allocation", "intervention_model")

    allocation: Annotated[CodedText | None, _text("Allocation.", "allocation")] = None
    intervention_model: Annotated[CodedText | None, _text("Intervention model.", "intervention_model")] = None
    masking: CodedText | None = None
    primary_purpose: CodedText | None = None


class Intervention(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("name", "description", "type")

    name: str
    description: str | None = None
    type: Annotated[str | None, _text("The intervention type.", "intervention_type")] = None
    other_names: list[str] = field(default_factory=list)
    arm_group_labels: list[str] = field(default_factory=list)


class ArmGroup(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("label", "type", "description")

    label: str
    type: str | None = None
    description: str | None = None


class TimePoint(Model):
    """One time expression of a time frame, converted to days where the unit has a fixed length."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("value", "unit", "days", "relation")

    value: int | float  # a JSON number: an int where the value is whole
    unit: Annotated[str, _text("The unit of the value.", "time_unit")]
    days: int | float | None
    relation: Annotated[str, _text("How the point bounds the time frame.", "time_relation")]
    anchor: Annotated[str | None, _text("The event the point counts from, where named.")] = None


class TimeFrame(Model):
    """A time frame: the text as written, its points and its horizon."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("text", "points", "max_days")

    text: Annotated[str, Meta(min_length=1)]
    points: list[TimePoint] = field(default_factory=list)
    max_days: int | float | None = None
    events: Annotated[list[str], _text("Named events with no fixed length (end of study).")] = field(
        default_factory=list
    )
    # True when every time expression became a point or a recognised event.
    fully_parsed: bool = False


class Outcome(Model, kw_only=True):
    __schema_required__: ClassVar[tuple[str, ...]] = ("type", "measure", "description", "time_frame")

    type: Annotated[str | None, _text("primary, secondary or other; null where the input does not say.",
                                      "outcome_type")] = None
    measure: str
    description: str | None = None
    time_frame: TimeFrame | None = None
    abbreviation: Annotated[str | None, _text(
        "Abbreviation the measure defines: ORR in 'Overall Remission Rate (ORR)'.")] = None
    assessors: Annotated[list[str], _text("Who assesses the measure, where it says.")] = field(default_factory=list)


class Criterion(Model, kw_only=True):
    """One eligibility item. ``parent`` is the 0-based index of the item it nests under."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("kind", "number", "text")

    kind: Annotated[str | None, _text("inclusion or exclusion; null where the input does not say.",
                                      "criterion_kind")] = None
    number: Annotated[str | None, _text("The item's number as written: 5, 2a, iii.")] = None
    text: str
    parent: NonNegative | None = None
    section: Annotated[str | None, _text("The headings the item falls under: PATIENT CHARACTERISTICS > Age.")] = None


class CriteriaBlock(Model, kw_only=True):
    """An eligibility criteria block as the source wrote it, before it is split into items."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("kind", "markup", "text")

    kind: Annotated[str | None, _text("The kind every item of the block has unless a heading in it says "
                                      "otherwise; null for a block with its own headings.", "criterion_kind")] = None
    markup: Annotated[str, _text("plain (a registry text block) or markdown (API v2).", "block_markup")] = "plain"
    text: str


class Eligibility(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("criteria",)

    criteria: list[Criterion] = field(default_factory=list)
    gender: CodedText | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    healthy_volunteers: str | None = None
    criteria_blocks: Annotated[list[CriteriaBlock], _text(
        "The criteria as the source wrote them (registry XML text block, API v2 Markdown), which "
        "the criteria are split from.")] = field(default_factory=list)


class Variant(Model):
    """A gene-variant mention."""

    __schema_required__: ClassVar[tuple[str, ...]] = ("text", "kind", "hgvs", "gene", "marked", "criterion")

    text: Annotated[str, Meta(min_length=1)]
    kind: Annotated[str, _text("The kind of variant.", "variant_kind")]
    hgvs: str | None = None
    gene: str | None = None
    marked: bool = False
    criterion: NonNegative | None = None  # 0-based index into eligibility.criteria
    found_in: Annotated[str | None, _text("JSON path of the text the mention was found in.")] = None
    candidate: Annotated[bool, _text("A likely typo reported for review, with a warning.")] = False


class Enrollment(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("count", "type")

    count: int | None = None
    type: str | None = None  # as written: "Actual", "Anticipated", "ESTIMATED"


class Sponsor(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("agency", "agency_class")

    agency: str
    agency_class: str | None = None


class Sponsors(Model):
    __schema_required__: ClassVar[tuple[str, ...]] = ("lead", "collaborators")

    lead: Sponsor | None = None
    collaborators: list[Sponsor] = field(default_factory=list)


class Record(Model, kw_only=True):
    """The canonical record every reader produces and every writer consumes."""

    __schema_required__: ClassVar[tuple[str, ...]] = (
        "record_id", "source", "registry_ids", "title", "summary", "phases", "design", "interventions",
        "outcomes", "eligibility", "variants", "declared_variant_count", "warnings", "extras",
    )

    record_id: Annotated[str, Meta(min_length=1, description=(
        "The registry id where known, else a stable id derived from the content."))]
    source: Source
    registry_ids: Annotated[list[str], _text("NCT id first where known, then other ids.")] = field(
        default_factory=list
    )
    title: Annotated[str | None, _text("Brief title.")] = None
    official_title: str | None = None
    acronym: str | None = None
    summary: str | None = None
    detailed_description: str | None = None
    phases: Annotated[list[str], _text("Phases as codes.", "phase")] = field(default_factory=list)
    study_type: CodedText | None = None
    overall_status: CodedText | None = None
    design: Design = field(default_factory=Design)
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    enrollment: Enrollment | None = None
    sponsors: Sponsors = field(default_factory=Sponsors)
    source_organization: Annotated[str | None, _text("The registry's <source> element.")] = None
    dates: Annotated[dict[str, str], _text(
        "Registry dates as written, keyed by the public XML schema's element name.")] = field(default_factory=dict)
    date_types: Annotated[dict[str, str], _text(
        "The kind of each date where the registry says (ACTUAL/ESTIMATED, Actual/Anticipated/Estimate), "
        "as written; same keys as dates.")] = field(default_factory=dict)
    arm_groups: list[ArmGroup] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    eligibility: Eligibility = field(default_factory=Eligibility)
    variants: list[Variant] = field(default_factory=list)
    declared_variant_count: NonNegative | None = None
    warnings: list[RecordWarning] = field(default_factory=list)
    extras: Annotated[dict[str, JsonValue], _text(
        "Text or registry elements that fitted no field, never dropped.")] = field(default_factory=dict)
    spans: Annotated[dict[str, Annotated[list[NonNegative], Meta(min_length=3, max_length=3)]], _text(
        "Where each field of a flattened-text entry was read from: JSON path (outcomes[0].measure, "
        "variants[2], extras[\"line 7\"]) -> [start, end, line]: the range of characters in the entry "
        "(0-based, end exclusive, counted in the text as decoded, without its byte-order mark) and the "
        "1-based line it starts on. Empty for registry records.")] = field(default_factory=dict)

    def warn(self, code: str, message: str, field: str | None = None, line: int | None = None) -> None:
        """Attach a warning to this record."""
        self.warnings.append(RecordWarning(code, message, field, line))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """A record from its canonical JSON form (validate it first: see registry_tool.validation)."""
        return record_from_builtins(data)


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Record)


def record_to_json(record: Record) -> bytes:
    """The canonical JSON of a record, compact, UTF-8."""
    return _ENCODER.encode(record)


def record_from_json(data: bytes | str) -> Record:
    """A record from canonical JSON text; raises ``msgspec.ValidationError`` naming the JSON path."""
    return _DECODER.decode(data)


def record_from_builtins(data: dict[str, Any]) -> Record:
    """A record from its canonical JSON form as plain dicts; raises ``msgspec.ValidationError``."""
    return msgspec.convert(data, Record)
