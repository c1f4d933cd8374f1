"""The layout and the partial schema follow the registry's public schema (read from the shared corpus)."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from registry_tool import vocabulary
from registry_tool.formats.ctgov_xml import layout
from registry_tool.formats.ctgov_xml.settable import SETTABLE
from tests.support import SCHEMAS

XS = "{http://www.w3.org/2001/XMLSchema}"
PARTIAL = SCHEMAS / "clinical_study_partial.xsd"
# What the partial schema makes optional (paths below clinical_study), and nothing else.
OPTIONAL_HERE = {
    "id_info", "id_info/nct_id", "brief_title", "sponsors", "sponsors/lead_sponsor", "source", "overall_status",
    "study_type", "intervention/intervention_type", "eligibility/gender", "eligibility/minimum_age",
    "eligibility/maximum_age",
}


class Schema:
    def __init__(self, path: Path):
        self.root = etree.parse(str(path)).getroot()
        self.types = {t.get("name"): t for t in self.root if t.get("name") and t.tag != f"{XS}element"}

    def element(self, name: str) -> etree._Element:
        return next(e for e in self.root.iterfind(f"{XS}element") if e.get("name") == name)

    def shape(self, decl: etree._Element) -> dict:
        """An element's structure: occurrence, children in order (recursively), or its values."""
        type_name = decl.get("type")
        body = self.types.get(type_name) if type_name else decl.find(f"{XS}complexType")
        out = {"min": decl.get("minOccurs", "1"), "max": decl.get("maxOccurs", "1")}
        if body is None:
            out["type"] = type_name
            return out
        out["values"] = sorted(e.get("value") for e in body.iter(f"{XS}enumeration"))
        out["patterns"] = [re.sub(r"\s", "", p.get("value")) for p in body.iter(f"{XS}pattern")]
        for base in body.iter(f"{XS}restriction", f"{XS}extension"):
            if base.get("base") in self.types:
                inner = self.types[base.get("base")]
                out["values"] += sorted(e.get("value") for e in inner.iter(f"{XS}enumeration"))
                out["patterns"] += [re.sub(r"\s", "", p.get("value")) for p in inner.iter(f"{XS}pattern")]
        for union in body.iter(f"{XS}union"):
            for member in union.get("memberTypes").split():
                out["values"] += sorted(e.get("value") for e in self.types[member].iter(f"{XS}enumeration"))
        out["values"].sort()
        out["attributes"] = sorted((a.get("name"), a.get("use", "optional")) for a in body.iter(f"{XS}attribute"))
        if not out["values"]:  # an enumeration says all; else the built-in type it restricts or extends
            out["bases"] = sorted(b.get("base") for b in body.iter(f"{XS}restriction", f"{XS}extension")
                                  if b.get("base", "").startswith("xs:"))
        out["children"] = [(child.get("name"), self.shape(child)) for child in _declared_children(body)]
        return out


def _declared_children(body: etree._Element):
    """The element declarations of a type, in order, not those of nested elements."""
    for node in body:
        if node.tag == f"{XS}element":
            yield node
        elif node.tag in (f"{XS}sequence", f"{XS}choice", f"{XS}all", f"{XS}complexContent", f"{XS}extension"):
            yield from _declared_children(node)


def _relaxed(shape: dict, path: str = "") -> dict:
    """A public-schema shape with the partial schema's changes applied."""
    shape = dict(shape)
    if path in OPTIONAL_HERE:
        shape["min"] = "0"
    if path == "clinical_results":
        return {"min": shape["min"], "max": shape["max"], "type": "xs:anyType"}
    if "children" in shape:
        shape["children"] = [(name, _relaxed(child, f"{path}/{name}".lstrip("/"))) for name, child in shape["children"]]
    return shape


def test_partial_schema_is_the_public_one_with_the_documented_changes(public_xsd):
    public = Schema(public_xsd).shape(Schema(public_xsd).element("clinical_study"))
    partial = Schema(PARTIAL).shape(Schema(PARTIAL).element("clinical_study"))
    assert _first_difference(partial, _relaxed(public)) is None
    assert partial == _relaxed(public)


def _first_difference(a, b, path="clinical_study"):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if (found := _first_difference(a.get(key), b.get(key), f"{path}:{key}")) is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for x, y in zip(a, b):
            if (found := _first_difference(x, y, f"{path}/{x[0] if isinstance(x, tuple) else ''}")) is not None:
                return found
        return None
    if isinstance(a, tuple) and isinstance(b, tuple):
        return _first_difference(list(a), list(b), path)
    return None if a == b else (path, a, b)


def test_layout_lists_the_public_elements_in_order(public_xsd):
    public = Schema(public_xsd).shape(Schema(public_xsd).element("clinical_study"))
    assert [b.tag for b in layout.CLINICAL_STUDY.children] == [name for name, _ in public["children"]]
    children = dict(public["children"])
    for binding in layout.CLINICAL_STUDY.children:
        assert binding.repeat == (children[binding.tag]["max"] == "unbounded"), binding.tag
        if hasattr(binding, "children"):
            assert [c.tag for c in binding.children] == [n for n, _ in children[binding.tag]["children"]], binding.tag
        for child in getattr(binding, "children", ()):
            inner = dict(children[binding.tag]["children"])[child.tag]
            if hasattr(child, "children"):
                assert [c.tag for c in child.children] == [n for n, _ in inner["children"]], child.tag


def test_every_settable_element_is_in_the_layout():
    """--set names exactly the layout's elements marked with a set name (those flattened text cannot give)."""
    settable = {b.set_name for b in _bindings(layout.CLINICAL_STUDY) if b.set_name}
    assert settable == set(SETTABLE)


def _bindings(binding):
    yield binding
    for child in getattr(binding, "children", ()):
        yield from _bindings(child)


def test_registry_wording_matches_the_schema_enumerations(public_xsd):
    schema = Schema(public_xsd)
    study = dict(schema.shape(schema.element("clinical_study"))["children"])
    assert set(vocabulary.PHASE_WORDING.values()) == set(study["phase"]["values"])
    assert layout.STUDY_TYPE.values == set(study["study_type"]["values"])
    assert set(vocabulary.OVERALL_STATUS.wording.values()) == set(study["overall_status"]["values"])
    eligibility = dict(study["eligibility"]["children"])
    assert set(vocabulary.GENDER.wording.values()) == set(eligibility["gender"]["values"])
    assert re.sub(r"[()?:\s]", "", layout.AGE_PATTERN) == re.sub(r"[()]", "", eligibility["minimum_age"]["patterns"][0])
    intervention = dict(study["intervention"]["children"])
    assert set(vocabulary.INTERVENTION_TYPE.wording.values()) == set(intervention["intervention_type"]["values"])
    sponsor = dict(dict(study["sponsors"]["children"])["lead_sponsor"]["children"])
    assert set(vocabulary.AGENCY_CLASS_XML_VALUES) == set(sponsor["agency_class"]["values"])
