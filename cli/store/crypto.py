"""Encryption at rest: store keys, the cipher settings, and which key opens a store.

A store key is a file holding one line: 32 random bytes in base64 (AES-256).
With a key, eventsourcing compresses (`domain.stored`) then encrypts
(AES-GCM) every event it stores, so the log holds no plaintext; summit keeps
no view tables on such a store (queries fold the log in memory). A store is
encrypted when none of its first few stored events is JSON, plain or
compressed: the log itself says so, and one row tampered into garbage is
tampering for `audit verify` to name, not a store that seems encrypted.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any

from domain.errors import StoreUnavailable, UsageError

KEY_BYTES = 32
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
NEEDS_KEY = "this store is encrypted: give --key (or SUMMIT_KEY_FILE)"
WRONG_KEY = "this key does not open this store"
SAMPLE = 8  # first events read to tell a plain store from an encrypted one


def new_key_file(path: str) -> None:
    """Write a new 256-bit key to `path` (mode 600); never overwrite a file."""
    target = Path(path)
    if not target.parent.exists():
        raise UsageError(f"cannot write {path}: folder {target.parent} does not exist")
    key = base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{path} exists; refusing to overwrite a key") from None
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")


def read_key(path: str) -> str:
    """The base64 key in the key file `path`; UsageError (exit 2) when it is not one."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
        raw = base64.b64decode(text, validate=True)
    except OSError as e:
        raise UsageError(f"cannot read key {path}: {e.strerror}") from None
    except (UnicodeDecodeError, binascii.Error):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise UsageError(
            f"{path} is not a store key (make one: `summit store keygen --out FILE`)"
        )
    return text


def cipher_env(key: str | None) -> dict[str, str]:
    """eventsourcing's settings that encrypt the log with `key` (none without one)."""
    if key is None:
        return {}
    return {
        "CIPHER_TOPIC": CIPHER_TOPIC,
        "CIPHER_KEY": key,
    }


def check_key(app: Any, key: str | None) -> None:
    """Raise unless `key` is the right one for the store `app` was opened on.

    An empty store takes either (the first write decides); a plain store
    takes no key (exit 2 with one); an encrypted store takes only its key
    (exit 3 without it or with another). Decided from the first few events:
    a store is plain when one of them is JSON, opened by `key` when one of
    them decrypts with it; a garbled row among them is tampering.
    """
    states = _first_states(app)
    if not states:
        return
    plain = any(_is_plain(state) for state in states)
    if key is None:
        if not plain:
            raise StoreUnavailable(NEEDS_KEY)
        return
    if any(_opens(app, state) for state in states):
        return
    if plain:
        raise UsageError(
            "this store is not encrypted: leave out --key / SUMMIT_KEY_FILE "
            "(`summit store copy --to-key` makes an encrypted copy)"
        )
    raise StoreUnavailable(WRONG_KEY)


def _first_states(app: Any) -> list[bytes]:
    """The stored state of the log's first few readable events (a row that
    does not decode is left out: `audit verify` names it, reads refuse it)."""
    unreadable = (ValueError, TypeError, AttributeError, KeyError)
    try:
        return [n.state for n in app.recorder.select_notifications(1, SAMPLE)]
    except unreadable:
        pass
    states: list[bytes] = []
    start = 1
    for _ in range(2 * SAMPLE):  # one by one, past the unreadable rows
        try:
            found = app.recorder.select_notifications(start, 1)
        except unreadable:
            start += 1
            continue
        if not found:
            break
        states.append(found[0].state)
        start = found[0].id + 1
        if len(states) == SAMPLE:
            break
    return states


def _opens(app: Any, state: bytes) -> bool:
    try:
        app.mapper.cipher.decrypt(state)
    except Exception:
        return False
    return True


def _is_plain(state: bytes) -> bool:
    from domain.stored import state_json

    try:
        state_json(state)
    except (ValueError, TypeError):  # TypeError: a row edited to text, not bytes
        return False
    return True
