"""Properties of evaluation: determinism, fail-safety on missing data, monotone expiry, JSON."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec.files.region import Region, load_example_region
from mutrec.model.patient import CareSetting
from mutrec.model.results import DeviceCapability, ImagingResult, LabResult, Modality, parse_value
from mutrec.policy import (
    MISSING_DATA_CODES,
    ClinicalContext,
    Decision,
    LocalGround,
    Outcome,
    Policy,
    ProgramSettings,
    Purpose,
    Request,
)

# --- scenario builders (the bundled, illustrative example region) ---

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
    ),
}


@cache
def policy() -> Policy:
    return Policy.from_region(region(), settings=SETTINGS, version="test-1")


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
        body_part=item.split("-", 1)[1],
    )


def context(**fields: Any) -> ClinicalContext:
    fields.setdefault("patient", "p1")
    return ClinicalContext(**fields)


ISSUERS = ["BJ001", "BJ003", "BJ004", "TJ001", "TJ002", "TJ003", "SD002", "ZZ9", ""]
RECEIVERS = ["TJ001", "BJ002", "SD001", "BJ004", "ZZ9", ""]
ITEMS = ["K", "Na", "Glu", "ALT", "WBC", "Hb", "Ferritin", "钾离子", "LIS-0101"]
UNITS = ["mmol/L", "mg/dL", "U/L", "10*9/L", "g/L", None]


@st.composite
def lab_results(draw: st.DrawFn) -> LabResult:
    result = lab(
        draw(st.sampled_from(ITEMS)),
        draw(st.sampled_from(["4.1", "40", "0.1", ">10", "阴性", "120"])),
        draw(st.sampled_from(UNITS)),
        day=draw(st.integers(1, 28)),
        issuer=draw(st.sampled_from([i for i in ISSUERS if i])),
        patient=draw(st.sampled_from(["p1", "p2", "", " ", "\u3000"])),
        reported=draw(st.booleans()),
        specimen=draw(st.sampled_from(["serum", "whole blood", "血清", "Urine", "Blood", None])),
    )
    if draw(st.booleans()):
        object.__setattr__(result, "issuer", draw(st.sampled_from(ISSUERS)))
    if draw(st.integers(0, 9)) == 0:
        object.__setattr__(result, "value", None)
    return result


contexts = st.builds(
    ClinicalContext,
    st.sampled_from(CareSetting),
    st.sets(st.sampled_from(Purpose), max_size=2),
    st.sampled_from(["p1", "p2", None]),
    condition_changed=st.booleans(),
    rapid_change=st.booleans(),
)


instants = st.integers(0, 40 * 24).map(lambda h: at(1, 0) + timedelta(hours=h))


@given(lab_results(), st.sampled_from(RECEIVERS), instants, contexts)
def test_same_inputs_same_decision(
    result: LabResult, receiver: str, when: datetime, ctx: ClinicalContext
) -> None:
    a = policy().evaluate(result, receiver=receiver, at=when, context=ctx)
    b = policy().evaluate(result, receiver=receiver, at=when, context=ctx)
    assert a == b
    assert a.to_json() == b.to_json()
    assert Decision.from_json(a.to_json()) == a


@given(lab_results(), st.sampled_from(RECEIVERS), instants, contexts)
def test_missing_datum_never_recognised(
    result: LabResult, receiver: str, when: datetime, ctx: ClinicalContext
) -> None:
    d = policy().evaluate(result, receiver=receiver, at=when, context=ctx)
    value: object = result.value
    missing = (
        value is None
        or not result.issuer
        or result.reported is None
        or not result.patient.strip()
        or result.specimen is None
        or ctx.patient is None
        or receiver not in {"TJ001", "BJ002", "SD001", "BJ004"}
    )
    if missing:
        assert d.outcome is not Outcome.RECOGNISED
    if set(d.codes) & MISSING_DATA_CODES:
        assert d.outcome is not Outcome.RECOGNISED


@given(lab_results(), st.sampled_from(RECEIVERS), instants, st.integers(1, 2000), contexts)
def test_moving_at_forward_never_revives_an_expired_result(
    result: LabResult, receiver: str, when: datetime, hours: int, ctx: ClinicalContext
) -> None:
    before = policy().evaluate(result, receiver=receiver, at=when, context=ctx)
    later = when + timedelta(hours=hours)
    after = policy().evaluate(result, receiver=receiver, at=later, context=ctx)
    if "window.expired" in before.codes:
        assert "window.expired" in after.codes
        assert after.outcome is Outcome.NOT_RECOGNISED
    if before.expires_at is not None and later >= before.expires_at:
        assert after.outcome is Outcome.NOT_RECOGNISED


def _rows(n: int) -> list[Request]:
    import random

    rnd = random.Random(20240301)
    rows = []
    for i in range(n):
        result = lab(
            rnd.choice(ITEMS),
            rnd.choice(["4.1", "40", "5.5"]),
            rnd.choice(UNITS[:3]),
            day=rnd.randint(1, 9),
            issuer=rnd.choice(ISSUERS[:-1]),
            patient=rnd.choice(["p1", "p2"]),
        )
        rows.append(
            Request(
                result,
                rnd.choice(RECEIVERS[:4]),
                at(rnd.randint(1, 20)),
                context(setting=rnd.choice(list(CareSetting))),
                f"r{i}",
            )
        )
    return rows


@pytest.mark.slow
def test_eight_threads_give_the_serial_decisions() -> None:
    rows = _rows(100_000)
    pol = policy()
    serial = [
        pol.evaluate(
            r.result, receiver=r.receiver, at=r.at, context=r.context, result_id=r.result_id
        )
        for r in rows
    ]
    barrier = threading.Barrier(8)

    def run(_: int) -> list[Decision]:
        barrier.wait()
        return [
            pol.evaluate(
                r.result, receiver=r.receiver, at=r.at, context=r.context, result_id=r.result_id
            )
            for r in rows
        ]

    with ThreadPoolExecutor(8) as pool:
        for decisions in pool.map(run, range(8)):
            assert decisions == serial


def test_batch_collects_bad_rows_and_keeps_the_others() -> None:
    rows: list[object] = list(_rows(50))
    rows.insert(3, Request(lab(), "TJ001", at(3).replace(tzinfo=None), context()))
    rows.insert(7, "not a row")
    rows.insert(9, (lab(), "TJ001"))
    rows.insert(11, (None, "TJ001", at(3), context(), "broken"))
    batch = policy().evaluate_many(rows)  # type: ignore[arg-type]
    assert len(batch) == 54
    assert batch.ok == 50
    assert [(e.index, e.error) for e in batch.errors] == [
        (3, "TimeZoneError"),
        (7, "TypeError"),
        (9, "TypeError"),
        (11, "ArgumentError"),
    ]
    assert batch.errors[0].field == "at"
    assert batch.errors[3].result_id == "broken"
    good = [d for d in batch.decisions if d is not None]
    expected = [
        policy().evaluate(
            r.result, receiver=r.receiver, at=r.at, context=r.context, result_id=r.result_id
        )
        for r in _rows(50)
    ]
    assert good == expected
    assert batch.to_dict()["errors"][1]["error"] == "TypeError"
    assert list(batch)[7] is None


@settings(max_examples=25)
@given(st.integers(0, 60))
def test_imaging_expiry_is_thirty_days(days: int) -> None:
    d = policy().evaluate(
        imaging(), receiver="BJ002", at=at(1, 16) + timedelta(days=days), context=context()
    )
    assert (d.outcome is Outcome.RECOGNISED) == (days < 30)


def test_zoned_and_fixed_offsets_decide_alike() -> None:
    result = lab()
    fixed = attrs.evolve(
        result, collected=result.collected.astimezone(timezone(timedelta(hours=8)))
    )
    a = policy().evaluate(result, receiver="TJ001", at=at(3), context=context())
    b = policy().evaluate(fixed, receiver="TJ001", at=at(3), context=context())
    assert a == b
