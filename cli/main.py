"""The `summit` command: global options, command registry, error handling."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

import click

from cli.context import Obj
from cli.errors import handle_errors


class SummitGroup(click.Group):
    """A click group that turns summit's errors into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        with handle_errors():
            return super().invoke(ctx)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


@click.group(cls=SummitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar="SUMMIT_STORE",
    default="summit.db",
    show_default=True,
    metavar="PATH|URL",
    help="SQLite file or postgresql://USER@HOST:PORT/DB URL (env SUMMIT_STORE).",
)
@click.option(
    "--by",
    envvar="SUMMIT_USER",
    default=None,
    metavar="NAME",
    help="Who records (env SUMMIT_USER; default: your OS user name).",
)
@click.version_option(package_name="summit", prog_name="summit")
@click.pass_context
def cli(ctx: click.Context, store: str, by: str | None) -> None:
    """Track a multilateral negotiation as an append-only log of sourced events.

    \b
    Quick look at the bundled sample (the 2025 NATO 5% negotiation):
      summit demo
    \b
    Your own store:
      summit import events.jsonl
      summit stance hague-2025 --as-of 2025-06-10
      summit consensus hague-2025 --format json
    """
    source = ctx.get_parameter_source("store")
    explicit = source is not None and source.name != "DEFAULT"
    ctx.obj = Obj(store=store, store_named=explicit, by=by or _default_user())
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from cli import (
        cmd_audit,
        cmd_chart,
        cmd_demo,
        cmd_import,
        cmd_query,
        cmd_record,
        cmd_views,
    )

    cli.add_command(cmd_import.import_cmd)
    cli.add_command(cmd_import.export_cmd)
    cli.add_command(cmd_record.record)
    cli.add_command(cmd_query.timeline)
    cli.add_command(cmd_query.stance)
    cli.add_command(cmd_query.consensus)
    cli.add_command(cmd_demo.demo)
    for command in (*cmd_audit.COMMANDS, *cmd_chart.COMMANDS, *cmd_views.COMMANDS):
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="summit", args=sys.argv[1:])
