"""The docs are generated from the schemas and the rule registry; they must be current."""

from __future__ import annotations

import re
from pathlib import Path

from pmo_xl.terminal.schema_doc import rules_markdown, schema_markdown
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import FAMILIES

ROOT = Path(__file__).resolve().parents[1]


def test_workbook_doc_is_current() -> None:
    assert (ROOT / "docs" / "WORKBOOK.md").read_text() == schema_markdown() + "\n", (
        "run: python -m pmo_xl.terminal.schema_doc schema > docs/WORKBOOK.md")


def test_rules_doc_is_current() -> None:
    assert (ROOT / "docs" / "RULES.md").read_text() == rules_markdown() + "\n", (
        "run: python -m pmo_xl.terminal.schema_doc rules > docs/RULES.md")


def test_readme_names_no_rule_that_does_not_exist() -> None:
    """Every code the README and the docs name, of every family (the V and D codes too), is
    a rule."""
    text = "\n".join(path.read_text() for path in [ROOT / "README.md",
                                                    *sorted((ROOT / "docs").glob("*.md"))])
    families = "".join(FAMILIES)
    codes = set(re.findall(rf"\b([{families}]\d{{3}})\b", text))
    assert {code[0] for code in codes} >= {"S", "K", "V", "D"}  # the old pattern missed V, D
    assert codes <= set(load_rules()), codes - set(load_rules())


def _template_text(tmp_path: Path) -> str:
    """Everything a person reads in a fresh template: cell text (the Readme, headers) and
    every header's comment."""
    import openpyxl

    from pmo_xl.validators.policy import policy_choices
    from pmo_xl.workbook.template import write_master

    path = write_master(tmp_path / "template.xlsx", rule_codes=policy_choices(load_rules()))
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                if cell.comment is not None:
                    texts.append(cell.comment.text)
    return "\n".join(texts)


# Words that name the source documents: what a user reads gives the reason in plain words.
DOCUMENT_NAMES = re.compile(r"seed|talk notes|§", re.IGNORECASE)


def test_what_users_read_names_no_source_document(tmp_path: Path) -> None:
    """A PMO analyst has no "seed §5.2" or "talk notes" to look up: rule explanations and
    reasons, the workbook guide, the README, the docs and the template say the reason in
    words."""
    texts = {"pmo-xl rules": rules_markdown(), "pmo-xl schema": schema_markdown(),
             "the template": _template_text(tmp_path)}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        texts[path.name] = path.read_text()
    for name, text in texts.items():
        assert not DOCUMENT_NAMES.search(text), (name, [
            text[max(0, m.start() - 40):m.end() + 10] for m in DOCUMENT_NAMES.finditer(text)])


def test_history_docs_show_every_table_as_declared() -> None:
    from pmo_xl.portfolio.tables import TABLES, with_tables

    for name, queries in (("history.md", False), ("power-bi.md", True)):
        text = (ROOT / "docs" / name).read_text()
        assert text == with_tables(text, queries), (
            "run: python -m pmo_xl.portfolio.tables docs/history.md docs/power-bi.md")
        for table in TABLES.values():
            assert f"#### `{table.name}`" in text


def test_the_readme_lists_every_sheet() -> None:
    from pmo_xl.validators.schema import SHEETS, is_optional

    readme = (ROOT / "README.md").read_text()
    for name in SHEETS:
        row = f"| {name} (optional) |" if is_optional(name) else f"| {name} |"
        assert row in readme, name


def test_the_readme_stays_short() -> None:
    """Two commands, a day with pmo-xl, the promises, what the checks cover, pictures: the
    rest lives in docs/."""
    assert len((ROOT / "README.md").read_text().splitlines()) < 300
