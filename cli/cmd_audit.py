"""`summit audit ...` and `summit replay`: interrogating the log itself."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
