"""Tables that fit the terminal: dates and codes never cut, headers never broken
mid-word, long text wrapped, and the least needed columns dropped first.

A view offers layouts from the richest to the most compact; the first one whose
columns fit the width at their minimum is drawn (the last one otherwise).
"""

from __future__ import annotations

from typing import Any, NamedTuple

WORD_CAP = 24  # a wrapped word longer than this may fold (a 1 MB quote word)


class Column(NamedTuple):
    """One column: a header, its cells, and whether cells are codes or dates
    (`whole`: never wrapped) or text that wraps at spaces, its first `keep`
    lines (all but the last `-keep` if negative) codes kept whole: a ref
    stacked above the text it names."""

    header: str
    cells: list[Any]
    whole: bool = False
    justify: str = "left"
    style: str | None = None
    keep: int = 0


def _plain(cell: Any) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


def min_width(column: Column) -> int:
    """The narrowest the column can be without cutting a code or a word."""
    heads = column.header.split("\n")
    # A whole column's header does not wrap either (rich's no_wrap holds for both).
    words = heads if column.whole else [w for h in heads for w in h.split()]
    need = max(len(w) for w in words or [""])
    for cell in column.cells:
        lines = _plain(cell).split("\n")
        kept = lines if column.whole else lines[: column.keep]
        need = max(need, *(len(line) for line in kept or [""]))
        longest = max((len(w) for ln in lines for w in ln.split()), default=0)
        need = max(need, min(longest, WORD_CAP))
    return need


def stack(*lines: Any) -> Any:
    """One cell of `lines` (strings or rich Text, styles kept), one under another."""
    from rich.text import Text

    return Text("\n").join(
        line if isinstance(line, Text) else Text(line) for line in lines
    )


def natural_width(column: Column) -> int:
    """The width the column takes when nothing wraps (its longest line)."""
    lines = column.header.split("\n") + [
        line for cell in column.cells for line in _plain(cell).split("\n")
    ]
    return max(min_width(column), *(len(line) for line in lines))


def widths(columns: list[Column], width: int) -> list[int]:
    """Each column's width: its minimum, plus a fair share of what is left over
    (the columns that need least more are served first), never beyond its
    natural width."""
    out = [min_width(c) for c in columns]
    more = [natural_width(c) - n for c, n in zip(columns, out, strict=True)]
    slack = max(0, width - table_width(columns))
    order = sorted(range(len(columns)), key=lambda i: more[i])
    for k, i in enumerate(order):
        give = min(more[i], slack // (len(order) - k))
        out[i] += give
        slack -= give
    return out


def table_width(columns: list[Column]) -> int:
    """The least width of a rich table with these columns (borders, padding)."""
    return sum(min_width(c) for c in columns) + 3 * len(columns) + 1


def choose(layouts: list[list[Column]], width: int) -> list[Column]:
    """The first layout that fits `width`, else the most compact (the last)."""
    for columns in layouts:
        if table_width(columns) <= width:
            return columns
    return layouts[-1]


def draw(layouts: list[list[Column]], width: int, **table: Any) -> Any:
    """A rich Table of the layout that fits (`table`: title, caption...)."""
    from rich.table import Table

    columns = choose(layouts, width)
    out = Table(**table)
    for c, w in zip(columns, widths(columns, width), strict=True):
        out.add_column(
            c.header,
            width=w,
            no_wrap=c.whole,
            overflow="fold",
            justify=c.justify,  # type: ignore[arg-type]
            style=c.style,
        )
    for row in zip(*(c.cells for c in columns), strict=True):
        out.add_row(*row)
    return out
