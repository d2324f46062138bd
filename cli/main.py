"""The `summit` command: global options, command registry, error handling."""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.context import Obj
from cli.errors import handle_errors

# name -> (module, attribute, one-line help). Commands are imported only
# when invoked, so `summit --help` and argument errors stay quick.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "cli.cmd_demo",
        "demo",
        "Load the bundled sample and show where it stands.",
    ),
    "import": (
        "cli.cmd_import",
        "import_cmd",
        "Validate a JSON Lines file, then store all of it or nothing.",
    ),
    "export": (
        "cli.cmd_export",
        "export_cmd",
        "Write the log as JSON Lines in recording order.",
    ),
    "record": (
        "cli.cmd_record",
        "record",
        "Record one event from flags or --json; prints its ref.",
    ),
    "timeline": (
        "cli.cmd_timeline",
        "timeline",
        "Events in the order they occurred, retracted ones flagged.",
    ),
    "stance": (
        "cli.cmd_stance",
        "stance",
        "Each ally's stance on a proposal, with pledges and gaps.",
    ),
    "consensus": (
        "cli.cmd_consensus",
        "consensus",
        "Counts, holdouts and the path toward consensus.",
    ),
    "delivery": (
        "cli.cmd_delivery",
        "delivery",
        "Spending against each target and pledge: met, on track, off track.",
    ),
    "spending": (
        "cli.cmd_spending",
        "spending",
        "Every party's reported spending for one year; who has none.",
    ),
    "audit": (
        "cli.cmd_audit",
        "audit",
        "Verify the hash chain, list records, sign checkpoints.",
    ),
    "replay": (
        "cli.cmd_replay",
        "replay",
        "Rebuild stance and consensus from the log up to a cut.",
    ),
    "chart": (
        "cli.cmd_chart",
        "chart",
        "Charts: the consensus path, pledges, delivery, the stance map.",
    ),
    "report": (
        "cli.cmd_report",
        "report",
        "One self-contained HTML report of a proposal.",
    ),
    "store": (
        "cli.cmd_store",
        "store",
        "Store keys for encryption at rest; copy a store, chains intact.",
    ),
    "views": (
        "cli.cmd_views",
        "views",
        "Status and rebuild of the persisted read models.",
    ),
}


class SummitGroup(click.Group):
    """Lazily loaded commands; summit's errors become messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        import importlib

        module, attr, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        with handle_errors():
            return super().invoke(ctx)


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
@click.option(
    "--key",
    "key_file",
    envvar="SUMMIT_KEY_FILE",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Store key (from `summit store keygen`): the first write creates an "
    "encrypted store, which then needs it (env SUMMIT_KEY_FILE).",
)
@click.version_option(package_name="summit", prog_name="summit")
@click.pass_context
def cli(ctx: click.Context, store: str, by: str | None, key_file: str | None) -> None:
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
    # An explicit --by "" is refused as a blank name when it records (an empty
    # SUMMIT_USER counts as unset: click reads an empty variable as none).
    ctx.obj = Obj(store, store_named=explicit, by=by, key=key_file)
    ctx.call_on_close(ctx.obj.close)


def _undecodable(args: list[str]) -> str | None:
    """What is wrong with the first argument or SUMMIT_ variable holding bytes
    that are not UTF-8 (Python keeps them as lone surrogates, which no store,
    digest or terminal takes), with those bytes escaped; or None."""
    import os

    named = [
        (f"argument {i}" + (f" (after {args[i - 2]})" if i > 1 else ""), a)
        for i, a in enumerate(args, start=1)
    ]
    named += [(k, v) for k, v in sorted(os.environ.items()) if k.startswith("SUMMIT_")]
    for label, text in named:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogateescape")
            shown = raw.decode("utf-8", "backslashreplace")
            return f"{label} is not UTF-8 text: {shown}"
    return None


def main() -> None:
    """Console-script entry point: signals and a closed pipe end it cleanly."""
    from cli.errors import Interrupted, Terminated, on_signals, quiet_closed_pipe

    on_signals()
    undecodable = _undecodable(sys.argv[1:])
    if undecodable is not None:
        click.echo(f"Error: {undecodable}", err=True)
        sys.exit(2)
    try:
        cli.main(prog_name="summit", args=sys.argv[1:])
    except KeyboardInterrupt as e:  # outside a command (while parsing, closing)
        Interrupted(isinstance(e, Terminated)).show()
        sys.exit(Interrupted(isinstance(e, Terminated)).exit_code)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_closed_pipe()
