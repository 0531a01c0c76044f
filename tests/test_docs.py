"""The documentation holds together: every link resolves, every model type and every build error is documented,
and what the pages tell a user to type or open exists: each `obsgen` command and option, `make` target, check code
and repository path."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import typer
import yaml

import generator.model
from generator.checks import registry
from generator.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "out/docs").rglob("*.md"))]
WRITTEN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
"""The pages people write (docs/checks/ is generated from the checks themselves, out/docs/ from the definitions)."""
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
SHELL = re.compile(r"^```(?:sh|yaml)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"(?:^|/|&& )((?:obsgen|make) [^#|>&;]*)")
"""A command on a line of a shell block (or a workflow step), up to a comment, pipe, redirection or `;`."""
SPAN_COMMAND = re.compile(r"`((?:obsgen|make) [^`\n]+)`")
"""A command quoted in the text: a code span that starts with it."""
REPOSITORY_PATH = re.compile(r"`((?:generator|tests|bench|stacks|definitions|docs|out)/[^`\s]*)`")
GENERATED = {"bench/soak-report/soak.png"}
"""Paths the docs name as what a command writes, not files of the repository."""


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def _links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text()))


def test_the_docs_exist_and_readme_links_them() -> None:
    names = {page.name for page in PAGES}
    assert {"configuration.md", "live-stack.md", "troubleshooting.md"} <= names
    readme = _links(ROOT / "README.md")
    assert {"docs/configuration.md", "docs/live-stack.md", "docs/troubleshooting.md"} <= set(readme)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_link_resolves(page: Path) -> None:
    for link in _links(page):
        parts = urlsplit(link)
        if parts.scheme:
            assert parts.scheme in ("http", "https") and parts.netloc, f"{page.name}: malformed URL {link}"
            continue  # no network here: external links are checked for form only
        target = (page.parent / parts.path).resolve() if parts.path else page
        assert target.exists(), f"{page.relative_to(ROOT)}: {link} -> {target} does not exist"
        if parts.fragment:
            assert parts.fragment in _anchors(target), f"{page.relative_to(ROOT)}: no heading #{parts.fragment}"


def test_every_model_type_is_in_the_configuration_guide() -> None:
    guide = (ROOT / "docs/configuration.md").read_text()
    missing = [name for name in generator.model.__all__ if not re.search(rf"\b{name}\b", guide)]
    assert missing == []


def test_every_rejected_value_message_is_in_troubleshooting() -> None:
    page = (ROOT / "docs/troubleshooting.md").read_text().replace("\\|", "|")
    cases = yaml.safe_load((ROOT / "tests/checks/cases/LD002.yml").read_text())["cases"]
    messages = [problem["message"] for case in cases for problem in case["problems"]]
    missing = [message for message in messages if message not in page]
    assert "(checks/README.md)" in page and missing == []


def test_what_is_where_in_the_readme_matches_the_tree() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## What is where", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)`", table, re.MULTILINE)
    listed = set(rows)
    assert sorted(path for path in listed if rows.count(path) > 1) == []  # one row per part
    assert [path for path in listed if not (ROOT / path.rstrip("/")).exists()] == []
    package = ROOT / "generator"
    parts = {f"generator/{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()}
    parts |= {f"generator/{p.name}" for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert sorted(parts - listed) == []


def test_readme_opens_with_the_two_setup_commands() -> None:
    """A newcomer on a fresh machine reads `make build` and `make test` before anything else to run."""
    first_block = FENCE.search((ROOT / "README.md").read_text())
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group().splitlines()[1:-1]]
    assert commands[:2] == ["make build", "make test"]


def _commands(page: Path) -> list[str]:
    """Every `obsgen ...` and `make ...` a page tells a user to run, placeholders and all."""
    text = page.read_text()
    lines = [line.split(" # ")[0] for block in SHELL.findall(text) for line in block.splitlines()]
    found = [command for line in lines for command in COMMAND.findall(line)]
    return [command.strip() for command in found + SPAN_COMMAND.findall(FENCE.sub("", text))]


def _cli() -> typer.core.TyperGroup:
    """obsgen's command tree, which click types as any command."""
    cli = typer.main.get_command(app)
    assert isinstance(cli, typer.core.TyperGroup), cli
    return cli


def _unknown_words(command: str, cli: typer.core.TyperGroup) -> list[str]:
    """The subcommand or options of an obsgen command line that the real CLI does not have. A synopsis parses as
    its longest form (`[--for 2h]` -> `--for 2h`); values and placeholders are not judged."""
    words = command.replace("[", " ").replace("]", " ").split()[1:]
    if not words or words[0].endswith(":"):  # `obsgen check: 1 failed` quotes output, not a command
        return []
    command_: typer.core.TyperCommand | typer.core.TyperGroup = cli
    while isinstance(command_, typer.core.TyperGroup) and words and not words[0].startswith("-"):
        sub = command_.commands.get(words[0])
        if sub is None:
            return [f"obsgen has no command {words[0]!r}"]
        assert isinstance(sub, (typer.core.TyperCommand, typer.core.TyperGroup)), sub  # all a Typer app builds
        command_, words = sub, words[1:]
    options = {name for param in command_.params for name in (*param.opts, *param.secondary_opts)} | {"--help"}
    return [f"{command_.name} has no option {word.split('=')[0]}" for word in words
            if word.startswith("-") and word.split("=")[0] not in options]


@pytest.mark.parametrize("page", WRITTEN, ids=[str(p.relative_to(ROOT)) for p in WRITTEN])
def test_every_command_in_the_docs_exists(page: Path) -> None:
    cli = _cli()
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    commands = _commands(page)
    wrong = {command: _unknown_words(command, cli) for command in commands if command.startswith("obsgen ")}
    wrong |= {command: ["no such make target"] for command in commands
              if command.startswith("make ") and command.split()[1] not in targets}
    assert {command: problems for command, problems in wrong.items() if problems} == {}


def test_the_command_check_reads_the_docs_commands() -> None:
    """The extraction above finds the commands (so an empty list cannot pass for a clean one), and the CLI check
    refuses what the CLI does not have."""
    found = {command for page in WRITTEN for command in _commands(page)}
    assert {"make build", "obsgen ack --list", "obsgen check [OUT]"} <= found and len(found) > 40
    cli = _cli()
    assert _unknown_words("obsgen ack CpuHigh [--for 2h] --force", cli) == []
    assert _unknown_words("obsgen forecast report", cli) == []
    assert _unknown_words("obsgen build --watchh", cli) == ["build has no option --watchh"]
    assert _unknown_words("obsgen deploy --dry-run", cli) == ["obsgen has no command 'deploy'"]


def test_every_check_code_in_the_docs_exists() -> None:
    codes = registry.codes()
    named = {code for page in WRITTEN for code in re.findall(r"\b[A-Z]{2}\d{3}\b", page.read_text())}
    assert len(named) > 5 and sorted(named - codes) == []


def test_every_repository_path_in_the_docs_exists() -> None:
    missing = []
    for page in WRITTEN:
        for token in REPOSITORY_PATH.findall(page.read_text()):
            path = token.split(":")[0].rstrip(",.")
            if "<" in path or "{" in path or "__pycache__" in path or path in GENERATED:
                continue  # a placeholder, or a file a run writes
            found = any(ROOT.glob(path.rstrip("/"))) if "*" in path else (ROOT / path).exists()
            if not found:
                missing.append(f"{page.relative_to(ROOT)}: {token}")
    assert missing == []


def test_the_configuration_guide_lays_out_every_shipped_module() -> None:
    guide = (ROOT / "docs/configuration.md").read_text()
    table = guide.split("## Layout of a definitions package", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"\[`(\w+\.py)`\]", table))
    shipped = {p.name for p in (ROOT / "definitions").glob("*.py") if p.name != "__init__.py"}
    assert sorted(shipped - listed) == []


def _leaf_commands(group: typer.core.TyperGroup, prefix: str = "obsgen") -> list[tuple[str, typer.core.TyperCommand]]:
    found: list[tuple[str, typer.core.TyperCommand]] = []
    for name, command in group.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            found += _leaf_commands(command, f"{prefix} {name}")
        else:
            assert isinstance(command, typer.core.TyperCommand), command  # all a Typer app builds
            found.append((f"{prefix} {name}", command))
    return found


def test_every_option_a_commands_help_names_is_its_own() -> None:
    """`obsgen X --help` is documentation too: an option its text mentions is one X has (`latency --help` once
    said a compressed build needs --out, an option latency does not take)."""
    wrong = {}
    for name, command in _leaf_commands(_cli()):
        options = {option for param in command.params for option in (*param.opts, *param.secondary_opts)}
        text = " ".join([command.help or "", *(getattr(param, "help", None) or "" for param in command.params)])
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*(?![\w.-])", text))  # not --web.enable-lifecycle
        if named - options - {"--help"}:
            wrong[name] = sorted(named - options)
    assert wrong == {}


def _resolves(dotted: str) -> bool:
    """A module, or a module's attribute (a class, a function), by its dotted name."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_python_name_in_the_docs_exists() -> None:
    named = {name.rstrip(".") for page in WRITTEN
             for name in re.findall(r"\bgenerator(?:\.[A-Za-z_]\w*)+", page.read_text())}
    assert len(named) > 3 and sorted(name for name in named if not _resolves(name)) == []


def test_the_notification_titles_the_docs_show_are_what_alertmanager_renders() -> None:
    """Where the guide describes notifications it shows an escalation's email subject and its Slack title, and a page's
    summary for a group of two, as a real Alertmanager renders them from the generated templates: the goldens of
    tests/e2e/test_notification_content.py (which that test keeps equal to what Alertmanager sent). Every title it
    quotes is one of them."""
    golden = ROOT / "tests/e2e/golden/notifications"
    subject = re.search(r"^Subject: (.+)$", (golden / "email-cpu-level-2.txt").read_text(), re.MULTILINE)
    title = re.search(r'^ *"title": "(.+)",$', (golden / "slack-cpu-level-2.txt").read_text(), re.MULTILINE)
    page = re.search(r'^ *"summary": (".+")$', (golden / "pagerduty-disk-group.txt").read_text(), re.MULTILINE)
    assert subject is not None and title is not None and page is not None
    guide = (ROOT / "docs/configuration.md").read_text()
    content = " ".join(guide.split("- **Content**", 1)[1].split("\n\n", 1)[0].split())
    shown = set(re.findall(r"`(\[[^`]+)`", content))
    assert shown == {subject.group(1), title.group(1), json.loads(page.group(1))}, content
