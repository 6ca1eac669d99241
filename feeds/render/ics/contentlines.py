"""RFC 5545 content lines: TEXT escaping and line folding, on bytes.

The writer (:mod:`feeds.render.ics`), the reminder events and the selections all write
content lines through these, so every line is escaped and folded one way (the way
icalendar does, less its two faults described below; pinned equal to icalendar in
``tests/serve/test_fast_paths.py``).
"""

from __future__ import annotations


def text(value: str) -> str:
    """RFC 5545 TEXT escaping, as icalendar does it but for one thing: icalendar first
    turns a written backslash-N into a line break (``C:\\New`` became ``C:`` and ``ew``
    on a new line); here the backslash is escaped like any other."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


#: Octets of content in each part of a folded line (a continuation adds its leading space).
_FOLD_AT = 74


def fold(line: str) -> bytes:
    """A content line as UTF-8, folded as icalendar folds it, escapes kept whole.

    icalendar breaks a line before the character that would bring a part to 75
    octets (so every part, continuation space included, stays within 75),
    never inside a UTF-8 sequence, and moves a trailing caret to the next part.
    It moves a trailing backslash too, even when that backslash closes an
    escaped one (``\\\\``), which splits the very escape it meant to keep
    whole (icalendar 7.3.2; Google is strict about split escapes, see
    docs/compatibility.md).
    Here a backslash moves only when it opens an escape: when the run of
    backslashes it ends is odd. This works on the bytes instead of one
    character at a time.
    """
    data = line.encode("utf-8")
    size = len(data)
    if size <= _FOLD_AT:
        return data
    parts = []
    start = 0
    while size - start > _FOLD_AT:
        cut = start + _FOLD_AT
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's start
            cut -= 1
        if data[cut - 1] == 0x5E and cut - 1 > start:  # "^" ends the part
            cut -= 1
        elif data[cut - 1] == 0x5C and cut - 1 > start:  # "\\" ends it: does it open an escape?
            run = cut - 1
            while run > 0 and data[run - 1] == 0x5C:
                run -= 1
            cut -= (cut - run) % 2
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def refold(data: bytes) -> bytes:
    """icalendar's output folded again with :func:`fold`, so that no escape is split."""
    lines = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    return b"\r\n".join(map(fold, lines))
