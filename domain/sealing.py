"""Where an import's checked rows go before the write: sealed, then spooled.

The application checks each line and hands the rows it makes to a sealer,
in order. A sealer finishes each row's state as eventsourcing's mapper
would (compressed, then encrypted when the store has a key) and writes the
rows to the import's spool, which `Summit._write` stores in one
transaction. The application's own sealer does this in its process; the
command line may give one that seals them in another (`cli/seal_ahead.py`).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import IO, Protocol
from uuid import UUID

# A row on its way to the spool: its state, and whether it is still to seal
# (a recorded event's plain JSON) or sealed already (by eventsourcing's mapper).
Pending = tuple[UUID, int, str, bytes, bool]


class Sealer(Protocol):
    """Seals an import's validated rows (compresses their state, encrypts it)
    and writes them to the import's spool, in the order given, as lists of
    (originator, version, topic, sealed state) rows pickled one after the
    other (what `Summit._write` reads)."""

    def put(self, rows: list[Pending]) -> None: ...

    def finish(self) -> bool:
        """Every row put is in the spool (False: not all, the attempt is redone
        with the rows sealed in this process)."""
        ...

    def close(self) -> None: ...


# Makes a sealer writing to the given spool, or gives None (then the rows are
# sealed in this process). Only for a store whose seal is `StateCompressor`
# alone: a sealer elsewhere knows no key.
SealerFactory = Callable[[IO[bytes]], Sealer | None]


class SealedHere:
    """The sealer of this process: each row sealed as it is put."""

    def __init__(self, spool: IO[bytes], seal: Callable[[bytes], bytes]) -> None:
        self.spool = spool
        self.seal = seal

    def put(self, rows: list[Pending]) -> None:
        seal = self.seal
        sealed = [(i, v, t, seal(s) if plain else s) for i, v, t, s, plain in rows]
        pickle.dump(sealed, self.spool, protocol=pickle.HIGHEST_PROTOCOL)

    def finish(self) -> bool:
        return True

    def close(self) -> None:
        pass


class Unsealed:
    """A dry run's: nothing is stored, so nothing is sealed or spooled."""

    def put(self, rows: list[Pending]) -> None:
        pass

    def finish(self) -> bool:
        return True

    def close(self) -> None:
        pass
