"""Reading a JSON Lines input (SPEC §2): one record a line, every problem found.

Bytes are decoded one line at a time, so a byte that is not UTF-8 is reported
at its own line; a leading byte-order mark is accepted; a key given twice in
one object is refused; each decoded object is validated by the interchange
models.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from domain.errors import InvalidInput, Problem
from domain.interchange import Line, record_problems


def parse_lines(stream: Iterable[bytes] | Iterable[str], source: str) -> Iterator[Line]:
    """Yield each valid record's Line; raise every problem found at the end.

    The stream is read line by line (bytes are decoded one line at a time,
    so a bad byte is reported at its own line; a leading BOM is accepted).
    Valid lines are yielded even after a problem, so that the rules that
    depend on what came before are still checked against them.
    """
    problems: list[Problem] = []
    raws: Iterable[bytes | str] = stream
    for number, raw in enumerate(raws, start=1):
        text, found = _line_text(raw, number)
        if text is None:
            problems.extend(found)
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        data, found = decode_json(stripped)
        record = None
        if not found:
            record, found = record_problems(data)
        if found:
            problems.extend(Problem(p.field, p.reason, number) for p in found)
            continue
        assert record is not None
        yield Line(number, record)
    if problems:
        raise InvalidInput(problems, source)


def _line_text(raw: bytes | str, number: int) -> tuple[str | None, list[Problem]]:
    """One line as text (a leading BOM dropped), or the problem with its bytes."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            byte = raw[e.start]
            reason = f"not UTF-8 text (byte 0x{byte:02x} at column {e.start + 1})"
            return None, [Problem("", reason, number)]
    if number == 1 and raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw, []


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)  # made in C; a key given twice leaves it shorter
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)  # made once, not a line


def _lone_surrogate(value: Any, path: str) -> tuple[str, str] | None:
    """Where `value` holds a string with half a surrogate pair (a `\\ud800`
    escape alone: JSON that decodes to no Unicode text), as (field, reason)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            half = f"\\u{ord(value[e.start]):04x}"
            return (
                path or "json",
                f"{half} at position {e.start + 1} is half a surrogate pair, not text",
            )
        return None
    items: Any = ()
    if isinstance(value, dict):
        for key in value:  # a key is named by its object (it cannot be shown)
            found = _lone_surrogate(key, path or "json")
            if found is not None:
                return found[0], f"a key: {found[1]}"
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    for where, item in items:
        found = _lone_surrogate(item, where)
        if found is not None:
            return found
    return None


def decode_json(text: str) -> tuple[Any, list[Problem]]:
    """One JSON value, or the problem: bad JSON, a key given twice, too deep,
    a lone surrogate."""
    try:
        value = _DECODER.decode(text)
        if "\\ud" in text or "\\uD" in text:  # an escape may be half a pair
            where = _lone_surrogate(value, "")
            if where is not None:
                return None, [Problem(*where)]
        return value, []
    except _DuplicateKey as e:
        return None, [Problem(str(e.args[0]), "is given twice in one object")]
    except json.JSONDecodeError as e:
        return None, [Problem("json", f"not valid JSON ({e.msg})")]
    except ValueError:  # an integer too long to convert
        return None, [Problem("json", "not valid JSON (a number too long to read)")]
    except RecursionError:
        return None, [Problem("json", "not valid JSON (nested too deeply)")]
