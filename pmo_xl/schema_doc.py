"""The workbook's sheets, columns and allowed values as text or Markdown, from the schemas."""

from __future__ import annotations

from pmo_xl.validators.schema import SHEETS, columns_of, is_optional


def _describe(col) -> str:
    parts = [col.kind]
    if col.references:
        parts.append(f"-> {col.references}")
    if col.many:
        parts.append("; list")
    if col.unique:
        parts.append("unique")
    return ", ".join(parts)


def schema_text() -> str:
    lines = []
    for name, schema in SHEETS.items():
        optional = " (optional)" if is_optional(name) else ""
        lines.append(f"{name}{optional}: {schema.PURPOSE}")
        for col in columns_of(name):
            mark = "*" if col.required else " "
            lines.append(f"  {mark} {col.header:<28} {_describe(col)}")
            if col.choices:
                lines.append(f"      {'':<28} one of: {' | '.join(col.choices)}")
        if schema.ROLE_COLUMNS:
            lines.append("    (then one column per role or Person ID: R, A, C, I or A/R)")
        lines.append("")
    lines.append("* = required. Headers match case- and space-insensitively; extra columns are "
                 "kept.")
    return "\n".join(lines)


def schema_markdown() -> str:
    lines = []
    for name, schema in SHEETS.items():
        optional = " (optional)" if is_optional(name) else ""
        lines += [f"### {name}{optional}", "", schema.PURPOSE, "",
                  "| Column | Required | Kind | Allowed values / points at |",
                  "| --- | --- | --- | --- |"]
        for col in columns_of(name):
            allowed = " · ".join(col.choices) if col.choices else (
                f"→ {col.references}" if col.references else "")
            lines.append(f"| {col.header} | {'yes' if col.required else ''} | "
                         f"{col.kind}{' (; list)' if col.many else ''} | {allowed} |")
        if schema.ROLE_COLUMNS:
            lines.append("| *one column per role or Person ID* | | R, A, C, I, A/R | |")
        lines.append("")
    return "\n".join(lines)


def rules_markdown() -> str:
    """Every rule with its severity, explanation and failing example, for docs/RULES.md."""
    from pmo_xl.validators.registry import FAMILIES, load_rules

    lines = ["# The rules `pmo-xl check` runs", "",
             "Generated from the rule registry by `python -m pmo_xl.schema_doc rules`; "
             "`pmo-xl rules CODE` prints the same. The D rules (drift) need two versions of "
             "the master: `pmo-xl diff` and `pmo-xl pack` run them, `pmo-xl check` does not.",
             ""]
    family = None
    for rule in load_rules().values():
        if rule.family != family:
            family = rule.family
            lines += [f"## {family} — {FAMILIES.get(family, '')}", ""]
        lines += [f"### {rule.code} ({rule.severity}) — {rule.title}", "", rule.explanation, ""]
        edits = [e.describe() for e in rule.fails.edits] + ([rule.fails.note]
                                                            if rule.fails.note else [])
        if rule.needs_previous:
            old = "; ".join(e.describe() for e in rule.fails.before) or "unchanged"
            lines.append(f"Fails when the clean example master, old version: {old}; new "
                         f"version: {'; '.join(edits)} → names `{rule.fails.cell}`.")
            lines.append("")
        elif edits:
            lines.append("Fails when, in the clean example master: " + "; ".join(edits)
                         + f" → names `{rule.fails.cell}`.")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    which = sys.argv[1] if len(sys.argv) > 1 else "schema"
    print(rules_markdown() if which == "rules" else schema_markdown())
