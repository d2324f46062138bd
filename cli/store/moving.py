"""Moving a store: open the empty target, copy the log, build its views, verify."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cli.store import Store


def copy_store(source: Store, to: str, to_key_file: str | None) -> list[str]:
    """Copy `source` into the empty store at `to`; lines saying what was done."""
    from cli.store import Store, backend, open_store
    from domain.transfer import copy_log, refuse_non_empty
    from projections.reader import Reader

    target = Store(to, to_key_file)
    key = target.key()
    app = open_store(to, write=True, key=key, check_key=False)
    try:
        refuse_non_empty(app, target.display())
        restart = getattr(backend(to), "restart_positions", None)
        if restart is not None:  # numbering that a failed copy may have moved on
            restart(app)
        result = copy_log(source.app(), app)
    finally:
        app.close()
    if not target.encrypted:
        Reader(target).catch_up()
    target.close()
    kind = "encrypted" if target.encrypted else "plain"
    lines = [f"copied {result.checked} events to {target.display()} ({kind})"]
    lines += [
        f"{h.negotiation}: {h.events} events, head {h.digest} (same as the source)"
        for h in result.heads.values()
    ]
    return lines
