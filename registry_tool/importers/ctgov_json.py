"""ClinicalTrials.gov API v2 JSON studies to canonical records.

A study is read field by field through a :class:`StudyReader`, which checks
each value's type and remembers what was taken. Whatever was never taken is
kept in ``extras`` under its JSON path, values as given: whole sections
(``derivedSection``, ``resultsSection``, ``hasResults``) and modules
(``protocolSection.contactsLocationsModule``), or, for a module partly read,
the keys left over (``protocolSection.designModule.designInfo.maskingInfo.whoMasked``).
A list partly read (``secondaryIdInfos``: the ids went to ``registry_ids``) is
kept with the keys taken removed, each item in its position.

Text is Markdown in API v2: canonical text drops the backslash escapes and
folds runs of white space (CONTRACT). Enumerations keep the enum as given as
text, with the contract code from :mod:`registry_tool.normalize.codes`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Failure, RecordError
from ..model import (
    ArmGroup,
    CodedText,
    Criterion,
    Design,
    Eligibility,
    Enrollment,
    Intervention,
    Outcome,
    Record,
    Source,
    Sponsor,
    Sponsors,
)
from ..normalize import codes, enrich_record
from ..normalize.criteria import split_criteria
from ..normalize.text import clean, unescape_markdown
from ..normalize.timeframe import parse_time_frame

FORMAT = "ctgov-json"
NCT_ID = re.compile(r"NCT\d{8}")

# Registry dates: the public XML schema's element name <- the API v2 statusModule key.
# A ``...Struct`` holds {date, type}; the others are a bare date string.
DATES = {
    "start_date": "startDateStruct",
    "primary_completion_date": "primaryCompletionDateStruct",
    "completion_date": "completionDateStruct",
    "verification_date": "statusVerifiedDate",
    "study_first_submitted": "studyFirstSubmitDate",
    "study_first_submitted_qc": "studyFirstSubmitQcDate",
    "study_first_posted": "studyFirstPostDateStruct",
    "results_first_submitted": "resultsFirstSubmitDate",
    "results_first_submitted_qc": "resultsFirstSubmitQcDate",
    "results_first_posted": "resultsFirstPostDateStruct",
    "disposition_first_submitted": "dispFirstSubmitDate",
    "disposition_first_submitted_qc": "dispFirstSubmitQcDate",
    "disposition_first_posted": "dispFirstPostDateStruct",
    "last_update_submitted": "lastUpdateSubmitDate",
    "last_update_posted": "lastUpdatePostDateStruct",
}

# healthyVolunteers as the legacy XML writes it.
HEALTHY_VOLUNTEERS = {True: "Accepts Healthy Volunteers", False: "No"}

OUTCOME_LISTS = (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes"))

_EXPECTED = {str: "a string", bool: "true or false", int: "an integer", list: "an array", dict: "an object"}
_JSON_TYPE = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}

Path = tuple[str | int, ...]


def json_path(path: Path) -> str:
    """``$.protocolSection.outcomesModule.primaryOutcomes[0]`` from its keys."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def dotted(path: Path) -> str:
    """The ``extras`` key of a path: ``protocolSection.designModule.phases``."""
    return ".".join(str(p) for p in path)


class StudyReader:
    """Typed access to one study that remembers what was taken.

    ``taken`` mirrors the study: a nested dict (list positions as int keys)
    whose leaves are ``True`` for values read into a field.
    """

    def __init__(self, study: dict[str, Any]):
        self.study = study
        self.taken: dict[Any, Any] = {}

    def get(self, path: Path, kind: type, take: bool = True) -> Any:
        """The value at ``path`` if it is a ``kind``; None if absent or null.

        Raises :class:`RecordError` naming the JSON path when a value on the
        way, or the value itself, has another type.
        """
        node: Any = self.study
        for depth, part in enumerate(path):
            container = dict if isinstance(part, str) else list
            if not isinstance(node, container):
                self._wrong(path[:depth], container, node)
            if isinstance(part, str):
                node = node.get(part)
            else:
                node = node[part] if part < len(node) else None
            if node is None:
                return None
        if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            self._wrong(path, kind, node)
        if take:
            self.take(path)
        return node

    def items(self, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
        """``(path, object)`` for each item of the list at ``path``."""
        for i, item in enumerate(self.get(path, list, take=False) or []):
            if not isinstance(item, dict):
                self._wrong(path + (i,), dict, item)
            yield path + (i,), item

    def strings(self, path: Path) -> list[str]:
        """The list of strings at ``path`` ([] when absent)."""
        values = self.get(path, list) or []
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self._wrong(path + (i,), str, value)
        return list(values)

    def text(self, path: Path) -> str | None:
        """Canonical text of the Markdown string at ``path``: escapes dropped, white space folded."""
        value = self.get(path, str)
        return None if value is None else clean(unescape_markdown(value))

    def take(self, path: Path) -> None:
        node = self.taken
        for part in path[:-1]:
            child = node.get(part)
            if child is True:
                return
            if child is None:
                child = node[part] = {}
            node = child
        node[path[-1]] = True

    def _wrong(self, path: Path, kind: type, value: Any) -> None:
        got = "null" if value is None else f"{_JSON_TYPE.get(type(value), type(value).__name__)} {_sample(value)}"
        tail = len(path)
        while tail > 0 and isinstance(path[tail - 1], int):
            tail -= 1
        name = json_path(path[tail - 1 :])[2:] if tail else "the study"
        raise RecordError(
            Failure(
                "bad-study",
                f"expected {_EXPECTED.get(kind, kind.__name__)} for {name!s}, got {got}",
                record_id=nct_id_of(self.study),
                json_path=json_path(path),
            )
        )

    def leftovers(self) -> dict[str, Any]:
        """What was never taken, keyed by JSON path (the ``extras`` of the record)."""
        out: dict[str, Any] = {}
        _collect(self.study, self.taken, (), out)
        return out


_NOTHING = object()


def _collect(node: dict[str, Any], taken: dict[Any, Any], path: Path, out: dict[str, Any]) -> None:
    for key, value in node.items():
        mark = taken.get(key)
        if mark is True:
            continue
        if mark is None:
            out[dotted(path + (key,))] = value
        elif isinstance(value, dict):
            _collect(value, mark, path + (key,), out)
        else:
            rest = _residual(value, mark)
            if rest is not _NOTHING:
                out[dotted(path + (key,))] = rest


def _residual(value: Any, taken: Any) -> Any:
    """``value`` without what ``taken`` marks; ``_NOTHING`` when nothing is left."""
    if taken is True:
        return _NOTHING
    if not taken:
        return value
    if isinstance(value, dict):
        rest = {k: r for k, v in value.items() if (r := _residual(v, taken.get(k))) is not _NOTHING}
        return rest or _NOTHING
    if isinstance(value, list):
        items = [_residual(v, taken.get(i)) for i, v in enumerate(value)]
        if all(item is _NOTHING for item in items):
            return _NOTHING
        return [{} if item is _NOTHING else item for item in items]
    return value


def _sample(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return f"({text[:40]}...)" if len(text) > 43 else f"({text})"


def nct_id_of(study: Any) -> str | None:
    """The study's ``nctId`` where it is a string, else None (for naming a failure)."""
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


# --- the study, module by module ----------------------------------------------------

P = ("protocolSection",)
IDENT = P + ("identificationModule",)
STATUS = P + ("statusModule",)
SPONSORS = P + ("sponsorCollaboratorsModule",)
DESCRIPTION = P + ("descriptionModule",)
CONDITIONS = P + ("conditionsModule",)
DESIGN = P + ("designModule",)
ARMS = P + ("armsInterventionsModule",)
OUTCOMES = P + ("outcomesModule",)
ELIGIBILITY = P + ("eligibilityModule",)


def record_from_study(study: Any, path: str | None, where: str = "$") -> Record:
    """A canonical record from one API v2 study object.

    Raises :class:`RecordError` (with the JSON path and what was expected) for
    a study without ``protocolSection`` or ``nctId``, or with a value of the
    wrong type.
    """
    if not isinstance(study, dict):
        got = _JSON_TYPE.get(type(study), type(study).__name__)
        raise RecordError(Failure("bad-study", f"expected a study object, got {got} {_sample(study)}", json_path="$"))
    reader = StudyReader(study)
    if reader.get(P, dict, take=False) is None:
        raise RecordError(
            Failure("bad-study", "no protocolSection; expected an API v2 study object", json_path="$.protocolSection")
        )
    nct_id = reader.get(IDENT + ("nctId",), str)
    if nct_id is None or not nct_id.strip():
        raise RecordError(
            Failure(
                "no-nct-id",
                "study has no nctId; expected a string such as NCT01234567",
                json_path=json_path(IDENT + ("nctId",)),
            )
        )
    nct_id = nct_id.strip()
    record = Record(record_id=nct_id, source=Source(FORMAT, path))
    if not NCT_ID.fullmatch(nct_id):
        record.warn("nct-id-format", f"nctId {nct_id!r} is not NCT followed by 8 digits", "record_id")
    for read_part in (
        _identification,
        _status,
        _sponsors,
        _description,
        _conditions,
        _design,
        _arms_interventions,
        _outcomes,
        _eligibility,
    ):
        read_part(reader, record)
    record.extras.update(reader.leftovers())
    return enrich_record(record)


def read(data: bytes, path: str | None) -> Iterator[Record | Failure]:
    """Records from an API v2 document: one study, a list, a search page or JSON Lines."""
    from .json_router import read as read_json

    return read_json(data, path, force=FORMAT)


def _identification(r: StudyReader, record: Record) -> None:
    record.registry_ids.append(record.record_id)
    org_study_id = r.get(IDENT + ("orgStudyIdInfo", "id"), str)
    if org_study_id:
        record.registry_ids.append(org_study_id)
    for item_path, _ in r.items(IDENT + ("secondaryIdInfos",)):
        secondary = r.get(item_path + ("id",), str)
        if secondary:
            record.registry_ids.append(secondary)
    record.registry_ids.extend(r.strings(IDENT + ("nctIdAliases",)))
    record.title = r.text(IDENT + ("briefTitle",))
    record.official_title = r.text(IDENT + ("officialTitle",))
    record.acronym = r.text(IDENT + ("acronym",))
    # The legacy XML <source> is the organisation that provides the record.
    record.source_organization = r.text(IDENT + ("organization", "fullName"))


def _status(r: StudyReader, record: Record) -> None:
    record.overall_status = _coded(r, record, STATUS + ("overallStatus",), codes.OVERALL_STATUS, "overall_status")
    # A date's type (ACTUAL / ESTIMATED) has no field: it stays in extras,
    # e.g. "protocolSection.statusModule.completionDateStruct.type".
    for name, key in DATES.items():
        date = r.get(STATUS + ((key, "date") if key.endswith("Struct") else (key,)), str)
        if date:
            record.dates[name] = date


def _sponsors(r: StudyReader, record: Record) -> None:
    lead = SPONSORS + ("leadSponsor",)
    if r.get(lead, dict, take=False) is not None:
        record.sponsors.lead = _sponsor(r, record, lead)
    for item_path, _ in r.items(SPONSORS + ("collaborators",)):
        sponsor = _sponsor(r, record, item_path)
        if sponsor is not None:
            record.sponsors.collaborators.append(sponsor)


def _sponsor(r: StudyReader, record: Record, path: Path) -> Sponsor | None:
    name = r.get(path + ("name",), str, take=False)
    if name is None or not clean(name):
        record.warn("sponsor-without-name", f"{json_path(path)} has no name; kept in extras", "sponsors")
        return None
    return Sponsor(r.text(path + ("name",)) or "", r.get(path + ("class",), str))


def _description(r: StudyReader, record: Record) -> None:
    record.summary = r.text(DESCRIPTION + ("briefSummary",))
    record.detailed_description = r.text(DESCRIPTION + ("detailedDescription",))


def _conditions(r: StudyReader, record: Record) -> None:
    record.conditions = _texts(r, CONDITIONS + ("conditions",))
    record.keywords = _texts(r, CONDITIONS + ("keywords",))


def _design(r: StudyReader, record: Record) -> None:
    record.study_type = _coded(r, record, DESIGN + ("studyType",), codes.STUDY_TYPE, "study_type")
    phases = r.strings(DESIGN + ("phases",))
    for phase in phases:
        code = codes.lookup(codes.PHASE, phase)
        if code is None:
            record.warn("unknown-enum", f"phase {phase!r} is not a known API v2 phase; left out of phases", "phases")
        elif code not in record.phases:
            record.phases.append(code)
    info = DESIGN + ("designInfo",)
    record.design = Design(
        allocation=_coded(r, record, info + ("allocation",), codes.ALLOCATION, "design.allocation"),
        intervention_model=_coded(
            r, record, info + ("interventionModel",), codes.INTERVENTION_MODEL, "design.intervention_model"
        ),
        masking=_coded(r, record, info + ("maskingInfo", "masking"), codes.MASKING, "design.masking"),
        primary_purpose=_coded(r, record, info + ("primaryPurpose",), codes.PRIMARY_PURPOSE, "design.primary_purpose"),
    )
    count = r.get(DESIGN + ("enrollmentInfo", "count"), int)
    kind = r.get(DESIGN + ("enrollmentInfo", "type"), str)
    if count is not None or kind is not None:
        record.enrollment = Enrollment(count, kind)


def _arms_interventions(r: StudyReader, record: Record) -> None:
    for item_path, _ in r.items(ARMS + ("armGroups",)):
        label = _required_text(r, record, item_path + ("label",), "arm_groups")
        if label is not None:
            record.arm_groups.append(
                ArmGroup(label, r.get(item_path + ("type",), str), r.text(item_path + ("description",)))
            )
    for item_path, _ in r.items(ARMS + ("interventions",)):
        name = _required_text(r, record, item_path + ("name",), "interventions")
        if name is None:
            continue
        index = len(record.interventions)
        kind = r.get(item_path + ("type",), str)
        code = codes.lookup(codes.INTERVENTION_TYPE, kind)
        if kind is not None and code is None:
            record.warn(
                "unknown-enum",
                f"intervention type {kind!r} is not a known API v2 value; type left null",
                f"interventions[{index}].type",
            )
        record.interventions.append(
            Intervention(
                name,
                r.text(item_path + ("description",)),
                code,
                _texts(r, item_path + ("otherNames",)),
                _texts(r, item_path + ("armGroupLabels",)),
            )
        )


def _outcomes(r: StudyReader, record: Record) -> None:
    for outcome_type, key in OUTCOME_LISTS:
        for item_path, _ in r.items(OUTCOMES + (key,)):
            measure = _required_text(r, record, item_path + ("measure",), "outcomes")
            if measure is None:
                continue
            record.outcomes.append(
                Outcome(
                    measure,
                    outcome_type,
                    r.text(item_path + ("description",)),
                    parse_time_frame(r.text(item_path + ("timeFrame",))),
                )
            )


def _eligibility(r: StudyReader, record: Record) -> None:
    # The criteria text is read but not taken: it stays in extras as given.
    criteria = r.get(ELIGIBILITY + ("eligibilityCriteria",), str, take=False)
    gender = _coded(r, record, ELIGIBILITY + ("sex",), codes.GENDER, "eligibility.gender")
    healthy = r.get(ELIGIBILITY + ("healthyVolunteers",), bool)
    record.eligibility = Eligibility(
        criteria=_criteria(criteria) if criteria else [],
        gender=gender,
        minimum_age=r.text(ELIGIBILITY + ("minimumAge",)),
        maximum_age=r.text(ELIGIBILITY + ("maximumAge",)),
        healthy_volunteers=None if healthy is None else HEALTHY_VOLUNTEERS[healthy],
    )


def _criteria(markdown: str) -> list[Criterion]:
    # Split the Markdown as given, so an escaped "\*" or "1\." is text, not a bullet
    # or a number; then clean each item's text.
    out = []
    for criterion in split_criteria(markdown):
        text = clean(unescape_markdown(criterion.text))
        if text:
            criterion.text = text
            if criterion.section:
                criterion.section = clean(unescape_markdown(criterion.section))
            out.append(criterion)
    return out


# --- helpers --------------------------------------------------------------------------


def _coded(r: StudyReader, record: Record, path: Path, table: dict[str, str], field: str) -> CodedText | None:
    value = r.get(path, str)
    coded = codes.coded(table, value)
    if coded is not None and coded.code is None:
        record.warn(
            "unknown-enum",
            f"{dotted(path[1:])} {coded.text!r} is not a known API v2 value; kept as text, code null",
            field,
        )
    return coded


def _texts(r: StudyReader, path: Path) -> list[str]:
    return [t for t in (clean(unescape_markdown(s)) for s in r.strings(path)) if t]


def _required_text(r: StudyReader, record: Record, path: Path, field: str) -> str | None:
    """The text at ``path``; when missing, the item is left untaken (kept in extras) with a warning."""
    value = r.get(path, str, take=False)
    text = None if value is None else clean(unescape_markdown(value))
    if text is None:
        record.warn("missing-value", f"{json_path(path[:-1])} has no {path[-1]}; kept in extras, not in {field}", field)
        return None
    r.take(path)
    return text
