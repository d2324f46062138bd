"""The table at each date its consensus path moved: for a reader scrubbing
through time (the report's slider). Every entry is the `consensus` and `stance`
view as of that date, so the page shows exactly what the CLI would."""

from __future__ import annotations

from typing import Any

from projections.consensus import consensus_from
from projections.inputs import inputs_from_history
from projections.stance import stance_from

RUN_FIELDS = ("stance", "since", "evidence", "conditions")


def stop_dates(history: Any, proposal: str, as_of: str | None) -> list[str]:
    """The consensus path's dates, and the last evidence date after them."""
    inputs = inputs_from_history(history, proposal, as_of)
    path = consensus_from(inputs)["path"]
    dates = [step["on"] for step in path]
    last = max((ev.occurred_on for ev in inputs.evidence), default=None)
    if last is not None and (not dates or last > dates[-1]):
        dates.append(last)
    return dates


def _runs(rows_by_date: list[tuple[str, list[dict[str, Any]]]]) -> list[Any]:
    """Each ally's unbroken spans of one stance row, as {ally, from, to, ...}."""
    open_runs: dict[str, dict[str, Any]] = {}
    runs: list[dict[str, Any]] = []
    for day, allies in rows_by_date:
        for row in allies:
            state = {field: row[field] for field in RUN_FIELDS}
            run = open_runs.get(row["ally"])
            if run is not None and all(run[f] == state[f] for f in RUN_FIELDS):
                run["to"] = day
                continue
            run = {"ally": row["ally"], "from": day, "to": day, **state}
            open_runs[row["ally"]] = run
            runs.append(run)
    return runs


def table_over_time(
    history: Any, proposal: str, *, as_of: str | None, known_at: str | None
) -> dict[str, Any]:
    """`stops`: the consensus as of each stop date (counts, holdouts, reached
    on); `runs`: each ally's stance rows as of those dates, merged into spans."""
    stops: list[dict[str, Any]] = []
    rows_by_date: list[tuple[str, list[dict[str, Any]]]] = []
    for day in stop_dates(history, proposal, as_of):
        inputs = inputs_from_history(history, proposal, day)
        consensus = consensus_from(inputs, as_of=day, known_at=known_at)
        stops.append(
            {
                "on": day,
                "parties": consensus["parties"],
                "counts": consensus["counts"],
                "holdouts": consensus["holdouts"],
                "reached_on": consensus["reached_on"],
            }
        )
        stance = stance_from(inputs, as_of=day, known_at=known_at)
        rows_by_date.append((day, stance["allies"]))
    return {"stops": stops, "runs": _runs(rows_by_date)}
