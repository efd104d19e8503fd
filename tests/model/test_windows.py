"""Validity windows: month ends, leap days, DST zones, hours against days; properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ResultError, TimeZoneError
from mutrec.model import (
    Anchor,
    CareSetting,
    Counting,
    ImagingResult,
    LabResult,
    Modality,
    Span,
    Window,
    parse_value,
    require_aware,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
DAYS, MONTHS, HOURS = Counting.CALENDAR_DAYS, Counting.CALENDAR_MONTHS, Counting.HOURS


def lab(collected: datetime, reported: datetime | None = None) -> LabResult:
    return LabResult("K", parse_value("4.1", "mmol/L"), collected, "H1", "p", reported=reported)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2023, 1, 31, 9, tzinfo=SH), 1, datetime(2023, 2, 28, 9, tzinfo=SH)),
        (datetime(2024, 1, 31, 9, tzinfo=SH), 1, datetime(2024, 2, 29, 9, tzinfo=SH)),
        (datetime(2024, 3, 31, 9, tzinfo=SH), 1, datetime(2024, 4, 30, 9, tzinfo=SH)),
        (datetime(2024, 2, 29, 9, tzinfo=SH), 12, datetime(2025, 2, 28, 9, tzinfo=SH)),
        (datetime(2023, 11, 30, 9, tzinfo=SH), 3, datetime(2024, 2, 29, 9, tzinfo=SH)),
    ],
)
def test_month_ends_clamp(start: datetime, months: int, end: datetime) -> None:
    assert Span(months, MONTHS).add_to(start) == end


def test_leap_day_in_days() -> None:
    start = datetime(2024, 2, 28, 10, tzinfo=SH)
    assert Span(1, DAYS).add_to(start) == datetime(2024, 2, 29, 10, tzinfo=SH)
    assert Span(2, DAYS).add_to(start) == datetime(2024, 3, 1, 10, tzinfo=SH)
    assert Span(365, DAYS).add_to(start) == datetime(2025, 2, 27, 10, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "days_end", "hours_end"),
    [
        # spring forward 2024-03-10 02:00 EST -> 03:00 EDT: the day has 23 hours
        (datetime(2024, 3, 9, 12, tzinfo=NY), datetime(2024, 3, 10, 12, tzinfo=NY),
         datetime(2024, 3, 10, 13, tzinfo=NY)),
        # fall back 2024-11-03 02:00 EDT -> 01:00 EST: the day has 25 hours
        (datetime(2024, 11, 2, 12, tzinfo=NY), datetime(2024, 11, 3, 12, tzinfo=NY),
         datetime(2024, 11, 3, 11, tzinfo=NY)),
    ],
)  # fmt: skip
def test_dst_days_keep_wall_clock_hours_do_not(
    start: datetime, days_end: datetime, hours_end: datetime
) -> None:
    by_days = Span(1, DAYS).add_to(start)
    by_hours = Span(24, HOURS).add_to(start)
    assert (by_days.hour, by_days.date()) == (days_end.hour, days_end.date())
    assert by_hours == hours_end
    # same tzinfo: Python subtracts wall clocks, so measure elapsed time in UTC
    assert by_hours.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert by_days.astimezone(UTC) - start.astimezone(UTC) != timedelta(hours=24)
    assert by_days.utcoffset() == days_end.utcoffset()


def test_shanghai_has_no_dst_so_days_equal_24_hours() -> None:
    start = datetime(2024, 3, 9, 12, tzinfo=SH)
    for n in (1, 7, 30, 60):
        assert Span(n, DAYS).add_to(start) == Span(24 * n, HOURS).add_to(start)


def test_same_instant_in_two_zones_differs_across_dst() -> None:
    utc = datetime(2024, 3, 9, 17, tzinfo=UTC)
    in_ny = Span(1, DAYS).add_to(utc.astimezone(NY))
    in_sh = Span(1, DAYS).add_to(utc.astimezone(SH))
    assert in_sh - in_ny == timedelta(hours=1)


def test_day_lands_in_the_spring_gap() -> None:
    start = datetime(2024, 3, 9, 2, 30, tzinfo=NY)  # 02:30 does not exist on 10 March
    end = Span(1, DAYS).add_to(start)
    assert (end.hour, end.minute, end.utcoffset()) == (3, 30, timedelta(hours=-4))


def test_window_anchor_and_settings() -> None:
    collected = datetime(2024, 3, 1, 8, tzinfo=SH)
    reported = datetime(2024, 3, 1, 15, tzinfo=SH)
    r = lab(collected, reported)
    w = Window(Span(7, DAYS), Anchor.COLLECTION, {CareSetting.EMERGENCY: Span(24, HOURS)})
    assert w.expires_at(r) == datetime(2024, 3, 8, 8, tzinfo=SH)
    assert w.expires_at(r, CareSetting.INPATIENT) == datetime(2024, 3, 8, 8, tzinfo=SH)
    assert w.expires_at(r, CareSetting.EMERGENCY) == datetime(2024, 3, 2, 8, tzinfo=SH)
    assert Window(Span(7, DAYS)).expires_at(r) == datetime(2024, 3, 8, 15, tzinfo=SH)
    assert w.is_current(r, datetime(2024, 3, 8, 7, 59, tzinfo=SH))
    assert not w.is_current(r, datetime(2024, 3, 8, 8, tzinfo=SH))


def test_report_anchor_needs_a_report_instant() -> None:
    with pytest.raises(ResultError, match="reported"):
        Window(Span(7, DAYS)).expires_at(lab(datetime(2024, 3, 1, tzinfo=SH)))


def test_imaging_examination_anchor() -> None:
    performed = datetime(2024, 3, 1, 8, tzinfo=SH)
    ct = ImagingResult("CT-CHEST", Modality.CT, performed, "H1", "p")
    assert Window(Span(30, DAYS), Anchor.EXAMINATION).expires_at(ct) == performed + timedelta(30)


def test_naive_instants_are_refused_unless_a_zone_is_configured() -> None:
    naive = datetime(2024, 3, 1, 8)  # noqa: DTZ001 - the point of the test
    with pytest.raises(TimeZoneError):
        lab(naive)
    with pytest.raises(TimeZoneError):
        Span(1, DAYS).add_to(naive)
    assert require_aware(naive, "collected", SH).utcoffset() == timedelta(hours=8)
    built = LabResult.build("K", "4.1", naive, "H1", "p", unit="mmol/L", default_zone=SH)
    assert built.collected.tzinfo is SH


def test_instants_must_be_in_order() -> None:
    with pytest.raises(ResultError, match="reported"):
        lab(datetime(2024, 3, 2, tzinfo=SH), datetime(2024, 3, 1, tzinfo=SH))


def test_span_parse_and_str() -> None:
    for text in ("7d", "1mo", "24h"):
        assert str(Span.parse(text)) == text
    with pytest.raises(ValueError, match="not a span"):
        Span.parse("7 weeks")


ZONES = st.sampled_from([SH, NY, ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney"), UTC])
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=ZONES,
)
COUNTINGS = st.sampled_from(list(Counting))


@given(INSTANTS, st.integers(0, 400), COUNTINGS)
def test_expiry_never_before_anchor(start: datetime, n: int, counting: Counting) -> None:
    assert Span(n, counting).add_to(start).astimezone(UTC) >= start.astimezone(UTC)


@given(INSTANTS, st.integers(0, 400), st.integers(0, 400), COUNTINGS)
def test_longer_never_expires_earlier(start: datetime, a: int, b: int, counting: Counting) -> None:
    short, long_ = sorted((a, b))
    first = Span(short, counting).add_to(start).astimezone(UTC)
    assert first <= Span(long_, counting).add_to(start).astimezone(UTC)


@given(INSTANTS, st.integers(0, 400))
def test_hours_are_elapsed_time(start: datetime, n: int) -> None:
    elapsed = Span(n, HOURS).add_to(start).astimezone(UTC) - start.astimezone(UTC)
    assert elapsed == timedelta(hours=n)


# --- fail-safe review: future results, ASCII digits, calendar dates ---------------------------

DATES = Counting.CALENDAR_DATES


def test_a_result_from_the_future_is_not_current() -> None:
    t = datetime(2024, 3, 1, 8, tzinfo=SH)
    w = Window(Span(7, DAYS))
    assert not w.is_current(lab(t, t), datetime(2020, 1, 1, tzinfo=UTC))
    assert not w.is_current(lab(t, t), t - timedelta(microseconds=1))
    assert w.is_current(lab(t, t), t)


@pytest.mark.parametrize("text", ["٣d", "３d", "²h", "7 d", "-1d", "1.5d"])
def test_span_parse_refuses_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="not a span"):
        Span.parse(text)


def test_calendar_dates_parse_and_render() -> None:
    assert Span.parse("7dates") == Span(7, DATES)
    assert Span.parse(" 7DATES ") == Span(7, DATES)
    assert str(Span(7, DATES)) == "7dates"
    assert Span.parse(str(Span(0, DATES))) == Span(0, DATES)


@pytest.mark.parametrize(
    ("start", "amount", "end"),
    [
        # valid through the end of the Nth day after the anchor date
        (datetime(2024, 3, 1, 8, tzinfo=SH), 7, datetime(2024, 3, 9, tzinfo=SH)),
        (datetime(2024, 3, 1, 23, 59, tzinfo=SH), 7, datetime(2024, 3, 9, tzinfo=SH)),
        (datetime(2024, 3, 1, 0, 0, tzinfo=SH), 7, datetime(2024, 3, 9, tzinfo=SH)),
        (datetime(2024, 3, 1, 8, tzinfo=SH), 0, datetime(2024, 3, 2, tzinfo=SH)),
        (datetime(2024, 2, 28, 8, tzinfo=SH), 1, datetime(2024, 3, 1, tzinfo=SH)),
        # DST: New York springs forward on 2024-03-10, falls back on 2024-11-03
        (datetime(2024, 3, 9, 12, tzinfo=NY), 1, datetime(2024, 3, 11, tzinfo=NY)),
        (datetime(2024, 11, 2, 12, tzinfo=NY), 1, datetime(2024, 11, 4, tzinfo=NY)),
    ],
)
def test_calendar_dates_expire_at_local_midnight(
    start: datetime, amount: int, end: datetime
) -> None:
    got = Span(amount, DATES).add_to(start)
    assert got == end
    assert got.utcoffset() == end.utcoffset()


def test_calendar_dates_differ_from_calendar_days_in_shanghai() -> None:
    t = datetime(2024, 3, 1, 8, tzinfo=SH)
    assert Span(7, DAYS).add_to(t) - t == timedelta(hours=168)
    assert Span(7, DATES).add_to(t) - t == timedelta(hours=184)


def test_calendar_dates_midnight_in_a_dst_gap() -> None:
    # Havana springs forward at midnight: 2024-03-10 00:00 does not exist, the day starts 01:00.
    havana = ZoneInfo("America/Havana")
    got = Span(0, DATES).add_to(datetime(2024, 3, 9, 12, tzinfo=havana))
    assert got.astimezone(UTC) == datetime(2024, 3, 10, 5, tzinfo=UTC)
    assert (got.hour, got.date()) == (1, date(2024, 3, 10))


def test_calendar_dates_midnight_repeated_takes_the_first() -> None:
    # Havana falls back at 01:00 to 00:00 on 2024-11-03: midnight occurs twice; the earlier counts.
    havana = ZoneInfo("America/Havana")
    got = Span(0, DATES).add_to(datetime(2024, 11, 2, 12, tzinfo=havana))
    assert got.astimezone(UTC) == datetime(2024, 11, 3, 4, tzinfo=UTC)


def test_calendar_dates_window_is_current_through_the_last_day() -> None:
    t = datetime(2024, 3, 1, 8, tzinfo=SH)
    w = Window(Span(7, DATES))
    assert w.is_current(lab(t, t), datetime(2024, 3, 8, 23, 59, 59, tzinfo=SH))
    assert not w.is_current(lab(t, t), datetime(2024, 3, 9, tzinfo=SH))


_zones = st.sampled_from([SH, NY, UTC, ZoneInfo("America/Havana"), ZoneInfo("Europe/London")])
_instants = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=_zones,
)


@given(_instants, st.integers(0, 400))
def test_calendar_dates_never_before_the_anchor(start: datetime, n: int) -> None:
    end = Span(n, DATES).add_to(start)
    assert end.astimezone(UTC) > start.astimezone(UTC)
    assert end.tzinfo is start.tzinfo


@given(_instants, st.integers(0, 400), st.integers(0, 400))
def test_calendar_dates_monotonic_in_n(start: datetime, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert Span(lo, DATES).add_to(start).astimezone(UTC) <= Span(hi, DATES).add_to(
        start
    ).astimezone(UTC)
    if lo < hi:
        assert Span(lo, DATES).add_to(start).astimezone(UTC) < Span(hi, DATES).add_to(
            start
        ).astimezone(UTC)


@given(_instants, st.integers(0, 400))
def test_calendar_dates_end_is_the_start_of_a_local_date(start: datetime, n: int) -> None:
    end = Span(n, DATES).add_to(start)
    local = end.astimezone(start.tzinfo)
    target = start.date() + timedelta(days=n + 1)
    assert local.date() == target
    # the first instant of that date: a second earlier (elapsed, in UTC: wall-clock arithmetic
    # would land inside a DST gap such as Havana's at midnight) is on the day before
    earlier = end.astimezone(UTC) - timedelta(seconds=1)
    assert earlier.astimezone(start.tzinfo).date() < target
