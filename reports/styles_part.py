"""A workbook's styles part (xl/styles.xml) extended as text: the same style with a fill, and
the few styles a new sheet needs. Existing styles keep their numbers, so every cell the copy
does not mark looks exactly as it did in the master."""

from __future__ import annotations

import re

from pmo_xl.reports.xlsx_package import Unusual


class Styles:
    """The styles part, with fonts, fills and cell formats (xfs) appended on demand."""

    def __init__(self, xml: bytes) -> None:
        root = re.search(rb"<(?:([\w.-]+):)?styleSheet\b", xml)
        if root is None:
            raise Unusual("a styles part without <styleSheet>")
        self.p = (root.group(1) + b":") if root.group(1) else b""
        self.xml = xml
        self._xfs = self._items("cellXfs", "xf")
        self._fonts = len(self._items("fonts", "font"))
        self._fills = len(self._items("fills", "fill"))
        self._new: dict[str, list[bytes]] = {"fonts": [], "fills": [], "cellXfs": []}
        self._filled: dict[tuple[int, str], int] = {}
        self._fill_ids: dict[str, int] = {}
        self._font_ids: dict[bytes, int] = {}

    def _items(self, group: str, item: str) -> list[bytes]:
        p = re.escape(self.p)
        found = re.search(rb"<" + p + group.encode() + rb"\b[^>]*>(.*?)</" + p + group.encode()
                          + rb">", self.xml, re.DOTALL)
        if found is None:
            raise Unusual(f"a styles part without {group}")
        return re.findall(rb"<" + p + item.encode() + rb"\b(?:[^>]*?/>|[^>]*>.*?</" + p
                          + item.encode() + rb">)", found.group(1), re.DOTALL)

    def fill(self, rgb: str) -> int:
        """The id of a solid fill of colour `rgb` (AARRGGBB)."""
        if rgb not in self._fill_ids:
            p = self.p.decode()
            self._new["fills"].append(
                f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
                f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>'.encode())
            self._fill_ids[rgb] = self._fills + len(self._new["fills"]) - 1
        return self._fill_ids[rgb]

    def font(self, *, bold: bool = False, underline: bool = False, rgb: str = "FF000000",
             size: float = 10, name: str = "Calibri") -> int:
        p = self.p.decode()
        xml = ((f"<{p}b/>" if bold else "") + (f"<{p}u/>" if underline else "")
               + f'<{p}sz val="{size:g}"/><{p}color rgb="{rgb}"/><{p}name val="{name}"/>'
               f'<{p}family val="2"/>').encode()
        if xml not in self._font_ids:
            self._new["fonts"].append(b"<" + self.p + b"font>" + xml + b"</" + self.p
                                      + b"font>")
            self._font_ids[xml] = self._fonts + len(self._new["fonts"]) - 1
        return self._font_ids[xml]

    def cell_format(self, *, font: int = 0, fill: int = 0, wrap: bool = False,
                    vertical: str = "top") -> int:
        """A new cell format (xf) with this font, fill and alignment; its number."""
        p = self.p.decode()
        wrapped = ' wrapText="1"' if wrap else ""
        self._new["cellXfs"].append(
            f'<{p}xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="0" xfId="0" '
            f'applyFont="1" applyFill="1" applyAlignment="1"><{p}alignment '
            f'vertical="{vertical}"{wrapped}/></{p}xf>'.encode())
        return len(self._xfs) + len(self._new["cellXfs"]) - 1

    def with_fill(self, base: int, rgb: str) -> int:
        """The number of a cell format like `base` (its font, border, number format,
        alignment, protection) but filled with `rgb`."""
        if base >= len(self._xfs) or base < 0:
            base = 0
        key = (base, rgb)
        if key not in self._filled:
            fill = self.fill(rgb)
            xf = self._xfs[base]
            head_end = xf.find(b">")
            head, rest = xf[:head_end], xf[head_end:]
            head = re.sub(rb'\s(?:fillId|applyFill)="[^"]*"', b"", head)
            if head.endswith(b"/"):
                head, rest = head[:-1].rstrip(), b"/" + rest
            self._new["cellXfs"].append(head + b' fillId="%d" applyFill="1"' % fill + rest)
            self._filled[key] = len(self._xfs) + len(self._new["cellXfs"]) - 1
        return self._filled[key]

    def to_bytes(self) -> bytes:
        xml = self.xml
        p = re.escape(self.p)
        for group, total in (("fonts", self._fonts), ("fills", self._fills),
                             ("cellXfs", len(self._xfs))):
            added = self._new[group]
            if not added:
                continue
            end = xml.find(b"</" + self.p + group.encode() + b">")
            xml = xml[:end] + b"".join(added) + xml[end:]
            count = str(total + len(added)).encode()
            xml = re.sub(rb"(<" + p + group.encode() + rb'\b[^>]*?\bcount=")[0-9]*(")',
                         lambda m, c=count: m.group(1) + c + m.group(2), xml, count=1)
        return xml
