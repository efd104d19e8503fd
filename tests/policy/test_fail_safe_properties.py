"""Properties over hostile results: only a decision or a MutrecError ever comes out.

Strategies draw what real feeds send, the nasty values first: text where numbers belong,
blank and whitespace patients, instants near year 1 and 9999 and in odd zones, unit texts that
are not units, and specimens and body parts that are not the item's.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import MutrecError
from mutrec.files.region import load_example_region
from mutrec.model.catalogue import ValueKind
from mutrec.model.results import (
    DeviceCapability,
    ImagingResult,
    LabResult,
    Measured,
    Modality,
    Qualitative,
    parse_value,
)
from mutrec.policy import ClinicalContext, Outcome, Policy

if TYPE_CHECKING:
    from collections.abc import Callable

VALUE_TEXTS = st.one_of(
    st.sampled_from(
        ["4.1", "溶血", "阴性", "N/A", "see comment", "3-5", "4,1", "nan", "inf", "-inf", "1e999",
         "１２", "፩", "٣", ">10", "<0.1", "＞５", "+", "___", "", " ", "\x00", "9" * 5000, "0"]
    ),
    st.text(max_size=30),
)  # fmt: skip
UNIT_TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        ["mmol/L", "mg/dL", "umol/L", "U/L", "10*9/L", "%", "Mmol/L", "mg/0", "0", "1.5", "10.9/L",
         "mL/min/(1.73.m2)", "((((", "10*" + "9" * 5000, "", " ", "N/A", "#/hpf"]
    ),
    st.text(max_size=12),
)  # fmt: skip
PATIENTS = st.sampled_from(["p1", "p2", "", " ", "\t", "\u3000", "p1 "])
SPECIMENS = st.sampled_from(["serum", "血清", "whole blood", "urine", "Blood", "CSF", "", None])
ZONES = st.sampled_from(
    [UTC, ZoneInfo("Asia/Shanghai"), timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]
)
INSTANTS = st.one_of(
    st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001 (naive bounds, zone drawn apart)
        max_value=datetime(2024, 6, 30),  # noqa: DTZ001
        timezones=ZONES,
    ),
    st.datetimes(timezones=ZONES),  # year 1 to 9999
)
ITEMS = st.sampled_from(["K", "Glu", "Hb", "HbA1c", "anti-HCV", "HBsAg", "钾", "X", "CT-HEAD"])


@cache
def policy() -> Policy:
    return Policy.from_region(load_example_region())


@st.composite
def lab_inputs(draw: st.DrawFn) -> LabResult:
    """A lab result built the safe way (parse_value), or a MutrecError from building it."""
    collected = draw(INSTANTS)
    reported = draw(st.one_of(st.none(), INSTANTS))
    return LabResult(
        draw(ITEMS),
        parse_value(draw(VALUE_TEXTS), draw(UNIT_TEXTS)),
        collected,
        draw(st.sampled_from(["BJ001", "TJ003", "SD001", "XX9"])),
        draw(PATIENTS),
        reported=reported,
        specimen=draw(SPECIMENS),
    )


@given(st.data(), INSTANTS, PATIENTS)
def test_hostile_lab_results_give_a_decision_or_a_mutrec_error(
    data: st.DataObject, at: datetime, patient: str
) -> None:
    try:
        result = data.draw(lab_inputs())
        decision = policy().evaluate(
            result, receiver="TJ001", at=at, context=ClinicalContext(patient=patient or None)
        )
    except MutrecError:
        return
    assert Outcome(decision.outcome)  # a real decision
    # Fail safe: what a numeric item cannot use is never recognised.
    if decision.outcome is not Outcome.NOT_RECOGNISED:
        assert result.patient.strip()
        assert patient.strip()
        assert result.specimen is not None
        assert result.collected <= at
        assert result.reported is None or result.reported <= at
        item = (
            policy()
            .view("京津冀鲁检验互认(示例)")
            .program.catalogues[0]
            .get(decision.item_code or "")
        )
        if item is not None and item.value_kind is ValueKind.NUMERIC:
            assert not isinstance(result.value, Qualitative)
            assert result.value.unit is not None


@given(
    ITEMS,
    st.sampled_from(list(Modality)),
    st.sampled_from(["HEAD", "head", "头颅", "CHEST", "", "  ", None]),
    st.one_of(st.none(), st.integers(-5, 5000)),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    INSTANTS,
    INSTANTS,
)
def test_hostile_imaging_results_give_a_decision_or_a_mutrec_error(  # noqa: PLR0917
    item: str,
    modality: Modality,
    body_part: str | None,
    rows: int | None,
    tesla: float | None,
    performed: datetime,
    at: datetime,
) -> None:
    try:
        device = DeviceCapability(detector_rows=rows, field_strength_t=tesla)
        scan = ImagingResult(
            item, modality, performed, "BJ001", "p1", body_part=body_part, device=device,
            study_uid="1.2.3",
        )  # fmt: skip
        decision = policy().evaluate(
            scan, receiver="BJ002", at=at, context=ClinicalContext(patient="p1")
        )
    except MutrecError:
        return
    if decision.outcome is not Outcome.NOT_RECOGNISED:
        assert decision.item_code == "CT-HEAD"
        assert modality is Modality.CT
        assert body_part is not None
        assert body_part.strip()
        assert rows is not None
        assert rows >= 16


@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.integers())))
def test_wrong_types_at_the_public_api_are_mutrec_errors(value: object) -> None:
    now = datetime(2024, 3, 1, tzinfo=UTC)
    calls: list[Callable[[], object]] = [
        lambda: parse_value(value),  # type: ignore[arg-type]
        lambda: Measured(value),
        lambda: LabResult("K", Measured(1.0), value, "H1", "p1"),  # type: ignore[arg-type]
        lambda: policy().evaluate(
            value,  # type: ignore[arg-type]
            receiver="TJ001",
            at=now,
            context=ClinicalContext(),
        ),
        lambda: policy().evaluate(
            LabResult("K", Measured(1.0), now, "H1", "p1"),
            receiver="TJ001",
            at=value,  # type: ignore[arg-type]
            context=ClinicalContext(),
        ),
    ]
    for call in calls:
        with contextlib.suppress(MutrecError):
            call()
