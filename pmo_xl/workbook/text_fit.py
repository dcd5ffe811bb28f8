"""How much room report text takes in print: lines a wrapped cell needs in a column.

Excel and LibreOffice do not grow a row for wrapped text a program wrote (Excel keeps the
height in the file, LibreOffice keeps any height it is given), so the reports set every
row's height themselves, and a row that is too short prints its last lines over the next
row. The estimate here is meant never to be short for the reports' font, Calibri, or for
Carlito, its metric-compatible stand-in that LibreOffice uses where Calibri is not
installed: it measures each character by the font's own advance width rather than by an
average, wraps word by word as both applications do, and is deliberately pessimistic where
they differ (see :func:`line_count`).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import repeat

# Advance widths in 1/2048 em of Calibri's (= Carlito's) glyphs for U+0020..U+007E then
# U+00A0..U+00FF, read from Carlito-Regular.ttf and Carlito-Bold.ttf with fontTools
# (`font["hmtx"][font.getBestCmap()[code]][0]`).
_REGULAR = (
    "463,667,821,1020,1038,1464,1397,452,621,621,1020,1020,511,627,517,791,1038,1038,1038,"
    "1038,1038,1038,1038,1038,1038,1038,548,548,1020,1020,1020,949,1831,1185,1114,1092,1260,"
    "1000,941,1292,1276,516,653,1064,861,1751,1322,1356,1058,1378,1112,941,998,1314,1162,"
    "1822,1063,998,959,628,791,628,1020,1020,596,981,1076,866,1076,1019,625,964,1076,470,490,"
    "931,470,1636,1076,1080,1076,1076,714,801,686,1076,925,1464,887,927,809,644,943,644,1020,"
    "463,667,1020,1038,1020,1038,1020,1020,804,1709,824,1049,1020,0,1038,807,694,1020,688,"
    "685,598,1126,1200,517,629,504,865,1049,1303,1375,1383,949,1185,1185,1185,1185,1185,1185,"
    "1563,1092,1000,1000,1000,1000,516,516,516,516,1279,1322,1356,1356,1356,1356,1356,1020,"
    "1359,1314,1314,1314,1314,998,1058,1080,981,981,981,981,981,981,1583,866,1019,1019,1019,"
    "1019,470,470,470,470,1076,1076,1080,1080,1080,1080,1080,1020,1084,1076,1076,1076,1076,"
    "927,1076,927"
)
_BOLD = (
    "463,667,898,1020,1038,1493,1443,478,638,638,1020,1020,528,627,547,880,1038,1038,1038,"
    "1038,1038,1038,1038,1038,1038,1038,565,565,1020,1020,1020,949,1840,1241,1148,1084,1291,"
    "999,940,1305,1292,546,678,1120,866,1790,1349,1385,1090,1405,1153,968,1014,1337,1211,"
    "1856,1128,1064,979,665,880,665,1020,1020,615,1011,1099,857,1099,1031,648,971,1099,503,"
    "523,983,503,1666,1099,1101,1099,1099,728,817,710,1099,969,1526,941,970,814,704,973,704,"
    "1020,463,667,1020,1038,1020,1038,1020,1020,849,1709,852,1103,1020,0,1038,799,701,1020,"
    "692,688,616,1154,1224,548,621,517,891,1103,1347,1415,1437,949,1241,1241,1241,1241,1241,"
    "1241,1588,1084,999,999,999,999,546,546,546,546,1309,1349,1385,1385,1385,1385,1385,1020,"
    "1394,1337,1337,1337,1337,1064,1090,1136,1011,1011,1011,1011,1011,1011,1587,857,1031,"
    "1031,1031,1031,503,503,503,503,1099,1099,1101,1101,1101,1101,1101,1020,1114,1099,1099,"
    "1099,1099,970,1099,970"
)
# Typographic punctuation a PMO pastes from Word, in both weights (within 3% of each other).
_EXTRA = {"–": 1020, "—": 1854, "‘": 528, "’": 528, "“": 891, "”": 891, "•": 1020,
          "…": 1457, "€": 1038, "™": 1475, "−": 1020}
_CHARS = [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)]
UNITS_PER_EM = 2048
# Any other character (Greek, Cyrillic, CJK, symbols from a fallback font): a full em, as
# wide as a CJK ideograph and wider than nearly every other glyph.
OTHER = UNITS_PER_EM
# Excel lays text out at screen resolution, where hinting can round a glyph's width up by
# a fraction of a pixel; 6% more than the font's own widths covers it at 10 points.
SLACK = 1.06
# Excel's column of width w characters is int(7 w + 0.5) + 5 pixels of Calibri 11 (a pixel
# is 3/4 point); LibreOffice draws it a little wider (5.6 points per character), so wrapping
# measured against Excel's width is the pessimistic one. A cell keeps about 3 pixels of
# margin either side of its text.
CELL_MARGINS_PT = 4.5


def _table(widths: str) -> dict[str, int]:
    table = dict(zip(_CHARS, (int(w) for w in widths.split(",")), strict=True))
    table.update(_EXTRA)
    return table


_UNITS = {False: _table(_REGULAR), True: _table(_BOLD)}


def column_points(width: float) -> float:
    """Excel's printed width, in points, of a column set to `width` characters."""
    if width <= 0:
        return 0.0
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return pixels * 0.75


@lru_cache(maxsize=16)
def _widths(size: float, bold: bool) -> tuple[dict[str, float], float, float]:
    """(points per character, points for any other character, widest point width)."""
    scale = size * SLACK / UNITS_PER_EM
    points = {char: units * scale for char, units in _UNITS[bold].items()}
    return points, OTHER * scale, max(max(points.values()), OTHER * scale)


def text_points(text: str, size: float = 10, bold: bool = False) -> float:
    """Printed width of one line of `text`, in points, with the slack above included."""
    points, other, _ = _widths(size, bold)
    return sum(map(points.get, text, repeat(other)))


def line_count(text: str, width: float, *, size: float = 10, bold: bool = False) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide.

    Breaks come only at spaces and line breaks: Excel and LibreOffice may also break after
    a hyphen, which can only save lines, so ignoring it keeps the count on the safe side. A
    word longer than a line breaks as LibreOffice breaks it, after its hyphens and, where a
    piece is still too long, between characters.
    """
    usable = max(column_points(width) - CELL_MARGINS_PT, 1.0)
    points, other, widest = _widths(size, bold)
    if len(text) * widest <= usable and "\n" not in text:
        return 1  # most cells: short enough for one line whatever its letters
    space = points[" "]
    total = 0
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split(" "):
            length = sum(map(points.get, word, repeat(other)))
            if used and used + space + length <= usable:
                used += space + length
                continue
            if used:
                lines, used = lines + 1, 0.0
            if length <= usable:
                used = length
                continue
            # A word wider than the column: its hyphen-ended pieces, each on as few lines as
            # it can, a piece wider than a line broken between its characters.
            for piece in _hyphen_pieces(word):
                piece_length = sum(map(points.get, piece, repeat(other)))
                if used + piece_length <= usable:
                    used += piece_length
                    continue
                if used:
                    lines, used = lines + 1, 0.0
                for char in piece:
                    char_length = points.get(char, other)
                    if used and used + char_length > usable:
                        lines, used = lines + 1, 0.0
                    used += char_length
        total += lines
    return total


def _hyphen_pieces(word: str) -> list[str]:
    pieces, start = [], 0
    for index, char in enumerate(word):
        if char == "-":
            pieces.append(word[start:index + 1])
            start = index + 1
    if start < len(word):
        pieces.append(word[start:])
    return pieces
