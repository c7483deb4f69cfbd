"""How many cells a character takes, as the viewers' xterm.js counts them.

JupyterLab's terminal runs xterm.js with its default Unicode version 6 tables (Markus Kuhn's
``wcwidth``): East Asian wide ranges take two cells, a fixed list of combining marks none, and
everything else, emoji included, one. The screen model counts the same way so that a restored
screen puts every character where a viewer that never left has it (Unicode's newer East Asian
Width would give most emoji two cells, and move the rest of their row and the wrap). The bulk
paths ask :func:`narrow` whether text is one cell per character.
"""

from __future__ import annotations

from functools import lru_cache

#: Zero-width code points of the Basic Multilingual Plane, first-last (xterm.js ``BMP_COMBINING``).
_BMP_COMBINING = """
    0300-036F 0483-0486 0488-0489 0591-05BD 05BF-05BF 05C1-05C2 05C4-05C5 05C7-05C7 0600-0603
    0610-0615 064B-065E 0670-0670 06D6-06E4 06E7-06E8 06EA-06ED 070F-070F 0711-0711 0730-074A
    07A6-07B0 07EB-07F3 0901-0902 093C-093C 0941-0948 094D-094D 0951-0954 0962-0963 0981-0981
    09BC-09BC 09C1-09C4 09CD-09CD 09E2-09E3 0A01-0A02 0A3C-0A3C 0A41-0A42 0A47-0A48 0A4B-0A4D
    0A70-0A71 0A81-0A82 0ABC-0ABC 0AC1-0AC5 0AC7-0AC8 0ACD-0ACD 0AE2-0AE3 0B01-0B01 0B3C-0B3C
    0B3F-0B3F 0B41-0B43 0B4D-0B4D 0B56-0B56 0B82-0B82 0BC0-0BC0 0BCD-0BCD 0C3E-0C40 0C46-0C48
    0C4A-0C4D 0C55-0C56 0CBC-0CBC 0CBF-0CBF 0CC6-0CC6 0CCC-0CCD 0CE2-0CE3 0D41-0D43 0D4D-0D4D
    0DCA-0DCA 0DD2-0DD4 0DD6-0DD6 0E31-0E31 0E34-0E3A 0E47-0E4E 0EB1-0EB1 0EB4-0EB9 0EBB-0EBC
    0EC8-0ECD 0F18-0F19 0F35-0F35 0F37-0F37 0F39-0F39 0F71-0F7E 0F80-0F84 0F86-0F87 0F90-0F97
    0F99-0FBC 0FC6-0FC6 102D-1030 1032-1032 1036-1037 1039-1039 1058-1059 1160-11FF 135F-135F
    1712-1714 1732-1734 1752-1753 1772-1773 17B4-17B5 17B7-17BD 17C6-17C6 17C9-17D3 17DD-17DD
    180B-180D 18A9-18A9 1920-1922 1927-1928 1932-1932 1939-193B 1A17-1A18 1B00-1B03 1B34-1B34
    1B36-1B3A 1B3C-1B3C 1B42-1B42 1B6B-1B73 1DC0-1DCA 1DFE-1DFF 200B-200F 202A-202E 2060-2063
    206A-206F 20D0-20EF 302A-302F 3099-309A A806-A806 A80B-A80B A825-A826 FB1E-FB1E FE00-FE0F
    FE20-FE23 FEFF-FEFF FFF9-FFFB
"""
#: Zero-width code points above it (xterm.js ``HIGH_COMBINING``).
_HIGH_COMBINING = """
    10A01-10A03 10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F-10A3F 1D167-1D169 1D173-1D182
    1D185-1D18B 1D1AA-1D1AD 1D242-1D244 E0001-E0001 E0020-E007F E0100-E01EF
"""
#: Two-cell code points of the Basic Multilingual Plane (xterm.js ``UnicodeV6``'s table).
_BMP_WIDE = """
    1100-115F 2329-232A 2E80-303E 3040-A4CF AC00-D7A3 F900-FAFF FE10-FE19 FE30-FE6F FF00-FF60
    FFE0-FFE6
"""


def _ranges(text: str) -> list[tuple[int, int]]:
    return [(int(a, 16), int(b, 16)) for a, b in (r.split("-") for r in text.split())]


def _bmp_table() -> bytes:
    table = bytearray(b"\x01" * 0x10000)
    for start, last in _ranges(_BMP_WIDE):
        table[start : last + 1] = b"\x02" * (last + 1 - start)
    # Combining last: the marks inside a wide range take no cell (as xterm.js fills them).
    for start, last in _ranges(_BMP_COMBINING):
        table[start : last + 1] = bytes(last + 1 - start)
    return bytes(table)


_BMP = _bmp_table()
_ASCII = bytes(range(128))
#: Distinct non-ASCII characters removed one by one (one pass each) before a set is cheaper.
DISTINCT = 16
_HIGH = _ranges(_HIGH_COMBINING)


def width(char: str) -> int:
    """Cells ``char`` takes: 0 (joins the character before it), 1 or 2."""
    code = ord(char)
    if code < 0x10000:
        return _BMP[code]
    if any(start <= code <= last for start, last in _HIGH):
        return 0
    return 2 if 0x20000 <= code <= 0x2FFFD or 0x30000 <= code <= 0x3FFFD else 1


def narrow(text: str) -> bool:
    """True when every non-ASCII character of ``text`` takes exactly one cell (a bar's blocks)."""
    return narrow_utf8(text.encode("utf-8", "surrogatepass"))


def narrow_utf8(b: bytes) -> bool:
    """:func:`narrow` for text already encoded (UTF-8, surrogates passed)."""
    # The ASCII bytes dropped at C speed first, then each distinct character at C speed: a
    # set of the text would make an object per character outside Latin-1 (a bar's blocks).
    return narrow_chars(b.translate(None, _ASCII).decode("utf-8", "surrogatepass"))


def narrow_chars(left: str) -> bool:
    """:func:`narrow` for the non-ASCII characters of a text alone."""
    for _ in range(DISTINCT):
        if not left:
            return True
        if not _one_cell(left[0]):
            return False
        left = left.replace(left[0], "")
    return all(map(_one_cell, set(left)))


@lru_cache(maxsize=1024)
def _one_cell(char: str) -> bool:
    return width(char) == 1 and not "\x80" <= char <= "\x9f"  # C1 controls move the cursor
