"""`summit views ...`: the persisted read models against the log."""

from __future__ import annotations

from typing import Any

import click

from cli.options import format_option
from cli.output import emit


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


def _table(view: dict[str, Any]) -> None:
    state = "up to date" if view["behind"] == 0 else f"{view['behind']} events behind"
    click.echo(
        f"log head: position {view['log_head']}\n"
        f"views:    position {view['views_position']} ({state}), {view['rows']} rows"
    )


def _rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    header = list(view)
    return header, [[view[k] for k in header]]


@views.command("status")
@format_option
@click.pass_obj
def status(obj: Any, fmt: str) -> None:
    """Each view's position against the log's head.

    \b
    Example:
      summit views status --format json
    """
    emit(_status_view(obj.reader.status()), fmt, table=_table, rows=_rows)


@views.command("rebuild")
@format_option
@click.pass_obj
def rebuild(obj: Any, fmt: str) -> None:
    """Drop the views and rebuild them from the whole log (with a progress bar).

    \b
    Example:
      summit views rebuild
    """
    import sys

    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("rebuilding views", total=None)

            def progress(done: int, head: int) -> None:
                bar.update(task, completed=done, total=head)

            status = obj.reader.rebuild(progress)
    else:
        status = obj.reader.rebuild()
    emit(_status_view(status), fmt, table=_table, rows=_rows)
