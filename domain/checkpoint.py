"""Checkpoints: each negotiation's chain head at an instant, optionally Ed25519-signed.

A published figure is defended by showing that the log still extends the
checkpoint taken when it was published: every head digest in the checkpoint
is still the digest of the event at that version, and the chain verifies.
The signature covers the canonical JSON of the checkpoint without its
`signature` member.
"""

from __future__ import annotations

import base64
from typing import Any

from domain.canonical import canonical_json
from domain.errors import UsageError

FORMAT = "summit-checkpoint/1"


def signed_payload(checkpoint: dict[str, Any]) -> bytes:
    """The bytes a signature covers."""
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    return canonical_json(body).encode("utf-8")


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def sign(checkpoint: dict[str, Any], private_pem: bytes) -> dict[str, Any]:
    """The checkpoint with an Ed25519 signature member added."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as e:
        raise UsageError(f"not an unencrypted PEM private key ({e})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError("the signing key is not an Ed25519 key")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    value = key.sign(signed_payload(checkpoint))
    return {
        **checkpoint,
        "signature": {
            "algorithm": "ed25519",
            "public_key": base64.b64encode(public).decode(),
            "value": base64.b64encode(value).decode(),
        },
    }


def check_signature(checkpoint: dict[str, Any], public_pem: bytes) -> None:
    """Raise UsageError unless the checkpoint is signed by this public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signature = checkpoint.get("signature")
    if not isinstance(signature, dict) or "value" not in signature:
        raise UsageError("the checkpoint is not signed, so --pubkey cannot check it")
    try:
        key = serialization.load_pem_public_key(public_pem)
    except (ValueError, TypeError) as e:
        raise UsageError(f"not a PEM public key ({e})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError("the public key is not an Ed25519 key")
    try:
        key.verify(base64.b64decode(signature["value"]), signed_payload(checkpoint))
    except (InvalidSignature, ValueError, TypeError):
        raise UsageError(
            "the checkpoint's signature does not verify with this public key "
            "(wrong key, or the checkpoint file was altered)"
        ) from None


def parse_checkpoint(data: Any) -> dict[str, Any]:
    """Validate the shape of a checkpoint read from a file."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"not a summit checkpoint (expected format '{FORMAT}')")
    heads = data.get("negotiations")
    if not isinstance(heads, dict):
        raise UsageError("checkpoint has no 'negotiations' object")
    for slug, head in heads.items():
        if (
            not isinstance(head, dict)
            or not isinstance(head.get("version"), int)
            or not isinstance(head.get("digest"), str)
            or len(head["digest"]) != 64
        ):
            raise UsageError(f"checkpoint entry for '{slug}' is malformed")
    return data
