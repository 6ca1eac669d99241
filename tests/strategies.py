"""Hypothesis strategies: definition documents, valid and hostile, with what each one means.

:func:`documents` draws a calendar definition as YAML text together with the
*intent* of every event: the UTC instants (or dates) of each occurrence, worked
out here independently of the package (the ``tzdata`` zone files through
:mod:`zoneinfo`, :mod:`dateutil.rrule` for repeats), and whether the event must
be refused (a wall time skipped or repeated by daylight saving, a year out of
range, a control character, an end before its start). :func:`hostile_documents`
adds damage: random keys and values, wrong types, deleted and renamed keys,
duplicate ids, junk text and bytes. Its documents have no intent; the property
for them is only "valid and consistent, or refused with located errors".

Times are drawn near the daylight-saving transitions of each zone as well as
anywhere in the supported years, in every form the README accepts.
"""

from __future__ import annotations

import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache

import pytz
import yaml
from dateutil import rrule
from hypothesis import strategies as st

from feeds.definitions import loader

#: Zones drawn. The time zone database of this machine (icalendar reads TZIDs with it)
#: and the one pytz carries agree on these from 1970 to 2037; zones whose rules changed
#: lately (Casablanca, Tehran, Havana) would make the parsers disagree for that reason
#: alone. Lord Howe moves by 30 minutes, Dublin has "negative" DST, Chatham is +12:45,
#: Santiago changes at midnight, Apia skipped a day.
#: Fixed offsets as people write them, and the offset each means (the human sign; the
#: inverted one of Etc/GMT): written as UTC instants, like AoE.
FIXED = {
    "UTC-8": timedelta(hours=-8),
    "GMT+5:45": timedelta(hours=5, minutes=45),
    "UTC+05:30": timedelta(hours=5, minutes=30),
    "UTC\u22123": timedelta(hours=-3),
    "Etc/GMT+5": timedelta(hours=-5),
    "UTC+14": timedelta(hours=14),
}
ZONES = (
    "Asia/Seoul",
    "UTC",
    "AoE",
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Asia/Kathmandu",
    "Europe/Lisbon",
    *FIXED,
)
FIRST = datetime(loader.MIN_YEAR, 1, 2)
LAST = datetime(loader.MAX_YEAR, 12, 30)

#: Text meant to break iCalendar, YAML or pages: it must come back exactly.
HOSTILE_TEXT = (
    "\nEND:VEVENT\nBEGIN:VEVENT\nUID:injected@evil",
    "\nBEGIN:VALARM\nTRIGGER:-PT5M\nEND:VALARM",
    "DTSTART:19700101T000000Z",
    "SUMMARY;LANGUAGE=en:spoof",
    ";X-INJECTED=1:",
    "\\n\\, \\; \\\\",
    "C:\\New\\Folder \\N",
    ", ; : \\",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% raw %}",
    "학회 일정 — 서울 코엑스",
    "😀👩‍👩‍👧‍👦🇰🇷",
    "é" * 40,
    "한" * 30,
    "\u200b\u200d\ufeff",
    "\u2028\u2029",
    "\t tab",
    "  padded  ",
)
#: Control characters (CR among them): the loader must refuse text holding one. (NEL,
#: U+0085, is left out: PyYAML writes it raw and reads it back as a line break.)
CONTROL_TEXT = (
    "\r\nEND:VEVENT\r\nBEGIN:VALARM\r\nACTION:DISPLAY",
    "\rEND:VCALENDAR",
    "\x00",
    "\x07",
    "\x1b[2J",
    "\x7f",
    "\x9b",
    "\x0c",
)
SAFE_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))


class Raw(str):
    """A scalar written plain, so YAML reads it as it would in a hand-written file."""


class _Dumper(yaml.SafeDumper):
    pass


def _raw(dumper: yaml.SafeDumper, value: Raw) -> yaml.ScalarNode:
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value))


_Dumper.add_representer(Raw, _raw)


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


# -- what a definition means, worked out without the package ------------------------------


@cache
def tz(zone: str):
    if zone == "AoE":
        return timezone(timedelta(hours=-12))
    if zone == "UTC":
        return UTC
    if zone in FIXED:
        return timezone(FIXED[zone])
    try:  # the tzdata package: the same release as pytz's tables
        with (
            importlib.resources.files("tzdata.zoneinfo").joinpath(*zone.split("/")).open("rb") as f
        ):
            return zoneinfo.ZoneInfo.from_file(f, key=zone)
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover
        return zoneinfo.ZoneInfo(zone)


def wall_status(wall: datetime, zone: str) -> str:
    """ "ok", "nonexistent" (skipped by a transition) or "ambiguous" (repeated)."""
    zone_info = tz(zone)
    first = wall.replace(tzinfo=zone_info, fold=0)
    second = wall.replace(tzinfo=zone_info, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone_info).replace(tzinfo=None)
        return "ambiguous" if back == wall else "nonexistent"
    return "ok"


def to_utc(wall: datetime, zone: str) -> datetime:
    return wall.replace(tzinfo=tz(zone)).astimezone(UTC)


def to_wall(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(tz(zone)).replace(tzinfo=None)


@dataclass
class Intent:
    """What one event means: its occurrences, or that it must be refused (and why)."""

    id: str
    kind: str  # "timed", "allday" or "deadline"
    occurrences: list[tuple] = field(default_factory=list)  # (start, end): UTC or dates
    title: str = ""
    refuse: str = ""  # why the loader must refuse the event, when it must

    @property
    def valid(self) -> bool:
        return not self.refuse


@dataclass
class Document:
    text: str | bytes
    intents: list[Intent] | None = None  # None: meaning unknown (damaged document)
    refuse: str = ""  # why the whole calendar must be refused, when it must

    @property
    def valid(self) -> bool:
        return self.intents is not None and not self.refuse and all(i.valid for i in self.intents)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def text_refusal(text: str) -> str:
    return "control character" if _CONTROL.search(text.strip()) else ""


# -- values ---------------------------------------------------------------------------------


@cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """Wall times (in the offset before) of the zone's transitions in the supported years."""
    if zone in ("UTC", "AoE", *FIXED):
        return ()
    pz = pytz.timezone(zone)
    times = getattr(pz, "_utc_transition_times", [])
    infos = getattr(pz, "_transition_info", [])
    out = []
    for i in range(1, len(times)):
        if FIRST < times[i] < LAST:
            out.append(times[i] + infos[i - 1][0])
    return tuple(out)


def wall_times(zone: str) -> st.SearchStrategy[datetime]:
    """Wall-clock times, many within two hours of a transition of ``zone``."""
    anywhere = st.datetimes(min_value=FIRST, max_value=LAST).map(
        lambda d: d.replace(second=0, microsecond=0)
    )
    soon = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
        lambda d: d.replace(minute=d.minute // 15 * 15, second=0, microsecond=0)
    )
    choices = [anywhere, soon]
    near = transitions(zone)
    if near:
        choices.append(
            st.tuples(st.sampled_from(near), st.integers(-150, 150)).map(
                lambda t: (t[0] + timedelta(minutes=t[1])).replace(second=0, microsecond=0)
            )
        )
    return st.one_of(*choices)


def written_time(draw, wall: datetime, suffix: str | None = None) -> object:
    """``wall`` in one of the forms the README accepts."""
    if suffix:
        sep = draw(st.sampled_from([" ", "T"]))
        return Raw(f"{wall:%Y-%m-%d}{sep}{wall:%H:%M} {suffix}")
    form = draw(st.sampled_from(["datetime", "space", "T", "seconds"]))
    if form == "datetime":
        return wall  # YAML writes 2026-07-10 08:00:00 and reads a datetime back
    if form == "space":
        return Raw(f"{wall:%Y-%m-%d %H:%M}")
    if form == "T":
        return Raw(f"{wall:%Y-%m-%dT%H:%M}")
    return Raw(f"{wall:%Y-%m-%d %H:%M:%S}")


def written_duration(draw, minutes: int) -> object:
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    forms = []
    if not days:
        forms.append(f"{minutes}m")
        forms.append(f"PT{hours}H{mins}M" if hours else f"PT{mins}M")
        if hours and mins:
            forms.append(f"{hours}h{mins}m")
        elif hours and not mins:
            forms.append(f"{hours}h")
    else:
        forms.append(f"{days}d{hours}h{mins}m")
        forms.append(f"P{days}DT{hours}H{mins}M")
    return Raw(draw(st.sampled_from(forms)))


@st.composite
def texts(draw, max_parts: int = 4, controls: bool = True) -> str:
    """Text with hostile pieces; one in 60 also holds a control character."""
    part = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(SAFE_ALPHABET, max_size=12))
    parts = draw(st.lists(part, min_size=1, max_size=max_parts))
    if controls and draw(st.integers(0, 59)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(CONTROL_TEXT)))
    return "".join(parts)


def words() -> st.SearchStrategy[str]:
    return st.text(st.characters(categories=("Ll", "Lu", "Nd", "Lo")), min_size=1, max_size=10)


ids = st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,11}\Z")
urls = st.one_of(
    st.just("https://icml.cc/"),
    st.from_regex(r"\Ahttps://[a-z]{1,8}\.example/[a-zA-Z0-9/_?=&%-]{0,20}\Z"),
    st.just("https://example.org/a?b=1&c=<x>\"'"),
)


# -- events -----------------------------------------------------------------------------------


def _wall_refusal(walls: list[datetime], zone: str) -> str:
    for wall in walls:
        if not loader.MIN_YEAR <= wall.year <= loader.MAX_YEAR:
            return "year"
        if zone not in ("UTC", "AoE", *FIXED):
            status = wall_status(wall, zone)
            if status != "ok":
                return status
    return ""


@st.composite
def repeats(draw, first: date, timed: bool):
    """A ``repeat`` mapping and the dates it yields (before exceptions), or (None, [first])."""
    if not draw(st.integers(0, 3)) == 0:
        return None, [first], []
    weekly = draw(st.booleans())
    interval = draw(st.integers(1, 3))
    spec: dict = {
        "every": draw(st.sampled_from(["week", "weekly"] if weekly else ["day", "daily"]))
    }
    if interval != 1:
        spec["interval"] = interval
    rule = {"freq": rrule.WEEKLY if weekly else rrule.DAILY, "interval": interval, "dtstart": first}
    if weekly and draw(st.booleans()):
        days = sorted(set(draw(st.lists(st.integers(0, 6), max_size=3))) | {first.weekday()})
        spec["on"] = [("mo", "tu", "we", "th", "fr", "sa", "su")[d] for d in days]
        rule["byweekday"] = days
        rule["wkst"] = rrule.MO
    if draw(st.booleans()):
        count = draw(st.integers(1, 12))
        spec["count"] = count
        rule["count"] = count
    else:
        until = first + timedelta(days=draw(st.integers(0, 40)))
        spec["until"] = until
        rule["until"] = until
    dates = [d.date() for d in rrule.rrule(**rule)]
    excepted: list[date] = []
    if len(dates) > 1 and draw(st.booleans()):
        excepted = sorted(set(draw(st.lists(st.sampled_from(dates[1:]), max_size=3))))
        spec["except"] = excepted
    return spec, dates, excepted


@st.composite
def timed_events(draw, eid: str, cal_zone: str):
    data: dict = {}
    mode = draw(st.sampled_from(["calendar", "key", "suffix", "suffix", "offset"]))
    zone = cal_zone if mode in ("calendar", "offset") else draw(st.sampled_from(ZONES))
    if mode == "key":
        data["timezone"] = zone
    start_wall = draw(wall_times(zone))
    if mode == "offset":
        offset = timedelta(minutes=draw(st.sampled_from([0, 540, -720, 345, -210, 60])))
        instant = to_utc(start_wall, zone) if wall_status(start_wall, zone) == "ok" else None
        if instant is None:
            instant = start_wall.replace(tzinfo=UTC)
        shown = (instant + offset).replace(tzinfo=None)
        sign = "+" if offset >= timedelta(0) else "-"
        hh, mm = divmod(abs(int(offset.total_seconds())) // 60, 60)
        data["start"] = Raw(f"{shown:%Y-%m-%dT%H:%M}{sign}{hh:02d}:{mm:02d}")
        start_wall = to_wall(instant, zone)
    else:
        data["start"] = written_time(draw, start_wall, zone if mode == "suffix" else None)
    refuse = _wall_refusal([start_wall], zone)
    end_mode = draw(st.sampled_from(["clock", "datetime", "datetime", "duration"]))
    if draw(st.integers(0, 9)) == 0:
        minutes = draw(st.integers(-120, 0))
    else:
        minutes = draw(st.one_of(st.integers(1, 12 * 60), st.integers(1, 4 * 24 * 60)))
    if end_mode == "duration":
        if minutes <= 0:
            minutes = 1 - minutes
        data["duration"] = written_duration(draw, minutes)
        length = timedelta(minutes=minutes)
        end_wall = None
    else:
        end_wall = start_wall + timedelta(minutes=minutes)
        if end_mode == "clock" and end_wall.date() != start_wall.date() and draw(st.integers(0, 4)):
            end_mode = "datetime"  # mostly: a clock time alone cannot cross midnight
        if end_mode == "clock":
            end_wall = datetime.combine(start_wall.date(), end_wall.time())
            data["end"] = Raw(f"{end_wall:%H:%M}")
        elif mode == "suffix" and draw(st.booleans()):
            # the end in another zone than the start: it means that zone's instant
            other = draw(st.sampled_from(ZONES))
            if _wall_refusal([end_wall], zone):
                refuse = refuse or _wall_refusal([end_wall], zone)
            else:
                other_wall = to_wall(to_utc(end_wall, zone), other)
                data["end"] = written_time(draw, other_wall, other)
                refuse = refuse or _wall_refusal([other_wall], other)
        else:
            data["end"] = written_time(draw, end_wall, zone if mode == "suffix" else None)
        refuse = refuse or _wall_refusal([end_wall], zone)
        length = None
    spec, dates, excepted = draw(repeats(start_wall.date(), timed=True))
    if spec is not None:
        data["repeat"] = spec
    occurrences = []
    if not refuse:
        start_utc = to_utc(start_wall, zone)
        if end_wall is not None:
            end_utc = to_utc(end_wall, zone)
            if end_utc <= start_utc:
                refuse = "end not after start"
        else:
            end_utc = start_utc + length
            end_wall = to_wall(end_utc, zone)
            if end_utc.year > loader.MAX_YEAR:
                refuse = "year"
        if dates[-1].year > loader.MAX_YEAR:
            refuse = refuse or "year"
        for day in dates:
            if day in excepted:
                continue
            shift = day - start_wall.date()
            problem = _wall_refusal([start_wall + shift, end_wall + shift], zone)
            if problem:
                refuse = refuse or problem
            else:
                begin = to_utc(start_wall + shift, zone)
                if to_utc(end_wall + shift, zone) - begin != end_utc - start_utc:
                    refuse = refuse or "occurrence spans a change of the clocks"
                occurrences.append((begin, begin + (end_utc - start_utc)))
    return data, Intent(eid, "timed", occurrences, refuse=refuse)


@st.composite
def all_day_events(draw, eid: str):
    first = draw(
        st.dates(min_value=date(loader.MIN_YEAR, 1, 1), max_value=date(loader.MAX_YEAR, 11, 1))
    )
    data: dict = {"start": first}
    span = -1 if draw(st.integers(0, 19)) == 0 else draw(st.integers(0, 6))
    last = first + timedelta(days=max(span, 0))
    refuse = ""
    if span == -1:
        data["end"] = first - timedelta(days=1)
        refuse = "end before start"
    elif span or draw(st.booleans()):
        data["end"] = last
    spec, dates, excepted = draw(repeats(first, timed=False))
    if spec is not None:
        data["repeat"] = spec
    length = last - first + timedelta(days=1)
    if dates and dates[-1] + length - timedelta(days=1) > date(loader.MAX_YEAR, 12, 31):
        refuse = refuse or "year"
    occurrences = [(d, d + length) for d in dates if d not in excepted]
    return data, Intent(eid, "allday", occurrences, refuse=refuse)


@st.composite
def deadlines(draw, eid: str, cal_zone: str):
    zone = draw(st.sampled_from(("AoE", "AoE", "UTC", *ZONES)))
    day = draw(
        st.dates(min_value=date(loader.MIN_YEAR, 1, 2), max_value=date(loader.MAX_YEAR, 12, 30))
    )
    data: dict = {}
    if draw(st.booleans()):
        wall = datetime.combine(day, time(23, 59))
        data["due"] = day
        data["timezone"] = zone
    else:
        wall = draw(wall_times(zone))
        if draw(st.booleans()):
            data["due"] = written_time(draw, wall, zone)
        else:
            data["due"] = written_time(draw, wall)
            data["timezone"] = zone
    refuse = _wall_refusal([wall], zone)
    occurrences = [] if refuse else [(to_utc(wall, zone), None)]
    return data, Intent(eid, "deadline", occurrences, refuse=refuse)


@st.composite
def events(draw, eid: str, cal_zone: str, controls: bool = True):
    which = draw(st.sampled_from(["timed", "timed", "allday", "deadline"]))
    if which == "timed":
        data, intent = draw(timed_events(eid, cal_zone))
    elif which == "allday":
        data, intent = draw(all_day_events(eid))
    else:
        data, intent = draw(deadlines(eid, cal_zone))
    title = draw(texts(controls=controls))
    event = {"id": eid, "title": title, **data}
    intent.title = title.strip()
    refusals = [text_refusal(title)] if title.strip() else ["empty title"]
    for key, values in (
        (
            "kind",
            st.sampled_from(["conference", "workshop", "deadline", "social", "poster-session"]),
        ),
        ("location", texts(controls=controls)),
        ("description", texts(8, controls=controls)),
        ("url", urls),
        ("source", urls),
        ("status", st.sampled_from(["confirmed", "tentative", "cancelled", "canceled"])),
        ("tags", st.lists(st.one_of(words(), texts(2, controls=controls)), min_size=1, max_size=3)),
    ):
        if draw(st.integers(0, 2)) == 0:
            value = draw(values)
            event[key] = value
            if key in ("location", "description"):
                refusals.append(text_refusal(value))
            if key == "tags":
                refusals.extend(text_refusal(t) if t.strip() else "empty tag" for t in value)
    if which == "deadline" and event.get("kind") not in (None, "deadline"):
        pass  # any kind may be due; the model keeps it
    intent.refuse = intent.refuse or next((r for r in refusals if r), "")
    return event, intent


@st.composite
def documents(draw, max_events: int = 4, controls: bool = True) -> Document:
    """A definition that is meant to be valid or is refused for a reason known here.

    ``controls=False`` leaves control characters out of the text (fewer refusals).
    """
    cal_zone = draw(st.sampled_from(ZONES))
    name = draw(texts(controls=controls))
    data: dict = {}
    if draw(st.booleans()):
        data["id"] = draw(ids.filter(lambda s: s not in ("all", "deadlines")))
    data["name"] = name
    refuse = text_refusal(name) or ("" if name.strip() else "empty name")
    if draw(st.booleans()):
        data["description"] = draw(texts(6, controls=controls))
        refuse = refuse or text_refusal(data["description"])
    if draw(st.booleans()):
        data["location"] = draw(texts(controls=controls))
        refuse = refuse or text_refusal(data["location"])
    if draw(st.booleans()):
        data["url"] = draw(urls)
    if cal_zone != "Asia/Seoul" or draw(st.booleans()):
        data["timezone"] = cal_zone
    if draw(st.booleans()):
        data["sources"] = [draw(urls), {"title": draw(words()), "url": draw(urls)}]
    event_ids = draw(st.lists(ids, min_size=1, max_size=max_events, unique=True))
    drawn = [draw(events(eid, cal_zone, controls)) for eid in event_ids]
    data["events"] = [e for e, _ in drawn]
    return Document(dump(data), [i for _, i in drawn], refuse)


# -- damage -----------------------------------------------------------------------------------

junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True),
    texts(2),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [
            Raw("17:00"),
            Raw("25:61"),
            Raw("2026-02-30"),
            Raw("2026-07-10 08:00 Mars/Olympus"),
            Raw("2026-07-10 08:00 +25:00"),
            Raw("0000-01-01"),
            Raw("9999-12-31 23:59 AoE"),
            Raw("1969-12-31"),
            Raw("2038-01-19 03:14"),
            Raw("PT0S"),
            Raw("-1h"),
            Raw("99999999999999999999d"),
            Raw("1" * 200),
            Raw(".nan"),
            Raw("~"),
            Raw("yes"),
            Raw("on"),
            Raw("0x1F"),
            Raw("0o17"),
            Raw("1_000"),
            Raw("*"),
        ]
    ),
)
junk = st.recursive(
    junk_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(texts(1), st.integers()), inner, max_size=3),
    ),
    max_leaves=6,
)
all_keys = sorted(set(loader.CALENDAR_KEYS) | set(loader.EVENT_KEYS) | set(loader.REPEAT_KEYS))


def _mutate(draw, data: dict) -> None:
    """One random change somewhere in the document's data."""
    targets = [data]
    for event in data.get("events", []) if isinstance(data.get("events"), list) else []:
        if isinstance(event, dict):
            targets.append(event)
            if isinstance(event.get("repeat"), dict):
                targets.append(event["repeat"])
    target = draw(st.sampled_from(targets))
    action = draw(
        st.sampled_from(["set", "set", "delete", "rename", "junk-key", "dup-event", "events"])
    )
    keys = list(target)
    if action == "set":
        target[draw(st.sampled_from(all_keys))] = draw(junk)
    elif action == "delete" and keys:
        del target[draw(st.sampled_from(keys))]
    elif action == "rename" and keys:
        key = draw(st.sampled_from(keys))
        target[f"{key}{draw(st.sampled_from(['s', '_', ' ', 'e']))}"] = target.pop(key)
    elif action == "junk-key":
        target[draw(st.one_of(texts(1), st.integers(), st.booleans()))] = draw(junk)
    elif action == "dup-event" and isinstance(data.get("events"), list):
        mappings = [e for e in data["events"] if isinstance(e, dict)]
        if mappings:
            data["events"].append(dict(draw(st.sampled_from(mappings))))
    elif action == "events":
        data["events"] = draw(junk)


@st.composite
def hostile_documents(draw) -> Document:
    """Anything: a valid document, a damaged one, YAML-ish junk, or bytes."""
    kind = draw(st.sampled_from(["valid", "damaged", "damaged", "damaged", "junk", "bytes"]))
    if kind == "junk":
        return Document(draw(st.text(st.characters(codec="utf-8"), max_size=200)))
    if kind == "bytes":
        return Document(draw(st.binary(max_size=200)))
    document = draw(documents(max_events=3))
    if kind == "valid":
        return document
    data = yaml.load(document.text, Loader=_RawLoader)
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, data)
    return Document(dump(data))


class _RawLoader(yaml.SafeLoader):
    """Reads a drawn document back keeping every plain scalar as written (for re-dumping)."""


def _keep_plain(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    if node.style is None or node.style == "":
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        return Raw(node.value)
    return loader.construct_scalar(node)


for _tag in ("int", "float", "bool", "null", "timestamp", "str"):
    _RawLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _keep_plain)
