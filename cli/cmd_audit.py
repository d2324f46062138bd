"""`summit audit ...`: proving the log intact, listing it, signing checkpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from cli.options import file_option, format_option


@click.group()
def audit() -> None:
    """Prove the log is intact, list who recorded what, and sign checkpoints.

    \b
    Example:
      summit audit verify
      summit audit log --negotiation hague-2025 --format csv
      summit audit keygen --out newsroom && summit audit checkpoint --sign newsroom.key
    """


@audit.command("verify")
@click.argument("negotiation", required=False)
@file_option(
    "--checkpoint", help="Also prove the log still extends this checkpoint file."
)
@file_option(
    "--pubkey",
    help="Check the checkpoint's signature with this Ed25519 public key (PEM); "
    "needs --checkpoint.",
)
@format_option
@click.pass_obj
def verify(
    obj: Any,
    negotiation: str | None,
    checkpoint: str | None,
    pubkey: str | None,
    fmt: str,
) -> None:
    """Recompute every hash chain from the stored rows; exit 1 on tampering.

    Prints how many events were checked and each negotiation's head digest.

    \b
    Example:
      summit audit verify
      summit audit verify --checkpoint cp.json --pubkey newsroom.pub
    """
    from cli.files import read_checkpoint
    from cli.render import tables
    from cli.render.formats import emit
    from domain.audit import verify as verify_store
    from domain.errors import UsageError

    if pubkey and not checkpoint:  # else the key is ignored and "ok" misleads
        raise UsageError(
            "--pubkey needs --checkpoint FILE: the key checks a checkpoint's signature"
        )
    cp = read_checkpoint(checkpoint, pubkey) if checkpoint else None
    result = verify_store(obj.app(), negotiation, checkpoint=cp, views=obj.reader)
    view = _verified(result, checkpoint, signature_checked=bool(cp and pubkey))
    emit(view, fmt, tables.VERIFY)


def _verified(
    result: Any, checkpoint: str | None, signature_checked: bool
) -> dict[str, Any]:
    return {
        "ok": True,
        "checked": result.checked,
        "checkpoint": checkpoint,
        "signature_checked": signature_checked,
        "negotiations": [
            {
                "negotiation": h.negotiation,
                "events": h.events,
                "head_position": h.position,
                "head_digest": h.digest,
            }
            for h in result.heads.values()
        ],
    }


@audit.command("log")
@click.option("--negotiation", "-n", metavar="SLUG", help="Only this negotiation.")
@click.option("--recorder", metavar="NAME", help="Only records made by NAME.")
@format_option
@click.pass_obj
def log_cmd(obj: Any, negotiation: str | None, recorder: str | None, fmt: str) -> None:
    """Every record in recording order: position, when, by whom, type, ref, digest.

    \b
    Example:
      summit audit log --negotiation hague-2025 --recorder alice --format json
    """
    from cli.render import tables
    from cli.render.formats import emit
    from projections.log import read_log

    entries = read_log(obj.app(), negotiation=negotiation)
    records = [_logged(e) for e in entries if recorder in (None, e.recorded_by)]
    emit({"records": records}, fmt, tables.LOG)


def _logged(e: Any) -> dict[str, Any]:
    return {
        "position": e.position,
        "negotiation": e.negotiation,
        "version": e.version,
        "recorded_at": e.recorded_at.isoformat(),
        "recorded_by": e.recorded_by,
        "type": e.type,
        "ref": e.ref,
        "target": e.record.get("target"),
        "digest": e.digest,
    }


@audit.command("checkpoint")
@file_option(
    "--sign",
    "keyfile",
    help="Sign with this Ed25519 private key (PEM, from `summit audit keygen`).",
)
@file_option("--out", help="Write here instead of stdout.")
@click.pass_obj
def checkpoint(obj: Any, keyfile: str | None, out: str | None) -> None:
    """Print each negotiation's head position and digest now, optionally signed.

    Keep the file with what you publish; `summit audit verify --checkpoint`
    later proves nothing before it was rewritten.

    \b
    Example:
      summit audit checkpoint --sign newsroom.key --out 2025-06-10.checkpoint.json
    """
    from cli.files import read_bytes, write_text
    from domain.audit import checkpoint_of
    from domain.checkpoint import sign

    cp = checkpoint_of(obj.app(), obj.by, datetime.now(UTC).isoformat())
    if keyfile is not None:
        cp = sign(cp, read_bytes(keyfile, "key"))
    text = json.dumps(cp, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        write_text(out, text + "\n")
        click.echo(f"checkpoint written to {out}", err=True)


@audit.command("keygen")
@click.option(
    "--out",
    required=True,
    metavar="PREFIX",
    help="Writes PREFIX.key (private, mode 600) and PREFIX.pub.",
)
def keygen(out: str) -> None:
    """Create an Ed25519 key pair for signing checkpoints.

    \b
    Example:
      summit audit keygen --out newsroom     # newsroom.key, newsroom.pub
    """
    from pathlib import Path

    from cli.files import write_text
    from domain.checkpoint import generate_keypair
    from domain.errors import UsageError

    private, public = generate_keypair()
    key, pub = f"{out}.key", f"{out}.pub"
    if Path(key).exists():
        raise UsageError(f"{key} exists; refusing to overwrite a private key")
    write_text(key, private.decode(), mode=0o600)
    write_text(pub, public.decode())
    click.echo(f"private key: {key}\npublic key:  {pub}")
