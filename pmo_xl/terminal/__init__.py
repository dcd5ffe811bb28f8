"""What a person reads in the terminal: findings (``console``), a diff (``diff_output``),
and the schema and the rules explained in words (``schema_doc``, also the generator of
docs/WORKBOOK.md and docs/RULES.md).

May import everything below the face: the shared words, the schema, the rules, the
comparisons. Never the API, the demo or the command line, which use it.
"""
