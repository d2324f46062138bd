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


def _current(obj: Any) -> Any:
    """Status without catching up (so `status` shows how far behind they are)."""
    from cli.context import is_postgres

    if is_postgres(obj.store):
        from projections.views import DatastoreViews, views_recorder

        app = obj.app()
        recorder = views_recorder(app, create=False)
        if not recorder.tables_exist():  # create them (if this role may)
            app = obj.app(write=True)
            recorder = views_recorder(app)
        reader = DatastoreViews(app, recorder)
    else:
        from cli.store import check_sqlite
        from projections.views import SQLiteViews

        check_sqlite(obj.store, write=False)
        reader = SQLiteViews(obj.store)
    try:
        return reader.status(count=True)
    finally:
        reader.close()


@views.command("status")
@format_option
@click.pass_obj
def status(obj: Any, fmt: str) -> None:
    """Each view's position against the log's head.

    \b
    Example:
      summit views status --format json
    """
    emit(_status_view(_current(obj)), fmt, table=_table, rows=_rows)


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

    from projections.views import views_recorder

    app = obj.app(write=True)
    recorder = views_recorder(app)
    recorder.drop()
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("rebuilding views", total=None)

            def progress(done: int, head: int) -> None:
                bar.update(task, completed=done, total=head)

            obj.catch_up(progress)
    else:
        obj.catch_up()
    recorder.create_table()  # the indexes, once, after the bulk insert
    emit(_status_view(_current(obj)), fmt, table=_table, rows=_rows)
