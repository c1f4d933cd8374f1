"""The flattened-text layout (``../shared/FORMAT.md``): its labels, structural lines and marks.

What the reader recognises and the writer writes, declared once.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A label at the start of a line (after optional indentation), any letter case.
LABEL_AT_START = re.compile(
    r"^[ \t]*(name|description|measure|allocation|intervention[ \t]+model)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
# The separator between a measure and its time frame (rule 3). The first match
# on the line wins: a measure ending in a period shows two (``rate.. Time:``).
TIME_SEPARATOR = re.compile(r"\.[ \t]*time[ \t]*:[ \t]*", re.IGNORECASE)
# A label glued to the end of a time frame (rule 2): ``3 monthsDescription:``.
# Its first letter must be a capital, so lower-case prose is never cut.
GLUED_LABEL = re.compile(r"([DMAN](?i:escription|easure|llocation|ame))[ \t]*:[ \t]*")

NUMBER_WORDS = {
    "no": 0, "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}
# Every line that is not a label line but still starts a block: the model line,
# the variant-count line, a criteria heading. One pattern, so each line is
# classified with a single match.
STRUCTURAL = re.compile(
    r"^[ \t]*(?:"
    r"(?P<label>name|description|measure|allocation|intervention[ \t]+model)[ \t]*:"
    r"|(?P<heading>(?:key[ \t]+)?(?:inclusion|exclusion)[ \t]+criteria\b)"
    r"|(?P<model>(?:single[ \t-]*group|parallel|cross[ \t-]*over|factorial|sequential)"
    r"(?:[ \t]+assignment)?[ \t]*\.?$)"
    r"|(?P<snp>there[ \t]+(?:is|are)[ \t]+(?P<count>\d+|[a-z]+)[ \t]+snps?[ \t]*\.?$)"
    r")",
    re.IGNORECASE,
)
# The first four letters of a structural line, lower-cased (after its indentation): a label,
# a criteria heading (with or without "Key"), a model line or the SNP line.
STRUCTURAL_HEADS = frozenset({
    "name", "desc", "meas", "allo", "inte", "key ", "key\t", "incl", "excl",
    "sing", "para", "cros", "fact", "sequ", "ther",
})


def line_kind(line: str) -> re.Match[str] | None:
    """The structural block a line starts, if any (one match of STRUCTURAL)."""
    head = line.lstrip(" \t")[:4]
    if head.isascii() and head.lower() not in STRUCTURAL_HEADS:
        return None  # a quick no for most lines; other characters may fold case into a label
    return STRUCTURAL.match(line)


# --- misspelled labels ----------------------------------------------------------------------
#
# A word one edit (a letter added, dropped, changed, or two neighbours swapped) away from
# a label, where that label may stand, is read as that label with a warning. Only where a
# label may stand: at a line start (``Descripton:``), glued to the end of a time frame
# (``12 weeksAllocaton:``, a capital first as for the exact labels), and ``. Tme:`` on a
# measure's line. A real English word stays text even there: ENGLISH_NEAR_LABELS lists every
# word of an American English word list (Debian's wamerican) one edit away from a
# label, and the labels' plurals, so "Names:", "Same:", "Tide:" or "Measures:" are never read as labels.

# The labels a misspelling may stand for, as the reader names them.
MISSPELLABLE = {"name": "name", "description": "description", "measure": "measure",
                "allocation": "allocation", "intervention model": "model"}
ENGLISH_NEAR_LABELS = frozenset({
    # name
    "came", "dame", "fame", "game", "jame", "lame", "nam", "named", "names", "nape", "nate", "nave", "nome",
    "same", "tame",
    # description, measure, allocation, intervention model (and the plurals of the labels)
    "descriptions", "measured", "measures", "allocations", "interventions", "intervention models",
    # time (the ". Time: " separator)
    "dime", "lime", "mime", "rime", "tide", "tie", "tike", "tile", "tim", "timed", "timer", "times",
    "timex", "tine", "tire", "tome",
})
# A possible label at a line start: one word or two, then a colon.
LABEL_LIKE_AT_START = re.compile(r"^[ \t]*([A-Za-z]{2,13}(?:[ \t]+[A-Za-z]{3,7})?)[ \t]*:[ \t]*")
# A possible label glued to a time frame: a capital, then letters of one case, then a colon;
# right at the start of the time frame (an empty one) or right after a character that is not a space.
GLUED_LABEL_LIKE = re.compile(r"(?:^|(?<=\S))([A-Z](?:[a-z]{1,12}|[A-Z]{1,12}))[ \t]*:[ \t]*")
# A possible ". Time: " separator: a period, one short word, a colon.
TIME_SEPARATOR_LIKE = re.compile(r"\.[ \t]*([A-Za-z]{2,5})[ \t]*:[ \t]*")


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by at most one edit: a letter added, dropped or changed,
    or two neighbouring letters swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True  # one letter changed
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]  # swapped
    return a[i + 1:] == b[i:] if la > lb else a[i:] == b[i + 1:]


def misspelled_label(word: str, labels: dict[str, str] = MISSPELLABLE) -> str | None:
    """The label ``word`` misspells (the reader's name for it), or None: a word that is a
    label exactly, or a real English word, or more than one edit from every label, is none."""
    key = " ".join(word.lower().split())
    if key in labels or key in ENGLISH_NEAR_LABELS:
        return None
    for spelling, label in labels.items():
        if edit_distance_at_most_one(key, spelling):
            return label
    return None


def misspelled_time_separator(word: str) -> bool:
    """Whether ``word`` (between ". " and ":" on a measure's line) misspells "Time"."""
    return misspelled_label(word, {"time": "time"}) is not None


# Between the variants one mark names: ``T315I, E255K``.
MARK_LIST_SEPARATOR = re.compile(r"[;,]\s*")
# A variant mark: ``--- T315I ---``, three or more dashes each side, however many
# (``--- T315I -------``). One with one or two dashes on one side (``--- F317L --``,
# ``-- Y253H ---``) is still a mark, a malformed one; with fewer than three on both sides
# (``a -- b --``) it is prose. What a mark names: words separated by single spaces or
# single dashes (``T315I``, ``BCR-ABL1 T315I``, ``T315I, E255K``, ``exon 19 deletion``).
_MARK_BODY = r"[^\s-](?:[^\s-]|[ \t]+(?=[^\s-])|-(?=[^\s-]))*"
MARK = re.compile(
    rf"[ \t]*(?P<left>-{{3,}}|(?<!\S)-{{1,2}})[ \t]*(?P<body>{_MARK_BODY})[ \t]*"
    rf"(?P<right>-{{3,}}|-{{1,2}}(?!\S))[ \t]*"
)


class MarkFound(NamedTuple):
    """A mark on a line: where it is (with the spaces around it), what it names, whether it is malformed."""

    start: int
    end: int
    body: str
    body_start: int
    malformed: bool
    written: str  # the mark as written, dashes included
    written_start: int  # where ``written`` starts in the line


def find_marks(line: str) -> list[MarkFound]:
    """The ``--- X ---`` marks of a criterion line, well formed or not, in order."""
    if "---" not in line:
        return []  # every mark has three dashes or more on one side at least
    out = []
    for m in MARK.finditer(line):
        short = (len(m.group("left")) < 3) + (len(m.group("right")) < 3)
        if short == 2:
            continue  # dashes of prose
        written = line[m.start("left"):m.end("right")]
        out.append(MarkFound(m.start(), m.end(), m.group("body"), m.start("body"), short == 1, written,
                             m.start("left")))
    return out
