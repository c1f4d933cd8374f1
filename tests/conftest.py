"""Shared test fixtures: the corpus locations, skipped cleanly where absent."""

from __future__ import annotations

import pytest

from tests.support import corpus


@pytest.fixture(scope="session")
def xml_corpus():
    files = corpus.corpus_files("ctgov-xml")
    if not files:
        pytest.skip("shared corpus (ctgov-xml) not present")
    return files


@pytest.fixture(scope="session")
def json_corpus():
    files = corpus.corpus_files("ctgov-json")
    if not files:
        pytest.skip("shared corpus (ctgov-json) not present")
    return files


@pytest.fixture(scope="session")
def public_xsd():
    path = corpus.xsd()
    if path is None:
        pytest.skip("registry public XSD not present")
    return path


@pytest.fixture(scope="session")
def cnct19_path():
    path = corpus.seed()
    if path is None:
        pytest.skip("CNCT19 seed not present")
    return path
