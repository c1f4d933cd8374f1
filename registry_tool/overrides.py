"""A curator's overrides: values given with ``--set NAME=VALUE`` or ``--fields FILE``, for any output.

Flattened text cannot say which outcomes are primary, nor give phases,
conditions or enrollment; a curator supplies them before export::

    registry-tool export entry.txt --to csv -o out/ --set outcome_type.1=primary \\
        --set outcome_type=secondary --set "phases=Phase 2" --set "conditions=ALL; CML" --set enrollment=60

Names:

* ``outcome_type.N`` (N from 1): the type of the N-th outcome (primary,
  secondary, other); ``outcome_type``: the type of every outcome that has none.
* ``phases``: one or more phases, ``,`` or ``/`` between them (``Phase 1/Phase 2``,
  ``PHASE2``, ``N/A``); replaces the record's phases.
* ``conditions``: ``;`` between them; replaces the record's conditions.
* ``enrollment``: a count, optionally its type (``60``, ``60 Anticipated``).
* the registry XML values (``nct_id``, ``brief_title``, ``lead_sponsor``,
  ``source``, ``overall_status``, ``study_type``, ``gender``, ``minimum_age``,
  ``maximum_age``, ``intervention_type``), checked against the registry's
  schema and filling only what the record lacks, as for ``--to xml``.

``--fields FILE`` is a JSON object of the same names (a list for phases or
conditions, a number for enrollment); ``--set`` wins over it. Each value set
gives the record a ``curator-set`` warning saying what it was before. An
unknown name, or a value that is not one the name takes, is a usage error
(exit 2); ``outcome_type.N`` on a record with fewer than N outcomes fails that
record (``override-no-field``) and the batch goes on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import vocabulary
from .errors import Failure, RecordError, UsageError
from .formats.ctgov_xml.settable import SETTABLE, apply_set_values, check_set_values
from .model import Enrollment, Record

_OUTCOME_TYPE = re.compile(r"outcome_type(?:\.(\d+))?")
_ENROLLMENT = re.compile(r"\s*(\d+)(?:\s+([A-Za-z]+))?\s*")
_PHASE_SEPARATORS = re.compile(r"[,;/+]|\band\b")
# Where each registry XML name goes in the record (the field its curator-set warning names).
_REGISTRY_FIELDS = {"nct_id": "record_id", "brief_title": "title", "lead_sponsor": "sponsors.lead",
                    "source": "source_organization", "overall_status": "overall_status", "study_type": "study_type",
                    "gender": "eligibility.gender", "minimum_age": "eligibility.minimum_age",
                    "maximum_age": "eligibility.maximum_age", "intervention_type": "interventions"}
RECORD_NAMES = ("outcome_type.N (primary|secondary|other)", "outcome_type", "phases (Phase 2)",
                "conditions (A; B)", "enrollment (60 Anticipated)")


@dataclass(slots=True)
class Overrides:
    """Checked overrides, ready to apply to every record of a batch (picklable, for workers)."""

    outcome_types: dict[int, str] = field(default_factory=dict)  # 0-based outcome index -> type
    every_outcome_type: str | None = None
    phases: list[str] | None = None
    conditions: list[str] | None = None
    enrollment: Enrollment | None = None
    registry_values: dict[str, str] = field(default_factory=dict)  # the registry XML names, registry spelling
    given: dict[str, str] = field(default_factory=dict)  # name -> how the curator gave it

    def __bool__(self) -> bool:
        return bool(self.given)

    def apply(self, record: Record) -> Record:
        """The record with the overrides applied, each with a ``curator-set`` warning.

        Raises :class:`RecordError` (``override-no-field``) when ``outcome_type.N``
        names an outcome the record does not have.
        """
        for index, kind in self.outcome_types.items():
            if index >= len(record.outcomes):
                raise RecordError(Failure(
                    "override-no-field",
                    f"{self.given[f'outcome_type.{index + 1}']}: the record has {len(record.outcomes)} outcome(s), "
                    f"so there is no outcome {index + 1} (expected N from 1 to {len(record.outcomes)})",
                    record_id=record.record_id, path=record.source.path, json_path=f"$.outcomes[{index}].type"))
        for index, kind in self.outcome_types.items():
            outcome = record.outcomes[index]
            _note(record, f"outcomes[{index}].type", outcome.type, kind, self.given[f"outcome_type.{index + 1}"])
            outcome.type = kind
        if self.every_outcome_type is not None:
            for index, outcome in enumerate(record.outcomes):
                if outcome.type is None:
                    _note(record, f"outcomes[{index}].type", None, self.every_outcome_type, self.given["outcome_type"])
                    outcome.type = self.every_outcome_type
        if self.phases is not None:
            _note(record, "phases", record.phases, self.phases, self.given["phases"])
            record.phases = list(self.phases)
        if self.conditions is not None:
            _note(record, "conditions", record.conditions, self.conditions, self.given["conditions"])
            record.conditions = list(self.conditions)
        if self.enrollment is not None:
            before = record.enrollment.to_dict() if record.enrollment else None
            _note(record, "enrollment", before, self.enrollment.to_dict(), self.given["enrollment"])
            record.enrollment = Enrollment(self.enrollment.count, self.enrollment.type)
        for name, value in self.registry_values.items():
            before = record.to_dict()
            apply_set_values(record, {name: value})
            if record.to_dict() != before:
                _note(record, _REGISTRY_FIELDS.get(name, name), None, value, self.given[name], fills=True)
        return record


def _note(record: Record, path: str, before: Any, after: Any, given: str, fills: bool = False) -> None:
    """The ``curator-set`` warning of one override (once, however often the overrides are applied)."""
    if fills:
        message = f"{path} set to {after!r} by the curator ({given}), where the record had none"
    elif before in (None, [], {}):
        message = f"{path} set to {after!r} by the curator ({given}); the input gave none"
    else:
        message = f"{path} set to {after!r} by the curator ({given}); the record had {before!r}"
    if not any(w.code == "curator-set" and w.field == path and w.message == message for w in record.warnings):
        record.warn("curator-set", message, path)


def _text(value: Any, name: str, joiner: str) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return joiner.join(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise UsageError(f"{name}: expected text{' or a list of text' if joiner else ''}, got {json.dumps(value)}")
    return str(value)


def parse_overrides(set_values: dict[str, str] | None = None, fields_path: str | None = None) -> Overrides:
    """Overrides from ``--set`` values and a ``--fields`` file, checked; :class:`UsageError` names what is wrong."""
    given: dict[str, tuple[str, str]] = {}  # name -> (value, how given)
    if fields_path is not None:
        try:
            with open(fields_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise UsageError(f"--fields {fields_path}: cannot be read ({exc.strerror or exc})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"--fields {fields_path}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise UsageError(f"--fields {fields_path}: expected a JSON object of NAME: VALUE")
        for name, value in data.items():
            joiner = "; " if name == "conditions" else ", " if name == "phases" else ""
            given[name] = (_text(value, f"--fields {fields_path}: {name}", joiner), f"--fields {fields_path}")
    for name, value in (set_values or {}).items():
        given[name] = (value, f"--set {name}={value}")
    out = Overrides()
    registry: dict[str, str] = {}
    for name, (value, how) in given.items():
        out.given[name] = how
        m = _OUTCOME_TYPE.fullmatch(name)
        if m:
            kind = vocabulary.OUTCOME_TYPE.code(value)
            if kind is None:
                raise UsageError(f"{how}: expected one of primary, secondary, other")
            if m.group(1) is None:
                out.every_outcome_type = kind
            elif int(m.group(1)) < 1:
                raise UsageError(f"{how}: outcomes are numbered from 1")
            else:
                out.outcome_types[int(m.group(1)) - 1] = kind
        elif name == "phases":
            out.phases = _phases(value, how)
        elif name == "conditions":
            out.conditions = [c.strip() for c in value.split(";") if c.strip()]
            if not out.conditions:
                raise UsageError(f"{how}: expected one or more conditions, ';' between them")
        elif name == "enrollment":
            e = _ENROLLMENT.fullmatch(value)
            if e is None:
                raise UsageError(f"{how}: expected a count, optionally its type (60, 60 Anticipated)")
            out.enrollment = Enrollment(int(e.group(1)), e.group(2))
        elif name in SETTABLE:
            registry[name] = value
        else:
            known = ", ".join([*RECORD_NAMES, *(f"{s.name} ({s.example})" for s in SETTABLE.values())])
            raise UsageError(f"{how}: unknown name {name!r}; known names: {known}")
    out.registry_values = check_set_values(registry)
    return out


def _phases(value: str, how: str) -> list[str]:
    whole = vocabulary.PHASE.code(value)
    if whole is not None:
        return [whole]
    codes: list[str] = []
    for part in _PHASE_SEPARATORS.split(value):
        if not part.strip():
            continue
        code = vocabulary.PHASE.code(part.strip())
        if code is None:
            raise UsageError(f"{how}: {part.strip()!r} is not a phase; expected e.g. 'Phase 2', 'PHASE1/PHASE2', "
                             f"'N/A' (codes: {', '.join(vocabulary.PHASE.codes)})")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise UsageError(f"{how}: expected one or more phases")
    return codes
