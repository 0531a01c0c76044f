"""alertmanager.yml's routes, receivers and inhibitions as the spec of a prometheus-operator AlertmanagerConfig.

Field names follow the CRD (camelCase); credentials that alertmanager.yml reads from files become
references to keys of one Kubernetes Secret, named like the files. The global SMTP settings, which an
AlertmanagerConfig cannot hold, are repeated on each email config.
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator.core.matcher_parse import release_matchers

_ROUTE_FIELDS = {"receiver": "receiver", "group_by": "groupBy", "group_wait": "groupWait",
                 "group_interval": "groupInterval", "repeat_interval": "repeatInterval", "continue": "continue"}


def matchers(lines: list[str], release: str) -> list[dict[str, str]]:
    """Every matcher of a `matchers` list, as Alertmanager `release` reads each line (matcher_parse, a line being a
    list of matchers), as {name, value, matchType}: the value raw, which the operator quotes again."""
    try:
        return [{"name": name, "value": value, "matchType": op}
                for line in lines for name, op, value in release_matchers(str(line), release)]
    except ValueError as error:
        raise ValueError(f"cannot translate matchers for an AlertmanagerConfig: {error}") from None


def route(entry: dict[str, Any], release: str) -> dict[str, Any]:
    """A route and its children."""
    result: dict[str, Any] = {new: entry[old] for old, new in _ROUTE_FIELDS.items() if old in entry}
    if entry.get("matchers"):
        result["matchers"] = matchers(entry["matchers"], release)
    if entry.get("routes"):
        result["routes"] = [route(child, release) for child in entry["routes"]]
    return result


def _secret(secret_name: str, path: str) -> dict[str, str]:
    return {"name": secret_name, "key": posixpath.basename(path)}


def _email(config: dict[str, Any], smtp: dict[str, Any], secret_name: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "to": config["to"], "sendResolved": config["send_resolved"],
        "headers": [{"key": key, "value": value} for key, value in config.get("headers", {}).items()],
        "html": config["html"], "text": config["text"],
    }
    for old, new in (("smtp_smarthost", "smarthost"), ("smtp_from", "from"), ("smtp_auth_username", "authUsername"),
                     ("smtp_require_tls", "requireTLS")):
        if old in smtp:
            result[new] = smtp[old]
    if "smtp_auth_password_file" in smtp:
        result["authPassword"] = _secret(secret_name, smtp["smtp_auth_password_file"])
    return result


def _slack(config: dict[str, Any], secret_name: str) -> dict[str, Any]:
    return {"apiURL": _secret(secret_name, config["api_url_file"]), "channel": config["channel"],
            "sendResolved": config["send_resolved"], "title": config["title"], "titleLink": config["title_link"],
            "fallback": config["fallback"], "text": config["text"], "color": config["color"]}


def _webhook(config: dict[str, Any], secret_name: str) -> dict[str, Any]:
    result: dict[str, Any] = {"url": config["url"], "sendResolved": config["send_resolved"]}
    credentials = config.get("http_config", {}).get("authorization", {}).get("credentials_file")
    if credentials:
        result["httpConfig"] = {"authorization": {"credentials": _secret(secret_name, credentials)}}
    return result


def _pagerduty(config: dict[str, Any], secret_name: str) -> dict[str, Any]:
    result = {"routingKey": _secret(secret_name, config["routing_key_file"]), "sendResolved": config["send_resolved"],
              "severity": config["severity"], "description": config["description"], "source": config["source"],
              "class": config["class"],
              "details": [{"key": key, "value": value} for key, value in config["details"].items()],
              "pagerDutyLinkConfigs": [{"href": link["href"], "alt": link["text"]} for link in config["links"]]}
    if "url" in config:
        result["url"] = config["url"]
    return result


def receiver(entry: dict[str, Any], smtp: dict[str, Any], secret_name: str) -> dict[str, Any]:
    """A receiver with each integration's config translated."""
    result: dict[str, Any] = {"name": entry["name"]}
    for config in entry.get("email_configs", ()):
        result.setdefault("emailConfigs", []).append(_email(config, smtp, secret_name))
    for config in entry.get("slack_configs", ()):
        result.setdefault("slackConfigs", []).append(_slack(config, secret_name))
    for config in entry.get("webhook_configs", ()):
        result.setdefault("webhookConfigs", []).append(_webhook(config, secret_name))
    for config in entry.get("pagerduty_configs", ()):
        result.setdefault("pagerdutyConfigs", []).append(_pagerduty(config, secret_name))
    return result


def alertmanager_config(config: dict[str, Any], secret_name: str, release: str) -> dict[str, Any]:
    """The AlertmanagerConfig spec equivalent to an alertmanager.yml document built for Alertmanager `release`."""
    smtp = {key: value for key, value in config.get("global", {}).items() if key.startswith("smtp_")}
    return {
        "route": route(config["route"], release),
        "receivers": [receiver(entry, smtp, secret_name) for entry in config["receivers"]],
        "inhibitRules": [
            {"sourceMatch": matchers(rule["source_matchers"], release),
             "targetMatch": matchers(rule["target_matchers"], release),
             **({"equal": rule["equal"]} if rule.get("equal") else {})}
            for rule in config.get("inhibit_rules", ())
        ],
    }
