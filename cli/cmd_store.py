"""`summit store ...`: keys for encryption at rest, and copying a store."""

from __future__ import annotations

from typing import Any

import click


@click.group()
def store() -> None:
    """Encrypt a store at rest, and move a store with its chains intact.

    \b
    Example:
      summit store keygen --out newsroom.storekey && \\
        summit --key newsroom.storekey --store secret.db import events.jsonl
      summit store copy --to postgresql://me@db.example:5432/summit
    """


@store.command("keygen")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the key here (mode 600); an existing file is never overwritten.",
)
def keygen(out: str) -> None:
    """Create a new 256-bit key for an encrypted store (AES-256-GCM).

    Keep it safe: without it an encrypted store cannot be read.

    \b
    Example:
      summit store keygen --out newsroom.storekey && \\
        summit --key newsroom.storekey --store secret.db import events.jsonl
    """
    from cli.store.crypto import new_key_file

    new_key_file(out)
    click.echo(f"store key: {out} (mode 600; without it the store cannot be read)")


@store.command("copy")
@click.option(
    "--to", "to", required=True, metavar="PATH|URL", help="The empty target store."
)
@click.option(
    "--to-key",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Encrypt the copy with this store key (default: a plain copy).",
)
@click.pass_obj
def copy(obj: Any, to: str, to_key: str | None) -> None:
    """Copy every event as recorded into an empty store, then verify it.

    Same recorded_at, recorded_by, versions and digests, in one transaction:
    the copy's `audit verify` reports the source's heads and the source's
    checkpoints verify on it. Plain or encrypted either side (--key opens
    the source, --to-key encrypts the copy), so it also re-keys or decrypts.

    \b
    Example:
      summit --store laptop.db store copy --to postgresql://me@db:5432/summit
      summit store keygen --out new.storekey && \\
        summit --store laptop.db store copy --to secret.db --to-key new.storekey
    """
    from cli.store.moving import copy_store

    result = copy_store(obj.store, to, to_key)
    for line in result:
        click.echo(line)
