"""User text made safe to show, and numbers shown as written, for every view.

A store written before input refused control characters may hold them (an
escape sequence in a quote can retitle or clear a terminal): every human view
shows them as visible `\\xNN` escapes instead of sending them to the screen.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080..U+009F).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# C1 controls are not escaped by json.dumps(ensure_ascii=False); C0 ones are.
C1 = re.compile("[\x7f-\x9f]")
C1_CHARS = tuple(map(chr, range(0x7F, 0xA0)))  # what C1 matches, one by one


def visible(text: str) -> str:
    """`text` with every control character but tab and newline as `\\xNN`."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def visible_all(data: Any) -> Any:
    """`data` (a view: dicts, lists, scalars) with every string made `visible`."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {visible_all(k): visible_all(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [visible_all(v) for v in data]
    return data


def json_safe(text: str) -> str:
    """JSON text with C1 controls written as `\\u00NN` escapes (still valid JSON)."""
    if text.isascii():  # no C1 control, and known without reading the text
        return text
    # One fast search a character (a memchr on most texts) is ten times
    # cheaper than the regex reading each character of a long answer.
    if not any(c in text for c in C1_CHARS):
        return text
    return C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def num(value: Any) -> str:
    """A share of GDP or a gap as written: `3.5`, `3` for 3.0, `1e-320`, never
    `%g`'s rounding (`9.99989e-321` for a subnormal 1e-320)."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)
