"""``--set NAME=VALUE`` for registry XML: the values a curator may supply, how each is checked
against the registry's schema, and where it goes in the record.

Names are the public schema's element names, values are written as the
registry writes them; a value fills only what the record lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ... import vocabulary
from ...errors import UsageError
from ...identifiers import NCT_ID
from ...model import CodedText, Record, Sponsor
from ...textclean import fold_ws
from .codecs import Code, Coded
from .layout import AGE, GENDER, INTERVENTION_TYPE, OVERALL_STATUS, STUDY_TYPE


@dataclass
class Settable:
    """A ``--set NAME=VALUE``: how to check the value and where it goes in the record."""

    name: str
    example: str
    check: Callable[[str], str | None]  # the value to use (registry spelling), or None if refused
    expected: str  # what a refused value should have been
    apply: Callable[[Record, str], None]  # fill the record where it has no value


def _enum_check(codec: Coded | Code) -> Callable[[str], str | None]:
    return lambda value: codec.registry_value(value.strip())


def _text_check(value: str) -> str | None:
    return fold_ws(value) or None


def _set_nct_id(record: Record, value: str) -> None:
    if not (record.registry_ids and NCT_ID.fullmatch(record.registry_ids[0])):
        record.registry_ids.insert(0, value)
        record.record_id = value


def _set_if_none(attr_path: str, make: Callable[[str], Any] = lambda v: v) -> Callable[[Record, str], None]:
    *owners, attr = attr_path.split(".")

    def apply(record: Record, value: str) -> None:
        obj: Any = record
        for owner in owners:
            obj = getattr(obj, owner)
        if getattr(obj, attr) is None:
            setattr(obj, attr, make(value))

    return apply


def _set_intervention_type(record: Record, value: str) -> None:
    code = INTERVENTION_TYPE.concept.code(value)
    for i, intervention in enumerate(record.interventions):
        if intervention.type is None and f"intervention[{i + 1}]/intervention_type" not in record.extras:
            intervention.type = code


def _coded(codec: Coded) -> Callable[[str], CodedText]:
    return lambda value: CodedText(value, codec.concept.code(value))


SETTABLE: dict[str, Settable] = {
    s.name: s
    for s in (
        Settable("nct_id", "NCT01234567", lambda v: v.strip() if NCT_ID.fullmatch(v.strip()) else None,
                 "NCT followed by 8 digits", _set_nct_id),
        Settable("brief_title", "A Study of ...", _text_check, "a non-empty title", _set_if_none("title")),
        Settable("lead_sponsor", "Example University", _text_check, "a non-empty agency name",
                 _set_if_none("sponsors.lead", lambda v: Sponsor(v))),
        Settable("source", "Example University", _text_check, "a non-empty organisation name",
                 _set_if_none("source_organization")),
        Settable("overall_status", "Recruiting", _enum_check(OVERALL_STATUS),
                 "one of: " + ", ".join(vocabulary.OVERALL_STATUS.wording.values()),
                 _set_if_none("overall_status", _coded(OVERALL_STATUS))),
        Settable("study_type", "Interventional", _enum_check(STUDY_TYPE),
                 "one of: " + ", ".join(sorted(STUDY_TYPE.values or ())), _set_if_none("study_type", _coded(STUDY_TYPE))),
        Settable("gender", "All", _enum_check(GENDER), "one of: All, Female, Male",
                 _set_if_none("eligibility.gender", _coded(GENDER))),
        Settable("minimum_age", "18 Years", lambda v: v.strip() if AGE.accepts(v.strip()) else None,
                 "N/A or a number and a unit, e.g. '18 Years'", _set_if_none("eligibility.minimum_age")),
        Settable("maximum_age", "N/A", lambda v: v.strip() if AGE.accepts(v.strip()) else None,
                 "N/A or a number and a unit, e.g. '65 Years'", _set_if_none("eligibility.maximum_age")),
        Settable("intervention_type", "Biological", _enum_check(INTERVENTION_TYPE),
                 "one of: " + ", ".join(vocabulary.INTERVENTION_TYPE.wording.values()), _set_intervention_type),
    )
}


def check_set_values(values: dict[str, str]) -> dict[str, str]:
    """``--set`` values checked against the public schema, in the registry's spelling.

    Raises :class:`UsageError` for an unknown NAME (listing the known ones) or a
    value the schema refuses (saying what it expects).
    """
    checked: dict[str, str] = {}
    for name, value in values.items():
        settable = SETTABLE.get(name)
        if settable is None:
            known = ", ".join(f"{s.name} ({s.example})" for s in SETTABLE.values())
            raise UsageError(f"--set {name}: unknown name; --to xml knows: {known}")
        registry_value = settable.check(value)
        if registry_value is None:
            raise UsageError(f"--set {name}={value!r}: the registry schema does not accept this value; "
                             f"expected {settable.expected}")
        checked[name] = registry_value
    return checked


def apply_set_values(record: Record, values: dict[str, str]) -> None:
    """Fill the record's missing values from checked ``--set`` values."""
    for name, value in values.items():
        SETTABLE[name].apply(record, value)
