"""Every warning and failure code the package gives: what it means and which stage gives it.

A **warning** rides on a record (``record.warnings``): something was guessed,
kept aside or could not be understood, and the record is still written. A
**failure** stands in place of a record that could not be read, checked or
written (the batch goes on). Codes are stable: scripts may match on them. One
situation has one code, whatever the input format.

The README's table of codes is generated from :data:`CODES`
(``python -m registry_tool.catalogue``), and a test holds the package's source
to it: every code given appears here, every code here is given.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    kind: str  # warning | failure
    stage: str  # the stage that gives it: a reader, a normalise step, validation, a writer, a source
    meaning: str


def _codes(*rows: tuple[str, str, str, str]) -> dict[str, Code]:
    return {row[0]: Code(*row) for row in rows}


W, F = "warning", "failure"

CODES: dict[str, Code] = _codes(
    # sources and reading
    ("unreadable", F, "sources", "an input file could not be read (exit status 2)"),
    ("not-utf8", F, "readers", "a text document is not UTF-8; the line and column of the first bad byte are named"),
    ("not-utf16", F, "readers", "a document with a UTF-16 byte-order mark is not valid UTF-16"),
    ("too-large", F, "readers",
     "a document larger than its format's limit (text entry 16 MiB, registry XML 64 MiB); refused unread"),
    ("bad-archive", F, "sources",
     "a .gz or .zip input that cannot be unpacked, or a compressed file of another kind (.bz2, .xz, .7z, ...)"),
    ("internal-error", F, "pipeline", "an unexpected error in one input (a bug: please report the input); the batch goes on"),
    # text reader
    ("empty-entry", F, "text reader", "the entry holds no text"),
    ("binary-input", F, "text reader", "the entry holds NUL characters: binary data, not an entry"),
    ("not-an-entry", F, "text reader",
     "a text in which no field of the layout is found, or XML or JSON given as text (--from names the reader)"),
    ("unplaced-text", W, "text reader", "text that fits no field of the layout, kept in extras under its line or label"),
    ("empty-value", W, "text reader", "a label (Name:, Measure:, Allocation:, model) given with no value"),
    ("no-time-separator", W, "text reader", "a Measure: line without '. Time: ': the whole line is the measure"),
    ("description-to-intervention", W, "text reader",
     "a Description: after a Name: with no Measure: after it, taken as the intervention's"),
    ("unattached-variant", W, "text reader", "a --- X --- mark on a line with no criterion"),
    ("label-misspelled", W, "text reader",
     "a label one edit away from a layout label (Descripton:, Allocaton:, . Tme:), read as that label"),
    ("mark-malformed", W, "text reader", "a variant mark with fewer than three dashes on one side (--- F317L --)"),
    # registry XML reader
    ("bad-xml", F, "ctgov-xml reader", "the document is not well-formed XML (line and column named)"),
    ("unsafe-xml", F, "ctgov-xml reader", "the document declares entities or names a DTD; refused unread"),
    ("not-clinical-study", F, "ctgov-xml reader", "the root element is not <clinical_study>"),
    ("no-nct-id", W, "ctgov-xml reader", "the record has no NCT id; its id is derived from its content"),
    ("unexpected-xml", W, "XML readers", "child elements where text was expected, or an element given twice; kept in extras"),
    ("bad-number", W, "registry readers", "a count that is not a whole number (enrollment, a results count); the text kept in extras"),
    ("note-unreadable", W, "ctgov-xml reader", "a registry-tool note that cannot be read; ignored"),
    ("note-outdated", W, "ctgov-xml reader", "the document changed after export, so its registry-tool note is ignored"),
    # API v2 JSON reader and JSON documents
    # WHO ICTRP export reader
    ("not-ictrp", F, "ictrp reader",
     "the document is neither an ICTRP XML export (root Trials_downloaded_from_ICTRP) nor an ICTRP CSV export"),
    ("bad-csv", F, "ictrp reader", "the CSV export cannot be read (its line named)"),
    ("no-trial-id", W, "ictrp reader", "a trial without a TrialID; its id is derived from its content"),
    ("ambiguous-value", W, "ictrp reader",
     "a value that could mean more than one code (ChiCTR phase 0, 'Not recruiting', a design word that could be "
     "allocation or model): text kept, code null"),
    ("target-size-unclear", W, "ictrp reader",
     "a Target_size whose groups do not add up (a part without a count, a group named twice): groups kept, "
     "count null"),
    ("unparsed-value", W, "ictrp reader",
     "a date or age in a form not understood: text kept (a date in extras, an age as written), value null"),
    ("bad-json", F, "JSON readers", "a document (or a JSON Lines line) that is not valid JSON"),
    ("unknown-json", F, "JSON readers", "a JSON object that is neither an API v2 study nor a canonical record"),
    ("bad-study", F, "ctgov-json reader", "a study value of the wrong type (its JSON path and what was expected named)"),
    ("missing-value", W, "ctgov-json reader", "an item without its name, label or measure; kept whole in extras"),
    ("nct-id-format", W, "ctgov-json reader", "an nctId that is not NCT and eight digits"),
    ("bad-record", F, "canonical reader", "a canonical JSON value that is not an object"),
    # every reader
    ("unknown-code", W, "readers", "a spelling no vocabulary knows (allocation, phase, status, ...): text kept, code null"),
    # normalise stack
    ("phases-from-summary", W, "normalise: phases", "phases derived from an entry's summary, which has no phase field"),
    ("time-frame-unparsed", W, "normalise: time frames", "a time frame that gave no time point"),
    ("time-frame-partial", W, "normalise: time frames", "a time frame only part of which gave time points"),
    ("variant-candidate", W, "normalise: variants", "a likely typo of a variant named nearby (T3151 beside T315I)"),
    ("mark-mismatch", W, "normalise: variants",
     "a mark one character away from a variant its criterion writes (T3151 for T315I); the criterion's spelling kept"),
    ("mark-not-in-criterion", W, "normalise: variants", "a mark naming no variant its criterion writes; the mark kept"),
    ("mark-unrecognised", W, "normalise: variants", "a mark that is not a recognisable variant; kept as kind other"),
    ("variant-count-mismatch", W, "normalise: variants", "the declared variant count differs from the marks found"),
    # a curator's overrides (--set, --fields)
    ("curator-set", W, "overrides", "a value the curator set with --set or --fields (the value before named)"),
    ("override-no-field", F, "overrides", "an override naming a field the record does not have (outcome_type.5 of 3)"),
    # validation and checks
    ("schema", F, "validation", "the record breaks the record schema (every violation named)"),
    ("bad-reference", F, "tables writer", "an index inside the record points at no criterion"),
    ("many-records", F, "library", "parse_file() on a file holding more than one record"),
    ("no-record", F, "library", "parse_file() on a file holding no record"),
    # writers
    ("duplicate-record-id", F, "tables and XML writers", "a record id already written in this batch; the first is kept"),
    ("sqlite-refused", F, "SQLite writer", "the database refused the record's rows"),
    ("xml-missing-element", W, "XML writer",
     "an element the registry schema requires that the record does not hold (a failure with --strict)"),
    ("xml-value-refused", W, "XML writer", "a value the registry schema does not accept; left out of the XML"),
    ("xml-left-out", W, "XML writer", "an element from extras the registry schema has no place for; left out of the XML"),
    ("xml-invalid", W, "XML writer", "the document still breaks the registry schema after what was left out"),
    ("xml-note", W, "XML writer", "values registry XML cannot hold, kept in the registry-tool note"),
    ("outcome-type-unknown", W, "XML writer", "outcomes of unknown type, written as <other_outcome>"),
    ("outcomes-reordered", W, "XML writer", "outcomes written primary, secondary, other, as the schema orders them"),
    # the registry API source
    ("not-found", F, "registry API source", "the registry has no study with that NCT id"),
    ("unavailable", F, "registry API source", "a request still failing after its last retry (OUT.part kept for --resume)"),
    ("http-error", F, "registry API source", "an HTTP error that retrying does not mend"),
    ("bad-response", F, "registry API source", "an answer of the wrong shape"),
    ("count-mismatch", F, "registry API source", "the studies received differ from the registry's totalCount"),
    ("count-unknown", F, "registry API source", "the registry reported no totalCount to check against"),
    ("id-differs", W, "registry API source", "the registry answered with another study than the one asked for"),
)


# Warnings that record a derivation the README documents rather than a guess a curator must
# check: kept in the record and in ``--warnings FILE``, not printed on screen.
NOT_ON_SCREEN = frozenset({"phases-from-summary"})


def on_screen(code: str) -> bool:
    """Whether ``parse``/``export``/``validate`` print a warning of this code on stderr by default."""
    return code not in NOT_ON_SCREEN


def markdown_table() -> str:
    """The README's table of codes."""
    lines = ["| code | kind | given by | meaning |", "|---|---|---|---|"]
    for c in CODES.values():
        note = " (kept in the record, not printed on screen)" if c.code in NOT_ON_SCREEN else ""
        lines.append(f"| `{c.code}` | {c.kind} | {c.stage} | {c.meaning}{note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
