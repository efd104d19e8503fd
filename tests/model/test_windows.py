"""Validity windows: month ends, leap days, DST zones, hours against days; properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
