"""Property: import, export, import into an empty store: same log, same views."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.strategies import negotiation_log


def _strip(export: str) -> list[dict[str, Any]]:
    lines = [json.loads(x) for x in export.splitlines()]
    for line in lines:
        line.pop("_recorded")
    return lines


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=negotiation_log())
def test_export_reimports_to_the_same_log_and_views(
    make_summit: Any, events: Any
) -> None:
    run = uuid.uuid4().hex[:8]
    first = make_summit(f"first-{run}")
    second = make_summit(f"second-{run}")
    first.load(events)
    exported = first.ok("export").stdout
    second.ok("import", "-", input=exported)
    assert _strip(second.ok("export").stdout) == _strip(exported)
    for view in ("stance", "consensus", "timeline", "delivery", "spending"):
        more = ("--year", "2025") if view == "spending" else ()
        a = first.json(view, "prop", *more)
        b = second.json(view, "prop", *more)
        if view == "timeline":
            for e in a["events"] + b["events"]:
                for key in ("recorded_at", "position", "recorded_by"):
                    e.pop(key)
        assert a == b, view
    # Re-importing the export into the store it came from stores nothing new.
    assert "stored 0 event(s)" in first.ok("import", "-", input=exported).stderr
