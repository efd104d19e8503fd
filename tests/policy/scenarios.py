"""Scenario builders on the bundled, illustrative example region, shared by the policy tests.

``from tests.policy.scenarios import lab, policy, ...``: ``tests`` and ``tests.policy`` are
packages so that this module has one name for pytest (``--import-mode=importlib``) and mypy
alike; as ``policy.scenarios`` it would clash with ``benchmarks/policy.py`` in mypy.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from mutrec.files.region import Region, load_example_region
from mutrec.model.results import DeviceCapability, ImagingResult, LabResult, Modality, parse_value
from mutrec.policy import ClinicalContext, LocalGround, Policy, ProgramSettings

SH = ZoneInfo("Asia/Shanghai")
LAB = "京津冀鲁检验互认(示例)"
IMAGING = "北京市影像互认(示例)"


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=SH)


@cache
def region() -> Region:
    return load_example_region()


SETTINGS = {
    LAB: ProgramSettings(
        scope_regions=("11", "12", "13", "37"),
        local_grounds=(
            LocalGround("patient_request", "患者要求复查", "the patient asks for a repeat"),
        ),
        critical_items=("Hb", "PLT", "HCT", "K", "Na"),
        rapid_items=("PLT", "K"),
        plausible={"K": (0.5, 15.0), "Glu": (0.5, 50.0)},
        critical={"K": (2.8, 6.2), "Glu": (2.2, 25.0)},
    ),
}


@cache
def policy(*, critical: bool = True) -> Policy:
    """The example region's policy with SETTINGS; without its critical limits (危急值) if asked.

    The properties run without the critical limits, the scenarios with them.
    """
    settings = SETTINGS if critical else {LAB: attrs.evolve(SETTINGS[LAB], critical={})}
    return Policy.from_region(region(), settings=settings, version="test-1")


WHOLE_BLOOD = frozenset({"Hb", "HCT", "PLT", "RBC", "WBC", "HbA1c"})


def lab(
    item: str = "K",
    value: str = "4.1",
    unit: str | None = "mmol/L",
    *,
    day: int = 1,
    issuer: str = "BJ001",
    patient: str = "p1",
    reported: bool = True,
    **fields: Any,
) -> LabResult:
    collected = at(day, 8)
    fields.setdefault("specimen", "whole blood" if item in WHOLE_BLOOD else "serum")
    return LabResult(
        item,
        parse_value(value, unit),
        collected,
        issuer,
        patient,
        reported=at(day, 12) if reported else None,
        **fields,
    )


def imaging(
    item: str = "CT-HEAD",
    *,
    day: int = 1,
    issuer: str = "BJ001",
    rows: int | None = 64,
    tesla: float | None = None,
    images: bool = True,
    device: bool = True,
    modality: Modality = Modality.CT,
    body_part: str | None = None,
) -> ImagingResult:
    capability = DeviceCapability(detector_rows=rows, field_strength_t=tesla) if device else None
    return ImagingResult(
        item,
        modality,
        at(day, 10),
        issuer,
        "p1",
        reported=at(day, 15),
        device=capability,
        study_uid="1.2.840.1" if images else None,
        body_part=item.split("-", 1)[1] if body_part is None else body_part,
    )


def context(**fields: Any) -> ClinicalContext:
    fields.setdefault("patient", "p1")
    return ClinicalContext(**fields)
