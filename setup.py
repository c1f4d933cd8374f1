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
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
GROUP = "registry_tool"  # mypyc's shared library is registry_tool__mypyc
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


def _remove_compiled_modules() -> None:
    """Delete the extension modules an earlier in-place (editable) build left beside the
    sources: Python would load them instead of the .py files. The package has no other
    extension modules."""
    for built in [*(HERE / "registry_tool").rglob("*.so"), *HERE.glob(f"{GROUP}__mypyc.*.so")]:
        built.unlink()


def _pure(why: str) -> list:
    print(f"registry-tool: {why}; installing the pure-Python package", file=sys.stderr)
    _write_manifest(False, why)
    return []


def ext_modules() -> list:
    _remove_compiled_modules()  # a module no longer compiled must not be shadowed by an old build
    if os.environ.get("REGISTRY_TOOL_PURE_PYTHON"):
        return _pure("REGISTRY_TOOL_PURE_PYTHON is set")
    try:
        from mypyc.build import mypycify
    except ImportError:
        return _pure("mypyc is not installed")
    try:
        modules = mypycify(COMPILED, opt_level="3", group_name=GROUP)
    except SystemExit:  # mypyc found a type error
        return _pure("mypyc refused the sources (a type error: run mypy on them)")
    _write_manifest(True, "compiled with mypyc")
    return modules


class BuildExtOrPure(build_ext):
    """Build the extensions; where that fails (no C compiler, say), remove whatever of them
    was built, so the package installs as pure Python rather than half compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - distutils raises several unrelated error classes
            print(f"registry-tool: compiling failed ({exc}); installing the pure-Python package", file=sys.stderr)
            for ext in self.extensions:  # where this build put them (in the tree when in place)
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            _remove_compiled_modules()


setup(ext_modules=ext_modules(), cmdclass={"build_ext": BuildExtOrPure})
