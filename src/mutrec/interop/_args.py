"""The arguments every reader shares, checked one way: the issuer map and the default zone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Final

from mutrec.errors import ArgumentError

__all__ = ["DST_REASON", "check_issuer", "check_zone", "id_resolver", "in_zone"]

DST_REASON: Final = "a wall time that the zone skips or repeats (daylight saving): send the offset"


def check_issuer(issuer: object, key: str) -> None:
    """Refuse an *issuer* that is neither ``None``, a mapping nor a function of *key*.

    >>> check_issuer({"12110000400000001X": "BJ001"}, "facility id")
    >>> check_issuer(3, "facility id")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'issuer' = 3: expected a mapping or a function from ...
    """
    if issuer is not None and not isinstance(issuer, Mapping) and not callable(issuer):
        arg = "issuer"
        raise ArgumentError(arg, issuer, f"a mapping or a function from {key} to institution id")


def check_zone(default_zone: object) -> None:
    """Refuse a *default_zone* that is neither ``None`` nor a ``tzinfo``.

    >>> check_zone("Asia/Shanghai")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'default_zone' = 'Asia/Shanghai': expected a tzinfo ...
    """
    if default_zone is not None and not isinstance(default_zone, tzinfo):
        arg = "default_zone"
        raise ArgumentError(arg, default_zone, "a tzinfo such as ZoneInfo('Asia/Shanghai')")


def id_resolver(
    issuer: Callable[[str], str | None] | Mapping[str, str] | None,
) -> Callable[[str], str | None]:
    """A function from an id as sent to mutrec's institution id; the id itself without a map.

    >>> id_resolver({"A": "BJ001"})("A"), id_resolver({"A": "BJ001"})("B"), id_resolver(None)("B")
    ('BJ001', None, 'B')
    """
    if issuer is None:
        return _as_sent
    if isinstance(issuer, Mapping):
        return issuer.get
    return issuer


def _as_sent(key: str) -> str:
    return key


def in_zone(wall: datetime, zone: tzinfo) -> datetime | None:
    """A naive *wall* time placed in *zone*; ``None`` when the zone skips or repeats it.

    A wall time in a daylight-saving gap or overlap names no single instant: taking one side
    would be a guess (the LIS column map refuses it the same way).

    >>> from zoneinfo import ZoneInfo
    >>> in_zone(datetime(2024, 3, 10, 2, 30), ZoneInfo("America/New_York")) is None
    True
    >>> in_zone(datetime(2024, 3, 10, 4, 30), ZoneInfo("America/New_York")).isoformat()
    '2024-03-10T04:30:00-04:00'
    """
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    try:
        same = early.utcoffset() == late.utcoffset()
    except OverflowError:  # pragma: no cover - a zone's rules cannot place the year
        return None
    return early if same else None
