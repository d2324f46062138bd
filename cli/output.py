"""The one place that renders table, JSON and CSV output."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click


def emit(
    data: Any,
    fmt: str,
    *,
    table: Callable[[Any], None],
    rows: Callable[[Any], tuple[list[str], Iterable[list[Any]]]],
) -> None:
    """Print `data` as JSON, CSV (header + rows) or a table for people."""
    if fmt == "json":
        click.echo(to_json(data))
    elif fmt == "csv":
        header, body = rows(data)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        for row in body:
            writer.writerow(["" if v is None else v for v in row])
    else:
        table(data)


def to_json(data: Any) -> str:
    """JSON for a terminal indented; for a pipe or file compact (and C-fast)."""
    indent = 2 if sys.stdout.isatty() else None
    return json.dumps(data, ensure_ascii=False, indent=indent)


def console() -> Any:
    """A rich console on stdout (imported lazily: rich is slow to import)."""
    from rich.console import Console

    out = Console(soft_wrap=False)
    if not out.is_terminal:
        out = Console(soft_wrap=False, width=140)
    return out
