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


def emit(
    data: Any,
    fmt: str,
    shape: Shape | Callable[[], Shape],
    json_text: Callable[[Any], str] | None = None,
) -> None:
    """Print `data` as JSON, CSV (header + rows) or a table for people.

    `shape` may be a function giving it (`lazy`): JSON needs none, so a
    query writing JSON starts without loading the table renderers.
    `json_text` writes the JSON instead of `to_json` (`consensus_json`)."""
    if fmt == "json":
        # color=True: click would otherwise strip ANSI codes for a pipe by a
        # regex over the whole text, and JSON holds none (json.dumps escapes
        # every control character but the C1 ones, which json_safe does).
        text = (json_text or to_json)(data)
        click.echo(json_safe(text), color=True)
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


def consensus_json(view: dict[str, Any]) -> str:
    """`to_json` of a consensus view whose path steps may hold their refs as
    one text, the refs with one space between ("" for none: a ref is never
    empty and never holds a space, SPEC §2), the same text to the byte.

    A long path lists every ref of every day it moved (11,000 at the bench's
    50,000-event negotiation): rather than split each day's text into
    strings and encode them one by one, the document is encoded with each
    step's refs as its index, and each index is replaced by the day's refs
    as JSON, made from the text by one replace. Only a text JSON writes as it
    is (printable ASCII without `"` or `\\`, as every valid ref is) is used
    so; any other, and an indented document, goes through `to_json`."""
    path = view.get("path") or []
    if not path or sys.stdout.isatty():
        return to_json(_listed(view))
    steps = [{**step, "refs": i} for i, step in enumerate(path)]
    # Split at each step's `"refs": ` (inside a JSON string a quote is
    # escaped: only the steps' own key matches), each piece after the first
    # starting with its step's index and a non-digit.
    pieces = to_json({**view, "path": steps}).split(_REFS_KEY)
    if len(pieces) != len(path) + 1:
        return to_json(_listed(view))
    out = [pieces[0]]
    for i, (step, piece) in enumerate(zip(path, pieces[1:], strict=True)):
        index = str(i)
        if not piece.startswith(index) or piece[len(index)].isdigit():
            return to_json(_listed(view))
        out += (_REFS_KEY, _refs_json(step["refs"]), piece[len(index) :])
    return "".join(out)


_REFS_KEY = '"refs": '


def _refs_json(refs: str | list[str]) -> str:
    """One step's refs as `to_json` writes the list (compact, not indented)."""
    if isinstance(refs, list):
        return to_json(refs)
    if not refs:
        return "[]"
    if refs.isascii() and not refs.encode().translate(None, _AS_IS):
        return '["' + refs.replace(" ", '", "') + '"]'
    return to_json(refs.split(" "))


# The bytes JSON writes as they are: printable ASCII but the quote and the
# backslash (a byte-wise check, a tenth of str.isprintable's cost).
_AS_IS = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')


def _listed(view: dict[str, Any]) -> dict[str, Any]:
    """The view with every step's refs a list."""

    def listed(refs: str | list[str]) -> list[str]:
        if isinstance(refs, list):
            return refs
        return refs.split(" ") if refs else []

    path = [{**s, "refs": listed(s["refs"])} for s in view.get("path") or []]
    return {**view, "path": path} if "path" in view else view


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
