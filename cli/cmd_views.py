"""`summit views ...`: the persisted read models."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
