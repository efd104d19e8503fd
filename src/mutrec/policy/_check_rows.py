"""A row of ``mutrec check``'s columns as a :class:`~mutrec.policy.Request`: one reading for all.

A row maps a column (``mutrec.files.columns.CHECK_COLUMNS``) to its cell. Three callers read
such rows, and read every cell alike: ``mutrec check`` and the service (``mutrec._checkio``: CSV
and JSON cells), the columnar engine's scalar path (``mutrec.columnar._rows``: the typed cells of
Arrow's ``to_pylist``) and the synthetic province's scalar decisions (``mutrec.synth._decide``).
What differs between them are the arguments of :func:`request_from`: the receiver and the
instant of decision of rows without those cells, and the zone of an instant written without an
offset (``--default-zone``).

A cell is read as

- text: a ``str``, stripped (blank is an absent value), or a number's text; anything else (a
  list, an object, ``true``) is refused, since ``str()`` would invent an item code;
- an instant: an aware ``datetime`` (as its fixed offset), or ISO-8601 text with an offset; one
  without an offset is read in the zone if one is given (a wall time the zone skips or repeats
  is refused), else it is a ``TimeZoneError``; years outside 1900-2999 are refused as typos;
- a flag: a bool, or ``true``/``false`` words (``1``, ``yes``, ``是`` …);
- a list: a list, or ``;``-separated text;
- a number (CT detector rows, MR tesla): its text read as the number, finite;
- the lab value: the text as printed, read by :func:`~mutrec.model.parse_value` (a finite float
  is taken as it is: the very number its text would give).

>>> from datetime import UTC, datetime
>>> row = {"item": "K", "value": "4.1", "unit": "mmol/L", "issuer": "BJ001", "patient": "P1",
...        "collected": datetime(2024, 3, 1, tzinfo=UTC), "purpose": "before_surgery"}
>>> request = request_from(row, receiver="BJ003", at="2024-03-02T08:00+08:00")
>>> request.at.isoformat(), sorted(p.value for p in request.context.purposes)
('2024-03-02T08:00:00+08:00', ['before_surgery'])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any, Final

from mutrec.errors import ResultError, TimeZoneError
from mutrec.model import (
    CareSetting,
    DeviceCapability,
    ImagingResult,
    LabResult,
    Modality,
    parse_value,
)
from mutrec.policy._batch import Request
from mutrec.policy._context import ClinicalContext

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "context_of",
    "imaging_of",
    "instant_of",
    "lab_of",
    "request_from",
    "short_text",
    "text_of",
]

FIRST_YEAR: Final = 1900
"""The first year an instant may be in (converting years near 1 to UTC overflows)."""
LAST_YEAR: Final = 2999
"""The last year an instant may be in (adding a window to years near 9999 overflows)."""

_SHOWN: Final = 60
_TRUE: Final = frozenset({"1", "true", "yes", "y", "是"})
_FALSE: Final = frozenset({"", "0", "false", "no", "n", "否"})
_INSTANT: Final = "not an ISO-8601 instant such as 2024-03-11T08:00+08:00"


def short_text(text: str) -> str:
    """*text* cut to 60 characters: a message quotes the bad value, not a 100,000-character cell.

    >>> short_text("x" * 100)[-3:]
    'xx…'
    """
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _short(value: object) -> object:
    return short_text(value) if isinstance(value, str) else value


def text_of(row: Mapping[str, Any], field: str) -> str | None:
    """The text of *row*'s cell *field*, stripped; ``None`` when absent or blank.

    Raises:
        ResultError: The cell is neither text nor a number (a list, an object, a bool).

    >>> text_of({"item": " K "}, "item"), text_of({"item": "  "}, "item"), text_of({}, "item")
    ('K', None, None)
    """
    value = row.get(field)
    if value is None:
        return None
    if type(value) is str:  # the common cell, first: a row reads some 20 of them
        return value.strip() or None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        # A JSON list, object or true where text belongs: str() would invent an item code.
        reason = f"expected text, not {type(value).__name__}"
        raise ResultError(field, _short(str(value)), reason)
    text = str(value).strip()
    return text or None


def _required(row: Mapping[str, Any], field: str, default: str | None = None) -> str:
    value = text_of(row, field) or default
    if value is None:
        reason = "is required"
        raise ResultError(field, row.get(field), reason)
    return value


def instant_of(field: str, cell: str | datetime, zone: tzinfo | None) -> datetime:
    """*cell* (ISO-8601 text or a ``datetime``) as an aware instant; *zone* for one without.

    An aware ``datetime`` keeps its offset at that instant (as its ISO-8601 text would carry
    it); text with an offset is read as written; without one, *zone* applies.

    Raises:
        ResultError: Naming *field*: not ISO-8601, a wall time *zone* skips or repeats, or a
            year outside 1900-2999.
        TimeZoneError: No offset, and no *zone*.

    >>> instant_of("at", "2024-03-11T08:00+08:00", None).isoformat()
    '2024-03-11T08:00:00+08:00'
    >>> instant_of("at", "2024-03-11T08:00", None)
    Traceback (most recent call last):
    ...
    mutrec.errors.TimeZoneError: 'at' is a naive datetime...
    """
    typed = isinstance(cell, datetime)
    if isinstance(cell, datetime):
        value = cell
    else:
        try:
            value = datetime.fromisoformat(cell)
        except ValueError:
            raise ResultError(field, _short(cell), _INSTANT) from None
    offset = value.utcoffset()
    if offset is None:
        if zone is None:
            raise TimeZoneError(field)
        # A wall time the clocks skip or show twice names no single instant (as in a column
        # map): taking one side would be a guess.
        early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            reason = f"a wall time that {zone} skips or repeats (daylight saving): add the offset"
            raise ResultError(field, _short(_shown(cell)), reason)
        value = early
    elif typed and type(value.tzinfo) is not timezone:
        # The offset the sender used, as an ISO-8601 text would carry it.
        value = value.replace(tzinfo=timezone(offset))
    # Near years 1 and 9999 converting to UTC or adding a window overflows datetime; no result
    # or decision of this system lies outside these years, so such an instant is a typo.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        reason = f"the year is outside {FIRST_YEAR}-{LAST_YEAR}: a typo?"
        raise ResultError(field, _shown(cell), reason)
    return value


def _shown(cell: str | datetime) -> str:
    return cell.isoformat() if isinstance(cell, datetime) else cell


def _instant(
    row: Mapping[str, Any], field: str, zone: tzinfo | None, default: str | datetime | None = None
) -> datetime | None:
    cell = row.get(field)
    if not isinstance(cell, datetime):
        cell = text_of(row, field) or default
        if cell is None:
            return None
    return instant_of(field, cell, zone)


def _required_instant(
    row: Mapping[str, Any], field: str, zone: tzinfo | None, default: str | datetime | None = None
) -> datetime:
    found = _instant(row, field, zone, default)
    if found is None:
        reason = "is required"
        raise ResultError(field, row.get(field), reason)
    return found


def _flag(row: Mapping[str, Any], field: str) -> bool:
    value = row.get(field)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = (text_of(row, field) or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    reason = "expected true or false"
    raise ResultError(field, _short(value), reason)


def _list(row: Mapping[str, Any], field: str) -> list[str]:
    value = row.get(field)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p.strip() for p in (text_of(row, field) or "").split(";") if p.strip()]


def _number(row: Mapping[str, Any], field: str, kind: type[float]) -> Any:
    # Read from the text, typed cells too: int(63.7) would be a guess, and 1e999 is no number.
    # A whole float is its whole number (a column with blanks arrives as floats from pandas).
    value = row.get(field)
    if kind is int and type(value) is float and value.is_integer():
        return int(value)
    text = text_of(row, field)
    if text is None:
        return None
    try:
        number = kind(text)
    except ValueError:  # also a whole number of more than 4,300 digits
        raise ResultError(field, _short(text), f"not a number ({kind.__name__})") from None
    if not math.isfinite(number):
        raise ResultError(field, _short(text), "not a finite number")
    return number


def imaging_of(row: Mapping[str, Any], zone: tzinfo | None = None) -> ImagingResult:
    """The imaging result of *row* (``performed``, else ``collected``, is the examination).

    Raises:
        ResultError: A cell cannot be read (see the module), or a required one is absent.

    >>> row = {"item": "CT-HEAD", "modality": "ct", "performed": "2024-03-01T09:00+08:00",
    ...        "issuer": "BJ001", "patient": "P1", "detector_rows": "64"}
    >>> result = imaging_of(row)
    >>> result.modality.value, result.device.detector_rows
    ('CT', 64)
    """
    text = _required(row, "modality").upper()
    try:
        modality = Modality(text)
    except ValueError:
        field, reason = "modality", f"not one of {', '.join(m.value for m in Modality)}"
        raise ResultError(field, text, reason) from None
    rows = _number(row, "detector_rows", int)
    tesla = _number(row, "field_strength_t", float)
    model = text_of(row, "device_model")
    device = None
    if rows is not None or tesla is not None or model is not None:
        device = DeviceCapability(detector_rows=rows, field_strength_t=tesla, model=model)
    performed = row.get("performed")
    given = isinstance(performed, datetime) or text_of(row, "performed") is not None
    field = "performed" if given else "collected"
    return ImagingResult(
        _required(row, "item"),
        modality,
        _required_instant(row, field, zone),
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_instant(row, "reported", zone),
        body_part=text_of(row, "body_part"),
        device=device,
        study_uid=text_of(row, "study_uid"),
        image_link=text_of(row, "image_link"),
    )


def lab_of(row: Mapping[str, Any], zone: tzinfo | None = None) -> LabResult:
    """The lab result of *row*.

    Raises:
        ResultError: A cell cannot be read (see the module), or a required one is absent.
        UnitError: The unit is not a unit.

    >>> row = {"item": "K", "value": "4.1", "unit": "mmol/L", "issuer": "BJ001",
    ...        "patient": "P1", "collected": "2024-03-01T09:00+08:00"}
    >>> lab_of(row).value.value
    4.1
    """
    cell = row.get("value")
    if isinstance(cell, float) and math.isfinite(cell):
        # A float is the number its shortest text (repr) reads back as: no need to print it.
        value = parse_value(cell, text_of(row, "unit"))
    else:
        # "abc mmol/L" or "4,1 mmol/L" reads as text: the policy refuses text for a numeric
        # item (value.not_numeric), with its reason in Chinese and English, as for any caller.
        value = parse_value(_required(row, "value"), text_of(row, "unit"))
    return LabResult(
        _required(row, "item"),
        value,
        _required_instant(row, "collected", zone),
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_instant(row, "reported", zone),
        specimen=text_of(row, "specimen"),
        loinc=text_of(row, "loinc"),
    )


def context_of(row: Mapping[str, Any]) -> ClinicalContext:
    """The clinical context of *row*: setting, purposes, current patient, declared grounds.

    Raises:
        ResultError: A cell cannot be read, or names an unknown setting or purpose.

    >>> context_of({"setting": "Emergency", "rapid_change": "是"}).rapid_change
    True
    """
    setting_text = (text_of(row, "setting") or "outpatient").lower()
    try:
        setting = CareSetting(setting_text)
    except ValueError:
        field, reason = "setting", "expected outpatient, inpatient or emergency"
        raise ResultError(field, setting_text, reason) from None
    try:
        return ClinicalContext(
            setting,
            purposes=frozenset(_list(row, "purpose")),
            patient=text_of(row, "current_patient") or text_of(row, "patient"),
            condition_changed=_flag(row, "condition_changed"),
            rapid_change=_flag(row, "rapid_change"),
            resuscitation=_flag(row, "resuscitation"),
            other_need=text_of(row, "other_need"),
            local_grounds=_list(row, "local_grounds"),
        )
    except ValueError as error:
        if isinstance(error, ResultError):
            raise
        field = "purpose"
        raise ResultError(field, row.get(field), str(error)) from None


def request_from(
    row: Mapping[str, Any],
    *,
    receiver: str | None = None,
    at: str | datetime | None = None,
    zone: tzinfo | None = None,
) -> Request:
    """The request *row* stands for.

    Args:
        row: The cells by column; columns not of ``mutrec check`` are not read.
        receiver: The receiver of rows without a ``receiver`` cell.
        at: The instant of decision of rows without an ``at`` cell: read as a cell would be.
        zone: The zone of instants written without an offset (none: such an instant is a
            ``TimeZoneError``).

    Raises:
        ResultError: A cell cannot be read, or a required one is absent (see the module).
        TimeZoneError: An instant has no offset, and there is no *zone*.
        UnitError: The unit is not a unit.

    >>> row = {"kind": "lab", "item": "Glu", "value": ">30", "unit": "mmol/L",
    ...        "issuer": "BJ001", "patient": "P1", "collected": "2024-03-01T09:00"}
    >>> from zoneinfo import ZoneInfo
    >>> shanghai = ZoneInfo("Asia/Shanghai")
    >>> request = request_from(row, receiver="BJ003", at="2024-03-02T10:00", zone=shanghai)
    >>> request.result.value.comparator, request.at.utcoffset().total_seconds()
    ('>', 28800.0)
    >>> request_from(row, at="2024-03-02T10:00", zone=shanghai)
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'receiver' = None: is required
    """
    kind = (text_of(row, "kind") or ("imaging" if text_of(row, "modality") else "lab")).lower()
    if kind not in {"lab", "imaging"}:
        field, reason = "kind", "expected 'lab' or 'imaging'"
        raise ResultError(field, kind, reason)
    result = imaging_of(row, zone) if kind == "imaging" else lab_of(row, zone)
    context = context_of(row)
    when = _required_instant(row, "at", zone, at)
    return Request(
        result, _required(row, "receiver", receiver), when, context, text_of(row, "result_id")
    )
