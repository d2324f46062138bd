"""The user's files: reading keys, checkpoints and inputs, writing outputs.

Every failure is a UsageError naming the file (exit 2), never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

from domain.errors import UsageError


def read_bytes(path: str, what: str) -> bytes:
    """The file's bytes; `what` names it in the message (e.g. "key")."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {what} {path}: {e.strerror}") from None


def write_text(path: str, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` (with file `mode`, when given)."""
    target = Path(path)
    if not target.parent.exists():
        raise UsageError(f"cannot write {path}: folder {target.parent} does not exist")
    try:
        target.write_text(text, encoding="utf-8")
        if mode is not None:
            target.chmod(mode)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None


def read_checkpoint(path: str, pubkey: str | None) -> dict[str, Any]:
    """A checkpoint file, parsed, and its signature checked when `pubkey` is given."""
    from domain.checkpoint import check_signature, parse_checkpoint

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read checkpoint {path}: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"checkpoint {path} is not valid JSON ({e})") from None
    cp = parse_checkpoint(data)
    if pubkey is not None:
        check_signature(cp, read_bytes(pubkey, "public key"))
    return cp


def readable_input(file: str, tmp: str) -> str:
    """A path to read the input from, as often as needed: the file itself, or
    what stdin or a pipe holds (`-`, /dev/stdin from a pipe, `<(...)`, a
    FIFO: read once, saved to `tmp`).

    The input is read as bytes (decoded line by line by the parser), so a
    byte that is not UTF-8 is reported at its own line.
    """
    if file == "-":
        return _saved(sys.stdin.buffer, tmp)
    try:
        with open(file, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return _saved(f, tmp)  # (a check that read from it would lose it)
            f.read(1)
    except OSError as e:
        raise UsageError(f"cannot read {file}: {e.strerror}") from None
    return file


def _saved(stream: Any, tmp: str) -> str:
    path = Path(tmp) / "input.jsonl"
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out)
    return str(path)


def stdin_bytes() -> bytes:
    """Everything on standard input, as bytes."""
    return sys.stdin.buffer.read()
