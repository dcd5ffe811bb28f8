"""The docs are generated from the schemas and the rule registry; they must be current."""

from __future__ import annotations

import re
from pathlib import Path

from pmo_xl.terminal.schema_doc import rules_markdown, schema_markdown
from pmo_xl.validators.families import load_rules

ROOT = Path(__file__).resolve().parents[1]


def test_workbook_doc_is_current() -> None:
    assert (ROOT / "docs" / "WORKBOOK.md").read_text() == schema_markdown() + "\n", (
        "run: python -m pmo_xl.terminal.schema_doc schema > docs/WORKBOOK.md")


def test_rules_doc_is_current() -> None:
    assert (ROOT / "docs" / "RULES.md").read_text() == rules_markdown() + "\n", (
        "run: python -m pmo_xl.terminal.schema_doc rules > docs/RULES.md")


def test_readme_names_no_rule_that_does_not_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    codes = set(re.findall(r"\b([SXHRLOKGCW]\d{3})\b", readme))
    assert codes <= set(load_rules()), codes - set(load_rules())


def test_what_users_read_cites_no_section_of_the_source_documents() -> None:
    """A PMO analyst has no "seed §5.2" to look up: rule explanations, the workbook guide and
    the README say the reason in words."""
    for text in (rules_markdown(), schema_markdown(), (ROOT / "README.md").read_text()):
        assert "§" not in text, re.findall(r".{40}§.{10}", text)


def test_history_docs_show_every_table_as_declared() -> None:
    from pmo_xl.portfolio.tables import TABLES, with_tables

    for name, queries in (("history.md", False), ("power-bi.md", True)):
        text = (ROOT / "docs" / name).read_text()
        assert text == with_tables(text, queries), (
            "run: python -m pmo_xl.portfolio.tables docs/history.md docs/power-bi.md")
        for table in TABLES.values():
            assert f"#### `{table.name}`" in text
