"""An xlsxwriter workbook built in memory and written to its file in one go when closed.

xlsxwriter writes the zip straight into the file while it closes the workbook; on a full
disk it then raises its own FileCreateError, and the half-written zip it leaves open
complains again, with a traceback, when Python collects it. Built in memory, the workbook's
file is written by one plain write: a full disk is an OSError like any other, which
:func:`pmo_xl.output.atomic_output` turns into one sentence ("The disk is full; ... was not
written.") after removing the temporary file. The whole workbook is in memory anyway (the
parts are, see ``WORKBOOK_OPTIONS``); the zip adds its compressed size once more.
"""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter


class Workbook(xlsxwriter.Workbook):
    """`xlsxwriter.Workbook(path, options)` that writes `path` only on close(), in one write."""

    def __init__(self, path: str | Path, options: dict | None = None) -> None:
        self.target = Path(path)
        self._zip = io.BytesIO()
        super().__init__(self._zip, {**(options or {}), "in_memory": True})

    def close(self) -> None:
        if self.fileclosed:
            return
        super().close()
        with open(self.target, "wb") as handle:
            handle.write(self._zip.getbuffer())
        self._zip = io.BytesIO()  # the bytes are on disk: do not keep a second copy
