"""The one date parser: front matter, file names, CLI options and query syntax all use it.

Blog archives write dates in many ways (ISO 8601 with or without offset, ``2025/12/21 10:00``,
``2025-12-21 02:31:31 +0000``, ``August 8, 2017``, ``2017年8月8日``, TOML datetimes). Naive
times are read in the archive's time zone (Asia/Tokyo unless configured), because a
Japanese blogger who writes ``10:00`` means ten o'clock in Japan.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from search.errors import DateOutOfRangeError, InvalidDateError

DEFAULT_TIMEZONE = "Asia/Tokyo"

# The dates a post may carry, by its own calendar date. tantivy stores dates as nanoseconds
# in 64 bits (1677-09-21 to 2262-04-11) and rejects the whole batch for one date outside
# that; blogs do write such dates (Hugo's zero date 0001-01-01 means "none"). Kept well
# inside it, so that no time zone offset can push a date over the edge.
MIN_DATE = datetime(1700, 1, 1)
MAX_DATE = datetime(2200, 1, 1)  # exclusive
# Range bounds for dates beyond those: a lower bound before every post's date, an upper
# bound after every post's date, each a day apart so that since < until stays true.
_BEFORE_ALL = datetime(1699, 12, 30, tzinfo=UTC)
_AFTER_ALL = datetime(2200, 1, 3, tzinfo=UTC)

_NUMERIC = re.compile(
    r"""^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?
        (?:(?:[T\s]|\s*\([^)]*\)\s*)+
           (?P<H>\d{1,2})\s*[:時]\s*(?P<M>\d{1,2})\s*分?
           (?:\s*[:]?\s*(?P<S>\d{1,2})(?:[.,](?P<frac>\d{1,9}))?\s*秒?)?)?
        \s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|JST)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_ENGLISH_MDY = re.compile(
    r"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?P<rest>.*)$", re.I
)
_ENGLISH_DMY = re.compile(r"^(?P<d>\d{1,2})\s+(?P<mon>[a-z]+)\.?,?\s+(?P<y>\d{4})(?P<rest>.*)$", re.I)
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")  # Jekyll also takes 2019-1-7-


@lru_cache(maxsize=32)
def get_timezone(name: str) -> tzinfo:
    """Resolve an IANA zone name, with a one-line error for a typo."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidDateError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tokyo)") from exc


def parse_datetime(value: object, tz: tzinfo | None = None) -> datetime:
    """Return an aware datetime for ``value`` or raise :class:`InvalidDateError`
    (:class:`DateOutOfRangeError` outside ``MIN_DATE``–``MAX_DATE``).

    A date without a time is midnight in ``tz``; a naive time is in ``tz``.
    """
    return check_range(_parse(value, tz), value)


def check_range(moment: datetime, written: object = None) -> datetime:
    """``moment`` if a post may carry it (by its date where it was written), else
    :class:`DateOutOfRangeError`."""
    if MIN_DATE <= moment.replace(tzinfo=None) < MAX_DATE:
        return moment
    shown = written if isinstance(written, str) else moment.isoformat()
    raise DateOutOfRangeError(
        f"date {shown!r} is outside the dates a post may have "
        f"({MIN_DATE:%Y-%m-%d} to {MAX_DATE - timedelta(days=1):%Y-%m-%d})"
    )


def _parse(value: object, tz: tzinfo | None) -> datetime:
    tz = tz or get_timezone(DEFAULT_TIMEZONE)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    if not isinstance(value, str):
        raise InvalidDateError(f"not a date: {value!r}")
    text = value.strip()
    if not text:
        raise InvalidDateError("empty date")
    parsed = _parse_numeric(text, tz) or _parse_english(text, tz)
    if parsed is None:
        raise InvalidDateError(
            f"cannot read date {value!r} (expected e.g. 2025-12-21 or 2025-12-21T10:00+09:00)"
        )
    return parsed


def parse_bound(value: object, tz: tzinfo | None = None, *, upper: bool = False) -> datetime:
    """A range bound from a user: ``until 2025-12-31`` includes the whole of that day.

    Returns the inclusive lower bound, or (``upper=True``) the *exclusive* upper bound.
    A bound beyond the dates a post may have is moved just past the edge of that range:
    ``until:9999-12-31`` means "no end", ``since:1600-01-01`` "from the start", and
    ``until:1650-01-01`` or ``since:2300-01-01`` match no post.
    """
    if value is None:
        raise InvalidDateError("missing date")
    is_day = isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(value, str):
        is_day = _looks_like_day(value.strip())
    moment = _parse(value, tz)
    local = moment.replace(tzinfo=None)
    if local < MIN_DATE:
        return _BEFORE_ALL + timedelta(days=1 if upper else 0)
    if local >= MAX_DATE:
        return _AFTER_ALL + timedelta(days=1 if upper else 0)
    if upper:
        return moment + timedelta(days=1) if is_day else moment + timedelta(microseconds=1)
    return moment


def date_from_filename(name: str, tz: tzinfo | None = None) -> datetime | None:
    """Jekyll's ``YYYY-MM-DD-slug.md`` names carry the post date."""
    m = _FILENAME_DATE.match(name)
    if not m:
        return None
    try:
        moment = datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=tz or get_timezone(DEFAULT_TIMEZONE))
        return check_range(moment)
    except (ValueError, DateOutOfRangeError):
        return None


def _looks_like_day(text: str) -> bool:
    m = _NUMERIC.match(text)
    if m:
        return m["H"] is None
    return bool(_ENGLISH_MDY.match(text) or _ENGLISH_DMY.match(text)) and ":" not in text


def _parse_numeric(text: str, tz: tzinfo) -> datetime | None:
    m = _NUMERIC.match(text)
    if not m:
        return None
    try:
        frac = (m["frac"] or "0")[:6].ljust(6, "0")
        naive = datetime(
            int(m["y"]),
            int(m["m"]),
            int(m["d"]),
            int(m["H"] or 0),
            int(m["M"] or 0),
            int(m["S"] or 0),
            int(frac),
        )
    except ValueError as exc:
        raise InvalidDateError(f"impossible date {text!r}: {exc}") from exc
    return naive.replace(tzinfo=_offset(m["tz"], tz, text))


def _parse_english(text: str, tz: tzinfo) -> datetime | None:
    text = _WEEKDAY.sub("", text)
    m = _ENGLISH_MDY.match(text) or _ENGLISH_DMY.match(text)
    if not m:
        return None
    month = _MONTHS.get(m["mon"].lower())
    if month is None:
        return None
    rest = m["rest"].strip()
    try:
        day = datetime(int(m["y"]), month, int(m["d"]))
    except ValueError as exc:
        raise InvalidDateError(f"impossible date {text!r}: {exc}") from exc
    if not rest:
        return day.replace(tzinfo=tz)
    clock = _NUMERIC.match(f"{day:%Y-%m-%d} {rest}")
    if not clock:
        return None
    return _parse_numeric(f"{day:%Y-%m-%d} {rest}", tz)


def _offset(token: str | None, default: tzinfo, text: str) -> tzinfo:
    if token is None:
        return default
    token = token.upper()
    if token in ("Z", "UTC", "GMT"):
        return UTC
    if token == "JST":
        return timezone(timedelta(hours=9))
    sign = -1 if token[0] == "-" else 1
    digits = token[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 23 or minutes > 59:
        raise InvalidDateError(f"impossible time zone offset in {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# A date a reader remembers and types (「2017 年 7 月号」, 「2019-02-19 のブックマーク」): the
# year and month at least, since a year alone is in too many posts' text to mean the date.
_MENTION = re.compile(
    r"(?<![0-9A-Za-z.])(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m1>\d{1,2})\s*月(?:\s*(?P<d1>\d{1,2})\s*日)?"
    r"|[-/.](?P<m2>\d{1,2})(?:[-/.](?P<d2>\d{1,2}))?)(?!\d)"
)


def mentioned_dates(text: str, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    """[start, end) of each month or day named in ``text``, in ``tz``; impossible dates
    (2017 年 13 月) are not dates."""
    return [(start, end) for _s, _e, start, end in date_mentions(text, tz)]


def date_mentions(text: str, tz: tzinfo) -> list[tuple[int, int, datetime, datetime]]:
    """Like :func:`mentioned_dates`, with where each date stands in ``text`` (character
    offsets; ``text`` is expected in NFKC already, as the query parser leaves it)."""
    spans: list[tuple[int, int, datetime, datetime]] = []
    for m in _MENTION.finditer(text):
        year, month = int(m["y"]), int(m["m1"] or m["m2"])
        day_text = m["d1"] or m["d2"]
        try:
            if day_text:
                start = datetime(year, month, int(day_text), tzinfo=tz)
                end = start + timedelta(days=1)
            else:
                start = datetime(year, month, 1, tzinfo=tz)
                end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        except ValueError:
            continue
        spans.append((m.start(), m.end(), start, end))
    return spans
