"""The obsgen commands (typer): every command registered here, each living in the module of its topic.

Commands import what they need when they run, so `obsgen --help` and light commands stay fast.
"""

from __future__ import annotations

from typing import Any

import typer

from generator.apply import commands as apply_commands  # options only; the HTTP clients load when a command runs
from generator.cli import compile as compile_commands
from generator.cli import gitops, live, oncall, preview, project
from generator.cli.options import CheckedOptions
from generator.exporter import commands as exporter_commands  # its heavy imports are lazy

app = typer.Typer(help="Observability as code: compile definitions/ into the monitoring stack's configuration.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)


def command(name: str | None = None, group: typer.Typer = app) -> Any:
    """Register a command on the app (or a group of it): every command checks its options alike."""
    return group.command(name, cls=CheckedOptions)


command()(compile_commands.build)
command()(compile_commands.check)
command("list")(compile_commands.list_definitions)
command()(compile_commands.latency)
command()(project.init)
command("import")(gitops.import_files)
command("diff")(gitops.diff_refs)
command("apply")(apply_commands.apply)
command("status")(live.inside_live_stack(  # a live stack's servers read their files from its out/ itself
    apply_commands.status, out=lambda stack: stack.out, prometheus_url=lambda stack: stack.urls["prometheus"],
    alertmanager_url=lambda stack: stack.urls["alertmanager"], prometheus_dir=lambda stack: stack.out / "prometheus",
    alertmanager_dir=lambda stack: stack.out / "alertmanager",
    alertmanager_peer_url=lambda stack: [stack.urls[name] for name in stack.alertmanagers[1:]]))
command()(live.up)
command()(live.down)
command()(live.inside_live_stack(oncall.ack, alertmanager_url=lambda stack: stack.urls["alertmanager"],
                                 out=lambda stack: stack.out))
command()(preview.preview)
command("exporter")(exporter_commands.exporter)
command("demo-db")(exporter_commands.demo_db)
command("report", exporter_commands.forecast_app)(live.inside_live_stack(
    exporter_commands.forecast_report, config=lambda stack: stack.out / "exporter/exporter.yml",
    prometheus_url=lambda stack: stack.urls["prometheus"]))
app.add_typer(exporter_commands.forecast_app, name="forecast")
