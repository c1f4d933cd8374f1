"""Hostile XML is refused before it can expand entities, read local files or touch the network."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry_tool.cli import main
from registry_tool.errors import Failure
from registry_tool.formats.ctgov_xml import safety as xml_safety
from registry_tool.formats.ctgov_xml.reader import read
from tests.support import read_normalized

SECRET = "registry-tool-test-secret-7f3a9c"
BODY = b"<clinical_study><id_info><nct_id>NCT09900001</nct_id></id_info><brief_title>%s</brief_title></clinical_study>"


def _result(data: bytes):
    (result,) = read_normalized(read, data, "hostile.xml")
    return result


def _refused(data: bytes, code: str = "unsafe-xml") -> Failure:
    result = _result(data)
    assert isinstance(result, Failure), result
    assert result.code == code, result
    assert result.path == "hostile.xml"
    return result


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def http_server():
    """A server on 127.0.0.1 that counts the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f'<!ENTITY leak "{SECRET}">'.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_billion_laughs_is_refused():
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY l0 "lol">{levels}]>'.encode() + BODY % b"&l9;"
    failure = _refused(data)
    assert "entities" in failure.message


def test_external_entity_to_a_local_file_is_refused_and_never_read(secret_file):
    data = (f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret_file}">]>'.encode()
            + BODY % b"&x;")
    failure = _refused(data)
    assert SECRET not in str(failure.to_dict())


def test_the_cli_never_shows_the_file(secret_file, tmp_path):
    doc = tmp_path / "evil.xml"
    doc.write_bytes(f'<!DOCTYPE c [<!ENTITY x SYSTEM "{secret_file}">]>'.encode() + BODY % b"&x;")
    result = CliRunner().invoke(main, ["parse", str(doc)])
    assert result.exit_code == 1
    assert SECRET not in result.output and SECRET not in result.stderr
    assert "refused" in result.stderr and "Traceback" not in result.stderr


def test_parameter_entity_fetching_a_url_is_refused_without_a_request(http_server):
    url, hits = http_server
    data = f'<!DOCTYPE c [<!ENTITY % p SYSTEM "{url}/evil.dtd"> %p;]>'.encode() + BODY % b"&leak;"
    _refused(data)
    assert hits == []


def test_external_dtd_is_refused_without_a_request(http_server):
    url, hits = http_server
    data = f'<!DOCTYPE clinical_study SYSTEM "{url}/public.dtd">'.encode() + BODY % b"T"
    failure = _refused(data)
    assert "external DTD" in failure.message
    assert hits == []


def test_utf16_document_with_entities_is_refused(secret_file):
    text = f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE c [<!ENTITY x SYSTEM "{secret_file}">]>' \
           + (BODY % b"&x;").decode()
    failure = _refused(text.encode("utf-16"))
    assert SECRET not in failure.message


def test_doctype_hidden_behind_a_comment_is_still_refused(secret_file):
    """The byte scan skips it (a comment before it looks like a start tag); the check on the parsed
    document's DTD refuses it, and the parser has not resolved the entity."""
    data = (f'<!-- <a> --><!DOCTYPE c [<!ENTITY x SYSTEM "{secret_file}">]>'.encode() + BODY % b"&x;")
    failure = _refused(data)
    assert SECRET not in failure.message


def test_the_parser_never_opens_an_external_entity(tmp_path):
    """Proof that nothing opens the file: an external entity names a FIFO, and opening a FIFO for
    reading blocks until a writer comes. The import runs in a child process that must finish."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for prolog in (f'<!DOCTYPE c [<!ENTITY x SYSTEM "{fifo}">]>',
                   f'<!-- <a> --><!DOCTYPE c [<!ENTITY x SYSTEM "{fifo}">]>',
                   f'<!DOCTYPE clinical_study SYSTEM "{fifo}">'):
        doc = tmp_path / "evil.xml"
        doc.write_bytes(prolog.encode() + BODY % b"&x;")
        code = ("import sys; from registry_tool.formats.ctgov_xml.reader import read; "
                "from registry_tool.sources import Document; "
                "(r,) = read(Document(sys.argv[1])); print(r.code)")
        done = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == "unsafe-xml", done.stderr


def test_oversize_document_is_refused_before_parsing(monkeypatch):
    data = BODY % b"x" * 1
    monkeypatch.setattr(xml_safety, "MAX_XML_BYTES", len(data) - 1)
    failure = _refused(data, "too-large")
    assert f"{len(data):,} bytes" in failure.message


def test_the_real_limit_is_64_mib():
    assert xml_safety.MAX_XML_BYTES == 64 * 1024 * 1024
    _refused(b" " * (xml_safety.MAX_XML_BYTES + 1), "too-large")


def test_malformed_xml_names_line_and_column():
    failure = _refused(b"<clinical_study>\n  <brief_title>T</brief_titel>\n</clinical_study>", "bad-xml")
    assert failure.line == 2 and failure.column is not None
    assert "not well-formed" in failure.message


def test_undeclared_entity_is_malformed_not_resolved():
    _refused(BODY % b"&nbsp;", "bad-xml")


def test_another_root_is_refused_clearly():
    failure = _refused(b"<rss><channel/></rss>", "not-clinical-study")
    assert "<rss>" in failure.message


def test_harmless_forms_are_read():
    assert _result(b"<!DOCTYPE clinical_study>" + BODY % b"T").title == "T"
    # "<!DOCTYPE" as text inside a CDATA section is content, not a declaration
    assert _result(BODY % b"<![CDATA[<!DOCTYPE html> & more]]>").title == "<!DOCTYPE html> & more"
    assert _result(BODY % b"A &amp; B &#x3C; C").title == "A & B < C"
