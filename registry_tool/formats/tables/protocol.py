"""Analysis-ready protocol values (CONTRACT "Analysis-ready tables"): ISO dates with their type,
ages in years, booleans, and the child tables conditions, keywords, mesh_terms, locations and
arm_group_interventions.

Values the canonical record keeps only in ``extras`` (MeSH terms, locations, why a study stopped)
are taken from there, under the key each registry reader keeps them: legacy XML
``condition_browse`` / ``intervention_browse`` / ``location`` / ``why_stopped``, API v2
``derivedSection`` / ``protocolSection.contactsLocationsModule`` /
``protocolSection.statusModule.whyStopped``. They stay in ``extras`` too (nothing moves).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ... import vocabulary
from ...model import Record
from ...textclean import fold_ws
from .table import TO_TRIALS, Column, ForeignKey, Item, Table, child_table

_MONTHS = vocabulary.MONTH_NUMBERS
_REGISTRY_DATE = re.compile(r"([A-Za-z]+)\s+(?:([0-9]{1,2}),\s*)?([0-9]{4})")
_ISO_DATE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?")


def iso_date(text: str | None) -> str | None:
    """A registry date as ISO 8601: ``September 1991`` -> ``1991-09``, ``March 5, 2019`` ->
    ``2019-03-05``; an API v2 date as it is; None for anything else (``Unknown``)."""
    if not text:
        return None
    text = text.strip()
    if _ISO_DATE.fullmatch(text):
        return text
    m = _REGISTRY_DATE.fullmatch(text)
    if m is None or m.group(1).lower() not in _MONTHS:
        return None
    month = _MONTHS[m.group(1).lower()]
    return f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}" if m.group(2) else f"{m.group(3)}-{month:02d}"


_AGE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(year|month|week|day|hour|minute)s?", re.I)


def age_years(text: str | None) -> float | int | None:
    """An eligibility age in years: ``18 Years`` -> 18, ``6 Months`` -> 0.5; None for ``N/A`` or none."""
    if not text:
        return None
    m = _AGE.fullmatch(text.strip())
    if m is None:
        return None
    unit = m.group(2).lower()
    value = float(m.group(1))
    if unit == "year":
        return int(value) if value.is_integer() else value
    if unit == "month":
        return round(value / 12, 6)
    return round(value * vocabulary.DAYS_PER_UNIT[unit] / vocabulary.DAYS_PER_UNIT["year"], 6)


def _years(given: float | int | None, text: str | None) -> float | int | None:
    # a reader that knows its register's ages (WHO ICTRP: a bare 16 is years) gives them; else the text's
    return given if given is not None else age_years(text)


def healthy_volunteers(text: str | None) -> bool | None:
    """``Accepts Healthy Volunteers`` -> true, ``No`` -> false (legacy XML and API v2 alike)."""
    if text is None:
        return None
    key = vocabulary.key(text)
    if key in ("no", "false"):
        return False
    if key in ("acceptshealthyvolunteers", "yes", "true"):
        return True
    return None


def why_stopped(record: Record) -> str | None:
    """Why the study stopped, as the registry says."""
    value = record.extras.get("why_stopped", record.extras.get("protocolSection.statusModule.whyStopped"))
    return fold_ws(value) or None if isinstance(value, str) else None


# The dates of trials.csv: the column, and the registry date it is.
DATES = (("start_date", "start_date"), ("primary_completion_date", "primary_completion_date"),
         ("completion_date", "completion_date"), ("study_first_posted_date", "study_first_posted"),
         ("results_first_posted_date", "results_first_posted"), ("last_update_posted_date", "last_update_posted"))


def date_columns() -> list[Column]:
    """The ISO date and its ACTUAL/ESTIMATED type, for each date of :data:`DATES`."""
    columns = []
    for name, key in DATES:
        columns.append(Column(name, "string", f"The {key.replace('_', ' ')} date, ISO 8601 (YYYY-MM-DD, or YYYY-MM "
                              "where the registry gives only a month).",
                              lambda r, k=key: iso_date(r.dates.get(k)),
                              pattern=r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?"))
        columns.append(Column(f"{name}_type", "string", "Whether the date is actual or estimated (legacy "
                              "Anticipated and Estimate are ESTIMATED).",
                              lambda r, k=key: vocabulary.DATE_TYPE.code(r.date_types.get(k)),
                              enum=vocabulary.DATE_TYPE.codes))
    return columns


def trial_columns() -> list[Column]:
    """The analysis-ready columns of trials.csv beyond the record's own fields."""
    return [
        *date_columns(),
        Column("minimum_age_years", "number", "Minimum eligible age in years (6 Months is 0.5); empty for N/A.",
               lambda r: _years(r.eligibility.minimum_age_years, r.eligibility.minimum_age), minimum=0),
        Column("maximum_age_years", "number", "Maximum eligible age in years; empty for N/A.",
               lambda r: _years(r.eligibility.maximum_age_years, r.eligibility.maximum_age), minimum=0),
        Column("why_stopped", "string", "Why the study stopped early, as the registry says.", why_stopped),
    ]


# --- child tables -------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("#text")
    return fold_ws(value) or None if isinstance(value, str) else None


def mesh_terms(record: Record) -> list[tuple[str, str]]:
    """(kind, term): the MeSH terms the registry derived for the conditions and interventions."""
    out: list[tuple[str, str]] = []
    derived = record.extras.get("derivedSection")
    for kind in ("condition", "intervention"):
        xml = record.extras.get(f"{kind}_browse")
        if isinstance(xml, dict):
            out += [(kind, t) for t in map(_text, _as_list(xml.get("mesh_term"))) if t]
        if isinstance(derived, dict):
            module = derived.get(f"{kind}BrowseModule")
            if isinstance(module, dict):
                out += [(kind, m["term"]) for m in _as_list(module.get("meshes"))
                        if isinstance(m, dict) and isinstance(m.get("term"), str)]
    return out


def locations(record: Record) -> list[dict[str, str | None]]:
    """The study's sites: facility, city, state, zip, country, status."""
    out = []
    for site in _as_list(record.extras.get("location")):
        if not isinstance(site, dict):
            continue
        facility = site.get("facility") if isinstance(site.get("facility"), dict) else {}
        address = facility.get("address") if isinstance(facility.get("address"), dict) else {}
        out.append({"facility": _text(facility.get("name")), "city": _text(address.get("city")),
                    "state": _text(address.get("state")), "zip": _text(address.get("zip")),
                    "country": _text(address.get("country")), "status": _text(site.get("status"))})
    module = record.extras.get("protocolSection.contactsLocationsModule")
    if isinstance(module, dict):
        for site in _as_list(module.get("locations")):
            if isinstance(site, dict):
                out.append({k: _text(site.get(k)) for k in ("facility", "city", "state", "zip", "country")}
                           | {"status": _text(site.get("status"))})
    return out


def arm_group_interventions(record: Record) -> list[tuple[int, int]]:
    """(arm_group_index, intervention_index), 1-based: which interventions each arm receives,
    by the arm labels each intervention names."""
    by_label = {fold_ws(a.label).lower(): i for i, a in enumerate(record.arm_groups, 1)}
    pairs = []
    for j, intervention in enumerate(record.interventions, 1):
        for label in intervention.arm_group_labels:
            i = by_label.get(fold_ws(label).lower())
            if i is not None and (i, j) not in pairs:
                pairs.append((i, j))
    return sorted(pairs)


CONDITIONS = child_table(
    "conditions", "The conditions each record studies, one a row.", "condition_index", "condition",
    (Column("name", "string", "The condition as the registry names it.", lambda item: item.obj, True),),
    lambda r: r.conditions, indexes=(("name",),),
)

KEYWORDS = child_table(
    "keywords", "The keywords of each record, one a row.", "keyword_index", "keyword",
    (Column("keyword", "string", "The keyword.", lambda item: item.obj, True),),
    lambda r: r.keywords, indexes=(("keyword",),),
)

MESH_TERMS = child_table(
    "mesh_terms", "The MeSH terms the registry derived for each record's conditions and interventions.",
    "mesh_index", "MeSH term",
    (Column("kind", "string", "condition or intervention.", lambda item: item.obj[0], True,
            enum=("condition", "intervention")),
     Column("term", "string", "The MeSH term.", lambda item: item.obj[1], True)),
    mesh_terms, indexes=(("term",),),
)

LOCATIONS = child_table(
    "locations", "The sites of each record.", "location_index", "site",
    tuple(Column(name, "string", description, lambda item, n=name: item.obj[n]) for name, description in (
        ("facility", "The facility's name."), ("city", "The site's city."),
        ("state", "The site's state or region."), ("zip", "The site's postal code."),
        ("country", "The site's country."), ("status", "The site's recruitment status, as written."))),
    locations, indexes=(("country",),),
)


def _arm_intervention_items(record: Record) -> Iterator[Item]:
    for pair in arm_group_interventions(record):
        yield Item(record.record_id, pair, pair)


ARM_GROUP_INTERVENTIONS = Table(
    "arm_group_interventions", "Which interventions each arm receives (by the arm labels an intervention names).",
    (
        Column("record_id", "string", "The id of the record (trials.record_id).", lambda item: item.record_id, True),
        Column("arm_group_index", "integer", "The arm (arm_groups.arm_group_index).", lambda item: item.index[0],
               True, minimum=1),
        Column("intervention_index", "integer", "The intervention (interventions.intervention_index).",
               lambda item: item.index[1], True, minimum=1),
    ),
    ("record_id", "arm_group_index", "intervention_index"),
    _arm_intervention_items,
    (
        TO_TRIALS,
        ForeignKey(("record_id", "arm_group_index"), "arm_groups", ("record_id", "arm_group_index")),
        ForeignKey(("record_id", "intervention_index"), "interventions", ("record_id", "intervention_index")),
    ),
)

PROTOCOL_TABLES = (CONDITIONS, KEYWORDS, MESH_TERMS, LOCATIONS, ARM_GROUP_INTERVENTIONS)
