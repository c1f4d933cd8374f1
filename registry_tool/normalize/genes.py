"""The gene tables the variant finder reads: current symbols, legacy symbols, gene names, fusion pairs.

Sources (public; the tables are our own selection, written here by hand):

* Current symbols, previous symbols and aliases: the HUGO Gene Nomenclature
  Committee, https://www.genenames.org (the symbol report of each gene,
  "Previous symbols" and "Alias symbols"), checked 2026-12.
* Fusion pairs: the fusions that eligibility criteria name, taken from the
  WHO Classification of Tumours, 5th edition (haematolymphoid, soft tissue and
  bone, thoracic volumes: the entities "defined by" a fusion), written in the
  HGNC fusion form of Bruford E.A. et al., "HUGO Gene Nomenclature Committee
  (HGNC) recommendations for the designation of gene fusions", Leukemia
  35:3040-3043 (2021): 5' partner, ``::``, 3' partner, current symbols.

Everything here is data: :mod:`registry_tool.normalize.variants` holds the rules.
"""

from __future__ import annotations

import re

# A symbol as criteria write it (upper-cased) -> the current HGNC symbol. Only symbols that
# have changed or that criteria write another way; a current symbol maps to itself implicitly.
LEGACY_SYMBOLS: dict[str, str] = {
    # receptor tyrosine kinases
    "HER2": "ERBB2", "HER-2": "ERBB2", "HER2/NEU": "ERBB2", "HER-2/NEU": "ERBB2", "NEU": "ERBB2",
    "ERBB-2": "ERBB2", "HER3": "ERBB3", "HER4": "ERBB4", "HER1": "EGFR", "ERBB1": "EGFR",
    "C-KIT": "KIT", "CKIT": "KIT", "C-MET": "MET", "CMET": "MET", "C-ROS": "ROS1", "ROS": "ROS1",
    "C-RET": "RET", "TRKA": "NTRK1", "TRKB": "NTRK2", "TRKC": "NTRK3", "VEGFR2": "KDR", "FLK1": "KDR",
    "FLT-3": "FLT3", "PDGFR-ALPHA": "PDGFRA", "PDGFRΑ": "PDGFRA",
    # RAS / RAF / MAPK
    "K-RAS": "KRAS", "KI-RAS": "KRAS", "N-RAS": "NRAS", "H-RAS": "HRAS", "B-RAF": "BRAF", "C-RAF": "RAF1",
    "MEK1": "MAP2K1", "MEK2": "MAP2K2",
    # fusion partners
    "ABL": "ABL1", "C-ABL": "ABL1", "TEL": "ETV6", "AML1": "RUNX1", "CBFA2": "RUNX1", "ETO": "RUNX1T1",
    "MTG8": "RUNX1T1", "CBFA2T1": "RUNX1T1", "MLL": "KMT2A", "MLL1": "KMT2A", "HRX": "KMT2A",
    "AF4": "AFF1", "AF9": "MLLT3", "ENL": "MLLT1", "AF10": "MLLT10", "AF6": "AFDN", "MLLT4": "AFDN",
    "NPM": "NPM1", "EWS": "EWSR1", "SYT": "SS18", "FKHR": "FOXO1", "E2A": "TCF3", "CHOP": "DDIT3",
    "MECT1": "CRTC1", "TORC1": "CRTC1", "NUT": "NUTM1", "RARALPHA": "RARA", "RARΑ": "RARA",
    "CBFΒ": "CBFB", "CBFBETA": "CBFB", "MKL1": "MRTFA", "C-MYC": "MYC", "CMYC": "MYC",
    "BCL-2": "BCL2", "BCL-6": "BCL6",
    # others criteria name by an old symbol
    "P53": "TP53", "P16": "CDKN2A", "H3F3A": "H3-3A", "HIST1H3B": "H3C2", "GBA": "GBA1", "MLL2": "KMT2D",
    "BRCA-1": "BRCA1", "BRCA-2": "BRCA2", "IDH-1": "IDH1", "IDH-2": "IDH2", "JAK-2": "JAK2",
}

# Gene names (and mixed-case spellings) criteria write instead of the symbol -> HGNC symbol.
# Matched case-insensitively, longest first, as whole words.
GENE_NAMES: dict[str, str] = {
    "human epidermal growth factor receptor 2": "ERBB2",
    "human epidermal growth factor receptor-2": "ERBB2",
    "erb-b2 receptor tyrosine kinase 2": "ERBB2",
    "epidermal growth factor receptor": "EGFR",
    "anaplastic lymphoma kinase": "ALK",
    "ros proto-oncogene 1": "ROS1",
    "c-ros oncogene 1": "ROS1",
    "rearranged during transfection": "RET",
    "kirsten rat sarcoma viral oncogene homolog": "KRAS",
    "kirsten rat sarcoma": "KRAS",
    "neuroblastoma ras viral oncogene homolog": "NRAS",
    "b-raf proto-oncogene": "BRAF",
    "v-raf murine sarcoma viral oncogene homolog b1": "BRAF",
    "isocitrate dehydrogenase 1": "IDH1",
    "isocitrate dehydrogenase 2": "IDH2",
    "fms-like tyrosine kinase 3": "FLT3",
    "fms like tyrosine kinase 3": "FLT3",
    "janus kinase 2": "JAK2",
    "cystic fibrosis transmembrane conductance regulator": "CFTR",
    "mesenchymal-epithelial transition factor": "MET",
    "mesenchymal epithelial transition factor": "MET",
    "mesenchymal-epithelial transition": "MET",
    "bruton's tyrosine kinase": "BTK",
    "bruton tyrosine kinase": "BTK",
    "breast cancer gene 1": "BRCA1",
    "breast cancer gene 2": "BRCA2",
    "neurotrophic tyrosine receptor kinase": "NTRK",
    "neurotrophic receptor tyrosine kinase": "NTRK",
    "fibroblast growth factor receptor 1": "FGFR1",
    "fibroblast growth factor receptor 2": "FGFR2",
    "fibroblast growth factor receptor 3": "FGFR3",
    "fibroblast growth factor receptor 4": "FGFR4",
    "tumor protein p53": "TP53",
    "tumour protein p53": "TP53",
    "nucleophosmin 1": "NPM1",
    "nucleophosmin": "NPM1",
    "estrogen receptor 1": "ESR1",
    "platelet-derived growth factor receptor alpha": "PDGFRA",
    "calreticulin": "CALR",
    "breakpoint cluster region": "BCR",
    "methylenetetrahydrofolate reductase": "MTHFR",
    "factor v leiden": "F5",
    "factor v": "F5",
    "prothrombin": "F2",
    "apolipoprotein e": "APOE",
    "transthyretin": "TTR",
    "glucocerebrosidase": "GBA1",
    "leucine-rich repeat kinase 2": "LRRK2",
    "superoxide dismutase 1": "SOD1",
    "huntingtin": "HTT",
    "dystrophin": "DMD",
    "survival motor neuron 1": "SMN1",
    "androgen receptor": "AR",
    "phosphatidylinositol-4,5-bisphosphate 3-kinase catalytic subunit alpha": "PIK3CA",
    # mixed-case symbols
    "her2/neu": "ERBB2", "her-2/neu": "ERBB2", "her2": "ERBB2", "her-2": "ERBB2",
    "c-kit": "KIT", "c-met": "MET", "c-ros": "ROS1", "k-ras": "KRAS", "ki-ras": "KRAS", "n-ras": "NRAS",
    "b-raf": "BRAF", "c-myc": "MYC", "p53": "TP53",
}
# Gene-name phrases as one regex (longest first), for lower-cased text (a case-sensitive pattern is
# several times quicker than an IGNORECASE one); GENE_NAME_PATTERN takes any case.
GENE_NAME_PATTERN_LOWER = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in sorted(GENE_NAMES, key=len, reverse=True)) + r")(?![\w-])"
)
GENE_NAME_PATTERN = re.compile(GENE_NAME_PATTERN_LOWER.pattern, re.IGNORECASE)

# Known fusions, 5' partner -> its 3' partners, in current HGNC symbols. A family written as
# such ("NTRK", "SSX") stands for its members: criteria rarely say which.
FUSION_PAIRS: dict[str, frozenset[str]] = {
    five: frozenset(threes.split())
    for five, threes in {
        # leukaemia and lymphoma
        "BCR": "ABL1 JAK2 FGFR1 PDGFRA RET",
        "ETV6": "RUNX1 ABL1 PDGFRB NTRK3 JAK2 MECOM ABL2 NTRK",
        "PML": "RARA",
        "RUNX1": "RUNX1T1 MECOM",
        "CBFB": "MYH11",
        "KMT2A": "AFF1 MLLT3 MLLT1 MLLT10 AFDN ELL MLLT11 EPS15 SEPTIN6 SEPTIN9",
        "TCF3": "PBX1 HLF ZNF384",
        "DEK": "NUP214",
        "NUP214": "ABL1",
        "NUP98": "NSD1 KDM5A",
        "RBM15": "MRTFA",
        "CBFA2T3": "GLIS2",
        "PICALM": "MLLT10",
        "P2RY8": "CRLF2",
        "EBF1": "PDGFRB",
        "FIP1L1": "PDGFRA",
        "PCM1": "JAK2",
        "NPM1": "ALK MLF1 RARA",
        "ZMYM2": "FGFR1",
        "STIL": "TAL1",
        # lung and other carcinomas
        "EML4": "ALK",
        "KIF5B": "RET ALK",
        "CCDC6": "RET",
        "NCOA4": "RET",
        "CD74": "ROS1 NRG1",
        "SLC34A2": "ROS1",
        "EZR": "ROS1",
        "SDC4": "ROS1",
        "GOPC": "ROS1",
        "TPM3": "NTRK1 ALK ROS1",
        "TPM4": "ALK",
        "LMNA": "NTRK1",
        "TPR": "NTRK1",
        "IRF2BP2": "NTRK1",
        "SQSTM1": "NTRK1",
        "QKI": "NTRK2",
        "STRN": "ALK",
        "TFG": "ALK",
        "KLC1": "ALK",
        "HIP1": "ALK",
        "CLTC": "ALK",
        "ATIC": "ALK",
        "FGFR2": "BICC1 AHCYL1 PPHLN1 TACC3",
        "FGFR3": "TACC3 BAIAP2L1",
        "TMPRSS2": "ERG ETV1 ETV4",
        "BRD4": "NUTM1",
        "CRTC1": "MAML2",
        "PAX8": "PPARG",
        "DNAJB1": "PRKACA",
        "MYB": "NFIB",
        "KIAA1549": "BRAF",
        # sarcoma
        "EWSR1": "FLI1 ERG WT1 ATF1 CREB1 DDIT3 NR4A3 FEV ETV1 ETV4 NFATC2",
        "FUS": "DDIT3 ERG CREB3L2",
        "PAX3": "FOXO1",
        "PAX7": "FOXO1",
        "SS18": "SSX1 SSX2 SSX4 SSX",
        "COL1A1": "PDGFB",
        "NAB2": "STAT6",
        "ASPSCR1": "TFE3",
        "CIC": "DUX4",
        "BCOR": "CCNB3",
        "YWHAE": "NUTM2A NUTM2B",
        "JAZF1": "SUZ12",
    }.items()
    if threes
}
# Reciprocal fusions criteria name beside the main one ("PML-RARα/RARα-PML transcripts").
RECIPROCAL_PAIRS: dict[str, frozenset[str]] = {"ABL1": frozenset({"BCR"}), "RARA": frozenset({"PML"})}
# Every symbol of a known fusion.
FUSION_SYMBOLS: frozenset[str] = frozenset(FUSION_PAIRS) | frozenset(g for gs in FUSION_PAIRS.values() for g in gs)
# Genes criteria name alone as fused ("ALK rearrangement", "NTRK fusion", "MYC and BCL2 rearrangements").
REARRANGED_GENES: frozenset[str] = FUSION_SYMBOLS | frozenset({
    "NTRK", "NTRK1", "NTRK2", "NTRK3", "FGFR", "FGFR1", "FGFR2", "FGFR3", "NRG1", "MYC", "BCL2", "BCL6",
    "CCND1", "MET", "BRAF", "RAF1", "IGH", "PDGFRB", "ALK", "ROS1", "RET", "KMT2A", "EWSR1", "ETV6",
})


# Gene symbols criteria name variants with (current and legacy spellings), beyond the fusion partners.
KNOWN_GENES: frozenset[str] = REARRANGED_GENES | frozenset(LEGACY_SYMBOLS) | frozenset({
    "EGFR", "KRAS", "NRAS", "HRAS", "BRAF", "PIK3CA", "PIK3R1", "IDH1", "IDH2", "KIT", "JAK2", "FLT3",
    "TP53", "ERBB2", "ERBB3", "ERBB4", "BRCA1", "BRCA2", "ESR1", "FGFR1", "FGFR4", "AKT1",
    "AKT2", "MAP2K1", "MAP2K2", "CTNNB1", "GNAQ", "GNA11", "GNAS", "H3-3A", "H3C2",
    "H3", "H3.3", "POLE", "POLD1", "PTEN", "NF1", "NF2", "STK11", "KEAP1", "SMAD4", "APC", "VHL", "ATM",
    "ATR", "PALB2", "CHEK2", "RAD51C", "RAD51D", "BARD1", "BRIP1", "RB1", "CDKN2A", "CDK4", "CDK6",
    "MTOR", "TSC1", "TSC2", "CALR", "MPL", "SF3B1", "DNMT3A", "TET2", "ASXL1", "EZH2", "U2AF1", "SRSF2",
    "CEBPA", "NOTCH1", "NOTCH2", "MYD88", "CXCR4", "BTK", "PLCG2", "CFTR", "HBB", "HFE", "MTHFR", "F5",
    "F2", "APOE", "G6PD", "TTR", "SOD1", "LRRK2", "GBA1", "SNCA", "HTT", "DMD", "SMN1", "FBN1",
    "ARID1A", "ARID2", "BAP1", "PBRM1", "SETD2", "KMT2D", "CREBBP", "EP300", "NFE2L2", "MAP3K1", "RAF1",
    "ARAF", "SOS1", "PTPN11", "CBL", "RIT1", "MYCN", "AR", "PGR", "KDR",
    "UGT1A1", "CYP2D6", "CYP2C19", "CYP3A4", "DPYD", "TPMT", "NUDT15", "VKORC1", "SLCO1B1", "FKBP5",
    "BDNF", "COMT", "CHEK1", "FANCA", "MLH1", "MSH2", "MSH6", "PMS2", "EPCAM", "IKZF1", "CDH1",
    "PPP2R1A", "FOXL2", "DICER1", "SMARCA4", "SMARCB1", "TERT", "ATRX", "FUBP1", "WT1", "GATA2", "RUNX1",
})
# Upper-case words of criteria shaped like a symbol that name no gene.
NOT_GENES: frozenset[str] = frozenset({
    "AND", "OR", "NOT", "THE", "WITH", "FOR", "NO", "ANY", "ALL", "ECOG", "CNS", "ULN", "NSCLC", "CRC",
    "AML", "CML", "CLL", "MDS", "TKI", "TKIS", "DNA", "RNA", "PCR", "NGS", "FISH", "IHC", "CT",
    "MRI", "PET", "HIV", "HBV", "HCV", "WHO", "FDA", "EMA", "USA", "US", "EU", "UK", "ITT", "PD", "CR",
    "PR", "SD", "ORR", "PFS", "OS", "DFS", "RFS", "EFS", "MTD", "DLT", "AE", "SAE", "IV", "SC", "PO",
    "QD", "BID", "TID", "MG", "KG", "ML", "DL", "IU", "BMI", "HR", "CI", "VS", "IN", "OF", "ON",
    "AT", "TO", "BY", "IS", "BE", "ARE", "WAS", "PH", "MUTATION", "MUTATIONS", "POSITIVE", "NEGATIVE",
})


# Fusion partners as criteria spell them (upper-cased, legacy symbols too): 5' then 3'.
_FIVE_CURRENT = frozenset(FUSION_PAIRS) | frozenset(RECIPROCAL_PAIRS)
FIVE_PRIME: frozenset[str] = _FIVE_CURRENT | frozenset(k for k, v in LEGACY_SYMBOLS.items() if v in _FIVE_CURRENT)
_THREE_CURRENT = frozenset(g for gs in (*FUSION_PAIRS.values(), *RECIPROCAL_PAIRS.values()) for g in gs)
THREE_PRIME: frozenset[str] = _THREE_CURRENT | frozenset(k for k, v in LEGACY_SYMBOLS.items() if v in _THREE_CURRENT)


def current_symbol(symbol: str) -> str:
    """The current HGNC symbol of ``symbol`` as criteria write it (``HER2`` -> ``ERBB2``,
    ``c-KIT`` -> ``KIT``, ``TEL`` -> ``ETV6``); a symbol not in the legacy table is returned upper-cased."""
    upper = symbol.upper()
    return LEGACY_SYMBOLS.get(upper, upper)


def is_known_fusion(five: str, three: str) -> bool:
    """``five`` then ``three`` (current symbols) is a fusion of the table."""
    return three in FUSION_PAIRS.get(five, ()) or three in RECIPROCAL_PAIRS.get(five, ())
