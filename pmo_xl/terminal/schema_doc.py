"""The workbook's sheets, columns and allowed values, and the rules' examples, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_xl.validators.schema import SETTINGS_DECLARED, SHEETS, columns_of, is_optional

if TYPE_CHECKING:
    from pmo_xl.validators.registry import Rule


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
    lines.append("Settings (one row each in the Settings sheet):")
    for info in SETTINGS_DECLARED:
        default = "not set" if info.default is None else info.default
        lines.append(f"  {info.name:<28} {info.wanted}; if blank: {default}")
    lines.append("")
    lines.append("* = required. Headers match case- and space-insensitively; extra columns are "
                 "kept.")
    return "\n".join(lines)


def schema_markdown() -> str:
    lines = []
    for name, schema in SHEETS.items():
        optional = " (optional)" if is_optional(name) else ""
        lines += [f"### {name}{optional}", "", schema.PURPOSE, "",
                  "| Column | Required | Kind | Allowed values / points at | Guidance |",
                  "| --- | --- | --- | --- | --- |"]
        for col in columns_of(name):
            allowed = " · ".join(col.choices) if col.choices else (
                f"→ {col.references}" if col.references else "")
            # The same words the template puts in each header's comment.
            guidance = (col.guidance or "").replace("|", "\\|")
            lines.append(f"| {col.header} | {'yes' if col.required else ''} | "
                         f"{col.kind}{' (; list)' if col.many else ''} | {allowed} | "
                         f"{guidance} |")
        if schema.ROLE_COLUMNS:
            lines.append("| *one column per role or Person ID* | | R, A, C, I, A/R | | |")
        lines.append("")
    lines += ["#### The settings", "", "| Setting | What it sets | A readable value | If blank |",
              "| --- | --- | --- | --- |"]
    for info in SETTINGS_DECLARED:
        default = "not set" if info.default is None else info.default
        lines.append(f"| {info.name} | {info.guidance} | {info.wanted} | {default} |")
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class ExampleText:
    """One of a rule's examples in words: the edits to the clean example master (none: the
    master as it is) and, for the failing one, the cell the rule then names."""

    passing: bool
    edits: list[str]
    cell: str | None = None
    old: list[str] | None = None  # a drift rule's: the edits that make the OLD version
    members: list[str] | None = None  # a rule across masters': each member, in words


def kind_line(rule: Rule) -> str:
    """What kind of rule it is and why, in one sentence pair: `pmo-xl rules CODE` and
    docs/RULES.md both print it."""
    return f"Kind: {rule.kind}, so {rule.severity} by default. {rule.why}"


def kinds_text() -> list[str]:
    """What the three kinds mean, one line each."""
    from pmo_xl.validators.registry import KIND_MEANING

    return [meaning[0].upper() + meaning[1:] for meaning in KIND_MEANING.values()]


def rule_examples(rule: Rule) -> list[ExampleText]:
    """A rule's passing example, then its failing one: what `pmo-xl rules CODE` and
    docs/RULES.md both show, so the two never tell different stories."""
    failing = [e.describe() for e in rule.fails.edits]
    if rule.fails.note:
        failing.append(rule.fails.note)

    def old(example) -> list[str] | None:
        return [e.describe() for e in example.before] if rule.needs_previous else None

    def members(example) -> list[str] | None:
        if not rule.needs_members:
            return None
        return [line for member in example.members for line in member.describe()]

    return [ExampleText(True, [e.describe() for e in rule.passes.edits], old=old(rule.passes),
                        members=members(rule.passes)),
            ExampleText(False, failing, rule.fails.cell, old=old(rule.fails),
                        members=members(rule.fails))]


def example_lines(example: ExampleText) -> list[str]:
    """The example's edits, one a line; a drift rule's as the old and the new version; a
    rule across masters' as its members."""
    if example.members is not None:
        return [f"member {line}" for line in example.members]
    if example.old is None:
        return example.edits or ["none: the clean example master as it is"]
    return ([f"old: {e}" for e in example.old] or ["old: the clean example master"]) + (
        [f"new: {e}" for e in example.edits] or ["new: the clean example master"])


def _example_markdown(example: ExampleText) -> str:
    if example.members is not None:
        said = "; ".join(example.members)
        if example.passing:
            return f"Passes when these members are rolled up: {said}."
        named = f" → names `{example.cell}`" if example.cell else ""
        return f"Fails when these members are rolled up: {said}{named}."
    if example.old is not None:
        said = "; ".join(example_lines(example))
        if example.passing:
            return f"Passes when, from the clean example master: {said}."
        named = f" → names `{example.cell}`" if example.cell else ""
        return f"Fails when, from the clean example master: {said}{named}."
    if example.passing:
        if not example.edits:
            return "Passes on the clean example master as it is."
        return "Passes when, in the clean example master: " + "; ".join(example.edits) + "."
    named = f" → names `{example.cell}`" if example.cell else ""
    return "Fails when, in the clean example master: " + "; ".join(example.edits) + named + "."


def rules_markdown() -> str:
    """Every rule with its severity, explanation and examples, for docs/RULES.md."""
    from pmo_xl.validators.families import load_rules
    from pmo_xl.validators.registry import FAMILIES

    lines = ["# The rules `pmo-xl check` runs", "",
             "Generated from the rule registry by `python -m pmo_xl.terminal.schema_doc rules`; "
             "`pmo-xl rules CODE` prints the same. The D rules (drift) need two versions of "
             "the master: `pmo-xl diff` and `pmo-xl pack` run them, `pmo-xl check` does not. "
             "The P rules (across masters) need several PMOs' masters: `pmo-xl rollup` runs "
             "them; their examples are two small members, each the clean example master with "
             "its own edits, and name the member of the cell (`[programme.xlsx]People!F8`).",
             "",
             "Each rule is one of three kinds, and its kind gives its severity by default; a "
             "PMO sets its own in the master's Rules sheet (`pmo-xl rules --master MASTER` "
             "shows the severities in force):",
             "", *(f"- {line}" for line in kinds_text()), ""]
    family = None
    for rule in load_rules().values():
        if rule.family != family:
            family = rule.family
            lines += [f"## {family} — {FAMILIES.get(family, '')}", ""]
        lines += [f"### {rule.code} ({rule.severity}) — {rule.title}", "", kind_line(rule), "",
                  rule.explanation, ""]
        for example in rule_examples(rule):
            if example.passing or example.edits or example.members:
                lines += [_example_markdown(example), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    which = sys.argv[1] if len(sys.argv) > 1 else "schema"
    print(rules_markdown() if which == "rules" else schema_markdown())
