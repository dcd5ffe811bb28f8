"""The enterprise view: several PMOs' masters and years of packs, read without writing any.

What lives here:

- `pmo-xl history`: every pack folder's memory as long-format tables for Power BI, Power
  Query, pandas and DuckDB (:mod:`.history` finds and reads the packs, :mod:`.tables`
  declares the tables, :mod:`.table_files` writes them);
- `pmo-xl rollup`: several PMOs' masters as one enterprise. :mod:`.members` finds the members
  (masters, pack folders, folders of them), reads and checks each on its own, one at a time,
  and keeps only what the enterprise needs of it (:mod:`.view`); :mod:`.rollup` runs the
  rules across masters (family P) over what was kept and names the members that could not
  be counted; the enterprise outputs are :mod:`.findings_book` (the findings workbook with a
  Member column), :mod:`.catalogue` (one catalogue page across the PMOs), :mod:`.drafts` (a
  draft to each PMO Manager involved in a finding across masters), :mod:`.reports` (the
  enterprise status and KPI workbooks), written together by :mod:`.outputs`.

What it may import: the shared words (errors, findings, rag, period, output, links), the
schema and the reader (:mod:`pmo_xl.workbook`), the facts (:mod:`pmo_xl.facts`), the rules
and their results (:mod:`pmo_xl.validators`), the packs' memory (:mod:`pmo_xl.compare`), the
people wing, and the reports (:mod:`pmo_xl.reports`: the roll-up's outputs reuse their
styles, catalogue page and drafts; the history tables do not need them). Never the example,
the terminal, the API or the CLI, which call in here.
"""
