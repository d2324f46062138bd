"""The one place that renders table, JSON and CSV output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from cli.render.text import json_safe, visible_all

Rows = tuple[list[str], Iterable[list[Any]]]


class Shape:
    """How one kind of view is drawn for people and written as CSV.

    `rows` gives a header and rows, or a list of them: CSV sections separated
    by a blank line. (A plain class: a NamedTuple compiles its __new__ from
    text at every start.)
    """

    __slots__ = ("rows", "table")

    def __init__(
        self,
        table: Callable[[Any], None],
        rows: Callable[[Any], Rows | list[Rows]],
    ) -> None:
        self.table = table
        self.rows = rows


def emit(data: Any, fmt: str, shape: Shape | Callable[[], Shape]) -> None:
    """Print `data` as JSON, CSV (header + rows) or a table for people.

    `shape` may be a function giving it (`lazy`): JSON needs none, so a
    query writing JSON starts without loading the table renderers."""
    if fmt == "json":
        # color=True: click would otherwise strip ANSI codes for a pipe by a
        # regex over the whole text, and JSON holds none (json.dumps escapes
        # every control character but the C1 ones, which json_safe does).
        click.echo(json_safe(to_json(data)), color=True)
        return
    if not isinstance(shape, Shape):
        shape = shape()
    # Human views and CSV never send a stored control character to a terminal.
    data = visible_all(data)
    if fmt == "csv":
        sections = shape.rows(data)
        for i, (header, body) in enumerate(
            sections if isinstance(sections, list) else [sections]
        ):
            if i:
                click.echo()
            _csv(header, body)
    else:
        shape.table(data)


def lazy(module: str, name: str) -> Callable[[], Shape]:
    """The shape `name` of `module`, imported only when it is drawn."""

    def shape() -> Shape:
        import importlib

        found: Shape = getattr(importlib.import_module(module), name)
        return found

    return shape


def _csv(header: list[str], body: Iterable[list[Any]]) -> None:
    import csv  # only for CSV output

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in body:
        writer.writerow(["" if v is None else v for v in row])


def to_json(data: Any) -> str:
    """JSON for a terminal indented; for a pipe or file compact (and C-fast)."""
    indent = 2 if sys.stdout.isatty() else None
    return json.dumps(data, ensure_ascii=False, indent=indent, check_circular=False)


def console() -> Any:
    """A rich console on stdout (imported lazily: rich is slow to import)."""
    from rich.console import Console

    out = Console(soft_wrap=False)
    if not out.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        out = Console(soft_wrap=False, width=140)
    return out


def width() -> int:
    """The width tables are laid out for (COLUMNS, the terminal, or 140)."""
    return int(console().width)
