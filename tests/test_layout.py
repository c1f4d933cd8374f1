"""The package's structure, held to what the README and the issue promise: one-way imports,
one catalogue of codes, one vocabulary, the model as the schema's one source."""

from __future__ import annotations

import ast
import json

from registry_tool import catalogue, schema, vocabulary
from tests.support import REPO, SCHEMAS
from tests.support.imports import PACKAGE, cycles, import_graph

# Calls whose first argument is a warning or failure code.
_CODE_CALLS = {"warn": 0, "RecordWarning": 0, "Failure": 0, "make": 0}


def test_the_package_has_no_import_cycle():
    """Every import statement counts, at any depth (function-level and conditional ones too)."""
    assert cycles(import_graph()) == []


def test_the_model_imports_nothing_of_the_package():
    assert import_graph()["registry_tool.model"] == set()


def test_readers_and_writers_do_not_reach_up_to_the_pipeline_or_the_command_line():
    graph = import_graph()
    upper = {"registry_tool.pipeline", "registry_tool.processing", "registry_tool.workers",
             "registry_tool.commands", "registry_tool.cli", "registry_tool"}
    for module, targets in graph.items():
        if module.startswith(("registry_tool.formats", "registry_tool.normalize", "registry_tool.sources")):
            assert not targets & upper, (module, targets & upper)


def test_readers_leave_normalising_to_the_stack():
    """Readers map; only the text reader splits criteria (to place its marks) and the XML
    layout's criteria check uses the splitter. No reader imports the other normalisers."""
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith("registry_tool.formats") and module.endswith(".reader"):
            normalisers = {t for t in targets if t.startswith("registry_tool.normalize")}
            assert normalisers <= {"registry_tool.normalize.criteria"}, (module, normalisers)


def _codes_given() -> dict[str, set[str]]:
    """Every code the source gives (string constants, both sides of a conditional, module constants)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            position = _CODE_CALLS.get(name)
            if position is None or len(node.args) <= position:
                continue
            for value in _values(node.args[position], constants):
                found.setdefault(value, set()).add(str(path.relative_to(REPO)))
    return found


def _values(node: ast.expr, constants: dict[str, object]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _values(node.body, constants) + _values(node.orelse, constants)
    if isinstance(node, ast.Name) and isinstance(constants.get(node.id), str):
        return [constants[node.id]]  # type: ignore[list-item]
    return []


def test_every_code_given_is_in_the_catalogue_and_every_catalogued_code_is_given():
    given = _codes_given()
    assert sorted(set(given) - set(catalogue.CODES)) == []
    assert sorted(set(catalogue.CODES) - set(given)) == []


def test_the_readme_table_of_codes_is_the_catalogue():
    assert catalogue.markdown_table() in (REPO / "README.md").read_text("utf-8")


def test_the_shipped_schema_is_the_one_the_model_gives():
    """schemas/record.schema.json is written by ``python -m registry_tool.schema``."""
    assert (SCHEMAS / "record.schema.json").read_text("utf-8") == schema.schema_text()


def test_the_schema_enumerations_are_the_vocabulary():
    text = (SCHEMAS / "record.schema.json").read_text("utf-8")
    shipped = json.loads(text)
    enums = [node["enum"] for node in _nodes(shipped) if isinstance(node, dict) and "enum" in node]
    known = {tuple(c.codes) for c in vocabulary.CONCEPTS.values()}
    for values in enums:
        assert tuple(v for v in values if v is not None) in known, values
    # every concept a model field names is in the schema
    for name in ("allocation", "intervention_model", "intervention_type", "phase", "outcome_type",
                 "criterion_kind", "time_unit", "time_relation", "variant_kind", "source_format"):
        assert list(vocabulary.CONCEPTS[name].codes) in [[v for v in e if v is not None] for e in enums], name


def _nodes(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _nodes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _nodes(v)
