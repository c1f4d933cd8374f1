"""Gene variants: HGVS, marks, the golden sentences (precision and recall), and properties.

``tests/fixtures/variants/golden.json`` holds criteria sentences we wrote from
the shapes the corpus shows (KRAS G12C, EGFR exon 19 deletion, BCR/ABL,
PML-RARα, HFE C282Y/H63D, rs ids, ...), from the kinds real criteria hold
(fusions in every spelling, legacy names such as deltaF508 and 19del, X as
any residue, slash alternatives and lists of resistance mutations, genes by
name or legacy symbol), from corpus criteria reworded by us, and decoys
(TNM stages, lab values, drug and protocol codes, HLA serotypes,
cytogenetics, cell lines), each with exactly the variants it must give:
text, kind, HGVS, gene, candidate, fusion genes and name, and mention.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from registry_tool.normalize.variants import (
    THREE_LETTER,
    find_variants,
    may_name_variants,
    protein_hgvs,
    scan_mentions,
    variant_from_mark,
)
from registry_tool.model import Variant
from tests.support import FIXTURES, normalize_corpus, variant_scores

GOLDEN = json.loads((FIXTURES / "variants" / "golden.json").read_text("utf-8"))
TARGET = 0.97


FIELDS = ("text", "kind", "hgvs", "gene", "candidate", "genes", "name", "mention")


def _tuples(variants) -> list[tuple]:
    return [tuple(_hashable(getattr(v, f)) for f in FIELDS) for v in variants]


def _expected(case) -> list[tuple]:
    return [tuple(_hashable(v.get(f, False if f == "candidate" else None)) for f in FIELDS) for v in case["variants"]]


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


@pytest.mark.parametrize("case", GOLDEN, ids=[c["text"][:60] for c in GOLDEN])
def test_golden_sentence(case):
    assert _tuples(find_variants(case["text"])) == _expected(case)


def test_golden_precision_and_recall():
    assert len(GOLDEN) >= 300
    with_variants = sum(bool(c["variants"]) for c in GOLDEN)
    assert with_variants >= 150 and len(GOLDEN) - with_variants >= 100  # decoys only: TNM, labs, codes, HLA, ...
    fusions = [v for c in GOLDEN for v in c["variants"] if v["kind"] == "fusion" and v.get("genes")]
    assert len(fusions) >= 60 and all(v["name"] == "::".join(v["genes"]) for v in fusions)
    assert sum(bool(v.get("mention")) for c in GOLDEN for v in c["variants"]) >= 50
    assert any(v["hgvs"] and v["hgvs"].endswith("Xaa") for c in GOLDEN for v in c["variants"])
    kinds = {v["kind"] for c in GOLDEN for v in c["variants"]}
    assert kinds == {"protein_change", "fusion", "exon_deletion", "exon_insertion", "rsid", "cdna", "other"}
    tp = fp = fn = 0
    for case in GOLDEN:
        got, want = set(_tuples(find_variants(case["text"]))), set(_expected(case))
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nvariants golden set: precision {precision:.2%}, recall {recall:.2%} ({tp} right, {fp} extra, {fn} missed)")
    assert precision >= TARGET and recall >= TARGET


@pytest.mark.parametrize("one, three", [(k, v) for k, v in THREE_LETTER.items() if k not in "*X"])
def test_every_residue_in_hgvs(one, three):
    assert protein_hgvs(f"{one}123W") == f"p.{three}123Trp"
    assert protein_hgvs(f"W123{one}") == f"p.Trp123{three}"
    assert protein_hgvs(f"p.{three}123Trp") == f"p.{three}123Trp"
    assert protein_hgvs(f"{three}123Trp") == f"p.{three}123Trp"


@pytest.mark.parametrize(
    "text, hgvs",
    [
        ("T315I", "p.Thr315Ile"),
        ("p.T315I", "p.Thr315Ile"),
        ("p.Thr315Ile", "p.Thr315Ile"),
        ("Y1003*", "p.Tyr1003Ter"),
        ("R132X", "p.Arg132Xaa"),  # X after a position: any residue
        ("G719X", "p.Gly719Xaa"),
        ("deltaF508", "p.Phe508del"),
        ("delta F508", "p.Phe508del"),
        ("E746-A750del", "p.Glu746_Ala750del"),
        ("A12-C15", None),
        ("p.Arg132Ter", "p.Arg132Ter"),
        ("p.Arg132*", "p.Arg132Ter"),
        ("E746_A750del", "p.Glu746_Ala750del"),
        ("A763_Y764insFQEA", "p.Ala763_Tyr764insPheGlnGluAla"),
        ("L747_P753delinsS", "p.Leu747_Pro753delinsSer"),
        ("A767_V769dup", "p.Ala767_Val769dup"),
        ("F508del", "p.Phe508del"),
        ("G12fs", "p.Gly12fs"),
        ("p.Gly12fs", "p.Gly12fs"),
        ("Q1756Pfs*74", "p.Gln1756ProfsTer74"),
        ("p.Glu746_Ala750del", "p.Glu746_Ala750del"),
        (" V600E ", "p.Val600Glu"),
        ("V600", None),
        ("T2N0M0", None),
        ("HLA-A*02:01", None),
        ("exon 19 deletion", None),
        ("", None),
    ],
)
def test_protein_hgvs(text, hgvs):
    assert protein_hgvs(text) == hgvs


@pytest.mark.parametrize(
    "mark, kind, hgvs, gene",
    [
        ("T315I", "protein_change", "p.Thr315Ile", None),
        ("BCR-ABL1 T315I", "protein_change", "p.Thr315Ile", "ABL1"),
        ("KRAS G12C", "protein_change", "p.Gly12Cys", "KRAS"),
        ("Y1003*", "protein_change", "p.Tyr1003Ter", None),
        ("A763_Y764insFQEA", "protein_change", "p.Ala763_Tyr764insPheGlnGluAla", None),
        ("exon 19 deletion", "exon_deletion", None, "EGFR"),  # the exon 19 deletion criteria name is EGFR's
        ("EGFR exon 20 insertion", "exon_insertion", None, "EGFR"),
        ("EML4-ALK", "fusion", None, None),
        ("BCR::ABL1", "fusion", None, None),
        ("rs113488022", "rsid", None, None),
        ("c.35G>A", "cdna", "c.35G>A", None),
        ("something odd", "other", None, None),
    ],
)
def test_variant_from_mark(mark, kind, hgvs, gene):
    v = variant_from_mark(mark, 4)
    assert (v.text, v.kind, v.hgvs, v.gene, v.marked, v.criterion) == (mark, kind, hgvs, gene, True, 4)


@pytest.mark.parametrize(
    "mark, genes, name",
    [("EML4-ALK", ["EML4", "ALK"], "EML4::ALK"), ("bcr/abl", ["BCR", "ABL1"], "BCR::ABL1"),
     ("TEL-AML1", ["ETV6", "RUNX1"], "ETV6::RUNX1"), ("ALK rearrangement", None, None)],
)
def test_fusion_mark_carries_its_partners(mark, genes, name):
    v = variant_from_mark(mark)
    assert (v.kind, v.genes, v.name) == ("fusion", genes, name)


def test_typo_candidate_needs_a_context():
    assert find_variants("Patients with the T3151 clone") == []
    marks = [variant_from_mark("T315I")]
    found = find_variants("Patients with the T3151 clone", context=marks)
    assert _tuples(found) == [("T3151", "protein_change", "p.Thr315Ile", None, True, None, None, None)]


def test_corpus_free_text_gives_no_decoys(xml_corpus, json_corpus):
    """No decoy shape of the corpus becomes a variant: every one found is a known real shape."""
    found = [v for text in normalize_corpus.free_texts() for v in find_variants(text)]
    found += [v for _, block in normalize_corpus.criteria_blocks() for v in find_variants(block)]
    texts = {v.text for v in found}
    assert {"G12C", "G12D", "L858R", "T790M", "exon 19 deletion", "BCR/ABL"} <= texts
    decoys = {"T2N0M0", "T2N0", "T1N1", "H1N1", "H5N1", "A1C", "C1D1", "T1C", "T2W", "M3V", "D4T", "COVID-19",
              "PD-L1", "GM-CSF", "DSM-IV", "EGFR/ALK", "ALK/ROS", "CD19", "IL-6"}
    assert not texts & decoys


# --- properties ----------------------------------------------------------------------------

_PARTS = ["T315I", "p.", "Thr", "315", "Ile", "*", "X", "BCR", "-", "::", "/", "ABL1", "EML4", "ALK", "exon",
          "19", "deletion", "insertion", "rs", "c.", "35G>A", "_", "del", "ins", "fs", "EGFR", "KRAS", "G12C",
          " ", ",", "(", ")", "T3151", "V600", "mutant", "HLA-A*02:01", "Q3W", "T2N0M0"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(_PARTS), max_size=14).map("".join)))
def test_any_text_gives_well_formed_variants(text):
    kinds = {"protein_change", "fusion", "exon_deletion", "exon_insertion", "rsid", "cdna", "other"}
    for v in find_variants(text, context=[variant_from_mark("T315I")]):
        assert v.kind in kinds
        assert v.text and v.text in text or v.kind == "protein_change"  # "V600E/K" gives "V600K"
        assert v.hgvs is None or v.hgvs.startswith(("p.", "c."))
        assert not v.marked
    protein_hgvs(text)
    variant_from_mark(text or "x")


_QUICK_PARTS = _PARTS + ["PML", "RARA", "–", " - ", "fusion", "infusion", "Rearranged", "TRANSLOCATION", "ex19del",
                         "Gly12", "Leu858Arg", "Y1003*", "rs113488022", "p.(", "c.-", "ALK-positive", "\n", "é",
                         "bcr", "abl", "tel", "aml1", "Tel", "RARα", "α", "—", "delta", "Δ", "F508", "f508", "del",
                         "Del", "19", "ins", "MLL", "-r", "BRAF", "V600E", "E746", "A750", "KMT2A", "AFF1", "G", "A",
                         " to ", "-to-", ">", "guanine", "at nucleotide ", "position ", "1691", "MTHFR", "FGFR2/3"]


@settings(max_examples=600, deadline=None)
@example("BCR-ABL1")
@example("PML / RARA")
@example("EML4–ALK")
@example("deletions in exon 19")
@example("c.35G>A")
@example("KRAS G12C")
@example("p.Gly12Cys")
@example("ROS1 fusion")
@example("rs113488022")
@example("Cys282Tyr")
@example("BRAF V600 variant")  # a codon named with "variant" or "substitution", not only "mutation"
@example("V600 substitution")
@example("T\u0663\u0661\u0665I")  # Arabic-Indic digits: \d of the full patterns takes them
@example("KRAS G12\u00a0mutation")  # no-break space: \s of the full patterns takes it
@example("KRAS G12\x1cmutant")  # an ASCII control character that str.isspace() takes
@example("EML4 \u2013 ALK")
@example("PML\u2003/ RARA")
@example("ROS1\u00a0fusion")
@example("bcr/abl")
@example("Tel-Aml1")
@example("BCR ABL1")
@example("BCR\u00a0ABL1")
@example("RAR\u03b1-PML")
@example("PML\u2014RARA")
@example("deltaF508")
@example("delta f508")
@example("\u0394F508")
@example("del E746-A750")
@example("EGFR 19del")
@example("Del19")
@example("ex20 ins")
@example("MLL-r")
@example("BRAFV600E")
@example("(ALK) fusion")
@example("FGFR2/3 fusions")
@example("a G to A substitution at nucleotide 1691")
@example("guanine-to-adenine change at position 20210")
@example("nucleotide 677 C>T")
@example("MTHFR 1298A>C")
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_QUICK_PARTS), max_size=12).map("".join)))
def test_quick_check_never_rules_out_a_variant(text):
    """may_name_variants is only a shortcut: where the full scan finds a variant, it says True."""
    found = scan_mentions(text, [])
    if found:
        assert may_name_variants(text), (text, [m.variant for m in found])


@pytest.mark.parametrize(
    "text",
    [
        "Patients must have received an infusion of CAR-T cells",
        "Age 18 years or older; ECOG 0-1; HbA1c below 7%",
        "COVID-19 vaccination at least 14 days before Day 1",
        "Phase 2 dose of 3 mg/kg every 3 weeks for 12 months.",
        "No prior transfusion within 28 days",
    ],
)
def test_quick_check_rules_out_text_naming_no_variant(text):
    assert not scan_mentions(text, [])
    assert not may_name_variants(text)


# --- scores on labelled sentences -------------------------------------------------------------


def _assert_targets(scores):
    print("\n" + "\n".join(scores.lines()))
    assert scores.precision >= TARGET and scores.recall >= TARGET
    assert scores.hgvs_right >= 0.97 * scores.protein_changes
    assert scores.gene_right >= 0.95 * scores.with_gene
    assert scores.fusion_genes_right >= 0.95 * scores.fusions


def test_golden_scores():
    scores = variant_scores.score(variant_scores.golden_cases(), find_variants)
    assert scores.fusions >= 60 and scores.protein_changes >= 200
    _assert_targets(scores)


def test_hand_labelled_corpus_criteria(xml_corpus, json_corpus):
    """Real registry criteria no one here wrote, labelled by hand (the file holds no criterion text)."""
    cases = variant_scores.corpus_cases()
    assert len(cases) >= 300 and sum(bool(labels) for _, labels in cases) >= 30
    _assert_targets(variant_scores.score(cases, find_variants))


def test_scores_count_what_is_wrong():
    """The scorer itself: a wrong HGVS, gene or partner and a missed or extra variant all count."""
    labels = [{"text": "T315I", "kind": "protein_change", "hgvs": "p.Thr315Ile", "gene": "ABL1"},
              {"text": "BCR-ABL", "kind": "fusion", "hgvs": None, "gene": None, "genes": ["BCR", "ABL1"],
               "name": "BCR::ABL1"},
              {"text": "exon 19 deletion", "kind": "exon_deletion", "hgvs": None, "gene": "EGFR"}]
    found = [Variant("T315I", "protein_change", "p.Thr315Xaa", "BCR"),
             Variant("BCR-ABL", "fusion", genes=["BCR", "ABL"], name="BCR::ABL"),
             Variant("Q3W", "protein_change", "p.Gln3Trp")]
    s = variant_scores.score([("text", labels)], lambda _: found)
    assert (s.found, s.labelled, s.matched) == (3, 3, 2)
    assert (s.hgvs_right, s.gene_right, s.fusion_genes_right) == (0, 0, 0)
