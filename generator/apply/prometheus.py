"""Prometheus: which files obsgen owns, and whether the running server loaded exactly them.

Prometheus exposes no hash of its configuration, so "runs these files" means: the last reload succeeded, the
configuration it reports (/api/v1/status/config, with every default filled in) contains every setting of
prometheus.yml, and the rule groups it reports (/api/v1/rules) are those of the rule files, rule by rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.apply import notifier, rules
from generator.apply.files import Files, collect_out
from generator.apply.http import Api, ApiError
from generator.apply.reload import Declared, Release, ReloadableServer, gauge
from generator.core.duration import parse_seconds
from generator.core.listing import shortened
from generator.core.releases import PROMETHEUS_DECLARED_FILE, declared_prometheus, parse, prometheus_set_in
from generator.core.wording import counted
from generator.model.conventions import RULES_DIR

CONFIG = "prometheus.yml"
MASKED = "<secret>"  # how Prometheus shows a secret it loaded
DEFAULT_EVALUATION_INTERVAL = 60.0


def _same_scalar(key: str, ours: Any, live: Any) -> bool:
    if ours == live or live == MASKED:
        return True
    if isinstance(ours, str) and isinstance(live, str):
        if key == "rule_files":  # Prometheus reports rule_files joined to its configuration directory
            return live.endswith("/" + ours)
        try:
            return parse_seconds(ours) == parse_seconds(live)  # "60s" is loaded and shown as "1m"
        except ValueError:
            return False
    return False


SET_ONLY_BY_HAND = frozenset({"remote_write", "remote_read", "external_labels", "alert_relabel_configs",
                              "relabel_configs", "metric_relabel_configs", "write_relabel_configs", "basic_auth",
                              "authorization", "oauth2", "proxy_url", "params", "file_sd_configs",
                              "static_configs"})
"""Sections Prometheus never fills in by itself: one it reports that prometheus.yml lacks was set on the server.
(Others it does fill, with defaults or by feature flags: storage.exemplars with exemplar-storage.)"""


def config_differences(ours: Any, live: Any, path: str = "", key: str = "") -> list[str]:
    """Settings of our prometheus.yml that the loaded configuration lacks or holds otherwise, and sections set only
    on the server (a remote_write, external_labels)."""
    where = path or "prometheus.yml"
    if isinstance(ours, dict):
        if not isinstance(live, dict):
            return [f"{where} is {live!r} on the server"]
        found = [f"{f'{path}.{name}' if path else name} is set on the server ({_short(value)}), not in out/"
                 for name, value in live.items() if name not in ours and name in SET_ONLY_BY_HAND and value]
        for name, value in ours.items():
            child = f"{path}.{name}" if path else str(name)
            if name not in live:
                if value not in ({}, [], "", None):  # Prometheus leaves empty settings out of what it reports
                    found.append(f"{child} is not set on the server, {value!r} in out/")
            else:
                found += config_differences(value, live[name], child, str(name))
        return found
    if isinstance(ours, list):
        if not isinstance(live, list):
            return [f"{where} is {live!r} on the server, {counted(len(ours), 'entry', 'entries')} in out/"]
        if len(live) != len(ours):
            return [f"{where} has {counted(len(live), 'entry', 'entries')} on the server, {len(ours)} in out/"]
        return [d for index, (mine, theirs) in enumerate(zip(ours, live, strict=True))
                for d in config_differences(mine, theirs, f"{path}[{index}]", key)]
    if not _same_scalar(key, ours, live):
        return [f"{where} is {live!r} on the server, {ours!r} in out/"]
    return []


def _short(value: Any) -> str:
    return shortened(yaml.safe_dump(value, default_flow_style=True, width=1 << 20).strip(), 100)


def expected_groups(files: Files) -> dict[tuple[str, str], rules.Group]:
    """The rule groups the files declare."""
    config = rules.document(CONFIG, files[CONFIG])
    interval = (config.get("global") or {}).get("evaluation_interval")
    return rules.from_files({p: d for p, d in files.items() if p != CONFIG},
                            parse_seconds(interval) if interval else DEFAULT_EVALUATION_INTERVAL)


def _data(api: Api, path: str, key: str) -> Any:
    """data.<key> of an answer of Prometheus' API; ApiError when the answer has another shape (not Prometheus)."""
    answer = api.get(path)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or key not in data:
        raise ApiError(api.name, "GET", path, 200, f"no data.{key} in the answer: is {api.url} Prometheus?")
    return data[key]


def loaded_groups(api: Api) -> dict[tuple[str, str], rules.Group]:
    """The rule groups the server runs."""
    return rules.from_api(_data(api, "/api/v1/rules", "groups"))


def differences(api: Api, files: Files) -> list[str]:
    """How the running Prometheus differs from these files; empty when it runs exactly them."""
    found = []
    if gauge(api, "prometheus_config_last_reload_successful") != 1:
        found.append("its last configuration reload failed (prometheus_config_last_reload_successful is not 1)")
    ours = rules.document(CONFIG, files[CONFIG])
    found += config_differences(ours, api.yaml_in("/api/v1/status/config", "data.yaml",
                                                  _data(api, "/api/v1/status/config", "yaml")))
    if ours.get("rule_files"):  # the rules API is off in agent mode, where no rule files are allowed
        found += rules.differences(expected_groups(files), loaded_groups(api))
    return found


def _running(buildinfo: Any) -> str:
    """The release /api/v1/status/buildinfo reports (data.version), "" when it reports none."""
    try:
        return parse(str(buildinfo["data"]["version"]))
    except (ValueError, KeyError, TypeError):
        return ""


def _release_file(source: Path, files: Files) -> str:
    """out/prometheus/release.yml ("" without one: an out/ built before obsgen wrote it). Taken from the files when
    read with them (status, which reads out/ through links), else from source as apply reads out/ (a regular file,
    never through a link). Its line breaks read as YAML reads them: a checkout with core.autocrlf writes CRLF, whose
    carriage return would otherwise end every value, and no line would declare a release (nothing refused)."""
    declared = files.get(PROMETHEUS_DECLARED_FILE)  # as status read it (through links), even empty: not again
    if declared is None:
        declared = collect_out(source, (PROMETHEUS_DECLARED_FILE,)).get(PROMETHEUS_DECLARED_FILE)
    text = declared.decode(errors="replace") if declared is not None else ""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _declared(source: Path, files: Files) -> Declared | None:
    """What out/prometheus/release.yml declares, where it says it was set and the setting that changes it, read
    once; None without one."""
    text = _release_file(source, files)
    release = declared_prometheus(text)
    if release is None:
        return None
    set_in, setting = prometheus_set_in(text) or ("", "")
    return Declared(release, set_in, setting)


SERVER = ReloadableServer(
    name="prometheus",
    config=CONFIG,
    patterns=(CONFIG, f"{RULES_DIR.removeprefix('prometheus/')}/*.yml"),
    # --syntax-only: the files a scrape job names (a CA, a token, a password) are the server's, where
    # referenced.unusable looks for them, not this machine's; the rule files it would also read are checked next
    validator=("promtool", "check", "config", "--syntax-only"),
    included_validator=("promtool", "check", "rules"),
    differences=differences,
    release=Release(product="Prometheus", setting="Stack.prometheus_version", status="/api/v1/status/buildinfo",
                    running=_running, declared=_declared,
                    written="its rules and configuration (PromQL functions, regexes, settings) are written"),
    around_reload=lambda api, files: notifier.watch(api, rules.document(CONFIG, files[CONFIG])),
)
