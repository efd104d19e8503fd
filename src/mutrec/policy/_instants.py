"""Instants in decisions and overrides: aware, with fixed UTC offsets, and their JSON form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, overload

import attrs

from mutrec.errors import ArgumentError, TimeZoneError
from mutrec.policy._jsonio import instant_field

__all__ = ["aware", "fixed_offset", "instant_from_json", "instant_to_json", "zone_of"]


def aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate that *value* is an aware datetime (``None`` passes: optionality is elsewhere).

    >>> import attrs
    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class At:
    ...     at: datetime = attrs.field(validator=aware)
    >>> At(datetime(2024, 1, 1))
    Traceback (most recent call last):
    mutrec.errors.TimeZoneError: 'at' is a naive datetime: ...
    """
    if value is None:
        return
    if not isinstance(value, datetime):
        raise ArgumentError(attribute.name, value, "an aware datetime: it must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimeZoneError(attribute.name)


@overload
def fixed_offset(value: datetime) -> datetime: ...
@overload
def fixed_offset(value: datetime | None) -> datetime | None: ...
def fixed_offset(value: datetime | None) -> datetime | None:
    """Return *value* with its zone replaced by its fixed UTC offset (same wall clock, instant).

    Decisions keep instants with fixed offsets: that is what their JSON says, so the round
    trip is exact even for wall times a zone database finds ambiguous or skipped (Python
    compares such instants across zones as unequal). Naive values pass through unchanged
    for the validator to refuse.

    >>> from datetime import datetime, timedelta, timezone
    >>> from zoneinfo import ZoneInfo
    >>> fixed_offset(datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))).tzinfo
    datetime.timezone(datetime.timedelta(seconds=28800))
    """
    if not isinstance(value, datetime) or type(value.tzinfo) is timezone:
        return value
    offset = value.utcoffset()
    return value if offset is None else value.replace(tzinfo=zone_of(offset), fold=0)


_ZONES: dict[timedelta, timezone] = {}


def zone_of(offset: timedelta) -> timezone:
    """Return the fixed zone of *offset*, one shared object per offset (a pure memo).

    >>> from datetime import timedelta
    >>> zone_of(timedelta(hours=8)) is zone_of(timedelta(hours=8))
    True
    """
    zone = _ZONES.get(offset)
    if zone is None:
        # Filling the memo from two threads at once stores equal values: harmless.
        zone = _ZONES.setdefault(offset, timezone(offset))
    return zone


def instant_to_json(value: datetime | None) -> str | None:
    """Write an aware instant as ISO-8601 with its offset (microseconds kept).

    >>> from datetime import datetime, timezone, timedelta
    >>> instant_to_json(datetime(2024, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8))))
    '2024-03-01T08:30:00+08:00'
    """
    return None if value is None else value.isoformat()


def instant_from_json(text: object, field: str, record: str = "decision") -> datetime | None:
    """Read an instant written by :func:`instant_to_json` (``None`` reads as ``None``).

    A naive instant, one that is not ISO-8601, or one outside years 1 to 9999 in UTC is a
    :class:`~mutrec.errors.RecordError` naming *field*.

    >>> instant_from_json("2024-03-01T08:30:00+08:00", "at").utcoffset()
    datetime.timedelta(seconds=28800)
    >>> instant_from_json("2024-03-01T08:30:00", "at")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision at = '2024-03-01T08:30:00': has no UTC offset ...
    """
    return instant_field({field: text}, field, record, "$", null=True)
