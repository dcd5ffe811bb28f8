"""The built-in example: Northwind Group's master (``example_data/northwind/``, one CSV
table per sheet, read by ``example_tables`` and written by ``example``) and ``pmo-xl demo``
itself (``run``), which checks it and writes the reports, the packs and the catalogue.

May import anything but the command line: the demo is a user of the API.
"""
