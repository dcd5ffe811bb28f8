"""Who has to act, and telling them.

- ``actions``: one routing table from each finding and pending decision to the people who
  own its record (``pmo-xl actions``);
- ``send``: the drafts sent through SMTP, never twice (``sent.json``);
- ``mail_server``: talking to the mail server (TLS, login, one sentence per failure) and
  what counts as a usable address.

May import: the shared words, the schema, the facts and the rules' results. Never the
reports (the drafts are written by ``pmo_xl.reports.drafts`` from an action list) or the
command line.
"""
