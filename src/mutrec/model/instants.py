"""Timezone-aware instants: the only kind of ``datetime`` the model accepts.

mutrec never guesses a zone. A naive ``datetime`` is a :class:`~mutrec.errors.TimeZoneError`
unless the caller names a default zone explicitly (``Asia/Shanghai`` is the usual one).

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> require_aware(datetime(2024, 3, 1, 8, 30), "collected", ZoneInfo("Asia/Shanghai")).isoformat()
'2024-03-01T08:30:00+08:00'
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from mutrec.errors import ArgumentError, TimeZoneError

__all__ = ["is_aware", "local_date", "require_aware"]


def is_aware(value: datetime) -> bool:
    """Tell whether *value* carries a usable UTC offset.

    >>> from datetime import datetime, UTC
    >>> is_aware(datetime(2024, 1, 1, tzinfo=UTC)), is_aware(datetime(2024, 1, 1))
    (True, False)
    """
    if not isinstance(value, datetime):
        arg = "value"
        raise ArgumentError(arg, value, "a datetime")
    return value.tzinfo is not None and value.utcoffset() is not None


def require_aware(value: datetime, field: str, default_zone: tzinfo | None = None) -> datetime:
    """Return *value* if it is aware, or *value* placed in *default_zone* if one was given.

    Args:
        value: The instant to check.
        field: The field's name, quoted in the error.
        default_zone: The zone a naive *value* is read in; ``None`` refuses naive values.

    Raises:
        TimeZoneError: *value* is naive and no default zone was configured.
        ArgumentError: *value* is not a ``datetime`` (a bare ``date`` is not an instant).

    >>> from datetime import datetime
    >>> require_aware(datetime(2024, 3, 1), "reported")
    Traceback (most recent call last):
    ...
    mutrec.errors.TimeZoneError: 'reported' is a naive datetime: ...
    """
    if not isinstance(value, datetime):
        if not isinstance(field, str):
            arg = "field"
            raise ArgumentError(arg, field, "text (a str): the field's name")
        # The words "must be a datetime" stay: callers match on them.
        raise ArgumentError(field, value, "a datetime (an instant): it must be a datetime")
    # utcoffset() is None for a naive value too: one C call instead of is_aware's two (hot path).
    if value.utcoffset() is not None:
        return value
    if default_zone is None:
        raise TimeZoneError(field)
    if not isinstance(default_zone, tzinfo):
        arg = "default_zone"
        raise ArgumentError(arg, default_zone, "a tzinfo or None")
    return value.replace(tzinfo=default_zone)


def local_date(instant: datetime, zone: tzinfo) -> date:
    """Return the calendar date of an aware *instant* on the wall clock of *zone*.

    Memberships, catalogues and quality records are dated in a region's calendar; this is how
    an instant is placed in it.

    >>> from datetime import datetime, UTC
    >>> from zoneinfo import ZoneInfo
    >>> local_date(datetime(2024, 2, 29, 17, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
    datetime.date(2024, 3, 1)
    """
    # astimezone() to the instant's own zone object returns the instant itself: skip the call.
    try:
        return instant.date() if instant.tzinfo is zone else instant.astimezone(zone).date()
    except (AttributeError, TypeError, ValueError):
        # Looked into only on failure: this runs for every evaluation.
        given: object = instant  # typed as a datetime, but callers outside mypy pass anything
        if not isinstance(given, datetime) or given.utcoffset() is None:
            arg = "instant"
            raise ArgumentError(arg, instant, "an aware datetime") from None
        if not isinstance(zone, tzinfo):
            arg = "zone"
            raise ArgumentError(arg, zone, "a tzinfo such as ZoneInfo('Asia/Shanghai')") from None
        raise


def to_utc(instant: datetime) -> datetime:
    """Return *instant* in UTC (private helper for continuous-time arithmetic)."""
    return instant.astimezone(UTC)
