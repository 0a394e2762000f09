"""Bytes of a post file → text, coping with what old Japanese archives contain.

UTF-8 (with or without BOM) is tried first. Otherwise the encoding is detected with
charset-normalizer among the encodings Japanese blogs were exported in (Shift_JIS/CP932,
EUC-JP, ISO-2022-JP, UTF-16); restricting the candidates avoids mistaking Japanese for
a Western code page. Line endings become LF.
"""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass

_JAPANESE_ENCODINGS = ["cp932", "shift_jis", "euc_jp", "euc_jis_2004", "iso2022_jp", "utf_16"]
_DISPLAY = {
    "cp932": "Shift_JIS (CP932)",
    "shift_jis": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "euc_jis_2004": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
    "utf_16": "UTF-16",
}


class NotText(Exception):
    """The bytes are not text in any encoding we accept (binary data with a .md name)."""


@dataclass
class Decoded:
    text: str
    encoding: str  # "utf-8" or the display name of the detected encoding


def decode_post(data: bytes) -> Decoded:
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_lf(data[3:].decode("utf-8", errors="replace")), "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(_lf(data.decode("utf-16", errors="replace")), "UTF-16")
    if b"\x00" in data:
        raise NotText("binary data (contains NUL bytes)")
    if b"\x1b$" in data and data.isascii():
        # ISO-2022-JP (old mail and "JIS" exports) is 7-bit, so it also passes as UTF-8,
        # escape sequences and all: its escapes have to be recognised first.
        with contextlib.suppress(UnicodeDecodeError):
            return Decoded(_lf(data.decode("iso2022_jp")), "ISO-2022-JP")
    try:
        return Decoded(_lf(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data) and exc.start >= len(data) - 3:
            # A UTF-8 file cut inside its last character (an export or copy that stopped
            # short): the rest is fine, and detection would misread it as Shift_JIS.
            with contextlib.suppress(UnicodeDecodeError):
                return Decoded(_lf(data[: exc.start].decode("utf-8")), "utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_JAPANESE_ENCODINGS).best()
    if best is None:
        raise NotText("not text in UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP")
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise NotText("binary data (mostly control characters)")
    return Decoded(_lf(text), _DISPLAY.get(best.encoding, best.encoding))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad / len(text)
