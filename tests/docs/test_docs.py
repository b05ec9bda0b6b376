"""The documentation stays true: docs/import-format.md matches the importer's own column
definitions, its example bundle imports, every link stays inside the repository and
resolves, and every `transport ...` command the docs mention exists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli import app
from transport.imports.files import BUNDLE, FileSpec

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
IMPORT_FORMAT = DOCS / "import-format.md"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>", re.IGNORECASE)
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose(text: str) -> str:
    """The text without code: fenced blocks and inline code spans."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    for match in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(match.group(2))
        n = counts.get(base, 0)
        counts[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return LINK.findall(text) + REFERENCE_LINK.findall(text)


# --- the import format against the importer's column definitions ------------------------


def section(text: str, file_name: str) -> str:
    """The part of the page under the heading that names the file, to the next heading of
    the same or a higher level."""
    body = FENCE.sub("", text)
    headings = list(HEADING.finditer(body))
    for index, match in enumerate(headings):
        if file_name in match.group(2):
            level = len(match.group(1))
            end = next(
                (h.start() for h in headings[index + 1 :] if len(h.group(1)) <= level),
                len(body),
            )
            return body[match.end() : end]
    raise AssertionError(f"docs/import-format.md has no heading naming {file_name}")


def table_rows(text: str) -> list[list[str]]:
    """The first Markdown table in ``text``: its rows as cells, header included."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
            rows.append([cell.strip() for cell in cells])
        elif rows:
            break
    return [row for row in rows if not all(re.fullmatch(r":?-+:?", c) for c in row if c)]


def documented_columns(spec: FileSpec) -> dict[str, bool]:
    """Column name -> documented as required, from the file's table."""
    rows = table_rows(section(IMPORT_FORMAT.read_text(encoding="utf-8"), spec.name))
    assert rows, f"docs/import-format.md: no table under the {spec.name} heading"
    header = [cell.lower() for cell in rows[0]]
    assert header[:2] == ["column", "required"], f"{spec.name}: table header is {rows[0]}"
    columns: dict[str, bool] = {}
    for row in rows[1:]:
        name = row[0].strip("`* ")
        required = row[1].strip("*` ").lower()
        assert required in ("yes", "no"), f"{spec.name}, {name}: required is {row[1]!r}"
        assert name not in columns, f"{spec.name}: {name} is documented twice"
        columns[name] = required == "yes"
    return columns


@pytest.mark.parametrize("spec", BUNDLE, ids=lambda spec: spec.name)
def test_each_file_documents_exactly_the_importers_columns(spec: FileSpec) -> None:
    documented = documented_columns(spec)
    actual = {column.name for column in spec.columns}
    missing = sorted(actual - set(documented))
    extra = sorted(set(documented) - actual)
    assert not missing, (
        f"docs/import-format.md, {spec.name}: document the column(s) {missing} "
        "(a row in the file's table: column | required | type / allowed values | meaning)"
    )
    assert not extra, (
        f"docs/import-format.md, {spec.name}: {extra} documented but not read by the "
        "importer (transport/imports/files.py)"
    )


@pytest.mark.parametrize("spec", BUNDLE, ids=lambda spec: spec.name)
def test_required_columns_are_marked_required(spec: FileSpec) -> None:
    documented = documented_columns(spec)
    for column in spec.columns:
        assert documented[column.name] == column.required, (
            f"docs/import-format.md, {spec.name}: {column.name} should say "
            f"required {'yes' if column.required else 'no'}"
        )


@pytest.mark.parametrize("spec", BUNDLE, ids=lambda spec: spec.name)
def test_the_key_is_stated(spec: FileSpec) -> None:
    body = section(IMPORT_FORMAT.read_text(encoding="utf-8"), spec.name)
    key_line = next((line for line in body.splitlines() if line.startswith("Key:")), None)
    assert key_line is not None, f"docs/import-format.md, {spec.name}: no 'Key:' line"
    stated = re.findall(r"`([^`]+)`", key_line.split(".")[0])
    assert tuple(stated) == spec.key, f"{spec.name}: key stated as {stated}, is {spec.key}"


def test_every_file_of_the_bundle_has_a_section() -> None:
    text = IMPORT_FORMAT.read_text(encoding="utf-8")
    for spec in BUNDLE:
        section(text, spec.name)


EXAMPLE = re.compile(r"^\*\*([a-z_]+\.csv)\*\*\s*\n\s*```csv\n(.*?)^```", re.M | re.S)


def test_the_example_bundle_imports_and_the_check_finds_what_the_page_says(
    tmp_path: Path,
) -> None:
    files = EXAMPLE.findall(IMPORT_FORMAT.read_text(encoding="utf-8"))
    assert sorted(name for name, _ in files) == sorted(spec.name for spec in BUNDLE)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name, body in files:
        (bundle / name).write_text(body, encoding="utf-8")
    env = {
        "TRANSPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'transport.db'}",
        "TRANSPORT_CONFIG": "",
        "COLUMNS": "200",
    }
    runner = CliRunner()
    imported = runner.invoke(app, ["import", str(bundle)], env=env)
    assert imported.exit_code == 0, imported.output
    checked = runner.invoke(
        app, ["check", "--as-of", "2026-08-26", "--format", "json", "--no-save"], env=env
    )
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.stdout)
    found = {(r["pupil_ref"], tuple(r["reasons"]), r["risk_date"]) for r in result["at_risk"]}
    assert found == {
        ("P00124", ("AWARD_MISSING",), "2026-09-03"),
        ("P00123", ("APPLICATION_UNDECIDED",), "2026-09-07"),
    }
    assert result["warnings"] == []


# --- links -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            problems.append(f"{target}: points outside the repository")
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if ROOT not in resolved.parents and resolved != ROOT:
            problems.append(f"{target}: leaves the repository")
            continue
        if not resolved.exists():
            problems.append(f"{target}: no such file")
            continue
        if anchor:
            if resolved.suffix != ".md":
                problems.append(f"{target}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(resolved):
                problems.append(f"{target}: no heading with the anchor #{anchor}")
    assert not problems, f"{page_id(page)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_no_link_points_outside_the_repository(page: Path) -> None:
    raw = page.read_text(encoding="utf-8")
    text = prose(raw)
    outside = AUTOLINK.findall(text) + BARE_URL.findall(text)
    outside += [t for t in links(page) if re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I)]
    assert not outside, f"{page_id(page)} links outside the repository: {outside}"
    # A relative path mentioned anywhere (a link, code, prose) stays in the repository.
    for mention in re.findall(r"(?:\.\./)+[\w./-]+", raw):
        resolved = (page.parent / mention).resolve()
        assert resolved.is_relative_to(ROOT), f"{page_id(page)} mentions {mention}"


# --- commands --------------------------------------------------------------------------

SPAN = re.compile(r"`(transport(?:\s[^`]*)?)`")
SH_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# `transport` as the command of a shell line: at its start (after any VAR=value), after
# a path's bin/, or after &&, || or ;.
IN_SHELL = re.compile(
    r"(?:^[ \t]*(?:\w+=\S+[ \t]+)*|bin/|&&[ \t]*|\|\|[ \t]*|;[ \t]*)"
    r"transport((?:[ \t]+[^\s|;&<>()]+)*)",
    re.MULTILINE,
)
ROOT_COMMAND: Any = typer.main.get_command(app)


def command_path(words: list[str]) -> tuple[str, ...]:
    """The sub-command words at the start: up to an option, a placeholder (uppercase) or
    an argument of a command that has no sub-commands."""
    path: list[str] = []
    command = ROOT_COMMAND
    for word in words:
        if word.startswith("-") or word[:1].isupper() or not word[:1].isalpha():
            break
        subcommands = getattr(command, "commands", None)
        if not isinstance(subcommands, dict):
            break
        path.append(word)
        command = subcommands.get(word)
        if command is None:
            break  # an unknown sub-command: --help below says so
    return tuple(path)


def mentioned_commands() -> dict[tuple[str, ...], str]:
    """Each distinct command path the README and the docs mention -> where."""
    found: dict[tuple[str, ...], str] = {}
    for page in PAGES:
        raw = page.read_text(encoding="utf-8")
        mentions = [m.group(1).split()[1:] for m in SPAN.finditer(FENCE.sub("", raw))]
        for block in SH_BLOCK.findall(raw):
            mentions.extend(m.group(1).split() for m in IN_SHELL.finditer(block))
        for words in mentions:
            cleaned = [w.strip(".,:'\"`") for w in words]
            found.setdefault(command_path([w for w in cleaned if w]), page_id(page))
    return found


MENTIONED = mentioned_commands()


def test_the_docs_mention_the_main_commands() -> None:
    for expected in (("check",), ("import",), ("outbox", "send"), ("scheduler", "run")):
        assert expected in MENTIONED


@pytest.mark.parametrize("path", sorted(MENTIONED), ids=lambda path: " ".join(path) or "transport")
def test_every_command_mentioned_exists(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    where = MENTIONED[path]
    assert result.exit_code == 0, (
        f"{where} mentions `transport {' '.join(path)}`, which does not exist: {result.output}"
    )
