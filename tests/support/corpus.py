"""Where the shared, read-only corpus is, for tests and benchmarks.

The corpus (real ClinicalTrials.gov records and the registry's XSDs) is not
part of the project. It is looked for in ``$REGISTRY_TOOL_SHARED``, then in a
``shared/`` folder beside the repository or any of its parents, then in
``/work/shared``. Tests that need it are skipped cleanly where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import REPO


def shared_dir() -> Path | None:
    """The shared folder (holding ``corpus/`` and ``seeds/``), or None."""
    env = os.environ.get("REGISTRY_TOOL_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [parent / "shared" for parent in REPO.parents]
    candidates.append(Path("/work/shared"))
    for candidate in candidates:
        if (candidate / "corpus").is_dir():
            return candidate
    return None


def corpus_dir() -> Path | None:
    shared = shared_dir()
    return shared / "corpus" if shared else None


def corpus_files(kind: str) -> list[Path]:
    """Sorted files of ``corpus/<kind>`` (``ctgov-xml``, ``ctgov-json``), [] if absent."""
    base = corpus_dir()
    if base is None or not (base / kind).is_dir():
        return []
    return sorted(p for p in (base / kind).iterdir() if p.is_file())


def seed(name: str = "cnct19.txt") -> Path | None:
    shared = shared_dir()
    path = shared / "seeds" / name if shared else None
    return path if path and path.is_file() else None


def xsd(name: str = "public_v2019-02-14.xsd") -> Path | None:
    base = corpus_dir()
    path = base / "xsd" / name if base else None
    return path if path and path.is_file() else None
