"""Progress bars on stderr, only on a terminal, for the long imports and rebuilds."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class DelayedBar:
    """A bar that appears only once the work has taken over a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < 1 or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def counting(items: Iterator[Any], bar: DelayedBar, every: int = 1000) -> Iterator[Any]:
    """The items, telling `bar` how many have passed every `every` items."""
    for i, item in enumerate(items, start=1):
        if i % every == 0:
            bar(i)
        yield item


@contextmanager
def bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` callback on a terminal; None elsewhere."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as shown:
        task = shown.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            shown.update(task, completed=done, total=total)

        yield progress


@contextmanager
def delayed_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` callback drawn only after a second on a terminal
    (catching the views up is usually instant; a rebuild after a schema change
    is not)."""
    shown = DelayedBar(label)
    try:
        yield lambda done, total: shown(done)
    finally:
        shown.close()
