"""Gene variants: mentions in criteria and other free text, in HGVS where they have one.

:func:`find_variants` reports, in the order they are written:

* protein changes, one- or three-letter, with or without ``p.``: ``T315I``,
  ``p.Thr315Ile``, ``V600E``, ``Y1003*`` and ``R132X`` (a stop, ``Ter``),
  ``V600E/K`` (two changes), ``F508del``, ``p.E746_A750del``,
  ``A763_Y764insFQEA``, ``p.Gly12fs``, ``Q1756Pfs*74``; and a codon named
  as mutated ("BRAF V600-mutant", ``hgvs`` null). ``hgvs`` is the HGVS
  protein form with three-letter residues (``p.Thr315Ile``).
* ``exon 19 deletion`` (also "Ex19del", "deletions in exon 19"):
  ``exon_deletion``; ``exon 20 insertion``: ``exon_insertion``; "exon 14
  skipping": ``other``.
* fusions ``BCR-ABL1``, ``BCR::ABL1``, ``EML4-ALK``, ``PML/RARA`` (a known 5'
  partner then a known 3' partner; any pair with ``::``), and "ALK
  rearrangement", "ROS1 fusion", "RET-rearranged": ``fusion``, ``hgvs`` null.
* ``rs113488022``: ``rsid``; ``c.35G>A``: ``cdna`` (``hgvs`` the c. form).

``gene`` is the gene symbol the same sentence names nearest before the
mention (else nearest after it): "EGFR exon 19 deletion or L858R" gives
EGFR to both.

Decoys are not reported: TNM stages (T2N0M0), HLA alleles (HLA-A*02:01),
dosing schedules (Q3W), drug and trial codes (AZD9291, MK-3475), cell lines,
lab values, ICD codes, "CD19", "IL-6", "H1N1", "COVID-19". A bare one-letter
change needs a position of 10 or more ("A1C", "T2W", "M3V" are not
variants) unless written with ``p.``.

A digit-for-letter typo ("T3151" where "T315I" is named nearby) is
reported with ``candidate=True`` and the HGVS of the change it most likely
means; :func:`registry_tool.normalize.enrich_record` warns about it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import Iterable

from ..model import Variant

THREE_LETTER = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Ter",
}
ONE_LETTER = {three: one for one, three in THREE_LETTER.items() if one not in "*X"}
ONE_LETTER["Ter"] = "*"

_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_AA3 = "Ala|Arg|Asn|Asp|Cys|Gln|Glu|Gly|His|Ile|Leu|Lys|Met|Phe|Pro|Ser|Thr|Trp|Tyr|Val"

# --- genes -------------------------------------------------------------------------------

# Fusion partners: a 5' partner then a 3' partner ("EML4-ALK", "BCR-ABL1", "PML/RARA").
FIVE_PRIME = frozenset({
    "BCR", "EML4", "NPM1", "NPM", "KIF5B", "CCDC6", "NCOA4", "CD74", "SLC34A2", "EZR", "SDC4", "TPM3",
    "TPM4", "LMNA", "TPR", "ETV6", "TEL", "PML", "RUNX1", "AML1", "CBFB", "KMT2A", "MLL", "TMPRSS2",
    "EWSR1", "EWS", "PAX3", "PAX7", "SS18", "SYT", "FIP1L1", "TCF3", "E2A", "FGFR3", "FGFR2", "KIAA1549",
    "NAB2", "COL1A1", "ASPSCR1", "CRTC1", "MECT1", "YWHAE", "BRD4", "P2RY8", "IGH", "DEK", "NUP98",
    "NUP214", "PCM1", "BCOR", "ZNF384", "MEF2D", "FUS", "CLTC", "ATIC", "TFG", "STRN", "QKI", "ETV6",
})
THREE_PRIME = frozenset({
    "ABL1", "ABL", "ALK", "RET", "ROS1", "ROS", "NTRK1", "NTRK2", "NTRK3", "NTRK", "RARA", "RUNX1T1",
    "ETO", "MYH11", "AFF1", "AF4", "MLLT3", "AF9", "MLLT1", "ENL", "MLLT10", "AF10", "ERG", "ETV1",
    "ETV4", "FLI1", "FOXO1", "FKHR", "SSX1", "SSX2", "SSX", "PDGFRA", "PDGFRB", "PBX1", "TACC3", "BICC1",
    "BRAF", "STAT6", "TFE3", "PDGFB", "MAML2", "NUTM1", "NUT", "CRLF2", "JAK2", "HLF", "DUX4", "FGFR1",
    "MET", "NRG1", "BCL2", "MYC", "CCND1", "BCL6", "CIC", "DDIT3", "CHOP", "WT1", "ATF1", "CREB1",
    "NR4A3", "USP6", "CAMTA1", "RUNX1", "FGFR2", "FGFR3", "EPOR", "JAK1", "NUP214", "ABL2",
})
FUSION_GENES = FIVE_PRIME | THREE_PRIME | {"KMT2A", "MLL"}
# Genes variants are named with, beyond the fusion partners.
KNOWN_GENES = FUSION_GENES | frozenset({
    "EGFR", "KRAS", "NRAS", "HRAS", "BRAF", "PIK3CA", "PIK3R1", "IDH1", "IDH2", "KIT", "JAK2", "FLT3",
    "TP53", "ERBB2", "HER2", "ERBB3", "ERBB4", "BRCA1", "BRCA2", "ESR1", "FGFR1", "FGFR4", "AKT1",
    "AKT2", "MAP2K1", "MAP2K2", "MEK1", "CTNNB1", "GNAQ", "GNA11", "GNAS", "H3F3A", "H3-3A", "HIST1H3B",
    "H3", "H3.3", "POLE", "POLD1", "PTEN", "NF1", "NF2", "STK11", "KEAP1", "SMAD4", "APC", "VHL", "ATM",
    "ATR", "PALB2", "CHEK2", "RAD51C", "RAD51D", "BARD1", "BRIP1", "RB1", "CDKN2A", "CDK4", "CDK6",
    "MTOR", "TSC1", "TSC2", "CALR", "MPL", "SF3B1", "DNMT3A", "TET2", "ASXL1", "EZH2", "U2AF1", "SRSF2",
    "CEBPA", "NOTCH1", "NOTCH2", "MYD88", "CXCR4", "BTK", "PLCG2", "CFTR", "HBB", "HFE", "MTHFR", "F5",
    "F2", "APOE", "G6PD", "TTR", "SOD1", "LRRK2", "GBA", "GBA1", "SNCA", "HTT", "DMD", "SMN1", "FBN1",
    "ARID1A", "ARID2", "BAP1", "PBRM1", "SETD2", "KMT2D", "CREBBP", "EP300", "NFE2L2", "MAP3K1", "RAF1",
    "ARAF", "SOS1", "PTPN11", "CBL", "RIT1", "MYCN", "ALK", "ROS1", "MET", "RET", "NTRK1", "AR", "PGR",
    "UGT1A1", "CYP2D6", "CYP2C19", "CYP3A4", "DPYD", "TPMT", "NUDT15", "VKORC1", "SLCO1B1", "FKBP5",
    "BDNF", "COMT", "CHEK1", "FANCA", "MLH1", "MSH2", "MSH6", "PMS2", "EPCAM", "NPM1", "IKZF1", "CDH1",
    "PPP2R1A", "FOXL2", "DICER1", "SMARCA4", "SMARCB1", "TERT", "ATRX", "CIC", "FUBP1", "PDGFRA",
})
_NOT_GENES = frozenset({
    "AND", "OR", "NOT", "THE", "WITH", "FOR", "NO", "ANY", "ALL", "ECOG", "CNS", "ULN", "NSCLC", "CRC",
    "AML", "ALL", "CML", "CLL", "MDS", "TKI", "TKIS", "DNA", "RNA", "PCR", "NGS", "FISH", "IHC", "CT",
    "MRI", "PET", "HIV", "HBV", "HCV", "WHO", "FDA", "EMA", "USA", "US", "EU", "UK", "ITT", "PD", "CR",
    "PR", "SD", "ORR", "PFS", "OS", "DFS", "RFS", "EFS", "MTD", "DLT", "AE", "SAE", "IV", "SC", "PO",
    "QD", "BID", "TID", "MG", "KG", "ML", "DL", "IU", "BMI", "HR", "CI", "OR", "VS", "IN", "OF", "ON",
    "AT", "TO", "BY", "IS", "BE", "ARE", "WAS", "PH", "MUTATION", "MUTATIONS", "POSITIVE", "NEGATIVE",
})
_GENE_TOKEN = re.compile(r"(?<![\w-])(?:[A-Z][A-Z0-9]{1,9}(?:[-.][A-Z0-9]{1,6})?|H3\.3)(?![\w-])")

# --- mention patterns --------------------------------------------------------------------

_ALT1 = rf"(?:delins[{_AA1}]+|ins[{_AA1}]+|del|dup|[{_AA1}]?fs(?:\*\d+|X\d+|Ter\d+)?|[{_AA1}*X])"
_PROTEIN_1 = re.compile(
    rf"(?<![\w.*-])(?P<p>p\.)?(?P<ref>[{_AA1}])(?P<pos>\d{{1,5}})"
    rf"(?:_(?P<ref2>[{_AA1}])(?P<pos2>\d{{1,5}}))?(?P<alt>{_ALT1})(?P<more>(?:/[{_AA1}*X](?![\w]))*)(?![\w*])"
)
_ALT3 = rf"(?:delins(?:{_AA3}|Ter)+|ins(?:{_AA3})+|del|dup|(?:{_AA3})?fs(?:Ter\d+|\*\d+)?|{_AA3}|Ter|\*|=)"
_PROTEIN_3 = re.compile(
    rf"(?<![\w.])(?P<p>p\.)?\(?(?P<ref>{_AA3})(?P<pos>\d{{1,5}})"
    rf"(?:_(?P<ref2>{_AA3})(?P<pos2>\d{{1,5}}))?(?P<alt>{_ALT3})\)?(?![\w*])"
)
# A codon named as mutated: "BRAF V600-mutant", "V600 mutation", "G12 mutated"
_CODON = re.compile(
    rf"(?<![\w.*/-])(?P<ref>[{_AA1}])(?P<pos>\d{{2,5}})(?=[\s-](?:mutant|mutated|mutation|mutations|variant|substitution)\b)"
)
_EXON = re.compile(
    r"\b(?:exon\s*(?P<n1>\d{1,2})\s*(?:in-?frame\s+|activating\s+)?(?P<e1>deletions?|del|insertions?|ins|skipping)"
    r"|(?:in-?frame\s+)?(?P<e2>deletions?|insertions?)\s+(?:mutations?\s+)?(?:in|of|within)\s+exon\s*(?P<n2>\d{1,2})"
    r"|ex(?P<n3>\d{1,2})(?P<e3>del|ins))\b",
    re.IGNORECASE,
)
_FUSION_PAIR = re.compile(
    r"(?<![\w-])(?P<a>[A-Z][A-Z0-9]{1,8})(?P<sep>::|\s?[-/–]\s?)(?P<b>[A-Z][A-Z0-9]{1,8}|RARα)(?![\w-])"
)
_FUSION_WORD = re.compile(
    r"(?<![\w-])(?P<g>[A-Z][A-Z0-9]{1,8})(?:\s+gene)?(?P<w>\s+(?:fusions?|rearrangements?|translocations?)"
    r"|-(?:rearranged|rearrangement|fusion|translocated)|\s+rearranged)\b"
)
_RSID = re.compile(r"(?<![\w])rs\d{3,12}(?![\w])")
_CDNA = re.compile(
    r"(?<![\w.])c\.(?:\*|-)?\d+(?:[+-]\d+)?(?:_(?:\*|-)?\d+(?:[+-]\d+)?)?"
    r"(?:[ACGT]>[ACGT]|delins[ACGT]+|del[ACGT]*|dup[ACGT]*|ins[ACGT]+)(?![\w>])"
)
# --- the quick check ----------------------------------------------------------------------
#
# Every mention the full scan reports needs one of these signs, so text with none of them
# names no variant. Each is one search over the text's bytes that starts only at a rare
# byte (":", a digit, ".", "x", "-"), the way CPython's pattern engine is fast. They run on
# an ASCII image of the text (non-ASCII white space as " ", decimal digits as "0", "–" as
# "-", anything else as DEL), so "\s" and "\d" of the full patterns are covered too, and
# on its "digit image": digits as "0", "/" as "-" and "X" as "x".
_WS = rb"\s\x1c-\x1f"  # what str.isspace() takes in ASCII (the \s of bytes patterns lacks \x1c-\x1f)
_RESIDUES = _AA1.encode()
_QUICK_COLONS = re.compile(rb"::")  # "BCR::ABL1"
_QUICK_CODES = re.compile(rb"\.(?:(?<=p\.)[-*(0-9A-Z]|(?<=c\.)[-*(0-9])")  # "p.Gly12Cys", "p.(", "c.35G>A"
_QUICK_FUSION = re.compile(rb"fusion(?<=[-" + _WS + rb"]fusion)")  # "ALK fusion", "ALK-fusion"; not "infusion"
# On the digit image:
_QUICK_DIGIT_SIGNS = re.compile(
    rb"0(?:(?<=rs0)"  # "rs113488022"
    rb"|(?<=[ACGHILMPSTV][a-z][a-z]0)"  # "Gly12", "Leu858Arg"
    rb"|(?<=[" + _RESIDUES + rb"]0)0*"  # a residue and its position, then
    rb"(?:[" + _RESIDUES + rb"*x_]|fs|del|dup|ins"  # "T315I", "Y1003*", "R132X", "E746_A750del", "G12fs"
    rb"|[-" + _WS + rb"](?:mut|var|sub)))"  # "V600 mutation", "V600-mutant", "V600 variant"
)
_QUICK_EXON = re.compile(rb"x(?<=[eE]x)(?:[oO][nN]|0)")  # "exon 19", "Ex19del"
# A separator with a capital after it and a capital or digit before it, where a 5' partner may end.
_QUICK_PAIR = re.compile(rb"-(?=[" + _WS + rb"]?[A-Zx])(?:(?<=[A-Z0]-)|(?<=[A-Z0][" + _WS + rb"]-))")
_QUICK_TABLE = bytes(
    ord("0") if chr(c).isdigit() else ord("-") if c == ord("/") else ord("x") if c == ord("X") else c
    for c in range(128)
) + bytes(range(128, 256))
_FIVE_PRIME_SYMBOLS = tuple(sorted(FIVE_PRIME))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_stand_in(m: re.Match[str]) -> str:
    c = m.group()
    return " " if c.isspace() else "0" if c.isdecimal() else "-" if c == "–" else "\x7f"


def _ascii_image(text: str) -> str:
    """``text`` with each non-ASCII character replaced by the ASCII one that stands for it
    in the quick check (same length, so positions agree)."""
    return text if text.isascii() else _NON_ASCII.sub(_ascii_stand_in, text)


def _names_fusion_pair(image: str, digit_image: bytes) -> bool:
    """A 5' fusion partner symbol right before "-", "/" or "–" and a capital ("BCR-A", "PML / R")."""
    for m in _QUICK_PAIR.finditer(digit_image):
        end = m.start()
        if image.endswith(_FIVE_PRIME_SYMBOLS, 0, end):
            return True
        if image[end - 1].isspace() and image.endswith(_FIVE_PRIME_SYMBOLS, 0, end - 1):
            return True
    return False


def may_name_variants(text: str) -> bool:
    """A quick check: False means ``text`` names no variant (the full scan,
    :func:`scan_mentions`, would find none without a context); True means it may."""
    image = _ascii_image(text)
    raw = image.encode("ascii")
    if _QUICK_COLONS.search(raw) or _QUICK_CODES.search(raw):
        return True
    if b"rearrang" in raw or b"transloc" in raw or _QUICK_FUSION.search(raw):
        return True
    digit_image = raw.translate(_QUICK_TABLE)
    if _QUICK_DIGIT_SIGNS.search(digit_image) or _QUICK_EXON.search(digit_image):
        return True
    return _names_fusion_pair(image, digit_image)


# Dosing schedules ("Q3W", "Q12W") and cell lines look like one-letter changes.
_SCHEDULE = re.compile(r"^Q\d{1,2}[WDHM]$")
_DECOY_WORDS = frozenset({"T47D"})
_SENTENCE_END = re.compile(r"[.;!?](?:\s+|$)|\n")
# A digit written for a letter: the letters it may stand for.
_DIGIT_LETTERS = {"1": "IL", "5": "S", "0": "DQ"}
_TYPO = re.compile(rf"(?<![\w.*/-])(?P<ref>[{_AA1}])(?P<pos>\d{{2,5}})(?P<last>[015])(?![\w*])")


@dataclass(slots=True)
class Mention:
    """A variant mention and where it is in the text."""

    variant: Variant
    start: int
    end: int

    @property
    def key(self) -> str:
        return variant_key(self.variant)


# --- HGVS --------------------------------------------------------------------------------


def _three(one: str) -> str:
    return THREE_LETTER[one]


def _alt_hgvs(alt: str, three: bool) -> str:
    """The HGVS form of the change part ("I" -> "Ile", "fs*24" -> "fsTer24", "insFQ" -> "insPheGln")."""
    def seq(letters: str) -> str:
        if three:
            return "".join("Ter" if r in ("Ter", "*") else r for r in re.findall(rf"{_AA3}|Ter|\*", letters))
        return "".join(_three(c) for c in letters)

    for op in ("delins", "ins"):
        if alt.startswith(op):
            return op + seq(alt[len(op):])
    if alt in ("del", "dup", "="):
        return alt
    fs = re.match(rf"^(?P<new>{_AA3}|[{_AA1}])?fs(?:(?:\*|X|Ter)(?P<n>\d+))?$", alt)
    if fs:
        new = fs.group("new")
        new = (new if three else _three(new)) if new else ""
        return f"{new}fs" + (f"Ter{fs.group('n')}" if fs.group("n") else "")
    if three:
        return "Ter" if alt in ("Ter", "*") else alt
    return _three(alt)


def _hgvs(m: re.Match[str], three: bool, alt: str | None = None) -> str:
    ref = m.group("ref") if three else _three(m.group("ref"))
    out = f"p.{ref}{m.group('pos')}"
    if m.group("ref2"):
        ref2 = m.group("ref2") if three else _three(m.group("ref2"))
        out += f"_{ref2}{m.group('pos2')}"
    return out + _alt_hgvs(alt if alt is not None else m.group("alt"), three)


def protein_hgvs(text: str) -> str | None:
    """The HGVS protein form of a protein change written alone: ``T315I`` -> ``p.Thr315Ile``.

    Accepts one-letter and three-letter forms with or without ``p.``
    (``p.Thr315Ile``, ``Y1003*``, ``R132X`` -> ``p.Arg132Ter``, ``E746_A750del``,
    ``A763_Y764insFQEA``, ``G12fs``); None for anything else.
    """
    text = text.strip()
    m = _PROTEIN_1.fullmatch(text)
    if m and not m.group("more"):
        return _hgvs(m, three=False)
    m = _PROTEIN_3.fullmatch(text)
    if m:
        return _hgvs(m, three=True)
    return None


def variant_key(variant: Variant) -> str:
    """What makes two mentions the same variant: the HGVS form, else the text normalised.

    A typo candidate is its own mention ("T3151" is not silently merged into "T315I").
    """
    if variant.candidate:
        return f"candidate:{variant.text}"
    if variant.hgvs:
        return variant.hgvs
    text = variant.text.upper().replace("–", "-").replace("Α", "A").replace("α", "A")
    if variant.kind == "fusion":
        text = re.sub(r"\s*(?:::|[-/])\s*", "::", text)
    elif variant.kind in ("exon_deletion", "exon_insertion"):
        n = re.search(r"\d+", text)
        return f"{variant.kind}:{n.group(0) if n else text}"
    return re.sub(r"\s+", " ", text)


# --- finding -----------------------------------------------------------------------------


def _protein_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    for m in _PROTEIN_1.finditer(text):
        token = m.group(0)
        if _SCHEDULE.match(token) or token in _DECOY_WORDS:
            continue
        if not m.group("p") and int(m.group("pos")) < 10 and not m.group("ref2"):
            continue
        first = token[: len(token) - len(m.group("more"))]
        out.append(Mention(Variant(first, "protein_change", _hgvs(m, three=False)), m.start(), m.end()))
        # "V600E/K": the same codon changed another way
        for alt in re.findall(rf"/([{_AA1}*X])", m.group("more")):
            other = f"{m.group('p') or ''}{m.group('ref')}{m.group('pos')}{alt}"
            out.append(Mention(Variant(other, "protein_change", _hgvs(m, three=False, alt=alt)), m.start(), m.end()))
    for m in _PROTEIN_3.finditer(text):
        token = m.group(0)
        out.append(Mention(Variant(token, "protein_change", _hgvs(m, three=True)), m.start(), m.end()))
    return out


def _codon_mentions(text: str) -> list[Mention]:
    return [Mention(Variant(m.group(0), "protein_change", None), m.start(), m.end()) for m in _CODON.finditer(text)]


def _exon_mentions(text: str) -> list[Mention]:
    out = []
    for m in _EXON.finditer(text):
        event = (m.group("e1") or m.group("e2") or m.group("e3")).lower()
        kind = "other" if event == "skipping" else "exon_deletion" if event.startswith("del") else "exon_insertion"
        out.append(Mention(Variant(m.group(0), kind), m.start(), m.end()))
    return out


def _canonical_gene(symbol: str) -> str:
    return "RARA" if symbol == "RARα" else symbol


def _fusion_mentions(text: str) -> list[Mention]:
    out = []
    for m in _FUSION_PAIR.finditer(text):
        a, b = m.group("a"), _canonical_gene(m.group("b"))
        if m.group("sep") == "::" or (a in FIVE_PRIME and b in THREE_PRIME):
            out.append(Mention(Variant(m.group(0), "fusion"), m.start(), m.end()))
    for m in _FUSION_WORD.finditer(text):
        gene = m.group("g")
        if gene in FUSION_GENES:
            out.append(Mention(Variant(m.group(0), "fusion", gene=gene), m.start(), m.end()))
    return out


def _other_mentions(text: str) -> list[Mention]:
    out = [Mention(Variant(m.group(0), "rsid"), m.start(), m.end()) for m in _RSID.finditer(text)]
    out += [Mention(Variant(m.group(0), "cdna", m.group(0)), m.start(), m.end()) for m in _CDNA.finditer(text)]
    return out


def _typo_mentions(text: str, known: dict[str, str]) -> list[Mention]:
    """"T3151" where "T315I" is named nearby: a candidate, with the change it likely means."""
    out = []
    for m in _TYPO.finditer(text):
        for letter in _DIGIT_LETTERS[m.group("last")]:
            meant = f"{m.group('ref')}{m.group('pos')}{letter}"
            if meant in known:
                variant = Variant(m.group(0), "protein_change", known[meant], candidate=True)
                out.append(Mention(variant, m.start(), m.end()))
                break
    return out


def genes_in(text: str) -> list[tuple[int, int, str]]:
    """The gene symbols ``text`` names: (start, end, symbol), a fusion ("BCR-ABL1") as one."""
    out = []
    for m in _GENE_TOKEN.finditer(text):
        token = m.group(0)
        if token in _NOT_GENES:
            continue
        if token in KNOWN_GENES:
            out.append((m.start(), m.end(), token))
        elif "-" in token:
            a, _, b = token.partition("-")
            if a in FIVE_PRIME and b in THREE_PRIME:
                out.append((m.start(), m.end(), token))  # "BCR-ABL1 T315I": the fusion gene
            elif b in KNOWN_GENES and a not in KNOWN_GENES:
                out.append((m.start() + len(a) + 1, m.end(), b))
    return out


class _Genes:
    """The genes of a text and its sentences, to find the gene nearest a mention quickly."""

    def __init__(self, text: str):
        self.text = text
        self.genes = genes_in(text)
        self.starts = [g[0] for g in self.genes]
        self.breaks = [m for m in _SENTENCE_END.finditer(text)]
        self.break_starts = [m.start() for m in self.breaks]

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        k = bisect_right(self.break_starts, start - 1) - 1  # the last break before the mention
        first = self.breaks[k].end() if k >= 0 and self.breaks[k].end() <= start else 0
        j = bisect_left(self.break_starts, end)
        last = self.break_starts[j] if j < len(self.break_starts) else len(self.text)
        return first, last

    def gene_for(self, mention: Mention) -> str | None:
        """The gene the sentence of a mention names nearest before it, else nearest after it."""
        first, last = self.sentence(mention.start, mention.end)
        k = bisect_right(self.starts, mention.start) - 1
        while k >= 0 and self.genes[k][1] > mention.start:
            k -= 1
        if k >= 0 and self.genes[k][0] >= first:
            return self.genes[k][2]
        k = bisect_left(self.starts, mention.end)
        if k < len(self.genes) and self.genes[k][1] <= last:
            return self.genes[k][2]
        # "IDH1 R132H" with a gene no list knows: the symbol right before the change
        m = _SYMBOL_BEFORE.search(self.text, max(first, mention.start - 20), mention.start)
        if m and mention.variant.kind == "protein_change" and m.group(1) not in _NOT_GENES:
            if _SYMBOL_SHAPE.search(m.group(1)):
                return m.group(1)
        return None


_SYMBOL_BEFORE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,9})[\s-]*$")
_SYMBOL_SHAPE = re.compile(r"[A-Z].*\d|\d.*[A-Z]|[A-Z]{3,}")


def find_mentions(text: str, context: Iterable[Variant] = ()) -> list[Mention]:
    """Every variant mention in ``text`` with its position (see :func:`find_variants`)."""
    if not text:
        return []
    context = list(context)
    if not may_name_variants(text) and not (context and _TYPO.search(text)):
        return []
    return scan_mentions(text, context)


def scan_mentions(text: str, context: list[Variant]) -> list[Mention]:
    """The full scan behind :func:`find_mentions`, without its quick check."""
    mentions = _outermost(_protein_mentions(text) + _exon_mentions(text) + _fusion_mentions(text) + _other_mentions(text))
    known: dict[str, str] = {}
    for v in [m.variant for m in mentions] + context:
        one = _one_letter(v.hgvs) if v.kind == "protein_change" and v.hgvs else None
        if one and v.hgvs:
            known[one] = v.hgvs
    extra = _typo_mentions(text, known) if known else []
    extra += _codon_mentions(text)  # after the typos: "T3151 mutation" is a typo, not codon 3151
    if extra:
        taken = sorted((m.start, m.end) for m in mentions)  # they do not overlap one another
        for mention in extra:
            k = bisect_left(taken, (mention.end, -1))  # the spans before k start before the mention ends
            if k and taken[k - 1][1] > mention.start:
                continue
            mentions.append(mention)
            insort(taken, (mention.start, mention.end))
    if not mentions:
        return mentions
    mentions.sort(key=lambda m: m.start)
    genes = _Genes(text)
    for mention in mentions:
        if mention.variant.gene is None and mention.variant.kind != "fusion":
            mention.variant.gene = genes.gene_for(mention)
    return mentions


def _outermost(found: list[Mention]) -> list[Mention]:
    """Drop mentions that overlap an earlier or longer one ("RARα fusion" in "PML-RARα fusion",
    "ABL rearrangement" in "BCR/ABL rearrangement"); "V600E/K" gives two at one place."""
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    reach = -1  # where the kept mentions end, at the furthest
    for mention in found:
        same_place = bool(kept) and (kept[-1].start, kept[-1].end) == (mention.start, mention.end)
        if mention.start >= reach or same_place:
            kept.append(mention)
            reach = max(reach, mention.end)
    return kept


def _one_letter(hgvs: str) -> str | None:
    m = re.fullmatch(rf"p\.(?P<ref>{_AA3})(?P<pos>\d+)(?P<alt>{_AA3}|Ter)", hgvs)
    if not m:
        return None
    return f"{ONE_LETTER[m.group('ref')]}{m.group('pos')}{ONE_LETTER[m.group('alt')]}"


def find_variants(text: str, context: Iterable[Variant] = ()) -> list[Variant]:
    """The variants free text names, each once, in the order written (see the module docstring).

    ``context`` holds variants named elsewhere (the record's marks): a typo of
    one of them ("T3151" for "T315I") is reported as a candidate.
    """
    seen: set[str] = set()
    out = []
    for mention in find_mentions(text, context):
        key = mention.key
        if key not in seen:  # "C282Y/C282 or C282Y/H63D": C282Y once
            seen.add(key)
            out.append(mention.variant)
    return out


def variant_from_mark(text: str, criterion: int | None = None) -> Variant:
    """The variant a ``--- X ---`` mark of flattened text names (``marked=True``).

    The mark's own words give the kind, HGVS and gene: ``T315I`` ->
    protein_change p.Thr315Ile; ``BCR-ABL1 T315I`` -> gene BCR-ABL1;
    ``exon 19 deletion`` -> exon_deletion; a mark nothing recognises is
    ``other``.
    """
    text = text.strip()
    hgvs = protein_hgvs(text)
    if hgvs:
        return Variant(text=text, kind="protein_change", hgvs=hgvs, marked=True, criterion=criterion)
    mentions = [m for m in find_mentions(text) if not m.variant.candidate]
    main = [m for m in mentions if m.variant.kind != "fusion"] or mentions
    if len(main) == 1:
        v = main[0].variant
        gene = v.gene
        fusions = [m for m in mentions if m.variant.kind == "fusion"]
        if v.kind != "fusion" and fusions:
            gene = fusions[0].variant.text  # "BCR-ABL1 T315I": the fusion gene carries the change
        return Variant(text=text, kind=v.kind, hgvs=v.hgvs, gene=gene, marked=True, criterion=criterion)
    return Variant(text=text, kind="other", marked=True, criterion=criterion)
