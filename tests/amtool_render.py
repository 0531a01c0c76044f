"""Alertmanager's rendering of the generated notification templates, by amtool (`amtool template render`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from generator.model import conventions
from generator.model.project import Project
from generator.targets import alertmanager


def render(templates: str | Path, text: str, data: dict[str, Any], workdir: Path, kind: str = "text") -> str:
    """What amtool renders of the text with the templates (a file or a glob) for the notification data (Alertmanager's
    template data, as its webhook JSON carries it); `kind` text or html (html/template's escaping)."""
    data_file = workdir / "data.json"
    data_file.write_text(json.dumps(data))
    rendered = subprocess.run(["amtool", "template", "render", f"--template.glob={templates}",
                               f"--template.text={text}", f"--template.data={data_file}", f"--template.type={kind}"],
                              capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    return rendered.stdout


def generated_templates(project: Project, directory: Path) -> Path:
    """The project's generated notification templates, written in the directory for amtool to read."""
    path = directory / "obsgen.tmpl"
    path.write_text(alertmanager.render(project)[conventions.alertmanager_template()])
    return path
