"""Validity windows (互认时限): how long a result may be recognised, counted from an anchor.

No national day counts exist: windows are local catalogue data [domain.md §4]. A span counts
calendar days or calendar months on the anchor's own wall clock (so it keeps the time of day
across a daylight-saving change), or continuous hours (elapsed time, which does not).

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> t = datetime(2024, 1, 31, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> Span(1, Counting.CALENDAR_MONTHS).add_to(t).isoformat()
'2024-02-29T09:00:00+08:00'
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import attrs
from dateutil.relativedelta import relativedelta

from mutrec.model.instants import require_aware
from mutrec.model.patient import CareSetting

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Anchor", "Anchored", "Counting", "Span", "Window"]


class Anchor(enum.Enum):
    """The instant a window counts from.

    >>> Anchor("report").name
    'REPORT'
    """

    COLLECTION = "collection"
    EXAMINATION = "examination"
    REPORT = "report"


class Counting(enum.Enum):
    """How a span is counted.

    >>> [c.value for c in Counting]
    ['days', 'months', 'hours']
    """

    CALENDAR_DAYS = "days"
    CALENDAR_MONTHS = "months"
    HOURS = "hours"


class Anchored(Protocol):
    """Anything a window can count from: lab and imaging results both are."""

    def anchor_instant(self, anchor: Anchor, /) -> datetime:
        """Return the aware instant for *anchor*."""
        ...


def _non_negative(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name!r} must be an int >= 0 (got {value!r})"
        raise ValueError(msg)


@attrs.frozen
class Span:
    """A duration: calendar days, calendar months (month ends clamp), or continuous hours.

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
    """

    amount: int = attrs.field(validator=_non_negative)
    counting: Counting = attrs.field(validator=attrs.validators.instance_of(Counting))

    @classmethod
    def parse(cls, text: str) -> Span:
        """Read ``"7d"``, ``"1mo"`` or ``"24h"``.

        Raises:
            ValueError: The text is not a span.

        >>> Span.parse("30d")
        Span(amount=30, counting=<Counting.CALENDAR_DAYS: 'days'>)
        """
        stripped = text.strip().lower()
        for suffix, counting in (
            ("mo", Counting.CALENDAR_MONTHS),
            ("d", Counting.CALENDAR_DAYS),
            ("h", Counting.HOURS),
        ):
            number = stripped.removesuffix(suffix)
            if number != stripped and number.isdigit():
                return cls(int(number), counting)
        msg = f"not a span: {text!r} (write 7d, 1mo or 24h)"
        raise ValueError(msg)

    def __str__(self) -> str:
        """Render as ``7d``, ``1mo`` or ``24h``."""
        suffix = {Counting.CALENDAR_DAYS: "d", Counting.CALENDAR_MONTHS: "mo"}.get(
            self.counting, "h"
        )
        return f"{self.amount}{suffix}"

    def add_to(self, instant: datetime) -> datetime:
        """Return *instant* plus this span, in *instant*'s zone.

        Raises:
            TimeZoneError: *instant* is naive.
        """
        start = require_aware(instant, "anchor")
        zone = start.tzinfo
        if self.counting is Counting.HOURS:
            end = start.astimezone(UTC) + timedelta(hours=self.amount)
            return end.astimezone(zone)
        if self.counting is Counting.CALENDAR_DAYS:
            wall = start + timedelta(days=self.amount)  # same tzinfo: wall-clock arithmetic
        else:
            wall = start + relativedelta(months=self.amount)
        # A wall time inside a DST gap does not exist; the UTC round-trip moves it past the gap.
        return wall.astimezone(UTC).astimezone(zone)


def _pairs(
    value: Mapping[CareSetting, Span] | Iterable[tuple[CareSetting, Span]],
) -> tuple[tuple[CareSetting, Span], ...]:
    items = value.items() if hasattr(value, "items") else value
    pairs = tuple(sorted(((CareSetting(s), span) for s, span in items), key=lambda p: p[0].value))
    for setting, span in pairs:
        if not isinstance(span, Span):
            msg = f"window span for {setting.value!r} must be a Span (got {span!r})"
            raise TypeError(msg)
    return pairs


@attrs.frozen
class Window:
    """A validity window: a default span, spans per care setting, and the anchor.

    Attributes:
        span: The span for settings without their own.
        anchor: What the span counts from.
        settings: Spans for particular care settings.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.results import LabResult, parse_value
    >>> t = datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> k = LabResult("K", parse_value("4.1", "mmol/L"), t, "H1", "p", reported=t)
    >>> w = Window(Span(7, Counting.CALENDAR_DAYS),
    ...            settings={CareSetting.EMERGENCY: Span(24, Counting.HOURS)})
    >>> w.expires_at(k).isoformat(), w.expires_at(k, CareSetting.EMERGENCY).isoformat()
    ('2024-03-08T08:00:00+08:00', '2024-03-02T08:00:00+08:00')
    """

    span: Span = attrs.field(validator=attrs.validators.instance_of(Span))
    anchor: Anchor = attrs.field(
        default=Anchor.REPORT, validator=attrs.validators.instance_of(Anchor)
    )
    settings: tuple[tuple[CareSetting, Span], ...] = attrs.field(default=(), converter=_pairs)
    _by_setting: dict[CareSetting, Span] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index the per-setting spans once."""
        object.__setattr__(self, "_by_setting", dict(self.settings))

    def span_for(self, setting: CareSetting | None = None) -> Span:
        """The span that applies in *setting* (the default span for ``None``)."""
        if setting is None:
            return self.span
        return self._by_setting.get(setting, self.span)

    def expires_at(self, result: Anchored, setting: CareSetting | None = None) -> datetime:
        """The exact instant *result* stops being recognisable in *setting*.

        Raises:
            ResultError: The result lacks the anchor's instant (no report instant).
        """
        return self.span_for(setting).add_to(result.anchor_instant(self.anchor))

    def is_current(
        self, result: Anchored, at: datetime, setting: CareSetting | None = None
    ) -> bool:
        """Whether *result* is still within its window at the aware instant *at*."""
        # Compare in UTC: Python compares same-tzinfo datetimes by wall clock, which is wrong
        # for the repeated hour when clocks fall back.
        return require_aware(at, "at").astimezone(UTC) < self.expires_at(
            result, setting
        ).astimezone(UTC)
