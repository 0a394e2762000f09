"""The one date parser: every format blogs use, naive times in the archive's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from search.dates import date_from_filename, get_timezone, parse_bound, parse_datetime
from search.errors import DateOutOfRangeError, InvalidDateError

JST = timezone(timedelta(hours=9))
TOKYO = get_timezone("Asia/Tokyo")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-21 02:31:31 +0000", datetime(2025, 12, 21, 2, 31, 31, tzinfo=UTC)),
        ("2025-12-21", datetime(2025, 12, 21, tzinfo=JST)),
        ("2025/12/21 10:00", datetime(2025, 12, 21, 10, 0, tzinfo=JST)),
        ("2015-09-05T20:32:00+09:00", datetime(2015, 9, 5, 20, 32, tzinfo=JST)),
        ("2025-12-21T01:00:00Z", datetime(2025, 12, 21, 1, tzinfo=UTC)),
        ("2025-12-21T10:00:00.250-05:00", datetime(2025, 12, 21, 15, 0, 0, 250000, tzinfo=UTC)),
        ("2025-1-5 9:05", datetime(2025, 1, 5, 9, 5, tzinfo=JST)),
        ("August 8, 2017", datetime(2017, 8, 8, tzinfo=JST)),
        ("Dec 12, 2017", datetime(2017, 12, 12, tzinfo=JST)),
        ("Tue, 12 December 2017", datetime(2017, 12, 12, tzinfo=JST)),
        ("2017年8月8日", datetime(2017, 8, 8, tzinfo=JST)),
        ("2017年8月8日 10時30分", datetime(2017, 8, 8, 10, 30, tzinfo=JST)),
    ],
)
def test_formats(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, TOKYO)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_toml_and_yaml_objects() -> None:
    assert parse_datetime(date(2021, 6, 1), TOKYO) == datetime(2021, 6, 1, tzinfo=JST)
    aware = datetime(2024, 3, 10, 9, 30, tzinfo=JST)
    assert parse_datetime(aware, TOKYO) is aware
    assert parse_datetime(datetime(2024, 3, 10, 9, 30), TOKYO) == aware


def test_naive_times_follow_the_configured_zone() -> None:
    utc = get_timezone("UTC")
    assert parse_datetime("2025-01-01 09:00", utc) == datetime(2025, 1, 1, 9, tzinfo=UTC)
    assert parse_datetime("2025-01-01 09:00", TOKYO) == datetime(2025, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad", ["", "soon", "2025-02-30", "2025-13-01", "12/21/2025", 20251221, "2025-12-21 25:00"]
)
def test_bad_dates_raise_one_line_errors(bad: object) -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_datetime(bad, TOKYO)
    assert "\n" not in str(info.value)


def test_until_a_day_includes_the_whole_day() -> None:
    assert parse_bound("2025-12-31", TOKYO, upper=True) == datetime(2026, 1, 1, tzinfo=JST)
    assert parse_bound(date(2025, 12, 31), TOKYO, upper=True) == datetime(2026, 1, 1, tzinfo=JST)
    moment = parse_bound("2025-12-31T10:00:00+09:00", TOKYO, upper=True)
    assert moment == datetime(2025, 12, 31, 10, 0, 0, 1, tzinfo=JST)
    assert parse_bound("2025-12-31", TOKYO) == datetime(2025, 12, 31, tzinfo=JST)


def test_jekyll_file_names() -> None:
    assert date_from_filename("2023-04-02-hello.md", TOKYO) == datetime(2023, 4, 2, tzinfo=JST)
    assert date_from_filename("hello.md", TOKYO) is None
    assert date_from_filename("2023-02-30-bad.md", TOKYO) is None


def test_unknown_timezone() -> None:
    with pytest.raises(InvalidDateError):
        get_timezone("Mars/Olympus")


@pytest.mark.parametrize(
    "far", ["0001-01-01T00:00:00Z", "1600-05-05", "2300-01-01", "9999-12-31", date(1, 1, 1)]
)
def test_a_date_the_index_cannot_hold_is_an_error_naming_the_range(far: object) -> None:
    # tantivy holds 1677-09-21 to 2262-04-11 and rejects a whole batch for one date outside.
    with pytest.raises(DateOutOfRangeError, match="outside the dates a post may have") as info:
        parse_datetime(far, TOKYO)
    assert isinstance(info.value, InvalidDateError) and "\n" not in str(info.value)
    assert date_from_filename("0001-01-01-zero.md", TOKYO) is None


def test_the_range_is_by_the_date_where_the_post_was_written() -> None:
    honolulu = get_timezone("Pacific/Honolulu")
    assert parse_datetime("1700-01-01", TOKYO).date() == date(1700, 1, 1)  # 1699 in UTC
    assert parse_datetime("2199-12-31 23:00", honolulu).date() == date(2199, 12, 31)  # 2200 in UTC
    with pytest.raises(DateOutOfRangeError):
        parse_datetime("2200-01-01", UTC)
    with pytest.raises(DateOutOfRangeError):
        parse_datetime("1699-12-31 23:59", TOKYO)


def test_range_bounds_beyond_the_dates_a_post_may_have() -> None:
    first = parse_datetime("1700-01-01", get_timezone("Pacific/Kiritimati"))  # UTC+14: the earliest
    last = parse_datetime("2199-12-31 23:59", get_timezone("Etc/GMT+12"))  # UTC-12: the latest
    # Moved past the edge: every post is after "since 1600" and before "until 9999".
    assert parse_bound("1600-01-01", TOKYO) <= first and parse_bound("9999-12-31", TOKYO, upper=True) > last
    assert parse_bound(date(1, 1, 1), TOKYO) <= first  # no OverflowError either way
    # ... and no post is before "until 1650" or after "since 2300", yet since < until still holds.
    assert parse_bound("1650-01-01", TOKYO, upper=True) <= first
    assert parse_bound("2300-01-01", TOKYO) > last
    assert parse_bound("1600-01-01", TOKYO) < parse_bound("1650-01-01", TOKYO, upper=True)
    assert parse_bound("2300-01-01", TOKYO) < parse_bound("2400-01-01", TOKYO, upper=True)
    # A day at the edge is a whole day, like any other.
    assert parse_bound("1700-01-01", TOKYO, upper=True) == datetime(1700, 1, 2, tzinfo=TOKYO)
