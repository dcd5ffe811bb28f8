"""The built-in example: Northwind Group's master (``data/northwind/``, one CSV table per
sheet, read by ``tables`` and written by ``northwind``), and ``pmo-xl demo`` itself
(``demo``), which checks it and writes the findings workbook, two packs a month apart and
the catalogue page beside it.

May import everything below the face (the reports, the packs, the rules, the facts); never
the API, the terminal or the command line, which present what the demo wrote.
"""
