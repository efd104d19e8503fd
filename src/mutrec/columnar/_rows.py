"""One row of a columnar table as a request: what the scalar fallback (and the tests) evaluate.

A row is the dict ``pyarrow`` gives for it (``to_pylist``): text, numbers, booleans, aware
datetimes or ``None``. The columns are those of ``mutrec check`` (see
:data:`mutrec.columnar.COLUMNS`); instants may be Arrow timestamps with a time zone or ISO-8601
text with an offset. Text cells are stripped; an empty cell is an absent value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
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
from mutrec.policy import ClinicalContext, Request

__all__ = ["FIRST_YEAR", "LAST_YEAR", "request_of"]

FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2999
_SHOWN: Final = 60
_TRUE: Final = frozenset({"1", "true", "yes", "y", "是"})
_FALSE: Final = frozenset({"", "0", "false", "no", "n", "否"})


def _short(value: object) -> object:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _text(row: Mapping[str, Any], field: str) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        reason = f"expected text, not {type(value).__name__}"
        raise ResultError(field, _short(value), reason)
    text = str(value).strip()
    return text or None


def _required(row: Mapping[str, Any], field: str, default: str | None = None) -> str:
    value = _text(row, field) or default
    if value is None:
        reason = "is required"
        raise ResultError(field, None, reason)
    return value


def _instant(row: Mapping[str, Any], field: str, default: datetime | None = None) -> datetime:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        reason = "is required"
        raise ResultError(field, None, reason)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            reason = "not an ISO-8601 instant such as 2024-03-11T08:00+08:00"
            raise ResultError(field, _short(value), reason) from None
    if not isinstance(value, datetime):
        reason = f"expected an instant, not {type(value).__name__}"
        raise ResultError(field, _short(value), reason)
    offset = value.utcoffset()
    if offset is None:
        raise TimeZoneError(field)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        reason = f"the year is outside {FIRST_YEAR}-{LAST_YEAR}: a typo?"
        raise ResultError(field, value.isoformat(), reason)
    # The offset the sender used, as an ISO-8601 text would carry it.
    return value if type(value.tzinfo) is timezone else value.replace(tzinfo=timezone(offset))


def _optional_instant(row: Mapping[str, Any], field: str) -> datetime | None:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _instant(row, field)


def _flag(row: Mapping[str, Any], field: str) -> bool:
    value = row.get(field)
    if isinstance(value, bool):
        return value
    text = (_text(row, field) or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    reason = "expected true or false"
    raise ResultError(field, _short(value), reason)


def _list(row: Mapping[str, Any], field: str) -> list[str]:
    value = row.get(field)
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in (_text(row, field) or "").split(";") if p.strip()]


def _number(row: Mapping[str, Any], field: str, kind: type[float]) -> Any:
    value = row.get(field)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return kind(value)
    text = _text(row, field)
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ResultError(field, _short(text), f"not a number ({kind.__name__})") from None


def _imaging(row: Mapping[str, Any]) -> ImagingResult:
    text = _required(row, "modality").upper()
    try:
        modality = Modality(text)
    except ValueError:
        field, reason = "modality", f"not one of {', '.join(m.value for m in Modality)}"
        raise ResultError(field, text, reason) from None
    rows = _number(row, "detector_rows", int)
    tesla = _number(row, "field_strength_t", float)
    model = _text(row, "device_model")
    device = None
    if rows is not None or tesla is not None or model is not None:
        device = DeviceCapability(detector_rows=rows, field_strength_t=tesla, model=model)
    field = "performed" if row.get("performed") is not None else "collected"
    return ImagingResult(
        _required(row, "item"),
        modality,
        _instant(row, field),
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_optional_instant(row, "reported"),
        body_part=_text(row, "body_part"),
        device=device,
        study_uid=_text(row, "study_uid"),
        image_link=_text(row, "image_link"),
    )


def _lab(row: Mapping[str, Any]) -> LabResult:
    raw = row.get("value")
    unit = _text(row, "unit")
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        value = parse_value(float(raw), unit)
    else:
        value = parse_value(_required(row, "value"), unit)
    return LabResult(
        _required(row, "item"),
        value,
        _instant(row, "collected"),
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_optional_instant(row, "reported"),
        specimen=_text(row, "specimen"),
        loinc=_text(row, "loinc"),
    )


def request_of(row: Mapping[str, Any], receiver: str | None, at: datetime | None) -> Request:
    """The request one row stands for (*receiver*, *at*: for rows without those cells).

    Raises:
        MutrecError: The row cannot be read (a ``ResultError``, ``TimeZoneError`` …).
        ValueError: A context value is impossible (raised as a ``ResultError``).

    >>> from datetime import datetime, UTC
    >>> row = {"item": "K", "value": 4.1, "unit": "mmol/L", "issuer": "BJ001",
    ...        "patient": "P1", "collected": datetime(2024, 3, 1, tzinfo=UTC)}
    >>> request_of(row, "BJ003", datetime(2024, 3, 2, tzinfo=UTC)).result.value.value
    4.1
    """
    kind = (_text(row, "kind") or ("imaging" if _text(row, "modality") else "lab")).lower()
    if kind not in {"lab", "imaging"}:
        field, reason = "kind", "expected 'lab' or 'imaging'"
        raise ResultError(field, kind, reason)
    result = _imaging(row) if kind == "imaging" else _lab(row)
    setting_text = (_text(row, "setting") or "outpatient").lower()
    try:
        setting = CareSetting(setting_text)
    except ValueError:
        field, reason = "setting", "expected outpatient, inpatient or emergency"
        raise ResultError(field, setting_text, reason) from None
    try:
        context = ClinicalContext(
            setting,
            purposes=frozenset(_list(row, "purpose")),
            patient=_text(row, "current_patient") or _text(row, "patient"),
            condition_changed=_flag(row, "condition_changed"),
            rapid_change=_flag(row, "rapid_change"),
            resuscitation=_flag(row, "resuscitation"),
            other_need=_text(row, "other_need"),
            local_grounds=_list(row, "local_grounds"),
        )
    except ValueError as error:
        if isinstance(error, ResultError):
            raise
        field = "purpose"
        raise ResultError(field, _short(row.get(field)), str(error)) from None
    return Request(
        result,
        _required(row, "receiver", receiver),
        _instant(row, "at", at),
        context,
        _text(row, "result_id"),
    )
