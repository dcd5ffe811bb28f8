"""The enterprise view: several PMOs' masters and years of packs, read without writing any.

What lives here: `pmo-xl history` (every pack folder's memory as long-format tables for
Power BI, Power Query, pandas and DuckDB: :mod:`.history` finds and reads the packs,
:mod:`.tables` declares the tables, :mod:`.table_files` writes them), and later the roll-up
of several PMOs' masters.

What it may import: the facts (:mod:`pmo_xl.facts`), the rules' results
(:mod:`pmo_xl.validators`), the packs' memory (:mod:`pmo_xl.compare.packs`), reading the master
(:mod:`pmo_xl.workbook.master`), :mod:`pmo_xl.output` and the shared words (errors, rag, period).
Never the reports (:mod:`pmo_xl.reports`) or the CLI: the CLI and the api call in here.
"""
