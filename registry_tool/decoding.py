"""Bytes to text for readers of text formats: UTF-8 (byte-order mark dropped), UTF-16
(with a byte-order mark, or recognised without one), or the encoding the user names.

Anything else is refused with the line and column of the first byte that is
not UTF-8, and the option that reads other encodings (``--encoding``), rather
than guessed at.
"""

from __future__ import annotations

import codecs

from .errors import Failure, RecordError

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# How much of a document the UTF-16 check looks at, and the share of the bytes
# on one side of each pair that must be NUL (ASCII text in UTF-16 has a NUL
# beside every letter; binary data has NULs on both sides).
_UTF16_SAMPLE = 4096
_UTF16_NUL_SHARE = 0.3


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` for a document that looks like UTF-16 with no
    byte-order mark (NULs on one side of the byte pairs only), else None."""
    sample = data[:_UTF16_SAMPLE]
    if len(sample) < 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    if odd_nuls >= _UTF16_NUL_SHARE * len(odd) and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= _UTF16_NUL_SHARE * len(even) and odd_nuls == 0:
        return "utf-16-be"
    return None


def check_encoding(name: str) -> str:
    """The codec name for ``--encoding NAME``; raises ``LookupError`` for an unknown one."""
    return codecs.lookup(name).name


def decode_text(data: bytes, path: str | None = None, encoding: str | None = None) -> str:
    """Decode a document: as ``encoding`` where given, else UTF-8 (byte-order mark
    dropped) or UTF-16 (with a byte-order mark, or recognised without one).

    Raises :class:`RecordError` (``not-utf8`` with the line and column of the
    first bad byte, or ``not-utf16``).
    """
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise RecordError(Failure(
                "not-utf8", f"input is not {encoding}: byte 0x{data[exc.start]:02x} at byte {exc.start} "
                "cannot be decoded (expected text in the encoding --encoding names)", path=path,
                **_line_column(data, exc.start))) from None
        return text[1:] if text.startswith("\ufeff") else text
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RecordError(Failure("not-utf16", f"invalid UTF-16 at byte {exc.start}", path=path)) from None
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise RecordError(Failure(
                "not-utf16", f"input looks like {utf16.upper()} without a byte-order mark but is not valid "
                f"UTF-16 at byte {exc.start} (give --encoding NAME if it is another encoding)", path=path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            Failure(
                "not-utf8",
                f"input is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded (expected UTF-8 text; "
                "read another encoding with --encoding NAME, e.g. --encoding cp1252 or --encoding latin-1)",
                path=path,
                **_line_column(data, exc.start),
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _line_column(data: bytes, offset: int) -> dict[str, int]:
    before = data[:offset]
    return {"line": before.count(b"\n") + 1, "column": offset - (before.rfind(b"\n") + 1) + 1}
