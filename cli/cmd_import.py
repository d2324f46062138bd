"""`summit import`: a JSON Lines file stored whole, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Validate only; store nothing.")
@click.pass_obj
def import_cmd(obj: Any, file: str, dry_run: bool) -> None:
    """Validate a JSON Lines file (or - for stdin), then store all of it or nothing.

    Events whose ref already exists with identical content are skipped, so
    importing the same file twice stores nothing new.

    \b
    Example:
      summit import examples/hague-2025-seed.jsonl
      summit export hague-2025 | summit --store copy.db import -
    """
    report = _import(obj, file, dry_run)
    if not dry_run:  # also when all was stored before: a killed run's views
        obj.after_write()
    verb = "would store" if dry_run else "stored"
    click.echo(
        f"{verb} {len(report.stored)} event(s), skipped {len(report.skipped)} "
        f"already recorded",
        err=True,
    )


def _import(obj: Any, file: str, dry_run: bool) -> Any:
    """Stream the file (read afresh on each attempt: never held in memory)."""
    import tempfile

    from cli import read_ahead, seal_ahead
    from cli.files import readable_input
    from cli.render.progress import DelayedBar, counting
    from projections import ahead

    bar = DelayedBar("importing")
    with tempfile.TemporaryDirectory(prefix="summit-stdin-") as tmp:
        path = readable_input(file, tmp)
        # A large input's parser starts at once, while the store opens; every
        # child started is stopped here, whatever stopped the import.
        children = [read_ahead.start(path, file)]
        unused = list(children)
        # Its checked rows are sealed in another child (`seal_ahead.py`; none
        # for a dry run, which seals nothing).
        aside = seal_ahead.starter(path, children)

        def lines() -> Iterator[Any]:  # (each attempt: a child of its own)
            child = unused.pop() if unused else read_ahead.start(path, file)
            children.append(child)
            yield from counting(read_ahead.parsed_lines(path, file, child), bar)

        try:
            app = obj.store.checker() if dry_run else obj.app(write=True)
            return app.record_lines(
                lines, obj.by, dry_run=dry_run, source=file, seal_aside=aside
            )
        finally:
            bar.close()
            for child in children:
                ahead.stop(child)
