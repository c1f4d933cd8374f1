"""Every code table of the package: spellings to codes, codes to the registry's words.

A :class:`Concept` is one vocabulary (allocation, phase, intervention type,
...): its codes (the ClinicalTrials.gov API v2 enum names, CONTRACT.md), the
spellings readers meet (keyed by :func:`key`: lower case, letters and digits
only, so ``Non-Randomized``, ``non randomised`` and ``NON_RANDOMIZED`` meet),
and, where the registry's XML schema lists its own words, the wording of each
code. Every reader looks codes up here, the XML writer takes its wording from
here, the tables and the JSON Schema take their enumerations from here
(:data:`CONCEPTS`, by name).

A spelling no table knows gives ``None``: callers keep the text and warn
(``unknown-code``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .model import CodedText

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def key(text: str) -> str:
    """Lower case with everything but letters and digits removed."""
    return _NON_ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class Concept:
    """One vocabulary: its codes, the spellings that mean them, and the registry's wording of them."""

    name: str
    codes: tuple[str, ...]
    spellings: Mapping[str, str] = field(default_factory=dict)  # key(spelling) -> code
    wording: Mapping[str, str] = field(default_factory=dict)  # code -> the registry XML's words
    described: str = ""  # what the concept is, for messages and column descriptions

    def __post_init__(self) -> None:
        table = {key(code): code for code in self.codes}
        table.update({key(words): code for code, words in self.wording.items()})
        table.update(self.spellings)
        object.__setattr__(self, "table", table)

    def code(self, text: str | None) -> str | None:
        """The code ``text`` spells, or None. A qualifier in brackets is detail:
        ``Double (Participant, Investigator)`` is ``DOUBLE``."""
        if text is None:
            return None
        table: dict[str, str] = self.table  # type: ignore[attr-defined]
        found = table.get(key(text))
        if found is None and "(" in text:
            found = table.get(key(text.split("(", 1)[0]))
        return found

    def coded(self, text: str | None) -> CodedText | None:
        """``CodedText(text, code)``, the text stripped; None for a missing or blank text."""
        if text is None or not text.strip():
            return None
        text = text.strip()
        return CodedText(text, self.code(text))

    def words(self, code: str) -> str | None:
        """The registry's wording of ``code`` (``RECRUITING`` -> ``Recruiting``), or None."""
        return self.wording.get(code)

    def words_for(self, text: str) -> str | None:
        """The registry's wording of what ``text`` spells (``recruiting`` -> ``Recruiting``), or None."""
        code = self.code(text)
        return self.wording.get(code) if code else None


SOURCE_FORMAT = Concept("source_format", ("text", "ctgov-xml", "ctgov-json", "ictrp"), described="input format")

PHASE = Concept(
    "phase",
    ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"),
    {"earlyphase1": "EARLY_PHASE1", "phase0": "EARLY_PHASE1", "phase1": "PHASE1", "phase2": "PHASE2",
     "phase3": "PHASE3", "phase4": "PHASE4", "na": "NA", "notapplicable": "NA"},
    {"NA": "N/A", "EARLY_PHASE1": "Early Phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2", "PHASE3": "Phase 3",
     "PHASE4": "Phase 4"},
    "phase",
)
# The registry XML writes one <phase> for up to two phases.
PHASE_WORDING: dict[tuple[str, ...], str] = {
    **{(code,): words for code, words in PHASE.wording.items()},
    ("PHASE1", "PHASE2"): "Phase 1/Phase 2",
    ("PHASE2", "PHASE3"): "Phase 2/Phase 3",
}

ALLOCATION = Concept(
    "allocation",
    ("RANDOMIZED", "NON_RANDOMIZED", "NA"),
    {"randomized": "RANDOMIZED", "randomised": "RANDOMIZED", "random": "RANDOMIZED",
     "nonrandomized": "NON_RANDOMIZED", "nonrandomised": "NON_RANDOMIZED", "notrandomized": "NON_RANDOMIZED",
     "notrandomised": "NON_RANDOMIZED", "na": "NA", "notapplicable": "NA"},
    described="allocation",
)

INTERVENTION_MODEL = Concept(
    "intervention_model",
    ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"),
    {"singlegroupassignment": "SINGLE_GROUP", "singlegroup": "SINGLE_GROUP", "singlearm": "SINGLE_GROUP",
     "parallelassignment": "PARALLEL", "parallel": "PARALLEL", "parallelgroup": "PARALLEL",
     "crossoverassignment": "CROSSOVER", "crossover": "CROSSOVER", "factorialassignment": "FACTORIAL",
     "factorial": "FACTORIAL", "sequentialassignment": "SEQUENTIAL", "sequential": "SEQUENTIAL"},
    described="intervention model",
)

INTERVENTION_TYPE = Concept(
    "intervention_type",
    ("DRUG", "DEVICE", "BIOLOGICAL", "PROCEDURE", "RADIATION", "BEHAVIORAL", "GENETIC", "DIETARY_SUPPLEMENT",
     "COMBINATION_PRODUCT", "DIAGNOSTIC_TEST", "OTHER"),
    {"biologicalvaccine": "BIOLOGICAL", "proceduresurgery": "PROCEDURE", "behavioural": "BEHAVIORAL",
     "behaviour": "BEHAVIORAL", "behavior": "BEHAVIORAL"},
    {"BEHAVIORAL": "Behavioral", "BIOLOGICAL": "Biological", "COMBINATION_PRODUCT": "Combination Product",
     "DEVICE": "Device", "DIAGNOSTIC_TEST": "Diagnostic Test", "DIETARY_SUPPLEMENT": "Dietary Supplement",
     "DRUG": "Drug", "GENETIC": "Genetic", "PROCEDURE": "Procedure", "RADIATION": "Radiation", "OTHER": "Other"},
    "intervention type",
)

STUDY_TYPE = Concept(
    "study_type",
    ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS", "NA"),
    {"observationalpatientregistry": "OBSERVATIONAL", "interventionalstudy": "INTERVENTIONAL",
     "observationalstudy": "OBSERVATIONAL", "interventionalclinicaltrialofmedicinalproduct": "INTERVENTIONAL"},
    {"INTERVENTIONAL": "Interventional", "OBSERVATIONAL": "Observational", "EXPANDED_ACCESS": "Expanded Access",
     "NA": "N/A"},
    "study type",
)
# Spellings the registry schema accepts for <study_type> beyond the codes' own wording.
STUDY_TYPE_XML_VALUES = ("Observational [Patient Registry]",)

OVERALL_STATUS = Concept(
    "overall_status",
    ("ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING", "RECRUITING",
     "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
     "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN"),
    {"unknown": "UNKNOWN"},
    {"ACTIVE_NOT_RECRUITING": "Active, not recruiting", "COMPLETED": "Completed",
     "ENROLLING_BY_INVITATION": "Enrolling by invitation", "NOT_YET_RECRUITING": "Not yet recruiting",
     "RECRUITING": "Recruiting", "SUSPENDED": "Suspended", "TERMINATED": "Terminated", "WITHDRAWN": "Withdrawn",
     "AVAILABLE": "Available", "NO_LONGER_AVAILABLE": "No longer available",
     "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available", "APPROVED_FOR_MARKETING": "Approved for marketing",
     "WITHHELD": "Withheld", "UNKNOWN": "Unknown status"},
    "overall status",
)

GENDER = Concept("gender", ("ALL", "FEMALE", "MALE"),
                 {"both": "ALL", "bothmalesandfemales": "ALL", "bothmaleandfemale": "ALL", "maleandfemale": "ALL",
                  "malesandfemales": "ALL", "femaleandmale": "ALL", "femalesandmales": "ALL"},
                 {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}, "eligible sex")

MASKING = Concept(
    "masking",
    ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"),
    {"noneopenlabel": "NONE", "openlabel": "NONE", "nomasking": "NONE", "singleblind": "SINGLE",
     "doubleblind": "DOUBLE", "tripleblind": "TRIPLE", "quadrupleblind": "QUADRUPLE"},
    described="masking",
)

PRIMARY_PURPOSE = Concept(
    "primary_purpose",
    ("TREATMENT", "PREVENTION", "DIAGNOSTIC", "SUPPORTIVE_CARE", "SCREENING", "HEALTH_SERVICES_RESEARCH",
     "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "EDUCATIONAL_COUNSELING_TRAINING", "OTHER", "ECT"),
    described="primary purpose",
)

# The registry XML's <agency_class> words, and the API v2 classes each stands for.
AGENCY_CLASS_XML_VALUES = ("NIH", "U.S. Fed", "Industry", "Other")
AGENCY_CLASS_XML_ALIASES = {"FED": "U.S. Fed", "OTHER_GOV": "Other", "NETWORK": "Other", "INDIV": "Other",
                            "INDUSTRY": "Industry", "OTHER": "Other"}

# Registry date types: the registry XML's words; API v2 writes ACTUAL / ESTIMATED.
DATE_TYPE_XML_VALUES = ("Actual", "Anticipated", "Estimate")

# WHO ICTRP exports: values that could mean more than one code, with what each could mean. A reader
# keeps the text, gives no code and warns (ambiguous-value); keyed by concept name, then key(spelling).
AMBIGUOUS: dict[str, dict[str, str]] = {
    "phase": {
        "0": "ChiCTR's phase 0 is used both for early-phase trials and for studies with no phase",
        "newtreatmentmeasureclinicalstudy": "a ChiCTR study category, not a phase",
    },
    "overall_status": {
        "notrecruiting": "ICTRP's 'Not recruiting' stands for not yet recruiting, active, completed, "
                         "suspended, terminated or withdrawn",
        "authorised": "EU CTR's 'Authorised' says the trial may start, not whether it recruits",
        "pending": "ChiCTR's 'Pending' says the entry awaits review, not whether the trial recruits",
    },
    "allocation": {"no": "'no' randomisation may be a non-randomised or a single-arm (not applicable) trial"},
    "masking": {"blindedmaskingused": "blinded, but not who is"},
    "study_type": {
        "diagnostictest": "a ChiCTR diagnostic-accuracy study may be interventional or observational",
        "epidemilogicalresearch": "a ChiCTR study category, not a study type",
        "epidemiologicalresearch": "a ChiCTR study category, not a study type",
        "prognosisstudy": "a ChiCTR study category, not a study type",
        "basicscience": "a purpose, not a study type",
        "prevention": "a purpose, not a study type",
        "causalrelationshipstudy": "a ChiCTR study category, not a study type",
        "healthservicesresearch": "a purpose, not a study type",
        "relatedfactorstudy": "a ChiCTR study category, not a study type",
        "treatmentstudy": "a ChiCTR study category, not a study type",
        "causerelativefactorsstudy": "a ChiCTR study category, not a study type",
        "healthservicesreaserch": "a purpose, not a study type",
        "screening": "a purpose, not a study type",
        "others": "no study type given",
        "other": "no study type given",
    },
}

# WHO ICTRP Study_design, labelled style: key(label) -> design field.
ICTRP_DESIGN_LABELS: dict[str, str] = {
    "allocation": "allocation", "randomization": "allocation", "randomisation": "allocation",
    "randomized": "allocation", "randomised": "allocation",
    "interventionmodel": "intervention_model", "assignment": "intervention_model",
    "masking": "masking", "blinding": "masking", "blindingmasking": "masking",
    "primarypurpose": "primary_purpose", "purpose": "primary_purpose", "studydesignpurpose": "primary_purpose",
}

# WHO ICTRP Study_design, term style (ChiCTR, JPRN, NL-OMON): key(term) -> ((design field, code), ...).
ICTRP_DESIGN_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    **{k: (("allocation", "RANDOMIZED"),) for k in (
        "randomized", "randomised", "randomizedcontrolledtrial", "randomisedcontrolledtrial", "randomizedcontrolled",
        "randomisedcontrolled", "clusterrandomization", "clusterrandomisation", "randomizedtrial", "randomisedtrial",
        "clusterrandomizedtrial", "clusterrandomisedtrial")},
    **{k: (("allocation", "NON_RANDOMIZED"),) for k in (
        "nonrandomized", "nonrandomised", "nonrandomizedcontrol", "nonrandomisedcontrol",
        "nonrandomizedcontrolledtrial", "nonrandomisedcontrolledtrial")},
    "randomizedparallelcontrolledtrial": (("allocation", "RANDOMIZED"), ("intervention_model", "PARALLEL")),
    "randomisedparallelcontrolledtrial": (("allocation", "RANDOMIZED"), ("intervention_model", "PARALLEL")),
    **{k: (("intervention_model", "SINGLE_GROUP"),) for k in (
        "singlearm", "singlearmstudy", "singlearmtrial", "singleassignment", "singlegroup", "singlegroupassignment")},
    **{k: (("intervention_model", "PARALLEL"),) for k in (
        "parallel", "parallelassignment", "parallelgroup", "parallelgrouptrial")},
    **{k: (("intervention_model", "CROSSOVER"),) for k in ("crossover", "crossoverassignment", "crossovertrial")},
    **{k: (("intervention_model", "FACTORIAL"),) for k in ("factorial", "factorialassignment", "factorialtrial")},
    **{k: (("intervention_model", "SEQUENTIAL"),) for k in ("sequential", "sequentialassignment")},
    **{k: (("masking", "NONE"),) for k in ("open", "openlabel", "openmaskingnotused", "nomasking")},
    **{k: (("masking", "SINGLE"),) for k in ("singleblind", "singleblinded", "singleblindmasking")},
    **{k: (("masking", "DOUBLE"),) for k in ("doubleblind", "doubleblinded", "doubleblindmasking")},
}
# WHO ICTRP Study_design, labelled style: spellings of values the concepts above do not hold, by field.
ICTRP_DESIGN_VALUES: dict[str, dict[str, str]] = {
    "allocation": {"randomisedcontrolledtrial": "RANDOMIZED", "randomizedcontrolledtrial": "RANDOMIZED",
                   "nonrandomisedtrial": "NON_RANDOMIZED", "nonrandomizedtrial": "NON_RANDOMIZED",
                   "nonrandomizedcontrolledtrial": "NON_RANDOMIZED", "nonrandomisedcontrolledtrial": "NON_RANDOMIZED",
                   "yes": "RANDOMIZED"},
    "masking": {"open": "NONE", "openmaskingnotused": "NONE", "singleblinded": "SINGLE", "doubleblinded": "DOUBLE",
                "tripleblinded": "TRIPLE", "quadrupleblinded": "QUADRUPLE"},
    "primary_purpose": {"diagnosis": "DIAGNOSTIC", "diagnostic": "DIAGNOSTIC"},
    "intervention_model": {"singlegroup": "SINGLE_GROUP", "single": "SINGLE_GROUP"},
}
# WHO ICTRP Phase: spellings that mean no phase applies (the NA code).
ICTRP_PHASE_NA = frozenset({"na", "notapplicable", "retrospectivestudy", "none", "notselected"})

OUTCOME_TYPE = Concept("outcome_type", ("primary", "secondary", "other"), described="outcome type")
CRITERION_KIND = Concept("criterion_kind", ("inclusion", "exclusion"), described="criterion kind")
BLOCK_MARKUP = Concept("block_markup", ("plain", "markdown"), described="criteria block markup")
TIME_UNIT = Concept("time_unit", ("minute", "hour", "day", "week", "month", "year", "cycle"), described="time unit")
TIME_RELATION = Concept("time_relation", ("at", "up_to", "about", "from", "to", "baseline", "every"),
                        described="time point relation")
VARIANT_KIND = Concept(
    "variant_kind", ("protein_change", "fusion", "exon_deletion", "exon_insertion", "rsid", "cdna", "other"),
    described="variant kind",
)

ARM_GROUP_TYPE = Concept(
    "arm_group_type",
    ("EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION", "OTHER"),
    wording={"EXPERIMENTAL": "Experimental", "ACTIVE_COMPARATOR": "Active Comparator",
             "PLACEBO_COMPARATOR": "Placebo Comparator", "SHAM_COMPARATOR": "Sham Comparator",
             "NO_INTERVENTION": "No Intervention", "OTHER": "Other"},
    described="arm type",
)
AGENCY_CLASS = Concept(
    "agency_class", ("NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"),
    {"usfed": "FED"}, described="agency class",
)
# Enrollment and date types: legacy Anticipated / Estimate are API v2's ESTIMATED.
DATE_TYPE = Concept("date_type", ("ACTUAL", "ESTIMATED"), {"anticipated": "ESTIMATED", "estimate": "ESTIMATED"},
                    described="date or enrollment type")

# --- results (API v2 enums; the legacy XML's words as their wording) ---------------------------------

RESULT_OUTCOME_TYPE = Concept(
    "result_outcome_type", ("primary", "secondary", "other_prespecified", "post_hoc"),
    wording={"primary": "Primary", "secondary": "Secondary", "other_prespecified": "Other Pre-specified",
             "post_hoc": "Post-Hoc"},
    described="reported outcome type",
)
PARAM_TYPE = Concept(
    "param_type",
    ("GEOMETRIC_MEAN", "GEOMETRIC_LEAST_SQUARES_MEAN", "LEAST_SQUARES_MEAN", "LOG_MEAN", "MEAN", "MEDIAN",
     "NUMBER", "COUNT_OF_PARTICIPANTS", "COUNT_OF_UNITS"),
    wording={"GEOMETRIC_MEAN": "Geometric Mean", "GEOMETRIC_LEAST_SQUARES_MEAN": "Geometric Least Squares Mean",
             "LEAST_SQUARES_MEAN": "Least Squares Mean", "LOG_MEAN": "Log Mean", "MEAN": "Mean", "MEDIAN": "Median",
             "NUMBER": "Number", "COUNT_OF_PARTICIPANTS": "Count of Participants", "COUNT_OF_UNITS": "Count of Units"},
    described="measure parameter",
)
DISPERSION_TYPE = Concept(
    "dispersion_type",
    ("NA", "STANDARD_DEVIATION", "STANDARD_ERROR", "INTER_QUARTILE_RANGE", "FULL_RANGE", "CONFIDENCE_80",
     "CONFIDENCE_90", "CONFIDENCE_95", "CONFIDENCE_975", "CONFIDENCE_99", "CONFIDENCE_OTHER",
     "GEOMETRIC_COEFFICIENT", "STANDARD_ERROR_OF_MEAN"),
    {"standarderrorofthemean": "STANDARD_ERROR_OF_MEAN", "na": "NA", "notapplicable": "NA"},
    {"STANDARD_DEVIATION": "Standard Deviation", "STANDARD_ERROR": "Standard Error",
     "INTER_QUARTILE_RANGE": "Inter-Quartile Range", "FULL_RANGE": "Full Range",
     "CONFIDENCE_80": "80% Confidence Interval", "CONFIDENCE_90": "90% Confidence Interval",
     "CONFIDENCE_95": "95% Confidence Interval", "CONFIDENCE_975": "97.5% Confidence Interval",
     "CONFIDENCE_99": "99% Confidence Interval", "CONFIDENCE_OTHER": "Other Confidence Interval Level",
     "GEOMETRIC_COEFFICIENT": "Geometric Coefficient of Variation",
     "STANDARD_ERROR_OF_MEAN": "Standard Error of the Mean"},
    "dispersion type",
)
NON_INFERIORITY_TYPE = Concept(
    "non_inferiority_type",
    ("SUPERIORITY", "NON_INFERIORITY", "EQUIVALENCE", "OTHER", "NON_INFERIORITY_OR_EQUIVALENCE",
     "SUPERIORITY_OR_OTHER", "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY", "SUPERIORITY_OR_OTHER_LEGACY"),
    wording={"SUPERIORITY": "Superiority", "NON_INFERIORITY": "Non-Inferiority", "EQUIVALENCE": "Equivalence",
             "OTHER": "Other", "NON_INFERIORITY_OR_EQUIVALENCE": "Non-Inferiority or Equivalence",
             "SUPERIORITY_OR_OTHER": "Superiority or Other",
             "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY": "Non-Inferiority or Equivalence (legacy)",
             "SUPERIORITY_OR_OTHER_LEGACY": "Superiority or Other (legacy)"},
    described="non-inferiority type",
)
CI_SIDES = Concept("ci_sides", ("ONE_SIDED", "TWO_SIDED"), {"1sided": "ONE_SIDED", "2sided": "TWO_SIDED"},
                   {"ONE_SIDED": "1-Sided", "TWO_SIDED": "2-Sided"}, "confidence interval sides")
ASSESSMENT_TYPE = Concept("assessment_type", ("SYSTEMATIC_ASSESSMENT", "NON_SYSTEMATIC_ASSESSMENT"),
                          wording={"SYSTEMATIC_ASSESSMENT": "Systematic Assessment",
                                   "NON_SYSTEMATIC_ASSESSMENT": "Non-systematic Assessment"},
                          described="adverse event assessment")
NUMBER_MODIFIER = Concept("number_modifier", ("<", "<=", ">", ">="), described="number modifier")
EVENT_TOTAL_TYPE = Concept("event_total_type", ("serious", "other", "deaths"), described="adverse event total")

CONCEPTS: dict[str, Concept] = {
    c.name: c
    for c in (SOURCE_FORMAT, PHASE, ALLOCATION, INTERVENTION_MODEL, INTERVENTION_TYPE, STUDY_TYPE, OVERALL_STATUS,
              GENDER, MASKING, PRIMARY_PURPOSE, OUTCOME_TYPE, CRITERION_KIND, BLOCK_MARKUP, TIME_UNIT,
              TIME_RELATION, VARIANT_KIND, ARM_GROUP_TYPE, AGENCY_CLASS, DATE_TYPE, RESULT_OUTCOME_TYPE, PARAM_TYPE, DISPERSION_TYPE, NON_INFERIORITY_TYPE,
              CI_SIDES, ASSESSMENT_TYPE, NUMBER_MODIFIER, EVENT_TOTAL_TYPE)
}
"""Every concept by name (the name the model's field metadata uses)."""

_PHASE_PARTS = re.compile(r"[/,]|\band\b")


def phases_from_registry(text: str | None) -> tuple[list[str], bool]:
    """Codes of a registry phase value and whether every part of it was known:
    ``Phase 1/Phase 2`` -> ([PHASE1, PHASE2], True); ``N/A`` is one value, not two."""
    if not text or not text.strip():
        return [], True
    whole = PHASE.code(text)
    if whole is not None:
        return [whole], True
    found: list[str] = []
    parts = [p for p in _PHASE_PARTS.split(text) if p.strip()]
    for part in parts:
        code = PHASE.table.get(key(part))  # type: ignore[attr-defined]
        if code and code not in found:
            found.append(code)
    return found, len(found) >= len(parts)


# Days in a unit, as CONTRACT counts them (time frames' max_days, ages in years): 1 month is a
# twelfth of a year.
DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}

# The months by name, lower case -> 1..12 (registry dates: "September 1991", "January 28, 2020").
MONTH_NUMBERS = {name: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), 1)}
