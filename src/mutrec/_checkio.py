"""Reading ``mutrec check`` input: one prior result and the facts of its evaluation per row.

Input is CSV (a header row) or JSON (a list of objects, or ``{"rows": [...]}``) with these
columns; names are case-sensitive, empty cells are absent values. Instants are ISO-8601 with an
offset (``2024-03-11T08:00:00+08:00``); a naive one is a ``TimeZoneError`` for that row unless
``--default-zone`` names a zone.

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

>>> sorted(COLUMNS)[:3]
['at', 'body_part', 'collected']
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from mutrec.errors import ResultError, TimeZoneError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import tzinfo

    from mutrec.model import ImagingResult, LabResult
    from mutrec.policy import Request, RowError

__all__ = ["COLUMNS", "Defaults", "parse_rows", "read_rows"]

COLUMNS: Final = frozenset(
    {
        "result_id",
        "kind",
        "item",
        "value",
        "unit",
        "collected",
        "performed",
        "reported",
        "issuer",
        "patient",
        "current_patient",
        "receiver",
        "at",
        "setting",
        "purpose",
        "condition_changed",
        "rapid_change",
        "resuscitation",
        "other_need",
        "local_grounds",
        "loinc",
        "specimen",
        "modality",
        "detector_rows",
        "field_strength_t",
        "device_model",
        "study_uid",
        "image_link",
        "body_part",
    }
)
"""The columns ``mutrec check`` reads."""

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


def read_rows(text: str, fmt: str) -> list[dict[str, Any]]:
    r"""Read the rows of *text* as ``csv`` or ``json``.

    Raises:
        ValueError: Not valid JSON or CSV, not a list of objects, or an unknown column.

    >>> read_rows("item,value\nK,4.1\n", "csv")
    [{'item': 'K', 'value': '4.1'}]
    >>> read_rows('{"rows": [{"item": "K"}]}', "json")
    [{'item': 'K'}]
    >>> read_rows("item,valeu\nK,4\n", "csv")
    Traceback (most recent call last):
    ValueError: unknown column 'valeu' (the columns are listed by `mutrec check --help`)
    """
    if fmt == "json":
        raw = json.loads(text)
        rows = raw.get("rows") if isinstance(raw, dict) else raw
        if not isinstance(rows, list):
            msg = 'JSON input must be a list of row objects, or {"rows": [...]}'
            raise ValueError(msg)
        return [r if isinstance(r, dict) else {"_not_an_object": r} for r in rows]
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        msg = "the CSV input is empty: it needs a header row (item, collected, issuer, …)"
        raise ValueError(msg)
    header = [name.strip() for name in reader.fieldnames]
    for name in header:
        if name not in COLUMNS:
            msg = f"unknown column {name!r} (the columns are listed by `mutrec check --help`)"
            raise ValueError(msg)
    reader.fieldnames = header
    out = []
    for row in reader:
        if None in row:
            msg = f"line {reader.line_num}: the row has more cells than the header"
            raise ValueError(msg)
        out.append({k: (v or "").strip() for k, v in row.items()})
    return out


def _text(row: Mapping[str, Any], field: str) -> str | None:
    value = row.get(field)
    if value is None:
        return None
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
            field, text, "not an ISO-8601 instant such as 2024-03-11T08:00+08:00"
        ) from None
    if value.tzinfo is None:
        if zone is None:
            raise TimeZoneError(field)
        value = value.replace(tzinfo=zone)
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
    raise ResultError(field, value, reason)


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
        return kind(text)
    except ValueError:
        raise ResultError(field, text, f"not a number ({kind.__name__})") from None


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

    return LabResult(
        _required(row, "item"),
        parse_value(_required(row, "value"), _text(row, "unit")),
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
        reason = "unknown column"
        raise ResultError(unknown[0], row[unknown[0]], reason)
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
    rows: list[dict[str, Any]], defaults: Defaults
) -> tuple[list[tuple[int, Request]], list[RowError]]:
    """Turn rows into requests; a row that cannot be read becomes a :class:`RowError`.

    >>> good, bad = parse_rows([{"item": "K"}], Defaults())
    >>> good, bad[0].field, bad[0].message
    ([], 'value', "result field 'value' = None: is required")
    """
    from mutrec.policy import RowError

    good: list[tuple[int, Request]] = []
    bad: list[RowError] = []
    for index, row in enumerate(rows):
        try:
            good.append((index, _request(row, defaults)))
        except (ValueError, TypeError) as error:
            field = getattr(error, "field", None)
            rid = row.get("result_id")
            bad.append(
                RowError(
                    index,
                    str(rid) if rid not in {None, ""} else None,
                    type(error).__name__,
                    str(error),
                    field if isinstance(field, str) else None,
                )
            )
    return good, bad
