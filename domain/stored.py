"""The log's stored state: compressed with a fixed dictionary, read in any form.

Each event's state (eventsourcing's JSON) is compressed on its own with zlib
primed by ZDICT: the keys and words every summit event repeats, so a short
event shrinks to under half. A reader takes every form a store may hold:
plain JSON (stores written before compression: it starts with `{`), zlib
without a dictionary (an encrypted store's, before this one), and zlib with
ZDICT (the zlib header names its dictionary by its Adler-32 checksum).

ZDICT is part of the stored format: never change its bytes. A better one
would be added beside it (a new checksum) and the old one kept for reading.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from domain.canonical import compact_encoder, json_string

# Most frequent last: zlib reaches the end of the dictionary most cheaply.
ZDICT = (
    b'"changes":{"reason":"target":"record.corrected","record.retracted",'
    b'"signoff.recorded","body":"document":"signatories":"all","classified":false,'
    b'"reservations":{"proposal.revised","proposal.tabled","title":"by":"targets":'
    b'[{"metric":"spending.reported","year":"basis":"estimate","actual",'
    b'"negotiation.opened","summit_on":"venue":"parties":"nato","rule":"consensus",'
    b'"role":"venue":"conditions":"pledge.made","firmness":"commitment","ambition",'
    b'"pct_gdp":"by_year":20"metric":"core_defence","defence_related","total",'
    b'"position":{"proposal":"stance":"supports","conditional","undecided","opposes"},'
    b'"statement.made","actor":"speaker":"quote":"summary":"'
    b'"note":"source":{"outlet":"url":"https://www.","published_on":"20'
    b'"reliability":"official"},"on-record"},"reported"},"unconfirmed"}},'
    b'"recorded_by":"digest":"'
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"20'
    b'T00:00:00.000000+00:00"},"record":{"type":"'
    b'","negotiation":"","ref":"","occurred_on":"20'
)
ZDICT_ID = zlib.adler32(ZDICT)
LEVEL = 9  # events are short: the best level costs little more than the fastest
LEVEL_LARGE, LARGE = 3, 16_384  # a snapshot is long: there the best level is slow
_FDICT = 0x20  # zlib header flag: a preset dictionary follows (RFC 1950)


class UndecodableState(ValueError):
    """Stored state in no form summit writes (damage, or another program's)."""


# A short state is deflated in the smallest window that holds the dictionary
# and the state (deflate reaches back at most the window less 262 bytes):
# the same bytes as the full 32 KB window, whose header it keeps, made four
# times faster (zlib clears and fills a window's tables for each stream).
_HEADER = b"\x78\xf9" + ZDICT_ID.to_bytes(4, "big")  # 32 KB window, level 9, FDICT
_REACH = 262  # deflate's MIN_LOOKAHEAD: the window's bytes it cannot reach back


def compress_state(data: bytes) -> bytes:
    """One event's state as stored: zlib primed with ZDICT."""
    if len(data) >= LARGE:
        packer = zlib.compressobj(LEVEL_LARGE, zdict=ZDICT)
        return packer.compress(data) + packer.flush()
    bits = max(9, (len(ZDICT) + len(data) + _REACH - 1).bit_length())
    if bits >= 15:
        packer = zlib.compressobj(LEVEL, zdict=ZDICT)
        return packer.compress(data) + packer.flush()
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -bits, zdict=ZDICT)
    body = packer.compress(data) + packer.flush()
    return _HEADER + body + zlib.adler32(data).to_bytes(4, "big")


def plain_state(state: bytes | bytearray | memoryview) -> bytes:
    """The JSON of one stored state, whichever form it was stored in."""
    data = bytes(state)
    if data[:1] == b"{":
        return data
    try:
        if len(data) >= 6 and data[1] & _FDICT:
            if int.from_bytes(data[2:6], "big") != ZDICT_ID:
                raise UndecodableState("compressed with an unknown dictionary")
            unpacker = zlib.decompressobj(zdict=ZDICT)
            plain = unpacker.decompress(data) + unpacker.flush()
            if not unpacker.eof:
                raise UndecodableState("compressed state is cut short")
            return plain
        return zlib.decompress(data)
    except zlib.error as e:
        raise UndecodableState(f"neither JSON nor compressed JSON ({e})") from None


def state_json(state: bytes | bytearray | memoryview) -> dict[str, Any]:
    """One stored state (not encrypted) decoded: timestamp, record, recorded_by..."""
    try:
        data = json.loads(plain_state(state).decode("utf-8"))
    except UnicodeDecodeError as e:
        raise UndecodableState(f"stored state is not UTF-8 ({e.reason})") from None
    except json.JSONDecodeError as e:
        raise UndecodableState(f"stored state is not JSON ({e.msg})") from None
    if not isinstance(data, dict):
        raise UndecodableState("stored state is not a JSON object")
    return data


_ENCODE = compact_encoder(sort_keys=False)


def recorded_state(
    recorded_at: str, record: dict[str, Any], recorded_by: str, digest: str
) -> bytes:
    """The state eventsourcing's mapper stores for a recorded event (before
    compression): its JSON transcoder's text of the event's attributes in
    their order, the timestamp as its `datetime_iso` transcoding. Built here
    from values already at hand, it saves making and transcoding an event
    object per record (a test compares it with the mapper's, every type).
    The time (ISO 8601) and the digest (hex) are their own JSON text in quotes."""
    return (
        f'{{"timestamp":{{"_type_":"datetime_iso","_data_":"{recorded_at}"}},'
        f'"record":{_ENCODE(record)},"recorded_by":{json_string(recorded_by)},'
        f'"digest":"{digest}"}}'
    ).encode()


class StateCompressor:
    """eventsourcing's compressor for summit stores (COMPRESSOR_TOPIC): it
    has the two methods eventsourcing's `Compressor` asks for, without the
    base class, so that reading a stored state (every query, through
    `domain.book`) does not load eventsourcing."""

    def compress(self, data: bytes) -> bytes:
        return compress_state(data)

    def decompress(self, data: bytes) -> bytes:
        return plain_state(data)


COMPRESSOR_TOPIC = f"{__name__}:StateCompressor"
