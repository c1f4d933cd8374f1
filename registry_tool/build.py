"""How this copy of the package was built: which modules run compiled (mypyc), which as Python.

``setup.py`` compiles the parsing hot path with mypyc where it can and writes
``_build.json`` beside this file: the modules it meant to compile and the
SHA-256 of each one's source. From that and the modules actually loaded,
:func:`build_info` tells

* ``compiled``: modules running as C extensions;
* ``pure``: modules meant to be compiled that run as Python (a machine with
  no C compiler, or ``REGISTRY_TOOL_PURE_PYTHON=1`` at install time);
* ``stale``: compiled modules whose ``.py`` source has changed since the
  build (an editable install edited and not rebuilt: Python keeps loading the
  old extension, so the edit has no effect until ``pip install -e .`` runs
  again), and extension modules an older build left that this one did not
  make;
* ``broken``: modules of the build that fail to import.

Behaviour is the same either way; only speed differs.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import json
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_MANIFEST = _PACKAGE / "_build.json"


@dataclass(slots=True)
class BuildInfo:
    """The build of the installed package (see the module docstring)."""

    compiled: list[str] = field(default_factory=list)
    pure: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # modules that fail to import, with the error
    why: str = "no build manifest (the package runs from a source tree that was never built)"

    def summary(self) -> str:
        """One line for ``--version`` and the benchmarks."""
        if self.broken:
            return f"BROKEN BUILD, reinstall: {'; '.join(self.broken)}"
        if not self.compiled:
            return f"pure Python: {self.why}"
        text = f"{len(self.compiled)} of {len(self.compiled) + len(self.pure)} hot-path modules compiled with mypyc"
        if self.stale:
            text += f"; STALE (older than their source, or left by an older build; reinstall): {', '.join(self.stale)}"
        return text


def _is_extension(path: str | None) -> bool:
    return bool(path) and path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))  # type: ignore[union-attr]


def _source_beside(extension: Path) -> Path:
    """``model.py`` for ``model.cpython-311-x86_64-linux-gnu.so``."""
    return extension.with_name(extension.name.split(".", 1)[0] + ".py")


def build_info() -> BuildInfo:
    """Which modules of the hot path run compiled, which as Python, and which are stale."""
    try:
        manifest = json.loads(_MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BuildInfo()
    info = BuildInfo(why=str(manifest.get("why", "")))
    sources: dict[str, str] = manifest.get("sources", {})
    for name, digest in sorted(sources.items()):
        try:
            path = getattr(importlib.import_module(name), "__file__", None)
        except Exception as exc:  # noqa: BLE001 - say what is broken instead of a traceback
            info.broken.append(f"{name} ({type(exc).__name__}: {exc})")
            continue
        if not _is_extension(path):
            info.pure.append(name)
            continue
        info.compiled.append(name)
        source = _source_beside(Path(path))  # type: ignore[arg-type]
        if source.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            info.stale.append(name)
    for built in sorted(_PACKAGE.rglob("*")):
        if _is_extension(str(built)):
            name = ".".join(_source_beside(built).relative_to(_PACKAGE.parent).with_suffix("").parts)
            name = name.removesuffix(".__init__")
            if name not in sources:  # left by an older build: it shadows the module's .py
                info.stale.append(name)
    if info.pure and manifest.get("compiled"):
        info.why = "compiled modules were not built (no C compiler?); running as Python"
    return info
