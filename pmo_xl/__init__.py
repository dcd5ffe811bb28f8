"""pmo-xl: check a PMO's master Excel workbook and write the reports for its governance meetings.

From Python, the same names as the command line::

    import pmo_xl
    result = pmo_xl.check("master.xlsx", as_of=datetime.date(2026, 11, 30))
    for finding in result.findings:
        print(finding.address, finding.rule, finding.message)
"""

from pmo_xl.api import catalogue, check, new, rules
from pmo_xl.errors import CannotCheck
from pmo_xl.findings import Finding

__all__ = ["CannotCheck", "Finding", "catalogue", "check", "new", "rules"]
