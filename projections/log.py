"""Reading the global notification log as plain entries, in recording order."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from domain.errors import NotFound, StoreUnavailable
from domain.stored import plain_state

if TYPE_CHECKING:
    from eventsourcing.application import Application

BATCH = 5000
_JSON = json.JSONDecoder()
FAST_JSON_ROWS = 2000  # a batch this long is read by pydantic-core (`_fast_json`)


class LogEntry(NamedTuple):
    """One stored event: its place in the log and what it says."""

    position: int
    negotiation: str
    ref: str
    type: str
    record: dict[str, Any]
    recorded_at: datetime
    recorded_by: str
    digest: str
    version: int
    state: bytes | None = None  # the stored JSON, when it was read as plain JSON
    at: str | None = None  # recorded_at as stored (ISO text), when read plainly


def read_log(
    app: Application[Any],
    *,
    negotiation: str | None = None,
    after: int = 0,
    until: int | None = None,
) -> Iterator[LogEntry]:
    """Yield the log's entries after position `after`, up to `until` inclusive."""
    from domain.negotiation import negotiation_id

    wanted = negotiation_id(negotiation).hex if negotiation else None
    if negotiation and not app.recorder.select_events(
        negotiation_id(negotiation), limit=1
    ):
        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    start = after + 1
    while True:
        notifications = select(app, start, BATCH, stop=until)
        if not notifications:
            return
        for n in notifications:
            if wanted is not None and _hex(n.originator_id) != wanted:
                continue
            yield decode(app, n)
        start = notifications[-1].id + 1


def select(app: Application[Any], start: int, limit: int, **options: Any) -> list[Any]:
    """The recorder's `select_notifications`, with a row it cannot read (a
    tampered `originator_id`, say) reported as damage rather than a crash."""
    try:
        return list(app.recorder.select_notifications(start, limit, **options))
    except (ValueError, TypeError, AttributeError, KeyError) as e:
        raise StoreUnavailable(
            f"a row of the log from position {start} on cannot be read "
            f"({type(e).__name__}: {e}); run `summit audit verify`"
        ) from None


def _hex(originator_id: Any) -> str:
    return originator_id.hex if hasattr(originator_id, "hex") else str(originator_id)


def decode(app: Application[Any], notification: Any) -> LogEntry:
    """Turn one stored row into a LogEntry, or fail with a clear store error.

    summit's events hold only JSON types and one timestamp, so their stored
    state is read as plain JSON directly (`_plain_entry`: several times
    faster than the generic transcoder); anything else — a cipher configured,
    or an unexpected shape — goes through eventsourcing's mapper.
    """
    entry = _plain(app, notification)
    if entry is not None:
        return entry
    from domain.negotiation import Negotiation

    try:
        event: Any = app.mapper.to_domain_event(notification)
        record = event.record
        assert isinstance(event, Negotiation.Recorded | Negotiation.Opened)
    except Exception as e:  # a row that no longer decodes is damage, not a bug
        raise StoreUnavailable(
            f"log position {notification.id} cannot be decoded ({type(e).__name__}); "
            "run `summit audit verify`"
        ) from None
    return _entry(
        notification,
        record,
        event.timestamp,
        event.recorded_by,
        event.digest,
        event.originator_version,
    )


def _plain(app: Application[Any], notification: Any) -> LogEntry | None:
    if getattr(app.mapper, "cipher", None):
        return None
    n = notification
    return _plain_entry(n.id, n.originator_version, n.state)


def _std_json(plain: bytes) -> Any:
    """A stored state's JSON read by the standard library (ValueError if it is
    not one JSON value: not UTF-8, not JSON, or followed by more)."""
    text = plain.decode("utf-8")
    data, end = _JSON.raw_decode(text)  # as json.loads, without its wrapping
    if end != len(text):
        raise ValueError("more than one JSON value")
    return data


def _fast_json(rows: int) -> Callable[[bytes], Any]:
    """The JSON reader for a batch of `rows` states: pydantic-core's for a
    large one (it reads summit's states in half the time; loading it costs
    a write's catch-up some 30 ms, unless the process has it already: an
    import), else the standard library's. Both refuse what is not one JSON
    value of UTF-8 text; what either refuses is read through eventsourcing."""
    if rows < FAST_JSON_ROWS and "pydantic_core" not in sys.modules:
        return _std_json
    from pydantic_core import from_json

    return from_json


def _plain_entry(
    position: int, version: int, state: Any, loads: Callable[[bytes], Any] = _std_json
) -> LogEntry | None:
    """One stored state read as plain JSON (None when it is not in that form:
    `decode` then reads it, or says what is wrong with it)."""
    fields = plain_fields((position, None, version, state), loads)
    return None if fields is None else _entry_of(fields)


# What `plain_fields` reads from one log row: the row's position, originator
# id and version, then its record's negotiation, ref and type, the record,
# recorded_at as stored (ISO text), recorded_by and the digest. Plain values
# only (a child process sends them: `prefetch.py`).
Fields = tuple[int, Any, int, str, str, str, dict[str, Any], str, str, str]


def plain_fields(
    row: tuple[Any, ...], loads: Callable[[bytes], Any] = _std_json
) -> Fields | None:
    """One log row (position, originator id, version, state) with its state
    read as plain JSON; None when it is not in that form."""
    position, origin, version, state = row
    try:
        data = loads(plain_state(state))
        stamp = data["timestamp"]
        if stamp["_type_"] != "datetime_iso":
            return None
        record = data["record"]
        return (
            position,
            origin,
            version,
            record["negotiation"],
            record["ref"],
            record["type"],
            record,
            stamp["_data_"],
            data["recorded_by"],
            data["digest"],
        )
    except (ValueError, KeyError, TypeError):
        return None


def _entry_of(fields: Fields) -> LogEntry | None:
    """The entry of one row's plain fields (None if its instant does not read)."""
    position, _, version, negotiation, ref, kind, record, at, by, digest = fields
    try:
        recorded_at = datetime.fromisoformat(at)
    except (ValueError, TypeError):
        return None
    return LogEntry(
        position, negotiation, ref, kind, record, recorded_at, by, digest, version,
        None, at,
    )  # fmt: skip


def plain_entries(
    app: Application[Any], rows: list[tuple[Any, ...]]
) -> list[LogEntry] | None:
    """Log rows read straight from the events table (position, originator id,
    version, state) as `decode` makes them, without eventsourcing's objects
    for each; None when one is not so simple (an encrypted store, another
    form, an originator not its negotiation's): the caller then reads them
    through `select` and `decode`, which say what is wrong."""
    if getattr(app.mapper, "cipher", None):
        return None
    loads = _fast_json(len(rows))
    return owned_entries([plain_fields(row, loads) for row in rows])


def owned_entries(rows: list[Fields | None]) -> list[LogEntry] | None:
    """The entries of rows read by `plain_fields`, each stored under its
    negotiation's id; None when one was not read or is stored under another."""
    from domain.negotiation import negotiation_id

    owners: dict[str, frozenset[Any]] = {}  # a negotiation's id, as stored
    entries = []
    for fields in rows:
        if fields is None:
            return None
        entry = _entry_of(fields)
        if entry is None:
            return None
        try:
            owner = owners.get(entry.negotiation)
            if owner is None:
                uid = negotiation_id(entry.negotiation)
                owner = owners[entry.negotiation] = frozenset((uid, uid.hex, str(uid)))
            if fields[1] not in owner:
                return None
        except (ValueError, TypeError):  # not even an id (or not hashable)
            return None
        entries.append(entry)
    return entries


def _entry(
    notification: Any,
    record: dict[str, Any],
    recorded_at: datetime,
    recorded_by: str,
    digest: str,
    version: int,
    state: bytes | None = None,
) -> LogEntry:
    return LogEntry(
        position=notification.id,
        negotiation=record["negotiation"],
        ref=record["ref"],
        type=record["type"],
        record=record,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        digest=digest,
        version=version,
        state=state,
    )


def head_position(app: Application[Any]) -> int:
    """The position of the last stored event (0 for an empty log)."""
    return app.recorder.max_notification_id() or 0


def negotiations_in_log(app: Application[Any], until: int | None = None) -> list[str]:
    """Slugs of every negotiation opened in the log, in opening order."""
    from eventsourcing.utils import get_topic

    from domain.negotiation import Negotiation

    topic = get_topic(Negotiation.Opened)
    found = select(app, 1, 1_000_000, stop=until, topics=[topic])
    return [decode(app, n).negotiation for n in found]
