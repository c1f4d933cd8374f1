"""The quick check of the variant finder: does a text show any sign of a variant at all?

Most criteria, summaries and outcome texts name no variant; :func:`may_name_variants`
says so in a few passes over the text's bytes, so the full scan
(:func:`registry_tool.normalize.variants.scan_mentions`) runs only on the few that may.
It must never rule out a text the full scan finds a variant in (a property test holds it
to that): every pattern of the full scan has its sign here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .genes import FIVE_PRIME, THREE_PRIME

AA1 = "ACDEFGHIKLMNPQRSTVWY"  # the one-letter residues

# --- the quick check ----------------------------------------------------------------------
#
# Every mention the full scan reports needs one of these signs, so text with none of them
# names no variant. Each is one search over the text's bytes that starts only at a rare
# byte (":", a digit, ".", "x", "-"), the way CPython's pattern engine is fast. They run on
# an ASCII image of the text (non-ASCII white space as " ", decimal digits as "0", "–" and
# "—" as "-", "α" as "A", anything else as DEL), so "\s" and "\d" of the full patterns are covered too, and
# on its "digit image": digits as "0", "/" as "-" and "X" as "x".
_WS = rb"\s\x1c-\x1f"  # what str.isspace() takes in ASCII (the \s of bytes patterns lacks \x1c-\x1f)
_RESIDUES = AA1.encode()
_QUICK_COLONS = re.compile(rb"::")  # "BCR::ABL1"
_QUICK_CODES = re.compile(rb"\.(?:(?<=p\.)[-*(0-9A-Z]|(?<=c\.)[-*(0-9])")  # "p.Gly12Cys", "p.(", "c.35G>A"
_QUICK_FUSION = re.compile(rb"fusion(?<=[-" + _WS + rb"]fusion)")  # "ALK fusion", "ALK-fusion"; not "infusion"
# On the digit image:
_QUICK_DIGIT_SIGNS = re.compile(
    rb"0(?:(?<=[A-Za-z]0)(?:"  # a digit after a letter (most digits are not: one test rules them out)
    rb"(?<=rs0)"  # "rs113488022"
    rb"|(?<=[ACGHILMPSTV][a-z][a-z]0)"  # "Gly12", "Leu858Arg"
    rb"|(?<=[" + _RESIDUES + rb"]0)0*"  # a residue and its position, then
    rb"(?:[" + _RESIDUES + rb"*x_]|fs|del|dup|ins"  # "T315I", "Y1003*", "R132X", "E746_A750del", "G12fs"
    rb"|[-" + _WS + rb"](?:mut|var|sub))"  # "V600 mutation", "V600-mutant", "V600 variant"
    # "del19", "delF508", "deltaF508", "del E746-A750", "delta f508" (the end of "del" or "delta")
    rb"|(?<=[dD][eE][lL]0|[tT][aA][A-Za-z]0)|(?<=[dD][eE][lL][A-Z]0|[tT][aA][-" + _WS + rb"][A-Za-z]0)"
    rb"|(?<=[dD][eE][lL][-" + _WS + rb"][A-Z]0))"
    rb"|(?=[-" + _WS + rb"dDiIACGT])(?:[-" + _WS + rb"]?(?:[dD][eE][lL]|[iI][nN][sS])(?![A-Za-z0-9_])"  # "19del", "20 ins"
    rb"|[ACGT]>)"  # "1691G>A"
    # a base change in words has a position: "nucleotide 1691", "position 35", "base 5"
    rb"|(?<=[eEnN][" + _WS + rb"]0)(?:(?<=[sS][iI][tT][iI][oO][nN][" + _WS + rb"]0)"
    rb"|(?<=[oO][tT][iI][dD][eE][" + _WS + rb"]0)|(?<=[bB][aA][sS][eE][" + _WS + rb"]0))"
    rb")"
)
_QUICK_REARRANGED = re.compile(rb"-r(?<=[A-Z0-9]-r)(?![A-Za-z0-9_-])")  # "MLL-r"
_QUICK_EXON = re.compile(rb"x(?<=[eE]x)(?:[oO][nN]|0)")  # "exon 19", "Ex19del"

_QUICK_TABLE = bytes(
    ord("0") if chr(c).isdigit() else ord("-") if c == ord("/") else ord("x") if c == ord("X") else c
    for c in range(128)
) + bytes(range(128, 256))
# On the "class image" (capitals and digits as "A", white space as " ", anything else as "."), a
# symbol of three or more, a space and one of two or more: where "BCR ABL1" may be.
CLASS_TABLE = bytes(
    ord("A") if chr(c).isupper() or chr(c).isdigit() else ord(" ") if chr(c).isspace() else ord(".")
    for c in range(128)
) + b"." * 128
_SPACE_PAIR_SHAPE = b"AAA AA"
_WORD_BEFORE = re.compile(r"[A-Za-z0-9]+$")
_FIVE_PRIME_ENDS = frozenset(symbol[-3:] for symbol in FIVE_PRIME)  # every 5' spelling has three or more


def _position_class(symbols: Iterable[str], position: int) -> bytes:
    """A bytes pattern class of the characters ``symbols`` (on the digit image, in either case) have at ``position``."""
    chars = {c for s in symbols for c in s.encode("ascii").translate(_QUICK_TABLE)[position:position + 1 or None]}
    chars |= {ord(chr(c).lower()) for c in chars} | {ord(chr(c).upper()) for c in chars}
    return b"[" + re.escape(bytes(sorted(chars))) + b"]"


# On the digit image: a separator ("-", "/", "–", "—") between what may end a 5' partner (its last
# three characters, in either case) and what may start a 3' partner ("BCR-AB", "bcr/ab", "PML / RA").
_ASCII_FIVE = [s for s in FIVE_PRIME if s.isascii()]
_ASCII_THREE = [s for s in THREE_PRIME if s.isascii()]
_FIVE_END = _position_class(_ASCII_FIVE, -3) + _position_class(_ASCII_FIVE, -2) + _position_class(_ASCII_FIVE, -1)
_QUICK_PAIR = re.compile(
    rb"-(?=[" + _WS + rb"]?" + _position_class(_ASCII_THREE, 0) + _position_class(_ASCII_THREE, 1) + rb")"
    rb"(?:(?<=" + _FIVE_END + rb"-)|(?<=" + _FIVE_END + rb"[" + _WS + rb"]-))"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_stand_in(m: re.Match[str]) -> str:
    c = m.group()
    if c in "\u03b1\u0391":
        return "A"  # "RARα" as "RARA"
    return " " if c.isspace() else "0" if c.isdecimal() else "-" if c in "\u2013\u2014" else "\x7f"


def ascii_image(text: str) -> str:
    """``text`` with each non-ASCII character replaced by the ASCII one that stands for it
    in the quick check (same length, so positions agree)."""
    return text if text.isascii() else _NON_ASCII.sub(_ascii_stand_in, text)


def _word_before(image: str, end: int) -> str:
    m = _WORD_BEFORE.search(image, max(0, end - 16), end)
    return m.group().upper() if m else ""


def names_spaced_pair(image: str, classes: bytes) -> bool:
    """A 5' fusion partner written in capitals before a space and a capital ("BCR A")."""
    at = classes.find(_SPACE_PAIR_SHAPE)
    while at >= 0:
        if image[at:at + 3] in _FIVE_PRIME_ENDS and _word_before(image, at + 3) in FIVE_PRIME:
            return True
        at = classes.find(_SPACE_PAIR_SHAPE, at + 1)
    return False


def _names_fusion_pair(image: str, raw: bytes, digit_image: bytes) -> bool:
    """A 5' fusion partner symbol, in any case, right before "-", "/", "–" or "—" and a letter
    ("BCR-A", "bcr/a", "PML / R"), or written in capitals before a space and a capital ("BCR A")."""
    for m in _QUICK_PAIR.finditer(digit_image):
        end = m.start()
        if image[end - 1].isspace():
            end -= 1
        if image[max(0, end - 3):end].upper() in _FIVE_PRIME_ENDS and _word_before(image, end) in FIVE_PRIME:
            return True
    return names_spaced_pair(image, raw.translate(CLASS_TABLE))


def may_name_variants(text: str) -> bool:
    """A quick check: False means ``text`` names no variant (the full scan,
    :func:`scan_mentions`, would find none without a context); True means it may."""
    image = ascii_image(text)
    raw = image.encode("ascii")
    if _QUICK_COLONS.search(raw) or _QUICK_CODES.search(raw):
        return True
    if b"rearrang" in raw or b"transloc" in raw or _QUICK_FUSION.search(raw) or _QUICK_REARRANGED.search(raw):
        return True
    if image is not text and ("\u0394" in text or "\u2206" in text):  # "ΔF508"
        return True
    digit_image = raw.translate(_QUICK_TABLE)
    if _QUICK_DIGIT_SIGNS.search(digit_image) or _QUICK_EXON.search(digit_image):
        return True
    return _names_fusion_pair(image, raw, digit_image)
