"""Two versions of the master, and the packs that remember each meeting.

- ``diff``: two masters matched record by record on their IDs (never on row positions);
- ``packs``: what each pack keeps of its meeting (``pack.json``, the master snapshot) and
  finding the packs before it;
- ``since``: what changed since the last meeting, for a pack: the record changes, the
  drift rules' findings, and the pack's memory of RAG, stages and findings.

May import: the shared words, the schema, the reader (``pmo_xl.workbook``), the facts and
the rules (``pmo_xl.validators``: the drift rules judge a ``Diff`` handed to them). Never
the reports, the people wing or the command line.
"""
