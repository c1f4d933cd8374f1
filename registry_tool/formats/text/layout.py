"""The flattened-text layout (``../shared/FORMAT.md``): its labels, structural lines and marks.

What the reader recognises and the writer writes, declared once.
"""

from __future__ import annotations

import re

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


# Between the variants one mark names: ``T315I, E255K``.
MARK_LIST_SEPARATOR = re.compile(r"[;,]\s*")
# A variant mark: ``--- T315I ---`` (three or more dashes each side).
MARK = re.compile(r"[ \t]*-{3,}[ \t]*([^-\s](?:[^-]|-(?!--))*?)[ \t]*-{3,}[ \t]*")
