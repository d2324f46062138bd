"""`summit export`: the log as JSON Lines, re-importable into an empty store."""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.options import known_at_option


@click.command("export")
@click.argument("negotiation", required=False)
@known_at_option
@click.option(
    "--no-recorded",
    is_flag=True,
    help="Leave out the read-only _recorded object (at, by, position).",
)
@click.pass_obj
def export_cmd(
    obj: Any, negotiation: str | None, known_at: Any, no_recorded: bool
) -> None:
    """Write the log as JSON Lines in recording order (all negotiations by default).

    The output re-imports into an empty store to the same views.

    \b
    Example:
      summit export hague-2025 > hague.jsonl
      summit export --known-at 2025-06-20 hague-2025
    """
    for line in obj.reader.export(negotiation, known_at, recorded=not no_recorded):
        sys.stdout.write(line)
