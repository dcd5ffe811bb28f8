"""Regenerate what the README shows of the demo: its counts and sample outputs, and the
picture of the status report's first page.

Run `python docs/regenerate.py` after changing the demo, a report or a message; the test in
tests/test_readme_demo.py fails while the README's copy is out of date. The README's blocks
between `<!-- demo:NAME -->` and `<!-- /demo:NAME -->` are what `pmo-xl demo` and `pmo-xl
actions` print and write as they run (as of DEMO_AS_OF), never typed by hand. The picture
(docs/status-first-page.png) is page 1 of the demo's status report printed by LibreOffice
with Carlito (Calibri's metrics) and rendered by pdftoppm; docs/since-last-meeting.png the
first page of its Since last meeting sheet; docs/rollup-first-page.png page 1 of the
enterprise status report of the demo's roll-up.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PICTURE = ROOT / "docs" / "status-first-page.png"
SINCE_PICTURE = ROOT / "docs" / "since-last-meeting.png"
ROLLUP_PICTURE = ROOT / "docs" / "rollup-first-page.png"
# What services are for: the Outcomes sheet, the set-up pipeline (its Pilot Result column)
# and one catalogue entry (its outcome and measure, what you provide, how to request).
OUTCOMES_PICTURE = ROOT / "docs" / "outcomes.png"
PIPELINE_PICTURE = ROOT / "docs" / "set-up-pipeline.png"
ENTRY_PICTURE = ROOT / "docs" / "catalogue-entry.png"
ENTRY_SERVICE = "SVC-004"  # Resource capacity planning: on request, with inputs and a route
DEMO_AS_OF = dt.date(2026, 11, 30)
WIDTH = 92  # the README's prose is wrapped at this width


def run(*args: str | Path) -> str:
    """`pmo-xl ARGS` as a user's shell runs it (no colour); its standard output."""
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8", COLUMNS="200")
    done = subprocess.run([sys.executable, "-m", "pmo_xl", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return done.stdout


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, break_on_hyphens=False,
                         break_long_words=False)


def demo_blocks(folder: Path) -> dict[str, str]:
    """Run the demo into `folder` and `pmo-xl actions` on its master; the README's blocks."""
    import openpyxl

    stamp = DEMO_AS_OF.isoformat()
    out = run("demo", folder, "--as-of", stamp)
    lines = out.splitlines()
    summary = next(line for line in lines if re.search(r"\d+ errors?, \d+ warnings?", line))
    since = next(line for line in lines if line.startswith("Since the pack of"))
    counts = dict((kind, int(n)) for n, kind in
                  re.findall(r"(\d+) (errors?|warnings?|info|waived)", summary))
    problems = sum(counts.get(k, 0) for k in ("error", "errors", "warning", "warnings",
                                              "info"))
    waived = counts.get("waived", 0)
    drafts = int(re.search(r"with their actions, (\d+) in all", out).group(1))
    across = int(re.search(r"the rules across masters find (\d+) problems", out).group(1))
    master = folder / "example-master.xlsx"
    book = openpyxl.load_workbook(master, read_only=True)
    services = sum(1 for row in book["Services"].iter_rows(min_row=2, values_only=True)
                   if row[0])
    organisation = book["Settings"]["B2"].value
    pack = folder / f"pack-{stamp}"
    message = email.message_from_bytes((pack / "governance-pack.eml").read_bytes(),
                                       policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    agenda = body[body.index("Decisions needed ("):].split("\n\n")[0]
    decisions = int(re.search(r"Decisions needed \((\d+)\)", agenda).group(1))
    intro = _wrap(
        f"It writes `./pmo-xl-demo/`: {organisation}'s example master ({services} services "
        f"across every lifecycle stage, with {problems} deliberate problems, at least one of "
        f"each kind of rule, and {waived} finding its Waivers sheet waives), the findings "
        "workbook, two packs a month apart — last month's, then `pack-DATE/` with the status "
        f"report, the KPI report, the email draft and `to-people/` ({drafts} drafts, one per "
        "person with their actions), which shows what moved since last month's — "
        "`service-catalogue.html`, the catalogue page customers read, `history/`, the two "
        "packs as tables for Power BI or pandas, and `enterprise/`: Northwind's "
        "three PMOs each keeping its own master, with "
        f"{across} slips between them that only the masters together show, and their roll-up "
        "(`pmo-xl rollup`). It prints the findings and "
        f"ends (as of {stamp}):")
    intro += f"\n\n```\n{summary}\n\n{since}\n```\n\n" + _wrap(
        f"The pack's email puts the meeting's {decisions} decisions in the order of the agenda, "
        "each with who decides (the status report's first page and its Decisions needed "
        "sheet, `pmo-xl actions` and `pack.json` list the same ones):")
    intro += f"\n\n```\n{agenda}\n```"
    # The demo's first finding, as `pmo-xl check` prints it: the first error, under its sheet.
    start = next(i for i, line in enumerate(lines) if re.match(r"^[\d,]+ errors? ", line)) + 1
    end = start + 2
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    finding = "\n".join(lines[start:end])
    actions = run("actions", master, "--as-of", stamp).splitlines()
    people = [i for i, line in enumerate(actions) if re.match(r"^\S.*: \d+ actions?$", line)
              or ", no draft (" in line]
    shown = actions[:people[1]] + ["…"] + actions[people[-1]:]
    return {"intro": intro, "finding": f"```\n{finding}\n```",
            "actions": "```\n" + "\n".join(line for line in shown).strip() + "\n```"}


def marked(name: str, text: str) -> str:
    return f"<!-- demo:{name} -->\n{text}\n<!-- /demo:{name} -->"


def blocks_in(readme: str) -> dict[str, str]:
    """The README's generated blocks, by name."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r"<!-- demo:(\w+) -->\n(?:.*?\n)?<!-- /demo:\1 -->", readme, re.S)}


def update_readme(blocks: dict[str, str]) -> None:
    text = README.read_text(encoding="utf-8")
    for name, block in blocks.items():
        current = blocks_in(text)[name]
        text = text.replace(current, marked(name, block))
    README.write_text(text, encoding="utf-8")


def pictures(folder: Path) -> list[Path]:
    """Page 1 of the demo's status report, and the first page of its Since last meeting
    sheet, as LibreOffice prints them, at 80 dpi."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    stamp = DEMO_AS_OF.isoformat()
    report = folder / f"pack-{stamp}" / f"status-report-{stamp}.xlsx"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(report)],
                   check=True, capture_output=True, timeout=300)
    pdf = folder / report.with_suffix(".pdf").name

    def first_page(title: str) -> int:
        return next(page for page in range(1, 40) if subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
            text=True, check=True).stdout.lstrip().startswith(title))

    enterprise = folder / "enterprise" / "rollup" / "enterprise-status-report.xlsx"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    str(enterprise)], check=True, capture_output=True, timeout=300)
    enterprise_pdf = folder / enterprise.with_suffix(".pdf").name
    written = []
    # (pdf, page, picture, dots per inch, the height kept in pixels: the pipeline's rows fill
    # the top of its page, so it is shown larger and cut below them)
    for source, page, picture, dpi, height in (
            (pdf, 1, PICTURE, 80, None),
            (pdf, first_page("Since last meeting"), SINCE_PICTURE, 80, None),
            (pdf, first_page("Outcomes"), OUTCOMES_PICTURE, 80, None),
            (pdf, first_page("Set-up pipeline"), PIPELINE_PICTURE, 130, 440),
            (enterprise_pdf, 1, ROLLUP_PICTURE, 80, None)):
        crop = ["-x", "0", "-y", "0", "-W", "5000", "-H", str(height)] if height else []
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), *crop, "-f", str(page),
                        "-l", str(page),
                        "-singlefile", str(source), str(picture.with_suffix(""))],
                       check=True, timeout=120)
        written.append(picture)
    written.append(catalogue_entry(folder))
    return written


def catalogue_entry(folder: Path) -> Path:
    """One entry of the demo's catalogue page, as headless Chromium shows it at desktop
    width (the tests' browser driver)."""
    sys.path.insert(0, str(ROOT))
    from tests.browser import Browser

    page_file = folder / "service-catalogue.html"
    with Browser() as browser:
        page = browser.open(1000, 1250)
        page.load(page_file.as_uri())
        page.evaluate(f"document.getElementById('svc-{ENTRY_SERVICE}').scrollIntoView()")
        page.screenshot(ENTRY_PICTURE)
    return ENTRY_PICTURE


HISTORY_DOCS = (README, ROOT / "docs" / "history.md")


def history_answers(folder: Path) -> None:
    """Each history example (a pandas or DuckDB block reading `pmo-xl-demo/history/`) run on
    the demo's tables, and the block after it replaced by what it printed, in README.md and
    docs/history.md (tests/test_history.py runs them again and compares)."""
    import contextlib
    import io

    import duckdb

    demo = str(folder) + "/"
    for doc in HISTORY_DOCS:
        text = doc.read_text(encoding="utf-8")
        parts = re.split(r"(```\w*\n.*?```)", text, flags=re.S)
        blocks = [i for i, part in enumerate(parts) if part.startswith("```")]
        for here, after in zip(blocks, blocks[1:], strict=False):
            kind, code = re.match(r"```(\w*)\n(.*?)```", parts[here], re.S).groups()
            if "pmo-xl-demo/history" not in code or kind not in ("python", "sql"):
                continue
            code = code.replace("pmo-xl-demo/", demo)
            if kind == "python":
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(code, {})
                shown = "\n".join(line.rstrip() for line in printed.getvalue().splitlines())
            else:
                lines = str(duckdb.sql(code)).splitlines()
                shown = "\n".join(lines[:2] + lines[3:])  # without the row of types
            parts[after] = f"```\n{shown.strip()}\n```"
        doc.write_text("".join(parts), encoding="utf-8")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="pmo-xl-readme-") as temp:
        folder = Path(temp) / "demo"
        update_readme(demo_blocks(folder))
        history_answers(folder)
        print(f"Updated {README} and docs/history.md")
        if "--no-picture" not in sys.argv:
            for picture in pictures(folder):
                print(f"Wrote {picture}")
