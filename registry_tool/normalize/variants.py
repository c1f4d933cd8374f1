"""Gene variants: mentions in criteria and other free text, in HGVS where they have one.

:func:`find_variants` reports, in the order they are written:

* protein changes, one- or three-letter, with or without ``p.``: ``T315I``,
  ``p.Thr315Ile``, ``V600E``, ``Y1003*`` (a stop, ``Ter``), ``G719X`` (any
  residue, ``Xaa``; a stop only where the sentence says nonsense, stop or
  truncating), ``F508del``, ``p.E746_A750del`` (also ``E746-A750del``),
  ``A763_Y764insFQEA``, ``p.Gly12fs``, ``Q1756Pfs*74``; and a codon named as
  mutated ("BRAF V600-mutant", ``hgvs`` null). ``hgvs`` is the HGVS protein
  form with three-letter residues (``p.Thr315Ile``). A slash mention
  (``V82A/F/T/S/L``) gives one variant per alternative, each with ``mention``
  holding the text as written.
* legacy names: ``deltaF508``, ``delta F508``, ``ΔF508`` (``p.Phe508del``, gene
  CFTR where the sentence names no other), ``del E746-A750``.
* ``exon 19 deletion`` (also "exon 19 del", "Ex19del", "19del", "Del19",
  "deletions in exon 19"): ``exon_deletion``, gene EGFR where the sentence
  names no other gene; ``exon 20 insertion`` ("20ins"): ``exon_insertion``;
  "exon 14 skipping": ``other``.
* fusions: a known pair (:data:`registry_tool.normalize.genes.FUSION_PAIRS`)
  in any spelling (``BCR-ABL``, ``bcr/abl1``, ``TEL-AML1``, ``PML/RARα``,
  ``EML4 – ALK``, ``BCR ABL1``), any two symbols joined by ``::``: ``genes``
  [5', 3'] in current HGNC symbols and ``name`` ``BCR::ABL1``; and "ALK
  rearrangement", "ROS1 fusion", "RET-rearranged", "MLL-r" (``gene`` the
  one partner named, ``genes`` null). Two genes merely listed ("EGFR/ALK
  wild-type") and cytogenetics ("t(9;22)", "Ph+") are not fusions.
* ``rs113488022``: ``rsid``; ``c.35G>A``: ``cdna`` (``hgvs`` the c. form), also
  written ``35G>A`` or in words ("a G to A substitution at nucleotide 35"),
  and ``C677T`` where the gene is one named by nucleotide (MTHFR, F2, F5).

``gene`` is the current HGNC symbol of the gene the same sentence names
nearest before the mention (else nearest after it), by symbol, legacy symbol
(``HER2`` -> ERBB2, ``c-KIT`` -> KIT) or name ("epidermal growth factor
receptor"): "EGFR exon 19 deletion or L858R" gives EGFR to both; a change
named after a fusion ("BCR-ABL1 T315I") gets its 3' partner (ABL1).

Decoys are not reported: TNM stages (T2N0M0), HLA alleles (HLA-A*02:01),
dosing schedules (Q3W), drug and trial codes (AZD9291, MK-3475), cell lines,
lab values, ICD codes, "CD19", "IL-6", "H1N1", "COVID-19". A bare one-letter
change needs a position of 10 or more ("A1C", "T2W", "M3V" are not
variants) unless written with ``p.``.

A digit-for-letter typo ("T3151" where "T315I" is named nearby) is
reported with ``candidate=True`` and the HGVS of the change it most likely
means; the normalise stack warns about it.

The module is a little over 600 lines: the finder's patterns and the rules
that turn a match into a variant read one another; its first look at a text
is in quick_check.py and its gene tables in genes.py.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import Iterable

from ..model import Variant
from .genes import (
    FIVE_PRIME,
    GENE_NAME_PATTERN,
    GENE_NAME_PATTERN_LOWER,
    GENE_NAMES,
    KNOWN_GENES,
    NOT_GENES,
    REARRANGED_GENES,
    THREE_PRIME,
    current_symbol,
    is_known_fusion,
)
from .quick_check import AA1 as _AA1
from .quick_check import CLASS_TABLE, ascii_image, may_name_variants, names_spaced_pair

# X after a position is any residue (Xaa); a stop is * or Ter (X only where the text says stop).
THREE_LETTER = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Xaa",
}
ONE_LETTER = {three: one for one, three in THREE_LETTER.items() if one not in "*X"}
ONE_LETTER["Ter"] = "*"
ONE_LETTER["Xaa"] = "X"

_AA3 = "Ala|Arg|Asn|Asp|Cys|Gln|Glu|Gly|His|Ile|Leu|Lys|Met|Phe|Pro|Ser|Thr|Trp|Tyr|Val"

# --- genes -------------------------------------------------------------------------------

FUSION_GENES = FIVE_PRIME | THREE_PRIME
_NOT_GENES = NOT_GENES
# "EGFR", "BCR-ABL1", "EGFR-TKI", "HER2-positive" (the symbol), "H3.3"
_GENE_TOKEN = re.compile(
    r"(?<![\w-])(?:(?P<a>[A-Z][A-Z0-9]{1,9})(?:[-.](?P<b>[A-Z0-9]{1,6}))?|H3\.3)(?![\w]|-[A-Z0-9])"
)

# --- mention patterns --------------------------------------------------------------------

_ALT1 = rf"(?:delins[{_AA1}]+|ins[{_AA1}]+|del[{_AA1}]*|dup[{_AA1}]*|[{_AA1}]?fs(?:\*\d+|X\d+|Ter\d+)?|Ter|[{_AA1}*X])"
_PROTEIN_1 = re.compile(
    rf"(?<![\w.*-])(?P<p>p\.)?(?P<ref>[{_AA1}])(?P<pos>\d{{1,5}})"
    rf"(?:(?P<range>[_-])(?P<ref2>[{_AA1}])(?P<pos2>\d{{1,5}}))?(?P<alt>{_ALT1})"
    rf"(?P<more>(?:/[{_AA1}*X](?![\w]))*)(?![\w*])"
)
_ALT3 = rf"(?:delins(?:{_AA3}|Ter)+|ins(?:{_AA3})+|del|dup|(?:{_AA3})?fs(?:Ter\d+|\*\d+)?|{_AA3}|Ter|Xaa|\*|=)"
_PROTEIN_3 = re.compile(
    rf"(?<![\w.])(?P<p>p\.)?(?P<open>\()?(?P<ref>{_AA3})(?P<pos>\d{{1,5}})"
    rf"(?:_(?P<ref2>{_AA3})(?P<pos2>\d{{1,5}}))?(?P<alt>{_ALT3})(?(open)\))(?![\w*])"
)
# A codon named as mutated: "BRAF V600-mutant", "V600 mutation", "G12 mutated"
_CODON = re.compile(
    rf"(?<![\w.*/-])(?P<ref>[{_AA1}])(?P<pos>\d{{2,5}})(?=[\s-](?:mutant|mutated|mutation|mutations|variant|substitution)\b)"
)
_EXON = re.compile(
    r"\b(?:exon[\s-]*(?P<n1>\d{1,2})\s*(?:in-?frame\s+|activating\s+)?-?(?P<e1>deletions?|del|insertions?|ins|skipping)"
    r"|(?:in-?frame\s+)?(?P<e2>deletions?|insertions?)\s+(?:mutations?\s+)?(?:in|of|within)\s+exon\s*(?P<n2>\d{1,2})"
    r"|(?:ex|e)\s?(?P<n3>\d{1,2})\s?(?P<e3>del|ins)"
    r"|(?P<n4>\d{1,2})-?(?P<e4>del|ins)"
    r"|(?P<e5>del)(?P<n5>\d{1,2}))\b",
    re.IGNORECASE,
)
# A known fusion pair in any spelling ("BCR-ABL1", "bcr/abl", "TEL-AML1", "PML/RARα", "EML4 – ALK",
# "BCR ABL1"), or two symbols joined by "::". The 3' partner is a look-ahead, so "with BCR ABL1" still
# finds "BCR ABL1" after trying "with BCR".
_FUSION_PAIR = re.compile(
    r"(?<![\w-])(?P<a>[A-Za-z][A-Za-z0-9]{1,9}+(?:alpha|\u03b1)?)(?=(?P<sep>\s*::\s*|\s?[-/\u2013\u2014]\s?)"
    r"(?P<b>[A-Za-z][A-Za-z0-9]{1,9}(?:alpha|\u03b1)?)(?!\w))"
)
# ... and joined by a space, both written in capitals ("BCR ABL1")
_FUSION_PAIR_SPACED = re.compile(
    r"(?<![\w-])(?P<a>[A-Z][A-Z0-9]{1,9}+)(?=(?P<sep>\s)(?P<b>[A-Z][A-Z0-9]{1,9}\u03b1?)(?!\w))"
)
_FUSION_WORD = re.compile(
    r"(?<![\w-])(?P<open>\()?(?P<g>[A-Z][A-Za-z0-9]{1,8}+)(?P<more>(?:/\d)+)?(?(open)\))(?:\s+gene)?(?P<w>\s+(?:fusions?|rearrangements?|translocations?)"
    r"|-(?:rearranged|rearrangement|fusion|translocated|r(?![\w-]))|\s+rearranged)\b"
)
# The genes listed before a fusion word: "ALK and ROS1 rearrangements", "MYC, BCL2 and/or BCL6 rearrangements"
_GENE_LIST_BEFORE = re.compile(
    r"(?:(?<![\w-])[A-Z][A-Za-z0-9]{1,8}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and/or|and|or)\s+|\s*/\s*))+$"
)
_LISTED_GENE = re.compile(r"[A-Z][A-Za-z0-9]{1,8}")
# A change glued to its gene: "BRAFV600E", "KRASG12C"
_GLUED = re.compile(rf"(?<![\w-])(?P<g>[A-Z][A-Z0-9]{{1,7}}?)(?P<change>[{_AA1}]\d{{2,5}}[{_AA1}])(?![\w*])")
# Legacy deletion names: "deltaF508", "delta F508", "ΔF508", "del E746-A750"
_LEGACY_DELETION = re.compile(
    rf"(?<![\w])(?:(?:[Dd]elta|DELTA|\u0394|\u2206)[\s-]?(?P<ref>[{_AA1}{_AA1.lower()}])|[Dd]el[\s-]?(?P<ref_>[{_AA1}]))"
    rf"(?P<pos>\d{{2,5}})(?:[_-](?P<ref2>[{_AA1}])(?P<pos2>\d{{2,5}}))?(?![\w*])"
)
# The sentence says an X is a stop
_STOP_WORDS = re.compile(r"\b(?:nonsense|stop|truncat\w*|premature termination)\b", re.IGNORECASE)
_RSID = re.compile(r"(?<![\w])rs\d{3,12}(?![\w])")
_CDNA = re.compile(
    r"(?<![\w.])c\.(?:\*|-)?\d+(?:[+-]\d+)?(?:_(?:\*|-)?\d+(?:[+-]\d+)?)?"
    r"(?:[ACGT]>[ACGT]|delins[ACGT]+|del[ACGT]*|dup[ACGT]*|ins[ACGT]+)(?![\w>])"
)
# cDNA changes written without "c." ("1691G>A") or in words: a position and two bases ("a G to A
# substitution at nucleotide 1691", "nucleotide 677 C>T", "guanine-to-adenine change at position 20210")
_BASE = r"(?:[ACGT]|adenine|cytosine|guanine|thymine)"
_CDNA_WORDS = re.compile(
    r"(?<![\w.>])(?P<pos0>\d{2,6})(?P<ref0>[ACGT])>(?P<alt0>[ACGT])(?![\w>])"
    rf"|\b(?P<ref1>{_BASE})(?:\s*-?to-?\s*|\s*>\s*)(?P<alt1>{_BASE})\b(?:[\s-]+(?:substitution|transition|"
    r"transversion|change|mutation|variant|polymorphism|point mutation))?\s+(?:at|in)\s+(?:the\s+)?"
    r"(?:nucleotide|position|cDNA position|base)\s(?P<pos1>\d{1,6})\b"
    rf"|\b(?:nucleotide|position)\s(?P<pos2>\d{{1,6}})\s*\(?(?P<ref2>[ACGT])\s*(?:>|to|→)\s*(?P<alt2>[ACGT])\b\)?",
    re.IGNORECASE,
)
_BASE_LETTER = {"adenine": "A", "cytosine": "C", "guanine": "G", "thymine": "T"}
# Genes whose variants criteria name by nucleotide ("MTHFR C677T", "prothrombin G20210A")
_NAMED_BY_NUCLEOTIDE = frozenset({"MTHFR", "F2", "F5"})
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
    gene_written: bool = False  # the mention itself names its gene ("BRAFV600E")

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
    for op in ("del", "dup"):  # "delELREA", "dupASV": the residues removed or repeated are implied
        if alt.startswith(op):
            return op
    if alt == "=":
        return alt
    fs = re.match(rf"^(?P<new>{_AA3}|[{_AA1}])?fs(?:(?:\*|X|Ter)(?P<n>\d+))?$", alt)
    if fs:
        new = fs.group("new")
        new = (new if three else _three(new)) if new else ""
        return f"{new}fs" + (f"Ter{fs.group('n')}" if fs.group("n") else "")
    if three or alt == "Ter":  # "Q1782Ter": one-letter residue, three-letter stop
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
    (``p.Thr315Ile``, ``Y1003*``, ``G719X`` -> ``p.Gly719Xaa`` (any residue),
    ``E746_A750del``, ``A763_Y764insFQEA``, ``G12fs``) and the legacy
    ``deltaF508`` (``p.Phe508del``); None for anything else.
    """
    text = text.strip()
    m = _PROTEIN_1.fullmatch(text)
    if m and not m.group("more") and _range_ok(m):
        return _hgvs(m, three=False)
    m = _PROTEIN_3.fullmatch(text)
    if m:
        return _hgvs(m, three=True)
    m = _LEGACY_DELETION.fullmatch(text)
    if m:
        return _legacy_hgvs(m)
    return None


def _range_ok(m: re.Match[str]) -> bool:
    """A range written with "-" ("E746-A750del") must delete, insert or duplicate: "A12-C15" is no change."""
    return m.group("range") != "-" or m.group("alt").startswith(("del", "ins", "dup"))


def _legacy_ref(m: re.Match[str]) -> str:
    return (m.group("ref") or m.group("ref_")).upper()  # "delta f508" as "delta F508"


def _legacy_hgvs(m: re.Match[str]) -> str:
    out = f"p.{_three(_legacy_ref(m))}{m.group('pos')}"
    if m.group("ref2"):
        out += f"_{_three(m.group('ref2'))}{m.group('pos2')}"
    return out + "del"


def variant_key(variant: Variant) -> str:
    """What makes two mentions the same variant: the HGVS form, else the text normalised.

    A typo candidate is its own mention ("T3151" is not silently merged into "T315I").
    """
    if variant.candidate:
        return f"candidate:{variant.text}"
    if variant.hgvs:
        return variant.hgvs
    if variant.kind == "fusion" and variant.name:
        return variant.name  # "BCR-ABL" and "bcr/abl1" are one fusion
    if variant.kind == "fusion" and variant.gene:
        return f"fusion:{variant.gene}"  # "(NTRK) fusion" and "NTRK fusion gene": one mention of NTRK
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
        if _SCHEDULE.match(token) or token in _DECOY_WORDS or not _range_ok(m):
            continue
        if not m.group("p") and int(m.group("pos")) < 10 and not m.group("ref2"):
            continue
        more = m.group("more")
        first = token[: len(token) - len(more)]
        mention = token if more else None  # "V600E/K": each alternative says how it was written
        out.append(Mention(Variant(first, "protein_change", _hgvs(m, three=False), mention=mention),
                           m.start(), m.end()))
        # "V600E/K": the same codon changed another way
        for alt in re.findall(rf"/([{_AA1}*X])", more):
            other = f"{m.group('p') or ''}{m.group('ref')}{m.group('pos')}{alt}"
            variant = Variant(other, "protein_change", _hgvs(m, three=False, alt=alt), mention=mention)
            out.append(Mention(variant, m.start(), m.end()))
    for m in _PROTEIN_3.finditer(text):
        token = m.group(0)
        out.append(Mention(Variant(token, "protein_change", _hgvs(m, three=True)), m.start(), m.end()))
    for m in _GLUED.finditer(text):
        if m.group("g") in KNOWN_GENES:
            c = _PROTEIN_1.fullmatch(m.group("change"))
            if c:
                variant = Variant(m.group("change"), "protein_change", _hgvs(c, three=False),
                                  gene=current_symbol(m.group("g")))
                out.append(Mention(variant, m.start("change"), m.end(), gene_written=True))
    legacy = "del" in text or "Del" in text or "DEL" in text or "\u0394" in text or "\u2206" in text
    for m in _LEGACY_DELETION.finditer(text) if legacy else ():
        gene = "CFTR" if (_legacy_ref(m), m.group("pos"), m.group("ref2")) == ("F", "508", None) else None
        variant = Variant(m.group(0), "protein_change", _legacy_hgvs(m), gene=gene)
        out.append(Mention(variant, m.start(), m.end()))
    return out


def _codon_mentions(text: str) -> list[Mention]:
    return [Mention(Variant(m.group(0), "protein_change", None), m.start(), m.end()) for m in _CODON.finditer(text)]


def _exon_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    lower = text.lower()
    if "ex" not in lower and "del" not in lower and "ins" not in lower:
        return out  # every exon form has one of these
    for m in _EXON.finditer(text):
        event = next(e for e in m.group("e1", "e2", "e3", "e4", "e5") if e).lower()
        kind = "other" if event == "skipping" else "exon_deletion" if event.startswith("del") else "exon_insertion"
        out.append(Mention(Variant(m.group(0), kind), m.start(), m.end()))
    return out


def _fusion_mentions(text: str) -> list[Mention]:
    out = []
    pairs = list(_FUSION_PAIR.finditer(text))
    if _may_space_pair(text):
        pairs += _FUSION_PAIR_SPACED.finditer(text)
    for m in pairs:
        a, b, sep = m.group("a"), m.group("b"), m.group("sep")
        five, three = current_symbol(a), current_symbol(b)
        if sep.strip() == "::":
            if not (a[0].isupper() and b[0].isupper()) or five in NOT_GENES or three in NOT_GENES:
                continue
        elif not is_known_fusion(five, three):
            continue
        elif not sep.strip() and not (_written_as_symbol(a) and _written_as_symbol(b)):
            continue  # "BCR ABL1" joined by a space only where both are written as symbols
        variant = Variant(text[m.start("a"):m.end("b")], "fusion", genes=[five, three], name=f"{five}::{three}")
        out.append(Mention(variant, m.start("a"), m.end("b")))
    for m in _FUSION_WORD.finditer(text):
        gene = current_symbol(m.group("g"))
        if gene in REARRANGED_GENES and _written_as_symbol(m.group("g")):
            more = m.group("more")
            if more and gene[-1].isdigit():  # "FGFR2/3 fusions": FGFR2's and FGFR3's, one mention
                for g in [gene, *(gene[:-1] + d for d in more[1::2])]:
                    variant = Variant(m.group(0), "fusion", gene=g, mention=m.group(0))
                    out.append(Mention(variant, m.start(), m.end()))
                continue
            out.append(Mention(Variant(m.group(0), "fusion", gene=gene), m.start(), m.end()))
            listed = _GENE_LIST_BEFORE.search(text, max(0, m.start() - 80), m.start())
            for g in _LISTED_GENE.finditer(text, listed.start(), listed.end()) if listed else ():
                gene = current_symbol(g.group(0))  # "ALK and ROS1 rearrangements": ALK's too
                if gene in REARRANGED_GENES and _written_as_symbol(g.group(0)):
                    out.append(Mention(Variant(g.group(0), "fusion", gene=gene), g.start(), g.end()))
    return out


def _may_space_pair(text: str) -> bool:
    """A 5' partner in capitals before a space and a capital may be in ``text`` (see the quick check)."""
    image = ascii_image(text)
    return names_spaced_pair(image, image.encode("ascii").translate(CLASS_TABLE))


def _written_as_symbol(word: str) -> bool:
    """Capitals and digits (a Greek alpha aside): "BCR", "ABL1", "RARα"; not "Tel" or "with"."""
    return word.rstrip("\u03b1").replace("alpha", "").isupper()


def _other_mentions(text: str) -> list[Mention]:
    out = [Mention(Variant(m.group(0), "rsid"), m.start(), m.end()) for m in _RSID.finditer(text)]
    out += [Mention(Variant(m.group(0), "cdna", m.group(0)), m.start(), m.end()) for m in _CDNA.finditer(text)]
    lower = text.lower()
    if ">" not in text and "nucleotide" not in lower and "position" not in lower and "base" not in lower:
        return out  # no base change written without "c."
    for m in _CDNA_WORDS.finditer(text):
        k = next(i for i in "012" if m.group("pos" + i))
        ref, alt = (_BASE_LETTER.get(m.group(g + k).lower(), m.group(g + k).upper()) for g in ("ref", "alt"))
        if ref == alt or (k == "1" and len(m.group("ref1")) == 1 and not m.group("ref1").isupper()):
            continue  # "a to a", or "a to t" in lower case: words, not bases
        out.append(Mention(Variant(m.group(0), "cdna", f"c.{m.group('pos' + k)}{ref}>{alt}"), m.start(), m.end()))
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
    """The genes ``text`` names: (start, end, current HGNC symbol), by symbol, legacy symbol or name.

    A fusion ("BCR-ABL1") stands for its 3' partner (ABL1), the gene a change
    written after it is in ("BCR-ABL1 T315I").
    """
    out = []
    for m in _GENE_TOKEN.finditer(text):
        token, a, b = m.group(0), m.group("a"), m.group("b")
        if token in _NOT_GENES:
            continue
        if token in KNOWN_GENES:
            out.append((m.start(), m.end(), current_symbol(token)))
        elif b is not None and a in FIVE_PRIME and b in THREE_PRIME:
            five, three = current_symbol(a), current_symbol(b)
            if is_known_fusion(five, three):
                out.append((m.start(), m.end(), three))  # "BCR-ABL1 T315I": the change is in ABL1
        elif b is not None and a in KNOWN_GENES and a not in _NOT_GENES:
            out.append((m.start(), m.start() + len(a), current_symbol(a)))  # "EGFR-TKI", "KRAS-G12C"
        elif b is not None and b in KNOWN_GENES and a not in KNOWN_GENES:
            out.append((m.start() + len(a) + 1, m.end(), current_symbol(b)))
    lower = text.lower()
    if len(lower) == len(text):  # positions agree (lower-casing kept every character one character)
        found = GENE_NAME_PATTERN_LOWER.finditer(lower)
    else:
        found = GENE_NAME_PATTERN.finditer(text)
    names = [(m.start(), m.end(), GENE_NAMES[m.group(0).lower()]) for m in found]
    return sorted(out + names) if names else out


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
        while k < len(self.genes) and self.genes[k][0] < mention.end:
            k += 1  # a name overlapping the mention is not its gene
        if k < len(self.genes) and self.genes[k][1] <= last:
            return self.genes[k][2]
        # "IDH1 R132H" with a gene no list knows: the symbol right before the change
        m = _SYMBOL_BEFORE.search(self.text, max(first, mention.start - 20), mention.start)
        if m and mention.variant.kind == "protein_change" and m.group(1) not in _NOT_GENES:
            if _SYMBOL_SHAPE.search(m.group(1)):
                return current_symbol(m.group(1))
        return None

    def says_stop(self, mention: Mention) -> bool:
        """The mention's sentence says a stop ("nonsense", "stop", "truncating")."""
        first, last = self.sentence(mention.start, mention.end)
        return _STOP_WORDS.search(self.text, first, last) is not None


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
        variant = mention.variant
        if variant.kind == "fusion" or mention.gene_written:
            continue
        gene = genes.gene_for(mention)
        if gene is not None or variant.gene is None:
            variant.gene = gene  # "deltaF508" is CFTR's unless the sentence names another gene
        if variant.gene is None and variant.kind == "exon_deletion" and _EXON_19.search(variant.text):
            variant.gene = "EGFR"  # the exon 19 deletion criteria name is EGFR's
        if variant.gene in _NAMED_BY_NUCLEOTIDE and variant.kind == "protein_change":
            nucleotide = re.fullmatch(r"([ACGT])(\d+)([ACGT])", variant.text)
            if nucleotide:  # "MTHFR C677T", "F5 G1691A": bases, not residues
                ref, pos, alt = nucleotide.groups()
                variant.kind, variant.hgvs = "cdna", f"c.{pos}{ref}>{alt}"
        if variant.hgvs and variant.hgvs.endswith("Xaa") and genes.says_stop(mention):
            variant.hgvs = variant.hgvs[:-3] + "Ter"  # "R213X nonsense mutation"
    return mentions


_EXON_19 = re.compile(r"(?<!\d)19(?!\d)")


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
    m = re.fullmatch(rf"p\.(?P<ref>{_AA3})(?P<pos>\d+)(?P<alt>{_AA3}|Ter|Xaa)", hgvs)
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
    protein_change p.Thr315Ile; ``BCR-ABL1 T315I`` -> gene ABL1 (the 3'
    partner); ``EML4-ALK`` -> fusion EML4::ALK;
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
        return Variant(text=text, kind=v.kind, hgvs=v.hgvs, gene=v.gene, marked=True, criterion=criterion,
                       genes=v.genes, name=v.name, mention=v.mention)
    return Variant(text=text, kind="other", marked=True, criterion=criterion)
