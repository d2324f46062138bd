"""`summit import` and `summit export`: the JSON Lines interchange format."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

import click

from cli.options import known_at_option


def parse_lines(stream: IO[str], source: str) -> Iterator[Any]:
    """Yield Line objects; collect every problem and raise them all at the end."""
    from domain.application import Line
    from domain.errors import InvalidInput, Problem
    from domain.interchange import record_problems

    problems: list[Problem] = []
    for number, text in enumerate(_decoded(stream, source), start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as e:
            problems.append(Problem("json", f"not valid JSON ({e.msg})", number))
            continue
        record, found = record_problems(data)
        if found:
            problems.extend(Problem(p.field, p.reason, number) for p in found)
            continue
        if not problems:
            yield Line(number, record)
    if problems:
        raise InvalidInput(problems, source)


def _decoded(stream: IO[str], source: str) -> Iterator[str]:
    """The stream's lines; a line that is not UTF-8 is a usage error naming it."""
    from domain.errors import UsageError

    number = 0
    while True:
        try:
            text = next(stream, None)
        except UnicodeDecodeError:
            raise UsageError(
                f"{source}:{number + 1}: the file is not UTF-8 text"
            ) from None
        if text is None:
            return
        number += 1
        yield text


class _Progress:
    """A progress bar on stderr that appears only once an import takes over 1 s."""

    def __init__(self) -> None:
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
            self.task = self.bar.add_task("importing", total=None)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


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
    import tempfile

    progress = _Progress()
    with tempfile.TemporaryDirectory(prefix="summit-stdin-") as tmp:
        path = _readable(file, tmp)

        def lines() -> Iterator[Any]:
            # Read afresh on each attempt: the input is streamed, never held.
            with open(path, encoding="utf-8") as stream:
                yield from _counting(parse_lines(stream, file), progress)

        try:
            app = obj.app(write=not dry_run)
            report = app.record_lines(lines, obj.by, dry_run=dry_run, source=file)
        finally:
            progress.close()
    if not dry_run and report.stored:
        obj.reader.after_write()
    verb = "would store" if dry_run else "stored"
    click.echo(
        f"{verb} {len(report.stored)} event(s), skipped {len(report.skipped)} "
        f"already recorded",
        err=True,
    )


def _readable(file: str, tmp: str) -> str:
    """A path to read the input from: the file itself, or stdin saved to `tmp`."""
    import shutil
    from pathlib import Path

    from domain.errors import UsageError

    if file == "-":
        path = Path(tmp) / "stdin.jsonl"
        with path.open("w", encoding="utf-8") as out:
            shutil.copyfileobj(sys.stdin, out)
        return str(path)
    try:
        with open(file, encoding="utf-8") as f:
            f.read(1)
    except OSError as e:
        raise UsageError(f"cannot read {file}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file} is not UTF-8 text") from None
    return file


def _counting(lines: Iterator[Any], progress: _Progress) -> Iterator[Any]:
    for i, line in enumerate(lines, start=1):
        if i % 1000 == 0:
            progress(i)
        yield line


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
    from domain.errors import NotFound
    from projections.log import read_log

    app = obj.app()
    if negotiation is not None and negotiation not in obj.reader.negotiations():
        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    out = sys.stdout
    for entry in read_log(app, negotiation=negotiation):
        if known_at is not None and entry.recorded_at > known_at:
            continue
        line = dict(entry.record)
        if not no_recorded:
            line["_recorded"] = {
                "at": entry.recorded_at.isoformat(),
                "by": entry.recorded_by,
                "position": entry.position,
            }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
