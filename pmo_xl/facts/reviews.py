"""Periodic reviews: what is reviewed, when its next review falls due, and what is due now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.handbook import HandbookFacts
from pmo_xl.period import add_months
from pmo_xl.validators.schema import (
    Documents,
    Procedures,
    ProcedureStatus,
    Services,
    Stage,
)


@dataclass(frozen=True)
class Review:
    """A record reviewed periodically (a Running service, a live procedure of one, a key
    document) and when its next review falls due."""

    sheet: str  # the sheet's schema name: Services, Procedures or Documents
    row: int
    record: str  # Service ID, Procedure ID or the document's name
    service: str | None  # the service it belongs to (None for a key document)
    last_reviewed: dt.date | None  # None: never reviewed
    due: dt.date | None  # Last Reviewed plus the review interval; None: never reviewed

    def due_by(self, day: dt.date) -> bool:
        """Due on or before `day` (never reviewed: due now)."""
        return self.due is None or self.due <= day


class ReviewFacts(HandbookFacts):
    """Running services, their live procedures and the key documents, with their reviews."""

    @cached_property
    def reviews(self) -> list[Review]:
        """What is reviewed periodically, with its next review date: Running services, the
        procedures (not Retired) of Running services and the key documents: make sure what
        is already delivered is still needed. Due is Last Reviewed plus Settings' Review
        Interval Months. A date typed as text is S105's finding, not a review: it is left
        out."""
        months = self.settings.review_interval_months
        found: list[Review] = []
        columns: dict[str, tuple[dict, dict]] = {}  # sheet -> (typed, as typed) by row

        def review(sheet: type[Services | Procedures | Documents], row: int, record: str,
                   service: str | None) -> None:
            if sheet.SHEET not in columns:  # read each column once: fast on big sheets
                table = self.master[sheet]
                columns[sheet.SHEET] = tuple(
                    dict(zip(frame.index.tolist(), frame[sheet.last_reviewed].tolist(),
                             strict=True)) if sheet.last_reviewed in frame.columns else {}
                    for frame in (table.data, table.raw))
            typed, as_typed = columns[sheet.SHEET]
            last = typed.get(row)
            if not isinstance(last, dt.date):
                if as_typed.get(row) is not None:
                    return  # a date that cannot be read: S105's finding is the action
                last = None
            due = None
            if last is not None:
                try:
                    due = add_months(last, months)
                except ValueError:  # due after 9999-12-31: never due
                    due = dt.date.max
            found.append(Review(sheet.SHEET, row, record, service, last, due))

        for row, r, _raw in self.catalogue:
            sid = r[Services.service_id]
            if sid is not None and r[Services.stage] == Stage.RUNNING:
                review(Services, row, str(sid), str(sid))
        for item in self.procedures:
            if (self.stage_of.get(str(item.service)) == Stage.RUNNING
                    and item.status != ProcedureStatus.RETIRED):
                review(Procedures, item.row, item.procedure_id, str(item.service))
        if self.master[Documents].present:
            for row, r in self.master[Documents].rows():
                if r[Documents.document] is not None:
                    review(Documents, row, str(r[Documents.document]), None)
        return found

    @cached_property
    def reviews_due(self) -> list[Review]:
        """The reviews that were never done or fell due before the as-of date (rules.md V:
        V101-V103, and the meeting's decisions)."""
        return [r for r in self.reviews if r.due is None or r.due < self.as_of]
