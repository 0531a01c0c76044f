"""Tail-sampling sizing from declared traffic, and tracing/log definition errors naming file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import load
from generator.core.errors import DefinitionError
from generator.model import Endpoint, Service, TracingPolicy
from generator.model.trace_sizing import size
from tests.edits import edit
from tests.traces.conftest import DEFINITIONS


def test_buffers_are_sized_from_traffic_and_the_slowest_request() -> None:
    service = Service(name="shop", endpoints=(
        Endpoint(route="/a", requests_per_second=100, spans_per_request=10, timeout="10s"),
        Endpoint(route="/b", requests_per_second=300, spans_per_request=2, timeout="2s"),
    ))
    sizing = size(TracingPolicy(default_ratio=0.1, collector_memory_mib=1024, span_memory_bytes=1000), [service])
    assert sizing.decision_wait == "15s"  # slowest timeout 10s + the SDK's 5s export delay
    assert sizing.num_traces == 12000  # 400 traces/s x 15s x 2 headroom
    assert sizing.spans_per_trace == 4.0
    assert sizing.buffer_bytes == 12000 * 4 * 1000 + 2 * 120000 * 64
    assert (sizing.limit_mib, sizing.spike_limit_mib) == (819, 204)
    assert sizing.fits


def _project_with(tmp_path: Path, module: str) -> Path:
    root = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "zz_extra.py").write_text(module)
    return root


@pytest.mark.parametrize(("module", "message", "line"), [
    ('from generator.model import LogStream\nX = LogStream(name="web", service="web")\n',
     "log stream web: unknown service 'web'", 2),
    ('from generator.model import LogAlert\nX = LogAlert(name="Noisy", severity="critcal", summary="s",\n'
     '    description="d", runbook="r", expr=\'sum(count_over_time({service_name="api"} [5m])) > 1\')\n',
     "unknown severity 'critcal'", 2),
    ('from generator.model import LogAlert\nX = LogAlert(name="Noisy", severity="warning", summary="s",\n'
     '    description="d", runbook="r", expr=\'sum(count_over_time({pod="api-1"} [5m])) > 1\')\n',
     "selects on pod, which no LogStream indexes", 3),
    ('from generator.model import LogRecordingRule\n'
     'X = LogRecordingRule(name="a:b:c", expr=\'{service_name="api"}\')\n',
     "is a log query", 2),
])
def test_bad_log_definitions_fail_at_their_line(tmp_path: Path, module: str, message: str, line: int) -> None:
    with pytest.raises(DefinitionError, match=message) as caught:
        load(_project_with(tmp_path, module))
    assert caught.value.location.file.endswith("zz_extra.py") and caught.value.location.line == line


def test_traffic_the_collector_cannot_buffer_fails_the_build(tmp_path: Path) -> None:
    root = _project_with(tmp_path, "")
    edit(root / "tracing.py", "collector_memory_mib=2048", "collector_memory_mib=512")
    with pytest.raises(DefinitionError, match="the buffers do not fit") as caught:
        load(root)
    assert caught.value.location.file.endswith("tracing.py")
