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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mutrec.errors import ResultError
from mutrec.files.columns import CHECK_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from collections.abc import Set as AbstractSet
    from datetime import tzinfo

    from mutrec.cli._read import RawRow
    from mutrec.files.columns import RowMapper
    from mutrec.policy import Request, RowError

__all__ = ["COLUMNS", "Defaults", "parse_rows", "required_columns"]

COLUMNS: Final = CHECK_COLUMNS
"""The columns ``mutrec check`` reads (kept with the column maps that target them)."""


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


def _request(row: Mapping[str, Any], defaults: Defaults) -> Request:
    from mutrec.policy._check_rows import request_from, short_text

    # A file's column the reader does not know is a typo (the columnar engine, reading tables
    # of any shape, ignores such columns instead).
    unknown = sorted(k for k in row if k not in COLUMNS)
    if unknown:
        close = difflib.get_close_matches(unknown[0].lower(), sorted(COLUMNS - set(row)), n=1)
        reason = f"unknown column (did you mean {close[0]!r}?)" if close else "unknown column"
        cell = row[unknown[0]]
        shown = short_text(cell) if isinstance(cell, str) else cell
        raise ResultError(unknown[0], shown, reason)
    return request_from(row, receiver=defaults.receiver, at=defaults.at, zone=defaults.zone)


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
    from mutrec.policy._check_rows import short_text

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
                short_text(rid) if isinstance(rid, str) and rid else None,
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
