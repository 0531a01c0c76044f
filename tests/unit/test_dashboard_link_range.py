"""A notification's dashboard link opens its panel around the incident: from an hour before its alerts' earliest
start (a long `for`: its `for` plus a quarter hour, before the condition began), to now while one fires, else to a
quarter hour past their last end (epoch milliseconds, as Grafana reads a link's from/to), added by Alertmanager's
templates to the alert's dashboard_url. Rendered by the real amtool from the
generated templates, in each place a link is written: Slack's text and title link, an email's text and HTML, and
PagerDuty's link."""

from __future__ import annotations

import html
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.core.duration import parse_seconds
from generator.derive.time_compression import apply, with_objects
from generator.model import Alert, ImportedAlert, LogAlert, RuleSet, conventions
from generator.model.conventions import ESCALATION_LEVEL_LABEL, ESCALATION_POLICY_LABEL
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import alertmanager
from generator.targets.dashboard_range import dashboard_leads
from tests.amtool_render import render
from tests.slack_text import LINK

pytestmark = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
PANEL = "http://grafana.example:3000/d/operations/operations?viewPanel=panel-35932"
"""A dashboard_url as Prometheus fills it, before the instance's variable."""
EARLY, LATE = "2024-03-01T22:10:05.250Z", "2024-03-02T01:30:00Z"
"""The two alerts' StartsAt: the earlier one listed second (Alertmanager lists a group's alerts by their labels)."""
ENDS = ("2024-03-02T02:00:00Z", "2024-03-02T03:20:00.5Z")
HOUR, QUARTER = 3_600_000, 900_000
NEVER = "0001-01-01T00:00:00Z"
"""A firing alert's EndsAt in a notification."""
HOME = {"platform": "ecommerce-rag"}
"""The shipped stack's external labels, which its Prometheus and Loki's ruler add to every alert they send."""


def _ms(moment: str) -> int:
    return round(datetime.fromisoformat(moment).astimezone(UTC).timestamp() * 1000)


def _templates(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A project's templates, written where amtool reads them, and its alertmanager.yml."""
    rendered = alertmanager.render(project)
    path = tmp_path_factory.mktemp("dashboard-range") / "obsgen.tmpl"
    path.write_text(rendered[conventions.alertmanager_template()])
    return path, rendered[conventions.ALERTMANAGER_CONFIG]


@pytest.fixture(scope="module")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The shipped definitions' templates and alertmanager.yml."""
    return _templates(project, tmp_path_factory)


def _longest_for(project: Project) -> Alert:
    """The shipped alert with a dashboard that holds its condition longest (a meta-monitoring 4h alert)."""
    alert = max((a for a in project.alerts.values() if a.dashboard), key=lambda a: parse_seconds(a.for_))
    assert parse_seconds(alert.for_) >= 4 * 3600, alert.name
    return alert


def _group(status: str, same_url: bool = True, url: str = PANEL, name: str = "CpuHigh",
           labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A notification of two CpuHigh alerts (instances b then a, a the earlier), both firing or both resolved."""
    alerts = []
    for index, (instance, start) in enumerate((("b", LATE), ("a", EARLY))):
        link = url if same_url else f"{url}&var-instance={instance}"
        alerts.append({"status": status, "labels": {"alertname": name, "instance": instance,
                                                    "severity": "critical", **HOME, **(labels or {})},
                       "annotations": {"summary": f"CPU on {instance}", "dashboard_url": link},
                       "startsAt": start, "endsAt": ENDS[index] if status == "resolved" else NEVER,
                       "generatorURL": "http://prometheus.example:9090/graph", "fingerprint": str(index)})
    common = {"dashboard_url": url} if same_url else {}
    return {"receiver": "oncall", "status": status, "alerts": alerts, "groupLabels": {"alertname": name},
            "commonLabels": {"alertname": name, "severity": "critical"}, "commonAnnotations": common,
            "externalURL": "http://alertmanager.example:9093"}


def _integration(config: dict[str, Any], field: str) -> dict[str, Any]:
    return next(entry for receiver in config["receivers"] for entry in receiver.get(field, ()))


def _links(built: tuple[Path, dict[str, Any]], data: dict[str, Any]) -> dict[str, list[str]]:
    """Every dashboard link of the notification, by where it is written, in order."""
    template, config = built
    workdir = template.parent

    def shown(text: str, kind: str = "text") -> str:
        return render(template, text, data, workdir, kind)

    slack = shown('{{ template "obsgen.slack.text" . }}')
    email = shown('{{ template "obsgen.email.html" . }}', "html")
    pagerduty = _integration(config, "pagerduty_configs")["links"][1]
    assert pagerduty["text"].startswith("{{ if (index .Alerts 0).Annotations.dashboard_url }}Dashboard panel")
    return {
        "slack text": [url for url, label in LINK.findall(slack) if label == "Dashboard panel"],
        "slack title": [shown(_integration(config, "slack_configs")["title_link"])],
        "email text": re.findall(r"^Dashboard: (\S+)$", shown('{{ template "obsgen.text" . }}'), re.MULTILINE),
        "email html": [html.unescape(href) for href in re.findall(r'<a href="([^"]*)">Dashboard panel</a>', email)],
        "pagerduty": [shown(pagerduty["href"])],
    }


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_firing_groups_link_opens_from_an_hour_before_its_earliest_alert_to_now(
        built: tuple[Path, dict[str, Any]]) -> None:
    for where, urls in _links(built, _group("firing")).items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"], where


def test_a_resolved_groups_link_ends_a_quarter_hour_past_its_last_alerts_end(
        built: tuple[Path, dict[str, Any]]) -> None:
    for where, urls in _links(built, _group("resolved")).items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to={_ms(ENDS[1]) + QUARTER}"], where


def test_an_alerts_own_link_opens_from_an_hour_before_its_own_start(built: tuple[Path, dict[str, Any]]) -> None:
    """Alerts of a group with a link each (their instance's): each link an hour before that alert's start; the
    title and PagerDuty link the first alert's panel over the whole group's range."""
    links = _links(built, _group("firing", same_url=False))
    own = [f"{PANEL}&var-instance=b&from={_ms(LATE) - HOUR}&to=now",
           f"{PANEL}&var-instance=a&from={_ms(EARLY) - HOUR}&to=now"]
    for where in ("slack text", "email text", "email html"):
        assert links[where] == own, where
    for where in ("slack title", "pagerduty"):
        assert links[where] == [f"{PANEL}&var-instance=b&from={_ms(EARLY) - HOUR}&to=now"], where
    query = _query(links["email html"][0])
    assert query["viewPanel"] == ["panel-35932"] and query["var-instance"] == ["b"] and query["to"] == ["now"]


def test_a_link_without_a_query_gets_one(built: tuple[Path, dict[str, Any]]) -> None:
    """A dashboard with no panel for the alert links the dashboard itself, /d/<uid>, with no query yet."""
    bare = "http://grafana.example:3000/d/operations"
    for where, urls in _links(built, _group("firing", url=bare)).items():
        assert urls == [f"{bare}?from={_ms(EARLY) - HOUR}&to=now"], where


def test_a_group_without_a_dashboard_links_grafana_itself(built: tuple[Path, dict[str, Any]],
                                                          project: Project) -> None:
    data = _group("firing")
    for alert in data["alerts"]:
        del alert["annotations"]["dashboard_url"]
    data["commonAnnotations"] = {}
    links = _links(built, data)
    assert links["pagerduty"] == [project.stack.grafana_url]
    assert links["slack title"] == [""] and not links["slack text"] and not links["email html"]


def test_an_escalation_levels_link_opens_the_window_its_first_page_opened(built: tuple[Path, dict[str, Any]],
                                                                         project: Project) -> None:
    """A level's copy starts its level's delay after the page it escalates: its link goes back by that delay, so
    the page's run-up is in view at every level, not only the time since the first page."""
    policy = next(iter(project.escalation_policies.values()))
    for level, rung in enumerate(policy.levels, start=1):
        copies = _group("firing", labels={ESCALATION_POLICY_LABEL: policy.name, ESCALATION_LEVEL_LABEL: str(level)})
        delay = round(parse_seconds(rung.after) * 1000)
        for where, urls in _links(built, copies).items():
            assert urls == [f"{PANEL}&from={_ms(EARLY) - delay - HOUR}&to=now"], (level, where)
    other = _group("firing", labels={ESCALATION_POLICY_LABEL: "another stack's", ESCALATION_LEVEL_LABEL: "1"})
    assert _links(built, other)["pagerduty"] == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"]  # no delay it knows


def test_a_long_for_alerts_link_opens_a_quarter_hour_before_its_condition_began(
        built: tuple[Path, dict[str, Any]], project: Project) -> None:
    """Prometheus' StartsAt is when the alert fired, its `for` after the condition began: a 4h `for` opened an hour
    before StartsAt showed none of how it began. Its link opens its `for` plus a quarter hour before; a short `for`
    (CpuHigh's 5m, the hour leaves 55 minutes before its onset) keeps the hour."""
    alert = _longest_for(project)
    held = round(parse_seconds(alert.for_) * 1000)
    for status, to in (("firing", "now"), ("resolved", str(_ms(ENDS[1]) + QUARTER))):
        for where, urls in _links(built, _group(status, name=alert.name)).items():
            assert urls == [f"{PANEL}&from={_ms(EARLY) - held - QUARTER}&to={to}"], (status, where)
    short = project.alerts["CpuHigh"]
    assert parse_seconds(short.for_) + 15 * 60 <= 3600
    assert _links(built, _group("firing", name=short.name))["pagerduty"] == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"]


def test_another_stacks_alert_of_a_long_for_alerts_name_keeps_the_hour(
        built: tuple[Path, dict[str, Any]], project: Project) -> None:
    """Two stacks may share one Alertmanager (docs/configuration.md): another stack's alert of the name, its `for`
    not this stack's to know, carries its own external labels and keeps the default hour; this stack's takes the
    long lead."""
    assert project.stack.external_labels == HOME
    alert = _longest_for(project)
    held = round(parse_seconds(alert.for_) * 1000)
    own = _links(built, _group("firing", name=alert.name))["pagerduty"]
    assert own == [f"{PANEL}&from={_ms(EARLY) - held - QUARTER}&to=now"]
    other = _links(built, _group("firing", name=alert.name, labels={"platform": "payments"}))
    for where, urls in other.items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"], where


def test_a_label_only_a_short_for_alert_sets_still_tells_another_stacks_long_for_alert(
        project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    """An alert of a short `for` (no lead of its own) setting the stack's external label itself changes nothing for
    the long leads: only a rule of a long lead's name sends its own value instead of the stack's."""
    alert = _longest_for(project)
    short = next(a for a in project.alerts.values() if a.dashboard and parse_seconds(a.for_) < 45 * 60)
    tagged = short.model_copy(update={"labels": {**short.labels, "platform": "shop"}})
    built = _templates(with_objects(project, tuple(tagged if o is short else o for o in project.objects)),
                       tmp_path_factory)
    held = round(parse_seconds(alert.for_) * 1000)
    assert _links(built, _group("firing", name=alert.name))["pagerduty"] == [
        f"{PANEL}&from={_ms(EARLY) - held - QUARTER}&to=now"]
    for where, urls in _links(built, _group("firing", name=alert.name, labels={"platform": "payments"})).items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"], where


def test_without_external_labels_a_long_for_alerts_name_alone_takes_its_lead(
        project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A stack with no external labels has nothing to tell another stack's alert by: the name alone takes the long
    lead (the template's `and` of the one name test)."""
    alert = _longest_for(project)
    bare = project.stack.model_copy(update={"external_labels": {}})
    alone = with_objects(project, tuple(bare if o is project.stack else o for o in project.objects))
    held = round(parse_seconds(alert.for_) * 1000)
    links = _links(_templates(alone, tmp_path_factory), _group("firing", name=alert.name, labels={"platform": "x"}))
    for where, urls in links.items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - held - QUARTER}&to=now"], where


def test_a_group_of_a_long_and_a_short_for_opens_from_the_earliest_onset(
        built: tuple[Path, dict[str, Any]], project: Project) -> None:
    """Alerts of several names in one group (a job's pages): each goes back by its own lead, the range opens at the
    earliest; the long `for` listed second, started later, still opens first."""
    alert = _longest_for(project)
    data = _group("firing", same_url=False)
    later = "2024-03-02T00:10:05.250Z"  # 2h after CpuHigh's EARLY start, which opens 1h before it
    data["alerts"][0]["labels"]["alertname"] = alert.name
    data["alerts"][0]["startsAt"] = later
    data["commonLabels"] = {"severity": "critical"}
    links = _links(built, data)
    lead = round(parse_seconds(alert.for_) * 1000) + QUARTER
    assert _ms(later) - lead < _ms(EARLY) - HOUR
    assert links["pagerduty"] == [f"{PANEL}&var-instance=b&from={_ms(later) - lead}&to=now"]
    assert links["email text"] == [f"{PANEL}&var-instance=b&from={_ms(later) - lead}&to=now",
                                   f"{PANEL}&var-instance=a&from={_ms(EARLY) - HOUR}&to=now"]


def test_a_long_for_alerts_escalation_copy_opens_its_pages_window(built: tuple[Path, dict[str, Any]],
                                                                  project: Project) -> None:
    """A copy shares its page's name: back by its level's delay to the page's StartsAt, then by the page's lead."""
    alert = _longest_for(project)
    policy = next(iter(project.escalation_policies.values()))
    rung = policy.levels[-1]
    copies = _group("firing", name=alert.name,
                    labels={ESCALATION_POLICY_LABEL: policy.name, ESCALATION_LEVEL_LABEL: str(len(policy.levels))})
    back = round((parse_seconds(rung.after) + parse_seconds(alert.for_)) * 1000) + QUARTER
    for where, urls in _links(built, copies).items():
        assert urls == [f"{PANEL}&from={_ms(EARLY) - back}&to=now"], where


def test_a_compressed_builds_links_take_the_compressed_for(project: Project,
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under a profile the rules hold their compressed `for` (Alertmanager's times are real): at half speed the 4h
    alert fires 2h after its onset and opens 2h15m before; at obsgen up's 60x its 4m leave the hour 56 minutes."""
    alert = _longest_for(project)
    half = _templates(apply(project, Profile(time_scale=0.5)), tmp_path_factory)
    held = round(parse_seconds(alert.for_) * 500)
    assert _links(half, _group("firing", name=alert.name))["pagerduty"] == [
        f"{PANEL}&from={_ms(EARLY) - held - QUARTER}&to=now"]
    fast = apply(project, Profile(time_scale=1 / 60))
    assert dashboard_leads(fast) == []
    assert _links(_templates(fast, tmp_path_factory), _group("firing", name=alert.name))["pagerduty"] == [
        f"{PANEL}&from={_ms(EARLY) - HOUR}&to=now"]


def test_log_and_imported_alerts_take_their_for_too(project: Project) -> None:
    """Loki's rules and imported ones are StartsAt their `for` after the onset as Prometheus' own are; an alert
    without a dashboard has no link to lead, and a name several rules share takes its longest `for`."""
    log = next(a for a in project.all(LogAlert) if a.dashboard)
    imported = ImportedAlert.model_validate({"name": "ImportedSlowBurn", "expr": "vector(1)", "for": "3h",
                                             "annotations": {"dashboard_url": PANEL}})
    blind = imported.model_copy(update={"name": "ImportedBlind", "annotations": {}})
    rule_set = RuleSet.model_validate({"name": "vendored", "groups": [{"name": "slow", "rules": [
        imported.model_dump(by_alias=True), blind.model_dump(by_alias=True)]}]})
    slow_log = log.model_copy(update={"for_": "2h"})
    twin = log.model_copy(update={"for_": "50m", "group": f"{log.group}-twin"})
    extended = with_objects(project, (*(o for o in project.objects if o is not log), slow_log, twin, rule_set))
    leads = {name: seconds for seconds, names in dashboard_leads(extended) for name in names}
    assert leads[log.name] == 2 * 3600 + 900
    assert leads["ImportedSlowBurn"] == 3 * 3600 + 900
    assert "ImportedBlind" not in leads and "CpuHigh" not in leads
