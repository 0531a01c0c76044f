"""What people receive, rendered by a real Alertmanager from the generated templates, against golden files.

The shipped definitions' alertmanager.yml (compressed 60x, every channel pointed at the local sinks) gets
alerts as Prometheus and Loki's ruler send them, annotated by the shipped rules (rendered for their labels and value)
and labelled with the stack's external labels (platform=...): CpuHigh on two hosts, its level-2 escalation copy,
MemoryHigh (emergency), then CpuHigh on web-1 resolved. The email, Slack messages and PagerDuty events the sinks
record are compared with tests/e2e/golden/notifications/ after removing what changes per run (times, ports, hashes).
After a deliberate change of the templates: OBSGEN_UPDATE_GOLDEN=1 pytest tests/e2e/test_notification_content.py.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import yaml

from generator.build import compile_project
from generator.core.gotemplate import render
from generator.derive.time_compression import apply
from generator.live import smtp_sink, webhook_sink
from generator.live.client import email_matches, title_of, webhook_matches
from generator.live.recording import Record, Recording
from generator.live.stack import SINK_ROUTING_KEY
from generator.model.conventions import ESCALATION_LEVEL_LABEL, PAGE_SUMMARY_SEPARATOR, runbook_page
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import alertmanager
from tests.servers import Server, free_port
from tests.servers import alertmanager as alertmanager_server
from tests.slack_text import assert_escaped, links, shown

GOLDEN = Path(__file__).parent / "golden" / "notifications"
BIG_HOST, BIG_GROUP = "k8s-node-1", 300
"""One full disk seen under many mountpoints (kubelet's pod volumes share it): one group of 300 alerts."""
DISK_HOST, DISKS = "db-1", {"/data": 3.0, "/var": 0.5}
"""Two filesystems of one host filling (% free): one group, one page, the worse (/var) sorting second."""
SLACK_TEXT_LIMIT = 40_000
"""Characters of a Slack message's text past which Slack truncates it."""
PAGERDUTY_SUMMARY_LIMIT = 1024
GMAIL_CLIP = 102 * 1024
"""Bytes of an email's HTML past which Gmail hides the rest behind "[Message clipped]"."""
EXTERNAL_URL = "http://alertmanager.example:9093"
GENERATOR_URL = "http://prometheus.example:9090/graph?g0.expr=instance%3Acpu_usage%3Apercent+%3E+90"
LOKI_QUERY = 'sum by (service_name) (count_over_time({service_name="rag-engine"} |= "timeout" [10m])) > 20'
LOKI_GENERATOR_URL = "http://grafana.example:3000/explore?" + urlencode({"left": json.dumps(
    {"queries": [{"expr": LOKI_QUERY, "queryType": "range", "datasource": {"type": "loki", "uid": "loki"}}]},
    separators=(",", ":"))})
"""What Loki's ruler sends as a log alert's source: its external_url (Grafana) + Explore on the LogQL."""
VOLATILE = (
    (re.compile(r"\b[0-9a-f]{64}\b"), "<dedup key>"),
    (re.compile(r"http://127\.0\.0\.1:\d+"), "http://<sink>"),
    (re.compile(r"\b(from|to)=\d{13}\b"), r"\1=<epoch ms>"),  # a dashboard link's range, from the alerts' times
    (re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\b"), "<time> UTC"),  # when an alert resolved (its EndsAt)
)
LAST_SEEN = "Last seen before it resolved: "
"""What a resolved alert's summary follows in every channel: its value is the last one seen while it fired."""
RESOLVED_AT = re.compile(r"Resolved at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC, after firing for 10m0s\.")
"""When a resolved alert ended (its EndsAt) and how long it fired (_alert's alerts start 10 minutes before)."""


MARKUP_INSTANCE = "<!channel><@U123>a<b|c>&amp;x>2s"
"""An instance whose name Slack would read as two mentions, a link and an entity unless escaped, and HTML as tags
(no space in it: the sinks' matchers read a title's words)."""
VALUES = {"CpuHigh": 95.0, "MemoryHigh": 97.0, "ConversionRateLow": 0.021, "RagEngineTimeouts": 26.0,
          "DiskAlmostFull": 3.0}
"""The value each alert fires with in the exchange below ($value in its annotations)."""


@pytest.fixture(scope="module")
def compiled(project: Project) -> dict[str, bytes]:
    """The shipped definitions' out/ files."""
    return compile_project(project)


@pytest.fixture(scope="module")
def rules(compiled: dict[str, bytes]) -> dict[tuple[str, str], dict[str, str]]:
    """The shipped rules' annotation templates (Prometheus' and Loki's), by alert name and escalation level."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for path, text in compiled.items():
        if path.startswith(("prometheus/rules/", "loki/rules/")):
            for group in yaml.safe_load(text)["groups"]:
                for rule in (r for r in group["rules"] if "alert" in r):
                    level = rule.get("labels", {}).get(ESCALATION_LEVEL_LABEL, "")
                    found.setdefault((rule["alert"], level), rule.get("annotations", {}))
    return found


def _alert(rules: dict[tuple[str, str], dict[str, str]], name: str, severity: str, instance: str,
           value: float | None = None, **labels: str) -> dict[str, Any]:
    """An alert as Prometheus' rule makes it: the generated rule's annotations, rendered as Prometheus renders them
    for its labels and value (VALUES' unless given: what people read, not text made up here); _post adds the
    external labels."""
    started = datetime.fromtimestamp(time.time() - 600, UTC).isoformat()
    alert_labels = {"alertname": name, "severity": severity, "instance": instance, "escalation_policy": "default",
                    **labels}
    templates = rules[(name, labels.get(ESCALATION_LEVEL_LABEL, ""))]
    alert = {
        "labels": alert_labels,
        "annotations": {key: render(template, alert_labels, VALUES[name] if value is None else value)
                        for key, template in templates.items()},
        "startsAt": started, "generatorURL": GENERATOR_URL,
    }
    return alert


@pytest.fixture(scope="module")
def received(project: Project, rules: dict[tuple[str, str], dict[str, str]],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Record]]:
    """The notifications of each case, by golden file name."""
    workdir = tmp_path_factory.mktemp("notifications")
    webhooks, emails = workdir / "webhook.jsonl", workdir / "email.jsonl"
    hooks = webhook_sink.server(free_port(), webhooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    smtp_port = free_port()
    smtp = smtp_sink.controller(smtp_port, emails)
    smtp.start()
    routing_key = workdir / "routing-key"
    routing_key.write_text(SINK_ROUTING_KEY)
    live = apply(project, Profile(time_scale=1 / 60, sink_url=f"http://127.0.0.1:{hooks.server_address[1]}",
                                  sink_routing_key_file=str(routing_key), smtp_smarthost=f"127.0.0.1:{smtp_port}"))
    for path, document in alertmanager.render(live).items():
        target = workdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(document if isinstance(document, str) else yaml.safe_dump(document))
    try:
        with alertmanager_server(workdir / "alertmanager/alertmanager.yml", workdir,
                                 f"--web.external-url={EXTERNAL_URL}") as server:
            yield _exchange(server, project.stack.external_labels, Recording(webhooks), Recording(emails), rules)
    finally:
        smtp.stop()
        hooks.shutdown()
        hooks.server_close()


def _post(server: Server, external: dict[str, str], *alerts: dict[str, Any]) -> float:
    """Post alerts as Prometheus' notifier sends them (Loki's ruler sends through it too): each with the stack's
    external labels added where it lacks one (notifier.Manager.Send sets each whose value on the alert is empty), after
    its annotations were rendered, which do not see them as $labels. Returns when the post began (a group_wait 0
    route may notify before the answer arrives)."""
    began = time.time()
    sent = [{**alert, "labels": alert["labels"] | {name: value for name, value in external.items()
                                                   if not alert["labels"].get(name)}} for alert in alerts]
    requests.post(f"{server.url}/api/v2/alerts", json=sent, timeout=10).raise_for_status()
    return began


def _exchange(server: Server, external: dict[str, str], webhooks: Recording, emails: Recording,
              rules: dict[tuple[str, str], dict[str, str]]) -> dict[str, Record]:
    cpu_web1 = _alert(rules, "CpuHigh", "critical", "web-1")
    sent = _post(server, external, cpu_web1, _alert(rules, "CpuHigh", "critical", "web-2"),
                 _alert(rules, "CpuHigh", "critical", "web-1", escalation_level="2"),
                 _alert(rules, "MemoryHigh", "emergency", "db-1"))
    web1 = {"instance": "web-1"}
    found = {
        "email-cpu-firing": emails.wait_for(email_matches("oncall@company.com", "CpuHigh", "firing", sent, web1), 30),
        "email-cpu-web-2": emails.wait_for(email_matches("oncall@company.com", "CpuHigh", "firing", sent,
                                                         {"instance": "web-2"}), 30),
        "email-cpu-level-2": emails.wait_for(email_matches("manager@company.com", "CpuHigh", "firing", sent,
                                                           {**web1, "escalation_level": "2"}), 30),
        "slack-cpu-firing": webhooks.wait_for(webhook_matches("/slack/alerts", "CpuHigh", "firing", sent, web1), 30),
        "slack-cpu-level-2": webhooks.wait_for(webhook_matches("/slack_urgent/ops-urgent", "CpuHigh", "firing", sent,
                                                               {**web1, "escalation_level": "2"}), 30),
        "pagerduty-memory-trigger": webhooks.wait_for(webhook_matches("/webhook/v2/enqueue", "MemoryHigh", "firing",
                                                                      sent, {"instance": "db-1"}), 30),
    }
    # resolved 10 minutes after its start, however long the firing notifications took to arrive (Alertmanager
    # keeps the earliest StartsAt): the text says "after firing for 10m0s" on a loaded machine too
    ended_at = datetime.fromisoformat(cpu_web1["startsAt"]).timestamp() + 600
    ended = _post(server, external, {**cpu_web1, "endsAt": datetime.fromtimestamp(ended_at, UTC).isoformat()})
    found["email-cpu-resolved"] = emails.wait_for(email_matches("oncall@company.com", "CpuHigh", "resolved", ended,
                                                                web1), 30)
    found["slack-cpu-resolved"] = webhooks.wait_for(webhook_matches("/slack/alerts", "CpuHigh", "resolved", ended,
                                                                    web1), 30)
    found["pagerduty-cpu-resolve"] = webhooks.wait_for(webhook_matches("/webhook/v2/enqueue", "CpuHigh", "resolved",
                                                                       ended, web1), 30)
    found["resolved-at"] = {"ends": ended_at}
    warning = _alert(rules, "ConversionRateLow", "warning", "shop-2")
    del warning["labels"]["escalation_policy"]  # warnings do not escalate
    sent = _post(server, external, warning)
    found["email-warning"] = emails.wait_for(email_matches("oncall@company.com", "ConversionRateLow", "firing", sent,
                                                           {"instance": "shop-2"}), 30)
    logs = _alert(rules, "RagEngineTimeouts", "critical", "", service_name="rag-engine")
    del logs["labels"]["instance"]  # Loki's alerts are about a stream: service_name, no instance
    logs["generatorURL"] = LOKI_GENERATOR_URL
    sent = _post(server, external, logs)
    found["email-logs"] = emails.wait_for(email_matches("oncall@company.com", "RagEngineTimeouts", "firing", sent, {}),
                                          30)
    marked = {"instance": MARKUP_INSTANCE}
    sent = _post(server, external, _alert(rules, "CpuHigh", "critical", MARKUP_INSTANCE))
    found["email-markup"] = emails.wait_for(email_matches("oncall@company.com", "CpuHigh", "firing", sent, marked), 30)
    for case, path in (("slack-markup", "/slack/alerts"), ("pagerduty-markup", "/webhook/v2/enqueue")):
        found[case] = webhooks.wait_for(webhook_matches(path, "CpuHigh", "firing", sent, marked), 30)
    disks = {"instance": DISK_HOST}
    sent = _post(server, external, *(_alert(rules, "DiskAlmostFull", "critical", DISK_HOST, value=free,
                                            mountpoint=mount) for mount, free in DISKS.items()))
    disk_page = webhook_matches("/webhook/v2/enqueue", "DiskAlmostFull", "firing", sent, disks)
    both = f"[FIRING:{len(DISKS)}]"  # a short group_wait may first notify one of them
    found["pagerduty-disk-group"] = webhooks.wait_for(lambda record: disk_page(record) and both in title_of(record),
                                                      30)
    big = {"instance": BIG_HOST}
    sent = _post(server, external, *(_alert(rules, "DiskAlmostFull", "critical", BIG_HOST,
                                  mountpoint=f"/var/lib/kubelet/pods/{n}") for n in range(BIG_GROUP)))
    whole = f"[FIRING:{BIG_GROUP}]"  # a short group_wait may first notify part of the group
    email = email_matches("oncall@company.com", "DiskAlmostFull", "firing", sent, big)
    found["email-big"] = emails.wait_for(lambda record: email(record) and whole in record["subject"], 30)
    for case, path in (("slack-big", "/slack/alerts"), ("pagerduty-big", "/webhook/v2/enqueue")):
        hook = webhook_matches(path, "DiskAlmostFull", "firing", sent, big)

        def whole_group(record: Record, hook: Callable[[Record], bool] = hook) -> bool:
            return hook(record) and whole in title_of(record)

        found[case] = webhooks.wait_for(whole_group, 30)
    return found


def _shown(record: Record) -> str:
    """What a person (or PagerDuty) is given, without what changes from one run to the next."""
    if "subject" in record:
        text = f"To: {', '.join(record['rcpt_tos'])}\nSubject: {record['subject']}\n\n{record['text']}\n" \
               f"--- html ---\n{record['html']}\n"
    else:
        body = json.dumps(record["body"], indent=2, sort_keys=True)
        text = f"POST {record['path']} -> {record['answered']}\n{body}\n"
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text.replace("\r\n", "\n")  # mail bodies travel with CRLF line ends


@pytest.mark.parametrize("case", ["email-cpu-firing", "email-cpu-level-2", "email-cpu-resolved", "slack-cpu-firing",
                                  "slack-cpu-level-2", "slack-cpu-resolved", "pagerduty-memory-trigger",
                                  "pagerduty-cpu-resolve", "pagerduty-disk-group"])
def test_notifications_match_their_golden_files(received: dict[str, Record], case: str) -> None:
    golden = GOLDEN / f"{case}.txt"
    shown = _shown(received[case])
    if os.environ.get("OBSGEN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(shown)
    assert shown == golden.read_text()


def test_two_hosts_of_one_alert_get_two_subjects(received: dict[str, Record]) -> None:
    subjects = {received[case]["subject"] for case in ("email-cpu-firing", "email-cpu-web-2")}
    assert subjects == {"[ecommerce-rag] [FIRING:1] CRITICAL CpuHigh instance=web-1",
                        "[ecommerce-rag] [FIRING:1] CRITICAL CpuHigh instance=web-2"}


def test_content_names_alert_host_severity_level_and_links(received: dict[str, Record]) -> None:
    level = received["email-cpu-level-2"]
    assert level["subject"].endswith("CRITICAL CpuHigh instance=web-1 (escalation level 2)")
    assert "/out/docs/runbooks/CpuHigh.md" in level["text"]
    assert "viewPanel=panel-35932&var-instance=web-1" in level["text"]  # CPU Usage, on the host that fired
    # The level's copy, sent with the page's StartsAt here, opens its level's delay (30m, 30 s at 60x) before the
    # page's window: a real level starts that much after its page, whose window it then opens.
    page_from, level_from = (int(re.findall(r"^Dashboard: .*&from=(\d+)&to=now\r?$", received[case]["text"],
                                            re.MULTILINE)[0]) for case in ("email-cpu-firing", "email-cpu-level-2"))
    assert abs(page_from - level_from - 30_000) < 1000, (page_from, level_from)
    assert f"obsgen ack CpuHigh instance=web-1 platform=ecommerce-rag --alertmanager-url {EXTERNAL_URL} --for 2h" \
        in level["text"]
    assert received["pagerduty-memory-trigger"]["body"]["payload"]["severity"] == "critical"
    resolved = received["email-cpu-resolved"]
    assert resolved["subject"].startswith("[ecommerce-rag] [RESOLVED] CRITICAL CpuHigh instance=web-1")
    assert "Resolved: every alert of this group has stopped firing." in resolved["text"]


def test_a_big_group_is_bounded_with_the_acknowledgement_first(received: dict[str, Record]) -> None:
    """300 alerts in one group: every channel lists a few, says how many more, and leads with what to do."""
    more = f"{BIG_GROUP - 10} more"
    slack = received["slack-big"]["body"]["attachments"][0]["text"]
    assert len(slack) < SLACK_TEXT_LIMIT / 4 and more in slack
    email = received["email-big"]
    assert len(email["html"].encode()) < GMAIL_CLIP / 4 and more in email["text"] and more in email["html"]
    for text in (slack, email["text"], email["html"]):
        assert text.index("obsgen ack") < text.index("/var/lib/kubelet/pods/0") < text.index(more)
    event = received["pagerduty-big"]["body"]
    assert len(event["payload"]["summary"]) <= PAGERDUTY_SUMMARY_LIMIT
    assert len(json.dumps(event)) < 16 * 1024 and more in event["payload"]["custom_details"]["firing"]
    assert "obsgen ack DiskAlmostFull" in event["payload"]["custom_details"]["acknowledge"]


def test_the_printed_acknowledgement_works_as_written_and_promises_no_escalation_that_does_not_exist(
        received: dict[str, Record]) -> None:
    command = f"obsgen ack CpuHigh instance=web-1 platform=ecommerce-rag --alertmanager-url {EXTERNAL_URL} --for 2h"
    for case in ("email-cpu-firing", "email-cpu-level-2"):
        assert command in received[case]["text"] and "stops the escalation" in received[case]["text"]
    assert f"--alertmanager-url {EXTERNAL_URL}" in received["slack-cpu-firing"]["body"]["attachments"][0]["text"]
    warning = received["email-warning"]
    assert f"obsgen ack ConversionRateLow instance=shop-2 platform=ecommerce-rag --alertmanager-url {EXTERNAL_URL} " \
           "--for 2h" in warning["text"]
    assert "escalation" not in warning["text"] + warning["html"]


def test_a_page_about_two_alerts_reads_both_summaries(received: dict[str, Record],
                                                    rules: dict[tuple[str, str], dict[str, str]]) -> None:
    """One page for /data (3.0% free) and /var (0.5%) on db-1: its summary gives both, not /data's alone, so the
    worse is in the line on-call reads first (Alertmanager's order, by labels: its templates cannot sort by value)."""
    summaries = [_alert(rules, "DiskAlmostFull", "critical", DISK_HOST, value=free, mountpoint=mount)
                 ["annotations"]["summary"] for mount, free in DISKS.items()]
    summary = received["pagerduty-disk-group"]["body"]["payload"]["summary"]
    assert summary == f"[FIRING:2] CRITICAL DiskAlmostFull instance={DISK_HOST}{PAGE_SUMMARY_SEPARATOR}" \
                      f"{'; '.join(summaries)}", summary
    assert "0.5% free" in summaries[1]


def test_a_page_reads_the_summary_and_links_runbook_dashboard_and_silence(received: dict[str, Record]) -> None:
    payload = received["pagerduty-memory-trigger"]["body"]["payload"]
    assert payload["summary"] == "[FIRING:1] EMERGENCY MemoryHigh instance=db-1 — Memory on db-1 97.0% used (above 95%)"
    links = {link["text"]: link["href"] for link in received["pagerduty-memory-trigger"]["body"]["links"]}
    assert links["Runbook"].endswith("/out/docs/runbooks/MemoryHigh.md")
    panel, _, start = links["Dashboard panel"].removesuffix("&to=now").partition("&from=")
    assert panel.endswith("viewPanel=panel-631033&var-instance=db-1")  # Memory Usage, on db-1
    started = time.time() - 600  # _alert's startsAt: the link opens an hour before it, up to now (while it fires)
    assert started - 3600 - 120 < int(start) / 1000 <= started - 3600, links["Dashboard panel"]
    assert links["Silence it in Alertmanager"].startswith(f"{EXTERNAL_URL}/#/silences/new?filter=")


def test_a_log_alert_names_its_service_in_the_title_and_the_acknowledgement(received: dict[str, Record]) -> None:
    email = received["email-logs"]
    assert email["subject"] == "[ecommerce-rag] [FIRING:1] CRITICAL RagEngineTimeouts service_name=rag-engine"
    assert f"obsgen ack RagEngineTimeouts platform=ecommerce-rag service_name=rag-engine --alertmanager-url " \
           f"{EXTERNAL_URL}" in email["text"]
    # the silence link matches what the command does
    assert "platform%3D%22ecommerce-rag%22%2Cservice_name%3D%22rag-engine%22" in email["text"]


@pytest.mark.parametrize(("case", "alert", "labels"), [
    ("email-cpu-firing", "CpuHigh", {"instance": "web-1"}),
    ("email-logs", "RagEngineTimeouts", {"service_name": "rag-engine"}),
])
def test_the_acknowledgement_names_what_the_runbook_names(
        received: dict[str, Record], compiled: dict[str, bytes], case: str, alert: str, labels: dict[str, str]) -> None:
    """The command a notification prints and the one its runbook prints, <label> filled with the alert's value, name
    the same labels: this stack's external label (platform, which the servers add to what they send) too, so either
    acknowledges this stack's alert alone, not another stack's sharing the Alertmanager."""
    text = received[case]["text"].replace("\r\n", "\n")  # mail bodies travel with CRLF line ends
    (printed,) = re.findall(r"^Acknowledge[^:]*: obsgen ack (.*) --alertmanager-url ", text, re.MULTILINE)
    runbook = compiled[runbook_page(alert)].decode()
    (documented,) = re.findall(r"^obsgen ack (\S.*?) --alertmanager-url \S+ --for 2h --comment", runbook, re.MULTILINE)
    filled = re.sub(r"(\w+)=<\w+>", lambda match: f"{match[1]}={labels[match[1]]}", documented)
    assert sorted(printed.split()) == sorted(filled.split()), (printed, documented)
    assert "platform=ecommerce-rag" in printed.split()


def test_the_source_link_is_named_for_what_it_opens(received: dict[str, Record]) -> None:
    """A Prometheus alert's source link opens its graph in Prometheus; a log alert's opens its LogQL in Explore."""
    logs = received["email-logs"]["html"]
    (href,) = re.findall(r'<a href="([^"]*)">Log lines \(Loki\)</a>', logs)
    assert html.unescape(href) == LOKI_GENERATOR_URL  # html/template writes + as &#43;, which browsers read back
    assert ">Prometheus</a>" not in logs
    (href,) = re.findall(r'<a href="([^"]*)">Prometheus</a>', received["email-cpu-firing"]["html"])
    assert html.unescape(href) == GENERATOR_URL


def test_a_label_that_is_markup_somewhere_reads_as_it_is_everywhere(
        received: dict[str, Record], rules: dict[tuple[str, str], dict[str, str]]) -> None:
    """Slack's fields escape it (Slack's &, < and >), the email's HTML escapes it (html/template), the email's text
    and PagerDuty's JSON fields carry it as it is: each shows the same title, summary and acknowledgement."""
    annotations = _alert(rules, "CpuHigh", "critical", MARKUP_INSTANCE)["annotations"]
    email = received["email-markup"]
    title = email["subject"].removeprefix("[ecommerce-rag] ")
    assert title == f"[FIRING:1] CRITICAL CpuHigh instance={MARKUP_INSTANCE}"
    text = email["text"].replace("\r\n", "\n")  # mail bodies travel with CRLF line ends
    (command,) = re.findall(r"^Acknowledge[^:]*: (obsgen ack .*) --for 2h$", text, re.MULTILINE)
    assert f"\n{annotations['summary']}\n{annotations['description']}\n" in text
    assert MARKUP_INSTANCE not in email["html"]
    assert [html.unescape(h2) for h2 in re.findall(r"<h2>(.*)</h2>", email["html"])] == [title]
    slack = received["slack-markup"]["body"]["attachments"][0]
    for field in ("title", "fallback", "text"):
        assert_escaped(slack[field])
    assert shown(slack["title"]) == shown(slack["fallback"]) == title
    assert f"`{command} --for 2h`" in shown(slack["text"])
    assert f"\n*{annotations['summary']}*\n{annotations['description']}\n" in shown(slack["text"])
    page = received["pagerduty-markup"]["body"]
    assert page["payload"]["summary"] == f"{title}{PAGE_SUMMARY_SEPARATOR}{annotations['summary']}"
    assert page["payload"]["source"] == MARKUP_INSTANCE
    assert page["payload"]["custom_details"]["acknowledge"] == command
    hrefs = {link["text"]: link["href"] for link in page["links"]}
    assert links(slack["text"])["silence it"] == hrefs["Silence it in Alertmanager"]
    dashboard = links(slack["text"])["Dashboard panel"]
    assert dashboard == slack["title_link"] == hrefs["Dashboard panel"]  # the alert's link, with the incident's range
    assert re.fullmatch(re.escape(annotations["dashboard_url"]) + r"&from=\d{13}&to=now", dashboard), dashboard


def test_a_resolved_notification_never_shows_the_last_firing_value_as_current(
        received: dict[str, Record], rules: dict[tuple[str, str], dict[str, str]]) -> None:
    """Prometheus sends a resolved alert with the annotations of its last evaluation that fired (it renders them
    only while the condition holds, keep_firing_for too): the resolved CpuHigh's summary says 95.0%, the value before
    it resolved. Every channel that tells a person of the resolve (email's text and HTML, Slack, PagerDuty's summary
    and details) says when it resolved (its EndsAt), how long it fired, and shows that summary only as the last value
    seen, never as it reads while firing, nor the description that explains the firing in the present."""
    annotations = _alert(rules, "CpuHigh", "critical", "web-1")["annotations"]
    assert "95.0%" in annotations["summary"]
    email = received["email-cpu-resolved"]
    page = received["pagerduty-cpu-resolve"]["body"]
    texts = {"email text": email["text"].replace("\r\n", "\n"), "email html": html.unescape(email["html"]),
             "slack": shown(received["slack-cpu-resolved"]["body"]["attachments"][0]["text"]),
             "pagerduty summary": page["payload"]["summary"],
             "pagerduty details": page["payload"]["custom_details"]["resolved"]}
    ended = datetime.fromtimestamp(received["resolved-at"]["ends"], UTC).strftime("%Y-%m-%d %H:%M:%S")
    for where, text in texts.items():
        assert text.count("95.0%") == text.count(LAST_SEEN + annotations["summary"]) == 1, (where, text)
        assert annotations["description"] not in text, (where, text)
        assert RESOLVED_AT.findall(text) == [ended], (where, text)
