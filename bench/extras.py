"""Two rows a full run adds (not --quick): encryption at rest, writers at once.

Neither has a target; bench/encryption.py and bench/concurrent_writers.py
measure the same things in more detail, and the README's Encryption and
Sharing sections show their tables.
"""

from __future__ import annotations

import concurrent_writers
from kinds import Kind
from measure import SUMMIT, kilo, med, ms, summit, timed
from stores import WARM, events_file

WRITERS = 4
EVENTS = 50  # per writer


def encryption(kind: Kind, n: int, runs: int) -> None:
    """Import and cold `stance`: an encrypted store against the plain one."""
    key = kind.tmp / "bench.storekey"
    timed([SUMMIT, "store", "keygen", "--out", str(key)])
    secret = kind.fresh(f"encrypted_{n}")
    keyed = [SUMMIT, "--key", str(key), "--store", secret]
    imports = [timed([*keyed, "import", str(events_file(n))])[0]]
    plain, encrypted = [], []
    for _ in range(max(runs, 5)):
        plain.append(timed(summit(kind.points[kilo(n)], *WARM))[0])
        encrypted.append(timed([*keyed, *WARM])[0])
    row = (
        f"encrypted store of {kilo(n)} events: import / cold `stance`",
        f"{imports[0]:.1f} s (1 run) / {ms(med(encrypted))} ms",
        f"plain: {kind.imports[n]:.1f} s / {ms(med(plain))} ms",
        f"{imports[0] / kind.imports[n]:.2f}× / {med(encrypted) / med(plain):.2f}×",
        "—",
        "",
    )
    kind.target(row, True, None)
    kind.discard(secret)


def writers(kind: Kind) -> None:
    """WRITERS processes recording into one negotiation at once, against one."""
    runs = {}
    for count in (1, WRITERS):
        store = kind.fresh(f"writers_{count}")
        runs[count] = concurrent_writers.run(store, count, EVENTS)
        kind.discard(store)
    one, many = runs[1], runs[WRITERS]
    row = (
        f"{WRITERS} writers recording at once into one negotiation "
        f"({EVENTS} events each, one run)",
        f"{many['per_s']:.0f} ev/s ({many['retried']} conflicts retried, "
        f"{many['failed']} given up)",
        f"1 writer: {one['per_s']:.0f} ev/s",
        f"{many['per_s'] / one['per_s']:.2f}×",
        "—",
        "",
    )
    kind.target(row, True, None)
