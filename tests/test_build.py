"""The build: compiled modules are current, and compiled where CI expects them to be.

``.ci/run`` runs the suite twice: on the package as ``pip install`` builds it
(the hot path compiled with mypyc; ``REGISTRY_TOOL_EXPECT_COMPILED=1``), and
on a pure-Python install of a copy of the tree (``REGISTRY_TOOL_PURE_PYTHON=1``).
Every other test holds both to the same expected output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import registry_tool
from registry_tool.build import _source_beside, build_info
from registry_tool.cli import main

MANIFEST = Path(registry_tool.__file__).with_name("_build.json")


def test_no_compiled_module_is_older_than_its_source():
    info = build_info()
    assert not info.broken, info.summary()
    assert not info.stale, (
        f"compiled modules {info.stale} do not match their .py source: the package was edited "
        "after it was built; run `pip install -e .` again (or set REGISTRY_TOOL_PURE_PYTHON=1 when installing)"
    )


@pytest.mark.skipif(not os.environ.get("REGISTRY_TOOL_EXPECT_COMPILED"), reason="REGISTRY_TOOL_EXPECT_COMPILED not set")
def test_hot_path_is_compiled_where_expected():
    info = build_info()
    assert info.compiled and not info.pure, f"expected a compiled build, got: {info.summary()}"
    from registry_tool.importers import text

    assert not text.__file__.endswith(".py")


@pytest.mark.skipif(not os.environ.get("REGISTRY_TOOL_PURE_PYTHON"), reason="REGISTRY_TOOL_PURE_PYTHON not set")
def test_pure_build_compiles_nothing():
    info = build_info()
    assert not info.compiled, info.summary()
    assert info.summary().startswith("pure Python")


def test_manifest_names_the_hot_path_modules():
    if not MANIFEST.is_file():
        pytest.skip("package not built (no _build.json)")
    sources = json.loads(MANIFEST.read_text())["sources"]
    assert {"registry_tool.importers.text", "registry_tool.normalize.criteria", "registry_tool.model"} <= set(sources)
    for name, digest in sources.items():
        path = Path(__import__(name, fromlist=["_"]).__file__)
        assert (path if path.suffix == ".py" else _source_beside(path)).is_file(), name
        assert len(digest) == 64


def test_version_says_how_the_package_was_built():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert registry_tool.__version__ in result.output
    assert build_info().summary() in result.output


def test_records_copy_and_pickle_in_either_build():
    """Compiled classes cannot be rebuilt the way copy rebuilds plain ones; the model's can."""
    import copy
    import pickle

    from registry_tool import BatchReport, parse_text
    from tests.corpus import shared_dir

    shared = shared_dir()
    text = (shared / "seeds" / "cnct19.txt").read_text() if shared else "Summary.\nMeasure: Rate. Time: 3 months\n"
    record = parse_text(text)
    for twin in (copy.deepcopy(record), pickle.loads(pickle.dumps(record)), copy.copy(record)):
        assert twin == record and twin.to_dict() == record.to_dict()
    deep = copy.deepcopy(record)
    deep.outcomes[0].time_frame.points[0].value = 99
    assert record.outcomes[0].time_frame.points[0].value != 99
    assert copy.deepcopy(BatchReport(records_in=2, records_out=1)) == BatchReport(records_in=2, records_out=1)
