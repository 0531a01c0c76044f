"""`obsgen preview`: the dashboards of a build drawn with data, as pictures or as live pages."""

from pathlib import Path
from typing import Any

import typer

from generator.cli.options import DEFINITIONS, fail, warn
from generator.cli.problems import where

GRAFANA = typer.Option(Path("out/grafana"), "--grafana", help="The build's Grafana directory.")
OUT = typer.Option(Path("preview"), "--out", "-o", help="Where to write <folder>/<uid>.html and .png.")
PROMETHEUS = typer.Option("", "--prometheus", help="Prometheus base URL (default: a temporary one on loopback "
                                                   "holding 8 days of demo history).")
SERVE = typer.Option(False, "--serve", help="Serve live pages instead, updated at each dashboard's refresh interval "
                                            "over a WebSocket.")


def require_extra() -> None:
    """The preview's WebSocket and markdown libraries are an extra: without them, say how to install it."""
    try:
        import markdown_it  # noqa: F401
        import websockets  # noqa: F401
    except ImportError:
        typer.echo("error: the preview needs its extra: pip install 'obsgen[preview]'", err=True)
        raise typer.Exit(1) from None


def preview(grafana: Path = GRAFANA, out: Path = OUT, prometheus: str = PROMETHEUS,
            dashboard: str = typer.Option("", "--dashboard", help="Only this dashboard (uid or title)."),
            definitions: Path = DEFINITIONS, serve: bool = SERVE,
            port: int = typer.Option(0, "--port", help="Port for --serve on 127.0.0.1 (default: a free one).")
            ) -> None:
    """Draw every dashboard with data, as HTML and PNG (Chromium), or serve them live with --serve."""
    import time
    from contextlib import ExitStack

    from generator.core.errors import DefinitionError
    from generator.preview.prometheus import check_prometheus
    from generator.preview.source import PreviewError, dashboards, scrape_interval

    require_extra()
    try:
        found = dashboards(grafana, dashboard)
        scrape = scrape_interval(grafana)
        if prometheus:  # a URL that is not a Prometheus would draw every panel with the same error
            check_prometheus(prometheus)
        with ExitStack() as stack:
            url = prometheus or stack.enter_context(_demo_prometheus(definitions, found))
            if serve:
                from generator.preview.serve import serve_forever

                serve_forever(found, url, scrape, port, typer.echo)
                return
            from generator.preview.render import render

            for done in render(found, url, out, time.time(), scrape):
                typer.echo(f"{where(str(done.png))} {done.size[0]}x{done.size[1]}, {where(str(done.html))}: "
                           f"data {done.fetch_seconds:.2f} s, drawn {done.draw_seconds:.2f} s")
                for note in done.time_notes:  # drawn over Grafana's fallback range
                    warn(f"{done.dashboard.title}: {note}")
                for note in done.variable_notes:  # drawn with that variable's value without its options
                    warn(f"{done.dashboard.title}: {note}")
                for title, ref_id, said in done.query_errors():  # drawn without that query's data
                    warn(f"{done.dashboard.title}: panel {title!r}, query {ref_id}: {said}")
                for error in done.console_errors:
                    warn(f"{done.dashboard.title}: browser console: {error}")
    except (DefinitionError, PreviewError) as error:
        fail(error)


def _demo_prometheus(definitions: Path, found: list[Any]) -> Any:
    """A temporary Prometheus with demo history of every series the dashboards read."""
    import time

    from generator.build import load
    from generator.live.demo_prometheus import demo_prometheus

    typer.echo("starting a temporary Prometheus with 8 days of demo history ...", err=True)
    return demo_prometheus(load(definitions), set().union(*(d.series_read() for d in found)), int(time.time()))
