"""`summit audit ...` and `summit replay`: interrogating the log itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from cli.options import (
    as_of_option,
    format_option,
    instant_text,
    known_at_option,
)
from cli.output import emit


@click.group()
def audit() -> None:
    """Prove the log is intact, list who recorded what, and sign checkpoints.

    \b
    Example:
      summit audit verify
      summit audit log --negotiation hague-2025 --format csv
      summit audit keygen --out newsroom && summit audit checkpoint --sign newsroom
    """


@audit.command("verify")
@click.argument("negotiation", required=False)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    help="Also prove the log still extends this checkpoint file.",
)
@click.option(
    "--pubkey",
    type=click.Path(dir_okay=False),
    help="Check the checkpoint's signature with this Ed25519 public key (PEM).",
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
    from domain.errors import CheckFailed
    from projections.audit import verify_log

    cp = _load_checkpoint(checkpoint, pubkey) if checkpoint else None
    want = (
        {slug: head["version"] for slug, head in cp["negotiations"].items()}
        if cp
        else None
    )
    result = verify_log(obj.app(), negotiation, want=want)
    if result.fault is not None:
        raise CheckFailed(str(result.fault))
    _check_views_not_ahead(obj)
    if cp is not None:
        for slug, head in cp["negotiations"].items():
            if negotiation is not None and slug != negotiation:
                continue
            if slug not in result.heads:
                raise CheckFailed(
                    f"checkpoint names '{slug}', which is no longer in the log"
                )
            if result.found.get(slug) != head["digest"]:
                have = result.heads[slug].events
                raise CheckFailed(
                    f"the log no longer extends the checkpoint: '{slug}' "
                    + (
                        f"has only {have} events, the checkpoint {head['version']}"
                        if have < head["version"]
                        else f"event {head['version']} has a different digest"
                    )
                    + " (history before the checkpoint was rewritten)"
                )
    view = {
        "ok": True,
        "checked": result.checked,
        "checkpoint": checkpoint,
        "signature_checked": bool(cp and pubkey),
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
    emit(view, fmt, table=_verify_table, rows=_verify_rows)


def _check_views_not_ahead(obj: Any) -> None:
    """Events deleted from the end of the log leave the views ahead of it."""
    from domain.errors import CheckFailed

    try:
        status = obj.reader.status()
    except Exception:  # e.g. a read-only role on a store whose views never ran
        return
    if status.tracked > status.head:
        raise CheckFailed(
            f"tampering at log position {status.head + 1}: the persisted views have "
            f"processed up to position {status.tracked} but the log ends at "
            f"{status.head}, so events were removed from the end of the log"
        )


def _verify_table(view: dict[str, Any]) -> None:
    click.echo(f"ok: {view['checked']} events checked, every chain intact")
    if view["checkpoint"]:
        signed = " (signature checked)" if view["signature_checked"] else ""
        click.echo(f"the log extends checkpoint {view['checkpoint']}{signed}")
    for n in view["negotiations"]:
        click.echo(
            f"  {n['negotiation']}: {n['events']} events, head at position "
            f"{n['head_position']}, digest {n['head_digest']}"
        )


def _verify_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    header = ["negotiation", "events", "head_position", "head_digest"]
    return header, ([n[k] for k in header] for n in view["negotiations"])


def _load_checkpoint(path: str, pubkey: str | None) -> dict[str, Any]:
    from domain.checkpoint import check_signature, parse_checkpoint
    from domain.errors import UsageError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read checkpoint {path}: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"checkpoint {path} is not valid JSON ({e})") from None
    cp = parse_checkpoint(data)
    if pubkey is not None:
        try:
            public = Path(pubkey).read_bytes()
        except OSError as e:
            raise UsageError(f"cannot read public key {pubkey}: {e.strerror}") from None
        check_signature(cp, public)
    return cp


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
    from projections.log import read_log

    records = [
        {
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
        for e in read_log(obj.app(), negotiation=negotiation)
        if recorder is None or e.recorded_by == recorder
    ]
    emit(
        {"records": records},
        fmt,
        table=_log_table,
        rows=lambda v: (
            list(_LOG_COLUMNS),
            ([r[k] for k in _LOG_COLUMNS] for r in v["records"]),
        ),
    )


_LOG_COLUMNS = (
    "position",
    "negotiation",
    "version",
    "recorded_at",
    "recorded_by",
    "type",
    "ref",
    "target",
    "digest",
)


def _log_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    from cli.output import console

    table = Table(title="audit log")
    for col in ("Pos", "Recorded at", "By", "Negotiation", "Type", "Ref", "Digest"):
        table.add_column(col, overflow="fold")
    for r in view["records"]:
        ref = r["ref"] + (f" → {r['target']}" if r["target"] else "")
        table.add_row(
            str(r["position"]),
            r["recorded_at"],
            Text(r["recorded_by"]),
            r["negotiation"],
            r["type"],
            ref,
            r["digest"][:16] + "…",
        )
    console().print(table)


@audit.command("checkpoint")
@click.option(
    "--sign",
    "keyfile",
    type=click.Path(dir_okay=False),
    help="Sign with this Ed25519 private key (PEM, from `summit audit keygen`).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write here instead of stdout."
)
@click.pass_obj
def checkpoint(obj: Any, keyfile: str | None, out: str | None) -> None:
    """Print each negotiation's head position and digest now, optionally signed.

    Keep the file with what you publish; `summit audit verify --checkpoint`
    later proves nothing before it was rewritten.

    \b
    Example:
      summit audit checkpoint --sign newsroom.key --out 2025-06-10.checkpoint.json
    """
    from domain.checkpoint import FORMAT, sign
    from domain.errors import CheckFailed, UsageError
    from projections.audit import verify_log

    result = verify_log(obj.app())
    if result.fault is not None:
        raise CheckFailed(f"refusing to checkpoint a damaged log: {result.fault}")
    cp: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "created_by": obj.by,
        "log_position": max((h.position for h in result.heads.values()), default=0),
        "events": result.checked,
        "negotiations": {
            h.negotiation: {
                "version": h.events,
                "position": h.position,
                "digest": h.digest,
            }
            for h in result.heads.values()
        },
    }
    if keyfile is not None:
        try:
            private = Path(keyfile).read_bytes()
        except OSError as e:
            raise UsageError(f"cannot read key {keyfile}: {e.strerror}") from None
        cp = sign(cp, private)
    text = json.dumps(cp, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        _write(out, text + "\n")
        click.echo(f"checkpoint written to {out}", err=True)


def _write(path: str, text: str, mode: int | None = None) -> None:
    from domain.errors import UsageError

    target = Path(path)
    if not target.parent.exists():
        raise UsageError(f"cannot write {path}: folder {target.parent} does not exist")
    try:
        target.write_text(text, encoding="utf-8")
        if mode is not None:
            target.chmod(mode)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None


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
    from domain.checkpoint import generate_keypair
    from domain.errors import UsageError

    private, public = generate_keypair()
    key, pub = f"{out}.key", f"{out}.pub"
    if Path(key).exists():
        raise UsageError(f"{key} exists; refusing to overwrite a private key")
    _write(key, private.decode(), mode=0o600)
    _write(pub, public.decode())
    click.echo(f"private key: {key}\npublic key:  {pub}")


@click.command()
@click.argument("negotiation")
@click.option("--proposal", "-p", metavar="SLUG", help="The proposal.")
@click.option(
    "--until", type=int, metavar="POSITION", help="Use the log up to this position."
)
@known_at_option
@as_of_option
@format_option
@click.pass_obj
def replay(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    until: int | None,
    known_at: Any,
    as_of: str | None,
    fmt: str,
) -> None:
    """Rebuild stance and consensus from an empty state, from the log up to a cut.

    Reproduces a figure published earlier: give the log position (or instant)
    it was based on.

    \b
    Example:
      summit replay hague-2025 --until 42 --format json
      summit replay hague-2025 --known-at 2025-06-20T18:00:00Z --as-of 2025-06-10
    """
    from cli.cmd_query import pick_proposal
    from cli.render import consensus_table, stance_table
    from domain.errors import UsageError
    from projections.consensus import consensus_view
    from projections.log import head_position
    from projections.reader import load_history
    from projections.stance import stance_view

    if (until is None) == (known_at is None):
        raise UsageError("give exactly one of --until POSITION and --known-at")
    app = obj.app()
    head = head_position(app)
    if until is not None and not 1 <= until <= head:
        raise UsageError(f"position {until} is beyond the log (1..{head})")
    history = load_history(app, negotiation, known_at=known_at, until=until)
    chosen = pick_proposal(history, proposal)
    cut = {"until": until, "known_at": instant_text(known_at)}
    stance = stance_view(history, chosen, as_of=as_of, known_at=cut["known_at"])
    consensus = consensus_view(history, chosen, as_of=as_of, known_at=cut["known_at"])
    view = {
        "replayed": {**cut, "last_position": history.head_position},
        "stance": stance,
        "consensus": consensus,
    }
    if fmt == "table":
        click.echo(
            f"replayed {negotiation} from an empty state up to log position "
            f"{history.head_position}"
        )
        stance_table(stance)
        consensus_table(consensus)
    elif fmt == "json":
        from cli.output import to_json

        click.echo(to_json(view))
    else:
        from cli.render import consensus_rows, stance_rows

        emit(stance, "csv", table=stance_table, rows=stance_rows)
        click.echo()
        emit(consensus, "csv", table=consensus_table, rows=consensus_rows)


COMMANDS: list[click.Command] = [audit, replay]
