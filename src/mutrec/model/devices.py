"""Imaging modalities and what the device behind an imaging result could do.

The bounds are those of real devices, with room; an item's requirement on them
(:class:`~mutrec.model.items.DeviceRequirement`) is met or not by a :class:`DeviceCapability`.

>>> Modality("CT") is Modality.CT
True
>>> DeviceCapability(detector_rows=64, model="SOMATOM").detector_rows
64
"""

from __future__ import annotations

import enum
from typing import Any, Final

import attrs

from mutrec.errors import ResultError

__all__ = ["DeviceCapability", "Modality"]


def _opt_str(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ResultError(attribute.name, value, "must be text or None")


class Modality(enum.Enum):
    """An imaging or electrophysiology modality (DICOM-like codes where they exist).

    >>> Modality("MR").name
    'MR'
    """

    CR = "CR"
    CT = "CT"
    DR = "DR"
    ECG = "ECG"
    MG = "MG"
    MR = "MR"
    NM = "NM"
    PET = "PET"
    US = "US"
    XA = "XA"


# Bounds of real devices, with room: CT scanners have 1 to 640 detector rows (domain.md §2:
# 16 vs 256 rows), clinical MR 0.2 to 7 T (research magnets reach 11.7 T).
_MAX_ROWS: Final = 2048
_MAX_TESLA: Final = 20.0


def _rows(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ROWS:
        raise ResultError(
            attribute.name, value, f"must be a whole number of rows from 1 to {_MAX_ROWS}"
        )


def _tesla(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= _MAX_TESLA  # also False for NaN
    ):
        raise ResultError(
            attribute.name,
            value,
            f"must be a field strength in tesla, above 0 and at most {_MAX_TESLA:g}",
        )


@attrs.frozen
class DeviceCapability:
    """What the device that produced an imaging result could do, where known.

    Attributes:
        detector_rows: CT detector rows (排数).
        field_strength_t: MR field strength in tesla (场强).
        model: Manufacturer and model name (DICOM ManufacturerModelName).

    >>> DeviceCapability(detector_rows=64).field_strength_t is None
    True
    """

    detector_rows: int | None = attrs.field(default=None, kw_only=True, validator=_rows)
    field_strength_t: float | None = attrs.field(default=None, kw_only=True, validator=_tesla)
    model: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
