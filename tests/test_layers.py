"""The house keeps its drawing: no import cycle, and no import against the layer order.

The layers, bottom to top (the README draws them, under "How it is built", and a test
here keeps that drawing and LAYERS one list): a module may import its own layer and the
layers below it, never one above. Imports inside ``if TYPE_CHECKING:`` are type
annotations, not dependencies at run time, and are not counted; imports inside functions
(deferred to keep start-up quick) are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"pmo_xl": ROOT / "pmo_xl", "pmo_xl.validators": ROOT / "validators",
           "pmo_xl.reports": ROOT / "reports"}

# Bottom to top. A module belongs to the first layer with a pattern that matches it: a
# pattern ending in ".*" matches a package and everything in it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("words", ("pmo_xl", "pmo_xl.errors", "pmo_xl.findings", "pmo_xl.period",
               "pmo_xl.interrupts", "pmo_xl.output", "pmo_xl.links", "pmo_xl.json_file")),
    ("schema", ("pmo_xl.validators", "pmo_xl.validators.schema",
                "pmo_xl.validators.cell_checks", "pmo_xl.rag")),
    ("workbook", ("pmo_xl.workbook.*",)),
    ("facts", ("pmo_xl.facts.*",)),
    ("rules", ("pmo_xl.validators.*",)),
    ("compare", ("pmo_xl.compare.*",)),
    ("people", ("pmo_xl.people.*",)),
    ("reports", ("pmo_xl.reports.*",)),
    ("portfolio", ("pmo_xl.portfolio.*",)),
    ("example", ("pmo_xl.example.*",)),
    ("terminal", ("pmo_xl.terminal.*",)),
    ("api", ("pmo_xl.api",)),
    ("cli", ("pmo_xl.cli", "pmo_xl.__main__")),
]

# Inside the facts, each domain builds on those before it in this list, never on a later one.
FACT_DOMAINS = ["base", "catalogue", "people", "handbook", "items", "kpis", "outcomes", "reviews",
                "capacity", "rollup", "agenda", "checks", "scope"]


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            found[".".join((package, *parts))] = path
    return found


def layer_of(module: str) -> int:
    for index, (_name, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.endswith(".*"):
                if module == pattern[:-2] or module.startswith(pattern[:-1]):
                    return index
            elif module == pattern:
                return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and to the README)")


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_imports(source: str, module: str, known: set[str], is_package: bool) -> set[str]:
    """The project modules `module` imports when it runs (TYPE_CHECKING blocks left out)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:
                    found.add(target)
                elif base in known:
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    found.discard(module)
    return found


def import_graph(sources: dict[str, str] | None = None) -> dict[str, set[str]]:
    paths = modules()
    texts = sources if sources is not None else {m: p.read_text() for m, p in paths.items()}
    known = set(texts)
    return {m: runtime_imports(text, m, known, m in paths and paths[m].name == "__init__.py")
            for m, text in texts.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Each import from a lower layer into a higher one, in words."""
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                found.append(f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} "
                             f"({LAYERS[layer_of(target)][0]})")
            if module.startswith("pmo_xl.facts.") and target.startswith("pmo_xl.facts."):
                mine, theirs = module.split(".")[2], target.split(".")[2]
                if FACT_DOMAINS.index(theirs) > FACT_DOMAINS.index(mine):
                    found.append(f"{module} imports the later facts domain {target}")
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_no_import_against_the_layer_order() -> None:
    assert upward(import_graph()) == []


def test_the_facts_domains_are_the_files_of_the_facts() -> None:
    files = {p.stem for p in (ROOT / "pmo_xl" / "facts").glob("*.py")} - {"__init__"}
    assert files == set(FACT_DOMAINS)


# --- the test fails on what it guards against -------------------------------------------------


def _planted(changes: dict[str, str]) -> dict[str, str]:
    texts = {m: p.read_text() for m, p in modules().items()}
    for module, line in changes.items():
        texts[module] = texts[module] + "\n" + line + "\n"
    return texts


@pytest.mark.parametrize("line", [
    "from pmo_xl.facts import Facts",  # at module level
    "def later():\n    from pmo_xl.facts import Facts",  # deferred, still a dependency
])
def test_a_planted_cycle_is_found(line: str) -> None:
    graph = import_graph(_planted({"pmo_xl.workbook.settings": line}))
    assert any("pmo_xl.workbook.settings" in group for group in cycles(graph))


def test_a_planted_upward_import_is_found() -> None:
    graph = import_graph(_planted({"pmo_xl.facts.kpis": "from pmo_xl.reports import kpi"}))
    assert "pmo_xl.facts.kpis (facts) imports pmo_xl.reports.kpi (reports)" in upward(graph)
    graph = import_graph(_planted({"pmo_xl.facts.catalogue": "from pmo_xl.facts.kpis import X"}))
    assert ("pmo_xl.facts.catalogue imports the later facts domain pmo_xl.facts.kpis"
            in upward(graph))


def test_a_type_checking_import_is_no_dependency() -> None:
    line = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pmo_xl.reports import kpi"
    graph = import_graph(_planted({"pmo_xl.facts.kpis": line}))
    assert "pmo_xl.reports.kpi" not in graph["pmo_xl.facts.kpis"]


def test_a_checkout_runs_as_the_installed_package(tmp_path) -> None:
    """From the repository's root the source folder shadows any installed pmo_xl; its
    validators/ and reports/ (which an install maps inside the package) are found beside
    it. Simulated by dropping the editable install's finder, as a plain `pip install .`
    would not have one."""
    import subprocess
    import sys

    code = ("import sys\n"
            "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
            "from pmo_xl import api\n"
            "import pmo_xl.validators.schema as schema, pmo_xl.reports.kpi as kpi\n"
            "print(len(api.rules()), schema.__file__, kpi.__file__)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, schema_file, kpi_file = done.stdout.split()
    assert int(count) >= 100
    assert Path(schema_file) == ROOT / "validators" / "schema.py"
    assert Path(kpi_file) == ROOT / "reports" / "kpi.py"


def test_every_wing_is_installed() -> None:
    """A wing missing from pyproject's package list works in a checkout and is absent from
    every install."""
    import tomllib

    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                   ["packages"])
    wings = {module for module, path in modules().items() if path.name == "__init__.py"}
    assert wings == declared, wings ^ declared


def test_the_readme_draws_these_layers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drawing = readme.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    drawn = [line.split("|")[1].strip() for line in drawing.strip().splitlines()[2:]]
    assert drawn == [name for name, _patterns in LAYERS]
