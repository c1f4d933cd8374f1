"""Build script: compile the parsing hot path with mypyc where this machine can.

Everything else about the package is declared in pyproject.toml. The modules
in COMPILED are type-checked and compiled to C extensions by mypyc (from the
same source: there is one implementation). Where that cannot happen (no C
compiler, or ``REGISTRY_TOOL_PURE_PYTHON=1``) the package installs as plain
Python and behaves the same, only slower.

The build writes ``registry_tool/_build.json``: which modules were meant to
be compiled and the SHA-256 of each source, so the package can tell (see
``registry_tool.build_info``) whether a compiled module is older than its
source, as happens when an editable install's .py file is edited and the
package is not rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
COMPILED = [
    "registry_tool/api.py",
    "registry_tool/formats.py",
    "registry_tool/reading.py",
    "registry_tool/validation.py",
    "registry_tool/model.py",
    "registry_tool/importers/text.py",
    "registry_tool/normalize/__init__.py",
    "registry_tool/normalize/codes.py",
    "registry_tool/normalize/criteria.py",
    "registry_tool/normalize/outcomes.py",
    "registry_tool/normalize/text.py",
    "registry_tool/normalize/timeframe.py",
    "registry_tool/normalize/variants.py",
]


def _module_name(path: str) -> str:
    name = path[: -len(".py")].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _write_manifest(compiled: bool, why: str) -> None:
    manifest = {
        "compiled": compiled,
        "why": why,
        "sources": {
            _module_name(path): hashlib.sha256((HERE / path).read_bytes()).hexdigest() for path in COMPILED
        },
    }
    (HERE / "registry_tool" / "_build.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def ext_modules() -> list:
    if os.environ.get("REGISTRY_TOOL_PURE_PYTHON"):
        _write_manifest(False, "REGISTRY_TOOL_PURE_PYTHON is set")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _write_manifest(False, "mypyc is not installed")
        print("registry-tool: mypyc not found; installing the pure-Python package", file=sys.stderr)
        return []
    try:
        modules = mypycify(COMPILED, opt_level="3", group_name="registry_tool")
    except SystemExit:  # mypyc found a type error: build the pure-Python package instead
        _write_manifest(False, "mypyc refused the sources (a type error; run mypy on them)")
        print("registry-tool: mypyc failed; installing the pure-Python package", file=sys.stderr)
        return []
    for module in modules:
        module.optional = True  # no C compiler: the .py modules are used instead
    _write_manifest(True, "compiled with mypyc")
    return modules


setup(ext_modules=ext_modules())
