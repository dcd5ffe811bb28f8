"""Hyperlinks from an output workbook to cells of the master, whatever its file name holds.

A link's file part is a URI reference, so the characters a file name may hold but a URI may
not (`#` would start the cell part and cut the name there, `%` would start an escape, spaces,
`:` in a first segment would read as a scheme) are percent-encoded, as Excel itself writes
them: `PMO master #2 (Q4).xlsx` becomes `PMO%20master%20%232%20(Q4).xlsx`. Letters outside
ASCII (`Bilanz März.xlsx`) stay as they are, again as Excel writes them; LibreOffice reads
both forms. xlsxwriter leaves a link that already holds an escape alone, so the encoding is
done once, here.
"""

from __future__ import annotations

import os
from pathlib import Path

# Characters a path segment may carry unescaped (RFC 3986 unreserved and sub-delims, plus
# "@"); ":" is escaped because in a relative link's first segment it would read as a scheme.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=@")
# Excel's limit on the length of a link's file part (xlsxwriter ignores a longer link with a
# warning on stderr; a caller writes the address as plain text instead).
MAX_LINK = 2080


def encode_path(path: str) -> str:
    """`PMO master #2 (Q4).xlsx` -> `PMO%20master%20%232%20(Q4).xlsx`; `/` and `\\` separate."""
    drive, rest = os.path.splitdrive(path)
    parts = []
    for ch in rest:
        if ch in _SAFE or ch == "/" or (ch == "\\" and os.sep == "\\") or not ch.isascii():
            parts.append(ch)
        else:
            parts.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8")))
    return drive + "".join(parts)


def master_link(master: Path, from_file: Path) -> str:
    """The file part of a link from `from_file` to the master: relative where one exists.

    Excel and LibreOffice both resolve a relative link against the folder of the workbook
    that holds it, so the link keeps working when the PMO moves or shares the folder holding
    both files. Only when there is none (a master on another Windows drive) is the absolute
    path used.
    """
    master = Path(os.path.abspath(master))
    folder = Path(os.path.abspath(from_file)).parent
    try:
        return os.path.relpath(master, folder)
    except ValueError:  # another drive on Windows: no relative path exists
        return str(master)


def cell_url(link: str, location: str) -> str | None:
    """`external:<encoded link>#<location>` for xlsxwriter's write_url; None when too long."""
    url = f"external:{encode_path(link)}"
    if _utf16_len(url) > MAX_LINK or _utf16_len(location) > MAX_LINK:
        return None
    return f"{url}#{location}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
