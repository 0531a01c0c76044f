"""The exporter target and checks: exporter.yml from the definitions, the scrape job that reaches it."""

from __future__ import annotations

import dataclasses

from generator.build import check_project
from generator.model import ExporterSettings
from generator.model.project import Project
from generator.targets import TARGETS, exporter


def test_exporter_yml_lists_databases_queries_and_forecasts_with_their_definitions(project: Project) -> None:
    files = TARGETS["exporter"](project)
    config = files["exporter/exporter.yml"]
    assert config["exporter"] == {"listen": "127.0.0.1:9188", "prometheus_url": "http://prometheus:9090",
                                  "prometheus_timeout": "30s"}
    assert config["databases"] == [{"name": "shop", "defined_at": config["databases"][0]["defined_at"],
                                    "dsn_env": "SHOP_DATABASE_URL", "connect_timeout": 5}]
    orders = config["queries"][0]
    assert orders["name"] == "shop_orders_total" and orders["defined_at"].startswith("definitions/business.py:")
    assert "source" not in orders and "buckets" not in orders and orders["stale_after"] == "3m"
    disk = next(f for f in config["forecasts"] if f["name"] == "disk_free")
    assert disk["capacity"]["direction"] == "down" and disk["season"] == "1d"


def test_nothing_is_written_without_queries_or_forecasts(project: Project) -> None:
    bare = dataclasses.replace(project, objects=tuple(o for o in project.objects
                                                      if type(o).__name__ not in ("BusinessMetric", "Forecast")))
    assert exporter.render(bare) == {}


def test_a_scrape_job_missing_the_exporter_port_is_reported(project: Project) -> None:
    moved = ExporterSettings(listen="0.0.0.0:9300")
    other = dataclasses.replace(project, objects=tuple(
        moved if isinstance(o, ExporterSettings) else o for o in project.objects))
    assert any("listens on port 9300" in w.message for w in check_project(other).problems)
    assert not any("listens on port" in w.message for w in check_project(project).problems)
