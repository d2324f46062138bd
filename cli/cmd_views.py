"""`summit views ...`: the persisted read models against the log."""

from __future__ import annotations

from typing import Any

import click

from cli.options import format_option


@click.group()
def views() -> None:
    """The persisted read models: where they stand, and a rebuild from the log.

    Queries catch the views up with the log before they read, so neither
    command is needed in normal use; `rebuild` proves the views are a pure
    function of the log.

    \b
    Example:
      summit views status
      summit views rebuild
    """


def _status_view(status: Any) -> dict[str, Any]:
    return {
        "log_head": status.head,
        "views_position": status.tracked,
        "behind": status.behind,
        "rows": status.rows,
    }


@views.command("status")
@format_option
@click.pass_obj
def status(obj: Any, fmt: str) -> None:
    """Each view's position against the log's head, and whether every view
    row is what the log gives (recomputed from the log and compared); exit 1
    when a row is not.

    \b
    Example:
      summit views status --format json
    """
    from cli.errors import EXIT_CHECK_FAILED
    from cli.render import tables
    from cli.render.formats import emit

    view = _status_view(obj.reader.status())
    difference = obj.reader.views_difference()
    view.update(matches_log=difference is None, difference=difference)
    emit(view, fmt, tables.VIEWS)
    if difference is not None:  # a failed check, as `audit verify` says it (SPEC §4)
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


@views.command("rebuild")
@format_option
@click.pass_obj
def rebuild(obj: Any, fmt: str) -> None:
    """Drop the views and rebuild them from the whole log (with a progress bar).

    \b
    Example:
      summit views rebuild
    """
    from cli.render import tables
    from cli.render.formats import emit
    from cli.render.progress import bar

    with bar("rebuilding views") as progress:
        done = obj.reader.rebuild(progress)
    emit(_status_view(done), fmt, tables.VIEWS)
