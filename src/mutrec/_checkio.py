"""Reading ``mutrec check`` input: one prior result and the facts of its evaluation per row.

Input is CSV (a header row) or JSON (a list of objects, or ``{"rows": [...]}``) with these
columns; names are case-sensitive, empty cells are absent values, rows with only empty cells
are skipped. Instants are ISO-8601 with an offset (``2024-03-11T08:00:00+08:00``), in the years
1900-2999; a naive one is a ``TimeZoneError`` for that row unless ``--default-zone`` names a
zone (a wall time that zone skips or repeats, daylight saving, is refused for that row). A
``value`` given with a ``unit`` is a number (``4.1``, ``>300``) or a qualitative word
(``阴性``, ``+``); other text (``4,1``, ``NaN``) is refused for that row.

=================  ========  ==================================================================
column             required  meaning
=================  ========  ==================================================================
result_id                    your reference, recorded in the decision
kind                         ``lab`` or ``imaging`` (default: ``imaging`` when ``modality`` is
                             given, else ``lab``)
item               yes       the item as the issuer names it: code, alias, LOINC or local code
value              lab       the value as printed: ``4.1``, ``>300``, ``阴性``
unit                         the unit as printed: ``mmol/L``, ``10*9/L``, ``mg/dL``
collected          yes       lab: specimen collection; imaging: the examination (or
                             ``performed``)
reported                     when the report was issued (anchor of report-time windows)
issuer             yes       the issuing institution's id
patient            yes       the patient the result belongs to
current_patient              the patient being treated (default: ``patient``)
receiver           yes*      the receiving institution's id (* or ``--receiver``)
at                 yes*      the instant of the decision (* or ``--at``)
setting                      ``outpatient`` (default), ``inpatient`` or ``emergency``
purpose                      ``;``-separated: ``before_surgery``, ``before_transfusion``,
                             ``forensic``, ``disability``, ``sick_leave_retirement``
condition_changed            ``true``/``false``: statutory ground 1
rapid_change                 ``true``/``false``: ground 2
resuscitation                ``true``/``false``: ground 4
other_need                   the doctor's note of another need to repeat: ground 6
local_grounds                ``;``-separated codes of the program's local grounds
loinc, specimen              lab: LOINC code, specimen
modality                     imaging: ``CT``, ``MR``, ``DR``, ``US`` …
performed                    imaging: the examination instant (instead of ``collected``)
detector_rows                imaging: CT detector rows (排数)
field_strength_t             imaging: MR field strength in tesla (场强)
device_model                 imaging: manufacturer and model
study_uid, image_link        imaging: where the images are (no images: not recognised)
body_part                    imaging: body part
=================  ========  ==================================================================

Any other CSV (a LIS export) is read through a column map, ``--columns map.toml``
(``kind = "columns"``): its columns, constants, instant formats and zone, and the item code
system (see the data-file schemas); an error then names the export's column and line.

>>> sorted(COLUMNS)[:3]
['at', 'body_part', 'collected']
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from mutrec.errors import ResultError, TimeZoneError
from mutrec.files.columns import CHECK_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from collections.abc import Set as AbstractSet
    from datetime import tzinfo

    from mutrec.cli._read import RawRow
    from mutrec.files.columns import RowMapper
    from mutrec.model import ImagingResult, LabResult
    from mutrec.policy import Request, RowError

__all__ = ["COLUMNS", "Defaults", "parse_rows", "required_columns"]

COLUMNS: Final = CHECK_COLUMNS
"""The columns ``mutrec check`` reads (kept with the column maps that target them)."""

_SHOWN: Final = 60
_FIRST_YEAR: Final = 1900
_LAST_YEAR: Final = 2999
_TRUE: Final = frozenset({"1", "true", "yes", "y", "是"})
_FALSE: Final = frozenset({"", "0", "false", "no", "n", "否"})


class Defaults:
    """Values for columns a file leaves out: ``--receiver``, ``--at``, ``--default-zone``.

    >>> Defaults(receiver="BJ003").receiver
    'BJ003'
    """

    __slots__ = ("at", "receiver", "zone")

    def __init__(
        self, *, receiver: str | None = None, at: str | None = None, zone: tzinfo | None = None
    ) -> None:
        """Record the defaults."""
        self.receiver = receiver
        self.at = at
        self.zone = zone


def required_columns(present: AbstractSet[str]) -> list[str]:
    """The required columns missing from *present* (the header plus what options supply).

    ``value`` is required unless a ``modality`` column allows imaging rows (which have none);
    ``performed`` stands in for ``collected``.

    >>> required_columns({"item", "value", "collected", "issuer", "patient"})
    ['receiver', 'at']
    """
    need = ["item"]
    if "modality" not in present:
        need.append("value")
    if "performed" not in present:
        need.append("collected")
    need += ["issuer", "patient", "receiver", "at"]
    return [column for column in need if column not in present]


def _short_text(text: str) -> str:
    # A message quotes the bad value; a 100,000-character cell must not become the message.
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _short(value: object) -> object:
    return _short_text(value) if isinstance(value, str) else value


def _text(row: Mapping[str, Any], field: str) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        # A JSON list, object or true where text belongs: str() would invent an item code.
        reason = f"expected text, not {type(value).__name__}"
        raise ResultError(field, _short(str(value)), reason)
    text = str(value).strip()
    return text or None


def _required(row: Mapping[str, Any], field: str, default: str | None = None) -> str:
    value = _text(row, field) or default
    if value is None:
        reason = "is required"
        raise ResultError(field, row.get(field), reason)
    return value


def _instant(text: str | None, field: str, zone: tzinfo | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ResultError(
            field, _short(text), "not an ISO-8601 instant such as 2024-03-11T08:00+08:00"
        ) from None
    if value.tzinfo is None:
        if zone is None:
            raise TimeZoneError(field)
        # A wall time the clocks skip or show twice names no single instant (as in a column
        # map): taking one side would be a guess.
        early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            reason = f"a wall time that {zone} skips or repeats (daylight saving): add the offset"
            raise ResultError(field, _short(text), reason)
        value = early
    # Near years 1 and 9999 converting to UTC or adding a window overflows datetime; no result
    # or decision of this system lies outside these years, so such an instant is a typo.
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        reason = f"the year is outside {_FIRST_YEAR}-{_LAST_YEAR}: a typo?"
        raise ResultError(field, text, reason)
    return value


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
        return [str(v) for v in value]
    return [p.strip() for p in (_text(row, field) or "").split(";") if p.strip()]


def _number(row: Mapping[str, Any], field: str, kind: type[float]) -> Any:
    text = _text(row, field)
    if text is None:
        return None
    try:
        number = kind(text)
    except ValueError:  # also a whole number of more than 4,300 digits
        raise ResultError(field, _short(text), f"not a number ({kind.__name__})") from None
    if not math.isfinite(number):
        raise ResultError(field, _short(text), "not a finite number")
    return number


def _imaging(row: Mapping[str, Any], defaults: Defaults) -> ImagingResult:
    from mutrec.model import DeviceCapability, ImagingResult, Modality

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
    field = "performed" if _text(row, "performed") else "collected"
    performed = _instant(_required(row, field), field, defaults.zone)
    return ImagingResult(
        _required(row, "item"),
        modality,
        performed,  # type: ignore[arg-type]
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_instant(_text(row, "reported"), "reported", defaults.zone),
        body_part=_text(row, "body_part"),
        device=device,
        study_uid=_text(row, "study_uid"),
        image_link=_text(row, "image_link"),
    )


def _lab(row: Mapping[str, Any], defaults: Defaults) -> LabResult:
    from mutrec.model import LabResult, parse_value

    # "abc mmol/L" or "4,1 mmol/L" reads as text: the policy refuses text for a numeric item
    # (value.not_numeric), with its reason in Chinese and English, as it does for any caller.
    value = parse_value(_required(row, "value"), _text(row, "unit"))
    return LabResult(
        _required(row, "item"),
        value,
        _instant(_required(row, "collected"), "collected", defaults.zone),  # type: ignore[arg-type]
        _required(row, "issuer"),
        _required(row, "patient"),
        reported=_instant(_text(row, "reported"), "reported", defaults.zone),
        specimen=_text(row, "specimen"),
        loinc=_text(row, "loinc"),
    )


def _request(row: Mapping[str, Any], defaults: Defaults) -> Request:
    from mutrec.model import CareSetting
    from mutrec.policy import ClinicalContext, Request

    unknown = sorted(k for k in row if k not in COLUMNS)
    if unknown:
        close = difflib.get_close_matches(unknown[0].lower(), sorted(COLUMNS - set(row)), n=1)
        reason = f"unknown column (did you mean {close[0]!r}?)" if close else "unknown column"
        raise ResultError(unknown[0], _short(row[unknown[0]]), reason)
    kind = (_text(row, "kind") or ("imaging" if _text(row, "modality") else "lab")).lower()
    if kind not in {"lab", "imaging"}:
        field, reason = "kind", "expected 'lab' or 'imaging'"
        raise ResultError(field, kind, reason)
    result = _imaging(row, defaults) if kind == "imaging" else _lab(row, defaults)
    setting_text = (_text(row, "setting") or "outpatient").lower()
    try:
        setting = CareSetting(setting_text)
    except ValueError:
        field, reason = "setting", "expected outpatient, inpatient or emergency"
        raise ResultError(field, setting_text, reason) from None
    try:
        purposes = frozenset(_list(row, "purpose"))
        context = ClinicalContext(
            setting,
            purposes=purposes,
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
        raise ResultError(field, row.get(field), str(error)) from None
    at = _instant(_required(row, "at", defaults.at), "at", defaults.zone)
    return Request(
        result,
        _required(row, "receiver", defaults.receiver),
        at,  # type: ignore[arg-type]
        context,
        _text(row, "result_id"),
    )


def parse_rows(
    rows: Iterable[Mapping[str, Any] | RawRow],
    defaults: Defaults,
    mapper: RowMapper | None = None,
) -> Iterator[Request | RowError]:
    """Turn each row into a request, or a :class:`RowError` saying why it cannot be read.

    Lazy: a row is read when the result is asked for, so a file of any length streams. With
    a *mapper* (``--columns``), each row is an export's row: it is mapped first, and an error
    names the export's column.

    >>> [bad] = parse_rows([{"item": "K"}], Defaults())
    >>> bad.field, bad.message
    ('value', "result field 'value' = None: is required")
    """
    from mutrec.policy import RowError

    for index, raw in enumerate(rows):
        row = raw if isinstance(raw, Mapping) else raw.cells
        try:
            request = (
                _request(row, defaults) if isinstance(raw, Mapping) else _raw(raw, defaults, mapper)
            )
        except (ValueError, TypeError, ArithmeticError) as error:
            field = getattr(error, "field", None)
            rid = row.get(
                "result_id" if mapper is None else mapper.map_.columns.get("result_id", "")
            )
            yield RowError(
                index,
                _short_text(rid) if isinstance(rid, str) and rid else None,
                type(error).__name__,
                str(error),
                field if isinstance(field, str) else None,
            )
        else:
            yield request


def _raw(raw: RawRow, defaults: Defaults, mapper: RowMapper | None) -> Request:
    if raw.problem is not None:  # a row the reader could not make out (too many cells …)
        field = "row"
        raise ResultError(field, f"line {raw.line}", raw.problem)
    if mapper is None:
        return _request(raw.cells, defaults)
    try:
        cells = mapper.map(raw.cells)
    except ResultError as error:
        raise ResultError(error.field, error.value, f"{error.reason} (line {raw.line})") from None
    try:
        return _request(cells, defaults)
    except ResultError as error:
        # Said in the export's terms: its column, and the line of the file.
        field = mapper.map_.source_of(error.field)
        raise ResultError(field, error.value, f"{error.reason} (line {raw.line})") from None
