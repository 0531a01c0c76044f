"""The documentation holds together: every link resolves, every model type and every build error is documented."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

import generator.model

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "out/docs").rglob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


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
    listed = set(re.findall(r"^\| `([^`]+)`", table, re.MULTILINE))
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
