"""Spans: durations in calendar days, calendar months, elapsed hours or whole local dates.

Kept apart from :mod:`mutrec.model.windows` (which re-exports :class:`Span` and
:class:`Counting`) so that context windows (:mod:`mutrec.model.contexts`) can use spans without
an import cycle.

>>> Span.parse("3mo")
Span(amount=3, counting=<Counting.CALENDAR_MONTHS: 'months'>)
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Final

import attrs

from mutrec._checks import instance_of, require
from mutrec.errors import ArgumentError
from mutrec.model.instants import require_aware

__all__ = ["MAX_SPAN_YEARS", "Counting", "Span"]


class Counting(enum.Enum):
    """How a span is counted.

    ``CALENDAR_DAYS`` (``7d``) keeps the anchor's time of day: a result reported at 08:00 on
    1 March is valid until 08:00 on 8 March. ``CALENDAR_DATES`` (``7dates``) counts whole local
    dates: the same result is valid through the end of 8 March, that is until the first instant
    of 9 March (local midnight at the start of anchor date + N + 1; ``0dates`` is "the anchor's
    own date only"). ``HOURS`` (``24h``) is elapsed time; ``CALENDAR_MONTHS`` (``1mo``) keeps
    the time of day and clamps to the month's end.

    >>> [c.value for c in Counting]
    ['days', 'months', 'hours', 'dates']
    """

    CALENDAR_DAYS = "days"
    CALENDAR_MONTHS = "months"
    HOURS = "hours"
    CALENDAR_DATES = "dates"


# The longest span mutrec accepts: a century in each counting. No program's window comes near
# it, and anything longer would overflow the calendar (year 9999) for ordinary instants.
MAX_SPAN_YEARS: Final = 100
_MAX_AMOUNT: Final = {
    "days": 366 * MAX_SPAN_YEARS,
    "dates": 366 * MAX_SPAN_YEARS,
    "months": 12 * MAX_SPAN_YEARS,
    "hours": 24 * 366 * MAX_SPAN_YEARS,
}


def _non_negative(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgumentError(attribute.name, value, "an int >= 0")


@attrs.frozen
class Span:
    """A duration: calendar days, calendar months (month ends clamp), hours, or whole dates.

    Attributes:
        amount: How many units.
        counting: Which units, and how they are counted.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> t = datetime(2024, 3, 9, 12, 0, tzinfo=ny)   # the day before DST starts
    >>> Span(1, Counting.CALENDAR_DAYS).add_to(t).isoformat()
    '2024-03-10T12:00:00-04:00'
    >>> Span(24, Counting.HOURS).add_to(t).isoformat()
    '2024-03-10T13:00:00-04:00'
    >>> Span(1, Counting.CALENDAR_DATES).add_to(t).isoformat()   # through the end of 10 March
    '2024-03-11T00:00:00-04:00'
    """

    amount: int = attrs.field(validator=_non_negative)
    counting: Counting = attrs.field(validator=instance_of(Counting))

    def __attrs_post_init__(self) -> None:
        """Refuse spans longer than :data:`MAX_SPAN_YEARS` (they would overflow the calendar)."""
        limit = _MAX_AMOUNT[self.counting.value]
        if self.amount > limit:
            msg = (
                f"at most {limit} {self.counting.value}: the span is longer than mutrec's "
                f"limit ({MAX_SPAN_YEARS} years)"
            )
            arg = "amount"
            raise ArgumentError(arg, self.amount, msg)

    @classmethod
    def parse(cls, text: str) -> Span:
        """Read ``"7d"``, ``"1mo"``, ``"24h"`` or ``"7dates"`` (ASCII digits only).

        ``7dates`` is spelt out rather than abbreviated: it must not pass for a typo of ``7d``.

        Raises:
            ArgumentError: The text is not a span (a :class:`ValueError` too).

        >>> Span.parse("30d")
        Span(amount=30, counting=<Counting.CALENDAR_DAYS: 'days'>)
        >>> Span.parse("7dates")
        Span(amount=7, counting=<Counting.CALENDAR_DATES: 'dates'>)
        >>> Span.parse("٣d")
        Traceback (most recent call last):
        ...
        mutrec.errors.ArgumentError: argument 'text' = '٣d': expected 7d, 1mo, 24h or 7dates, ...
        """
        require("text", text, str)
        stripped = text.strip().lower()
        for suffix, counting in (
            ("dates", Counting.CALENDAR_DATES),
            ("mo", Counting.CALENDAR_MONTHS),
            ("d", Counting.CALENDAR_DAYS),
            ("h", Counting.HOURS),
        ):
            number = stripped.removesuffix(suffix)
            # isdigit() alone takes any script's digits (and superscripts): ASCII only.
            # The length bound keeps int() far from its 4,300-digit limit; Span's own check
            # then names the real limit.
            if number != stripped and number.isascii() and number.isdigit():
                if len(number) > 9:
                    msg = f"a span within mutrec's limit ({MAX_SPAN_YEARS} years): it is longer"
                    msg_0 = "text"
                    raise ArgumentError(msg_0, text, msg)
                return cls(int(number), counting)
        msg = "7d, 1mo, 24h or 7dates, with ASCII digits (this is not a span)"
        msg_0 = "text"
        raise ArgumentError(msg_0, text, msg)

    def __str__(self) -> str:
        """Render as ``7d``, ``1mo``, ``24h`` or ``7dates``."""
        # Identity tests: hashing an enum member (a dict look-up) runs Python code.
        counting = self.counting
        if counting is Counting.CALENDAR_DAYS:
            return f"{self.amount}d"
        if counting is Counting.CALENDAR_DATES:
            return f"{self.amount}dates"
        return f"{self.amount}mo" if counting is Counting.CALENDAR_MONTHS else f"{self.amount}h"

    def add_to(self, instant: datetime, zone: tzinfo | None = None) -> datetime:
        """Return *instant* plus this span, counted on the calendar of *zone*.

        Calendar days, months and dates are counted on a wall clock: *zone*'s when given (a
        program's region zone, so the same instant sent in UTC or in Asia/Shanghai expires
        at the same instant), else *instant*'s own. Hours are elapsed time in any zone.

        Raises:
            TimeZoneError: *instant* is naive.
            OverflowError: The end lies past year 9999.

        >>> from datetime import datetime, UTC
        >>> from zoneinfo import ZoneInfo
        >>> late = datetime(2024, 2, 29, 20, 0, tzinfo=UTC)   # 1 March, 04:00 in Shanghai
        >>> Span(0, Counting.CALENDAR_DATES).add_to(late, ZoneInfo("Asia/Shanghai")).isoformat()
        '2024-03-02T00:00:00+08:00'
        """
        start = require_aware(instant, "anchor")
        if zone is not None and self.counting is not Counting.HOURS and start.tzinfo is not zone:
            try:
                start = start.astimezone(zone)
            except TypeError:  # checked only on failure: this runs for every evaluation
                arg = "zone"
                raise ArgumentError(arg, zone, "a tzinfo or None") from None
        zone = start.tzinfo
        counting = self.counting
        if counting is Counting.HOURS:
            if type(zone) is timezone:
                # A fixed offset: elapsed and wall-clock time agree (arithmetic gives fold 0).
                return start + timedelta(hours=self.amount)
            end = start.astimezone(UTC) + timedelta(hours=self.amount)
            return end.astimezone(zone)
        if counting is Counting.CALENDAR_DAYS:
            amount = self.amount
            # same tzinfo: wall-clock arithmetic; shared timedeltas save building one per call
            if amount < _MAX_DAYS:
                delta = _DAYS.get(amount)
                if delta is None:
                    delta = _DAYS[amount] = timedelta(days=amount)
            else:
                delta = timedelta(days=amount)
            wall = start + delta
        elif counting is Counting.CALENDAR_DATES:
            # Local midnight at the start of anchor date + N + 1 (fold 0: the first midnight
            # when clocks fall back; one in a DST gap moves past it below, to the day's start).
            day = start.date() + timedelta(days=self.amount + 1)
            wall = datetime(day.year, day.month, day.day, tzinfo=zone)
        else:
            wall = _add_months(start, self.amount)
        if type(zone) is timezone:
            # A fixed offset has no gaps: the UTC round-trip below would return *wall* itself.
            return wall
        # A wall time inside a DST gap does not exist; the UTC round-trip moves it past the gap.
        return wall.astimezone(UTC).astimezone(zone)


# Building a timedelta costs more than adding one: windows of up to ten years share theirs,
# each built on first use (all 3,660 at import would cost a cold start about 3 ms).
_MAX_DAYS: Final = 3660
_DAYS: Final[dict[int, timedelta]] = {}
# Days per month of a common year (February of a leap year has 29): calendar.monthrange,
# without importing calendar (and locale) at every start-up.
_MONTH_DAYS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _add_months(start: datetime, months: int) -> datetime:
    """Add calendar *months* to *start*'s wall clock, clamping to the month's end.

    The same as ``start + relativedelta(months=months)`` (fold reset to 0, as arithmetic does)
    for ``months >= 0``, without building a relativedelta on the hot path.

    Raises:
        OverflowError: The year passes 9999 (as date arithmetic says it).

    >>> _add_months(datetime(2024, 1, 31, 9), 1)
    datetime.datetime(2024, 2, 29, 9, 0)
    """
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    if year > 9999:  # datetime's last year
        msg = "date value out of range"
        raise OverflowError(msg)
    day = start.day
    if day > 28:
        leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        day = min(day, _MONTH_DAYS[month] + leap)
    return start.replace(year=year, month=month, day=day, fold=0)
