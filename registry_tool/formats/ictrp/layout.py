"""The columns of a WHO ICTRP export, declared once: each column's name and where its value goes.

The XML export names a column by its element (``<Public_title>``), the CSV export by its header
(``Public title``): :func:`column_name` makes both the element name, so a column reads the same from
either. A column not listed here (a newer export layout, a register's own field) is kept in
``extras`` under its name, as is every listed column whose ``target`` says ``extras``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the XML element name
    target: str  # where the value goes in the canonical record (``extras``: kept as written)


COLUMNS: tuple[Column, ...] = tuple(Column(*row) for row in (
    ("TrialID", "record_id, registry_ids[0]"),
    ("Secondary_ID", "registry_ids (after the TrialID, split at ';')"),
    ("Internal_Number", "extras (ICTRP's internal number)"),
    ("Last_Refreshed_on", "dates.last_refreshed (ISO)"),
    ("Public_title", "title"),
    ("Scientific_title", "official_title"),
    ("Acronym", "acronym"),
    ("Primary_sponsor", "sponsors.lead.agency"),
    ("Secondary_Sponsor", "sponsors.collaborators (split at ';')"),
    ("Source_Support", "extras (source of monetary or material support)"),
    ("Date_registration", "dates.registration (ISO)"),
    ("Date_registration3", "dates.registration (checked against Date_registration; kept in extras if it differs)"),
    ("Export_date", "extras (when the export was made)"),
    ("Source_Register", "source.registry"),
    ("web_address", "extras (the register's page)"),
    ("Recruitment_Status", "overall_status"),
    ("other_records", "extras"),
    ("Inclusion_agemin", "eligibility.minimum_age (as written), eligibility.minimum_age_years"),
    ("Inclusion_agemax", "eligibility.maximum_age (as written), eligibility.maximum_age_years"),
    ("Inclusion_gender", "eligibility.gender"),
    ("Date_enrollement", "dates.start_date (ISO)"),
    ("Target_size", "enrollment.count (summed over groups), enrollment.groups"),
    ("Study_type", "study_type"),
    ("Study_design", "design.allocation, intervention_model, masking, primary_purpose "
                     "(the text kept in extras where part of it fits no field)"),
    ("Phase", "phases (the text kept in extras where it gives no code)"),
    ("Countries", "countries (split at ';', each once)"),
    ("Contact_Firstname", "extras"),
    ("Contact_Lastname", "extras"),
    ("Contact_Address", "extras"),
    ("Contact_Email", "extras"),
    ("Contact_Tel", "extras"),
    ("Contact_Affiliation", "extras"),
    ("Inclusion_Criteria", "eligibility.criteria_blocks (kind inclusion; split into eligibility.criteria)"),
    ("Exclusion_Criteria", "eligibility.criteria_blocks (kind exclusion; split into eligibility.criteria)"),
    ("Condition", "conditions (split at ';')"),
    ("Intervention", "interventions (split between entries; placeholders kept in extras)"),
    ("Primary_outcome", "outcomes (type primary, split at ';' and line breaks, with time frames)"),
    ("Secondary_outcome", "outcomes (type secondary)"),
    ("results_date_posted", "dates.results_first_posted (ISO)"),
    ("results_date_completed", "dates.results_completed (ISO)"),
    ("results_url_link", "extras"),
    ("results_yes_no", "extras"),
    ("Retrospective_flag", "extras"),
    ("Bridging_flag_truefalse", "extras"),
    ("Bridged_type", "extras"),
    ("Ethics_review_status", "extras"),
    ("Ethics_review_approval_date", "extras"),
    ("Ethics_review_contact_name", "extras"),
    ("Ethics_review_contact_address", "extras"),
    ("Ethics_review_contact_phone", "extras"),
    ("Ethics_review_contact_email", "extras"),
))

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
_BY_LOWER: dict[str, str] = {c.name.lower(): c.name for c in COLUMNS}

# Dates: column -> key in Record.dates.
DATES = {
    "Date_registration": "registration",
    "Date_enrollement": "start_date",
    "Last_Refreshed_on": "last_refreshed",
    "results_date_posted": "results_first_posted",
    "results_date_completed": "results_completed",
}

XML_ROOT = "Trials_downloaded_from_ICTRP"


def column_name(header: str) -> str:
    """The element name of a CSV header or an element (``Public title`` -> ``Public_title``);
    a name no column has keeps its own spelling (spaces made ``_``)."""
    name = "_".join(header.strip().split())
    return _BY_LOWER.get(name.lower(), name)
