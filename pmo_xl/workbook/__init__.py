"""The master as a file, both ways: reading it and writing the blank one.

- ``package``: the .xlsx as a zip of XML parts, sized and scanned before anything is loaded
  (far cells, formulas without saved values, error values, links, merged cells);
- ``master``: every sheet read into a ``SheetTable`` (values by Excel row, where each
  column sits), the ``Master`` that holds them, and ``read_master``;
- ``settings``: the Settings sheet, each value parsed once, the same for every command;
- ``template``: the blank master (and the example master) written from the schema, with
  drop-downs, tables and guidance;
- ``text_fit`` and ``paging``: how a sheet prints, in Calibri's widths and A4 pages, for
  the template, the reports and the annotated copy alike.

May import: the shared words (``pmo_xl.errors``, ``findings``, ``period``, ``output``,
``interrupts``) and the schema (``pmo_xl.validators.schema``). Never the facts, the rules,
the reports or anything above them.
"""
