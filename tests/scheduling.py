"""How `make test`'s pytest-xdist workers share the suite.

The end-to-end tests mostly wait on compressed time, so they go first and the short tests fill the cores
meanwhile. A file's tests stay in one worker, so its module fixtures start their real servers once; the files on
the shared live stack (the `live` fixture, one per worker) stay together in one worker, in SHARED_STACK's order.

xdist's own `--dist loadgroup` cannot do this with pytest 9, whose node ids it can no longer suffix with a group.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # pytest-xdist ships no types

E2E = "tests/e2e/"
SHARED_STACK = ("test_early_warnings.py", "test_alert_delivery.py", "test_meta_monitoring.py",
                "test_live_runbook_ack.py", "test_live_grafana_links.py")
"""The files whose tests use the shared live stack, in their order on it. The early-warnings test comes first:
the anomaly detector learns every fault it sees, so once test_alert_delivery's revenue fault has been shown, a
later revenue decline is no longer new to it. The runbook's pasted silence and the Grafana links, opened in the
stack's preview, come last, though neither changes what another file waits for."""


def scope(nodeid: str) -> str:
    """The unit of work one worker runs whole: the shared stack's files together, any other file alone."""
    path = nodeid.split("::", 1)[0]
    return "the shared live stack" if path.startswith(E2E) and Path(path).name in SHARED_STACK else path


def order(items: list[pytest.Item], root: Path) -> None:
    """End-to-end tests first, the shared stack's files leading in their order; a stable sort keeps the rest."""
    def key(item: pytest.Item) -> tuple[bool, int]:
        path = item.path.relative_to(root).as_posix()
        shared = scope(path) != path
        if "live" in getattr(item, "fixturenames", ()) and not shared:
            raise pytest.UsageError(f"{item.nodeid} uses the shared live stack: list its file in "
                                    "tests/scheduling.py SHARED_STACK, so it runs in that stack's worker")
        return not path.startswith(E2E), SHARED_STACK.index(item.path.name) if shared else len(SHARED_STACK)
    items.sort(key=key)


class ByScope(LoadScopeScheduling):  # type: ignore[misc]  # an Any base: xdist ships no types
    """xdist's load-by-scope scheduler with scope() as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return scope(nodeid)
