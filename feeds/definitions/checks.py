"""The base of the builder: located problems, and checks of plain fields.

A :class:`Checks` collects :class:`~feeds.errors.Problem` for one file, each at
the line of the key it is about; its methods read text, slugs (ids used in
URLs), URLs and zone names, reporting what is wrong and returning a harmless
value ("" or None) so validation can go on and report everything at once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from feeds import tz
from feeds.definitions.values import parse_offset
from feeds.definitions.yamlsource import Located
from feeds.errors import Problem

#: Longest text, in characters: descriptions; every other text field; URLs.
MAX_DESCRIPTION = 10_000
MAX_TEXT = 1_000
MAX_URL = 2_000
#: Most tags an event, or a calendar, may have.
MAX_TAGS = 50
#: Control characters refused in text: C0 except TAB and LF (so CR too), DEL, and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {
    "\r": "carriage return",
    "\x1b": "escape",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x85": "next line",
    "\x00": "NUL",
}

#: Matched with fullmatch, never match: "$" would let a final newline through ("abc\n").
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
URL_PATTERN = re.compile(r"https?://[^\s/$.?#][^\s]*", re.I)


@dataclass
class Context:
    """Where we are, so every problem can name its place."""

    mapping: Located
    event: str | None


class Checks:
    """Problems of one file, and the checks of single fields."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        #: Occurrences of the calendar's events so far (see feeds.definitions.repeats).
        self.occurrences = 0

    # problems -------------------------------------------------------------

    def problem(self, ctx: Context, key: str | None, message: str, hint: str = "") -> None:
        line = ctx.mapping.line_of(key) if key else ctx.mapping.line
        self.problems.append(Problem(self.path, line, message, hint, ctx.event))

    def warn(self, ctx: Context, key: str | None, message: str, hint: str = "") -> None:
        line = ctx.mapping.line_of(key) if key else ctx.mapping.line
        self.problems.append(Problem(self.path, line, message, hint, ctx.event, "warning"))

    def unknown_keys(self, ctx: Context, allowed: tuple[str, ...], what: str) -> None:
        for key in ctx.mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?" if close else f"{what} keys are: {', '.join(allowed)}"
            )
            self.problem(ctx, key, f"unknown key '{key}'", hint)

    # values ---------------------------------------------------------------

    def text(self, ctx: Context, key: str, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = ctx.mapping.get(key)
        if value is None:
            if required:
                self.problem(ctx, None, f"'{key}' is missing", f"add '{key}: ...'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            self.problem(ctx, key, f"'{key}' must be text", f"write '{key}' as text (quote it)")
            return ""
        text = str(ctx.mapping.as_written(key)).strip()  # 010 stays 010, not 8
        if required and not text:
            self.problem(ctx, key, f"'{key}' is empty", f"give '{key}' a value")
        return self.clean(ctx, key, text, limit)

    def clean(self, ctx: Context, key: str, text: str, limit: int = MAX_TEXT) -> str:
        """``text`` if it has no control character and fits ``limit``; else a problem and ""."""
        bad = _CONTROL.search(text)
        if bad:
            char = bad.group()
            name = f" ({_CONTROL_NAMES[char]})" if char in _CONTROL_NAMES else ""
            self.problem(
                ctx,
                key,
                f"'{key}' contains the control character U+{ord(char):04X}{name} "
                f"at character {bad.start() + 1}",
                "remove it: text may hold tabs and line breaks but no other control characters",
            )
            return ""
        open_at = unbalanced_bidi(text)
        if open_at is not None:
            self.problem(
                ctx,
                key,
                f"'{key}' opens a right-to-left or left-to-right override or isolate "
                f"(U+{ord(text[open_at]):04X} at character {open_at + 1}) it does not close",
                "close it on the same line (U+202C ends an override or embedding, U+2069 "
                "an isolate) or remove it: it would reverse the text shown after it",
            )
            return ""
        if len(text) > limit:
            self.problem(
                ctx,
                key,
                f"'{key}' is {len(text):,} characters long, over the limit of {limit:,}",
                "shorten it (link to a page for the details)",
            )
            return ""
        return text

    def slug(self, ctx: Context, key: str, value: object, what: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(ctx, key, f"{what} must be text", "quote it, e.g. id: 'keynote-1'")
            return ""
        # a plain number keeps its text as written: quoting it later must not change a UID
        text = str(ctx.mapping.as_written(key) if ctx.mapping.get(key) is value else value)
        if not _SLUG.fullmatch(text):
            self.problem(
                ctx,
                key,
                f"{what} '{text}' cannot be used in a URL",
                "use letters, digits, '-', '_' or '.', starting with a letter or digit",
            )
            return ""
        return text

    def busy(self, ctx: Context) -> bool | None:
        """``busy: true`` (blocks time) or ``busy: false`` (shows as free); None: the default."""
        if "busy" not in ctx.mapping:
            return None
        raw = ctx.mapping["busy"]
        if isinstance(raw, bool):
            return raw
        self.problem(
            ctx,
            "busy",
            f"busy must be true or false, not {'nothing' if raw is None else repr(raw)}",
            "write busy: true (the event blocks time) or busy: false (it shows as free), "
            "without quotes; leave it out for the kind's default",
        )
        return None

    def url(self, ctx: Context, key: str) -> str:
        text = self.text(ctx, key, limit=MAX_URL)
        if text and not URL_PATTERN.fullmatch(text):
            self.problem(
                ctx,
                key,
                f"'{key}' is not an http(s) URL: '{text}'",
                "write a full https://... address",
            )
            return ""
        return text

    def calendar_tags(self, ctx: Context) -> tuple[str, ...]:
        """The calendar's ``tags``: slugs, lower-cased (``ML`` is the tag ``ml``, one URL).

        Each names the feeds ``/feeds/tags/<tag>.ics``; a tag given twice, in any case,
        is refused at the line, as two spellings of one URL.
        """
        raw = ctx.mapping.get("tags")
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.problem(
                ctx,
                "tags",
                "'tags' must be a list of tags",
                "write tags: [machine-learning, computer-vision]",
            )
            return ()
        if len(raw) > MAX_TAGS:
            self.problem(
                ctx,
                "tags",
                f"{len(raw)} tags is over the limit of {MAX_TAGS}",
                "keep the few areas the calendar belongs to",
            )
            return ()
        out: dict[str, str] = {}  # the tag -> as written
        for item in raw:
            slug = self.group_slug(ctx, "tags", item, "tag")
            if not slug:
                return ()
            if slug in out:
                same = "" if out[slug] == str(item) else f" (as '{out[slug]}': tags ignore case)"
                self.problem(
                    ctx,
                    "tags",
                    f"tag '{item}' is listed twice{same}",
                    "list each tag once; its feed is /feeds/tags/" + slug + ".ics",
                )
                return ()
            out[slug] = str(item)
        return tuple(out)

    def series(self, ctx: Context) -> str:
        """The calendar's ``series``: one slug, lower-cased (``/feeds/series/<series>.ics``)."""
        raw = ctx.mapping.get("series")
        if raw is None:
            return ""
        if isinstance(raw, list | Located):
            self.problem(
                ctx,
                "series",
                "'series' must be one name, not a list or a mapping",
                "write series: icml (a calendar is an edition of one series)",
            )
            return ""
        return self.group_slug(ctx, "series", raw, "series")

    def group_slug(self, ctx: Context, key: str, value: object, what: str) -> str:
        """A tag or series name: a slug (full match), lower-cased; "" and a problem if not."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(
                ctx,
                key,
                f"{what} {value!r} is not a name",
                f"write the {what} as a word such as machine-learning (quote it if YAML reads "
                "it as something else)",
            )
            return ""
        return self.slug(ctx, key, value, what).lower()

    def zone(self, ctx: Context, key: str, name: object) -> str | None:
        if isinstance(name, int) and not isinstance(name, bool):  # timezone: -8
            self.problem(
                ctx,
                key,
                f"time zone {name} is a number, not a zone name",
                tz.suggest(f"{name:+d}"),
            )
            return None
        if not isinstance(name, str) or not name.strip():
            self.problem(
                ctx,
                key,
                f"time zone {name!r} is not a zone name",
                "use an IANA name such as 'Asia/Seoul'",
            )
            return None
        offset = parse_offset(name.strip())
        if offset is not None and name.strip() != "Z":
            self.problem(
                ctx,
                key,
                f"'{name}' is a bare offset, not a time zone",
                tz.suggest(name),
            )
            return None
        canonical = tz.canonical(name)
        if canonical is None:
            self.problem(ctx, key, *tz.refusal(name))
        return canonical


#: Bidirectional controls that open a run (embeddings and overrides; isolates) and close it.
_BIDI_EMBED, _BIDI_POP = "\u202a\u202b\u202d\u202e", "\u202c"
_BIDI_ISOLATE, _BIDI_POP_ISOLATE = "\u2066\u2067\u2068", "\u2069"


def unbalanced_bidi(text: str) -> int | None:
    """Where a bidi override, embedding or isolate opens that its line does not close, or None.

    An unclosed U+202E (right-to-left override) in a title reverses whatever a page or a
    calendar app shows after it. A line break ends every run (Unicode's bidi algorithm), so
    each line must close what it opens; a stray closer does nothing and is allowed.
    """
    if not any(c in text for c in _BIDI_EMBED + _BIDI_ISOLATE):
        return None
    opened: list[int] = []
    for index, char in enumerate(text):
        if char in _BIDI_EMBED or char in _BIDI_ISOLATE:
            opened.append(index)
        elif char == _BIDI_POP:
            if opened and text[opened[-1]] in _BIDI_EMBED:
                opened.pop()
        elif char == _BIDI_POP_ISOLATE:
            while opened and text[opened[-1]] in _BIDI_EMBED:
                opened.pop()  # closing an isolate closes the embeddings inside it
            if opened:
                opened.pop()
        elif char in "\n\u2029":
            if opened:
                return opened[0]
    return opened[0] if opened else None
