"""Bytes to text for readers of text formats: UTF-8 (byte-order mark dropped) or BOM-marked UTF-16.

Anything else is refused with the line and column of the first byte that is
not UTF-8, rather than guessed at.
"""

from __future__ import annotations

from .errors import Failure, RecordError

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, path: str | None = None) -> str:
    """Decode a document: UTF-8 (byte-order mark dropped) or BOM-marked UTF-16.

    Raises :class:`RecordError` (``not-utf8`` with the line and column of the
    first bad byte, or ``not-utf16``).
    """
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RecordError(Failure("not-utf16", f"invalid UTF-16 at byte {exc.start}", path=path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RecordError(
            Failure(
                "not-utf8",
                f"input is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded "
                "(expected UTF-8 text; re-encode the file, e.g. with iconv)",
                path=path,
                line=line,
                column=column,
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text
