"""What `obsgen up` prints of a started stack: every URL, where notifications land, what was left out."""

from __future__ import annotations

from generator.live.demo.host import SIMULATED_HOSTS, metrics_path
from generator.live.running import LiveStack


def describe(stack: LiveStack) -> str:
    """What `obsgen up` prints: every URL, where notifications land, how to stop."""
    urls = stack.urls
    lines = [
        f"  prometheus      {urls['prometheus']}",
        *(f"  {name:<15} {urls[name]}" for name in stack.alertmanagers),
        f"  node-exporter   {urls['node-exporter']}/metrics",
        f"  demo app        {urls['demo']}/metrics   faults: curl -X POST {urls['demo']}/faults/<name>",
        *(f"  simulated host  {urls['demo']}{metrics_path(host)}   (instance=\"{host}\")" for host in SIMULATED_HOSTS),
        f"  webhook sink    {urls['webhook-sink']}   -> {stack.webhook_record}",
        f"  smtp sink       {urls['smtp-sink']}   -> {stack.email_record}",
        f"  dashboards      {urls['preview']}/   (obsgen preview --serve: live pages, pushed at each refresh)",
    ]
    if "exporter" in urls:
        lines.append(f"  exporter        {urls['exporter']}/metrics   (demo database {stack.state_dir}/shop-demo.db)")
    lines += [f"  {name}: not started ({why})" for name, why in stack.skipped.items()]
    return "\n".join(lines)
