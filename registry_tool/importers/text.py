"""STUB"""
from ..model import Record, Source
def parse_text(text, path=None):
    return Record("x", Source("text", path))
def read(data, path):
    from ..reading import decode_text
    yield parse_text(decode_text(data, path), path)
