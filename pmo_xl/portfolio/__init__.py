"""The enterprise view: several PMOs' masters and years of packs, read together.

- ``members``: finding the members of a roll-up (masters, pack folders, folders of them),
  reading and checking each one on its own, one at a time, and keeping only what the
  enterprise needs of it;
- ``rollup``: ``pmo-xl rollup``: every member checked with its own rules, then the rules
  across masters (family P) over what was kept, the members that could not be counted named;
- the enterprise outputs: ``findings_book`` (the findings workbook with a Member column),
  ``catalogue`` (one catalogue page across the PMOs), ``drafts`` (a draft to each PMO Manager
  with the findings across masters that concern their PMO), ``reports`` (the enterprise
  status and KPI workbooks) and ``outputs`` (writing them all into one folder).

May import: the shared words, the schema, the reader, the facts, the rules
(``pmo_xl.validators``), the comparisons and packs (``pmo_xl.compare``), the people wing
and the reports (``pmo_xl.reports``, whose styles and catalogue it reuses). Never the API,
the terminal or the command line, which present what a roll-up found.
"""
