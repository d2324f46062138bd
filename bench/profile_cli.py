"""Run one summit command under cProfile and write where its time goes.

    python bench/profile_cli.py OUT.txt [summit arguments...]
    python bench/profile_cli.py bench/out/profile-stance.txt \\
        --store bench/out/s.db stance bench-0000 -p p-main

Writes OUT.txt (the whole process, module loading included: the top
functions by own time, then by cumulative time) and OUT.json (the top list
bench/run.py puts in its report).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOP = 10
ROOT = Path(__file__).resolve().parents[1]
LOADING = ("<frozen importlib._bootstrap>", "_find_and_load")


def where(func: tuple[str, int, str]) -> str:
    """A function's short name: path from the package root, line, name."""
    path, line, name = func
    if path == "~":
        return name  # a built-in, e.g. <method 'execute' of 'sqlite3.Cursor'>
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    else:
        path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
        path = path.removeprefix(str(ROOT) + "/")
    return f"{path}:{line}({name})"


def top(stats: pstats.Stats, n: int = TOP) -> list[dict[str, Any]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:n]
    return [
        {"function": where(f), "calls": nc, "own": tt, "cumulative": ct}
        for f, (_cc, nc, tt, ct, _callers) in rows
    ]


def loading(stats: pstats.Stats) -> float:
    """Seconds spent loading modules (outermost imports, as pstats counts)."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(v[3] for (path, _, name), v in raw.items() if (path, name) == LOADING)


def shown(arg: str) -> str:
    """An argument as a reader can repeat it: temporary stores by name only."""
    if arg.startswith(tempfile.gettempdir()):
        return Path(arg).name
    return arg.removeprefix(str(ROOT) + "/")


def main() -> None:
    out = Path(sys.argv[1])
    sys.argv = ["summit", *sys.argv[2:]]
    profile = cProfile.Profile()
    code: Any = 0
    start = time.perf_counter()
    profile.enable()
    try:
        from cli.main import main as summit_main

        summit_main()
    except SystemExit as exit_:
        code = exit_.code
    finally:
        profile.disable()
    seconds = time.perf_counter() - start
    text = io.StringIO()
    text.write(f"summit {' '.join(sys.argv[1:])}\n{seconds:.2f} s, exit {code}\n")
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)
    out.write_text(text.getvalue())
    summary = {
        "command": [shown(a) for a in sys.argv[1:]],
        "seconds": seconds,
        "loading": loading(stats),
        "top": top(stats),
    }
    out.with_suffix(".json").write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
