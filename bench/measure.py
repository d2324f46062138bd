"""Timing whole processes, and the figures bench/run.py prints from them."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SUMMIT = str(Path(PY).with_name("summit"))

# As on a user's machine after `pip install`: compiled bytecode is used (some
# sandboxes set PYTHONDONTWRITEBYTECODE, which makes every start recompile).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# measure, summit (spread), baseline (same run), ratio, target, met
Row = tuple[str, str, str, str, str, str]


def summit(store: str, *args: str) -> list[str]:
    return [SUMMIT, "--store", store, *args]


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=ENV)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    return seconds, proc.stdout.decode()


def peak_rss(cmd: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one process (its own, not the children's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode()[-2000:]}")
    return time.perf_counter() - start, usage.ru_maxrss


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def spread(xs: list[float], scale: float = 1.0, unit: str = "s") -> str:
    fmt = "{:.0f}" if unit == "ms" else "{:.2f}"
    if len(xs) == 1:
        return "1 run"
    return f"{fmt.format(min(xs) * scale)}–{fmt.format(max(xs) * scale)} {unit}"


def ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def kilo(n: int) -> str:
    """20000 -> 20k, 2000000 -> 2M (the scale points' short names)."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n / 1000:g}k" if n >= 1000 else str(n)
