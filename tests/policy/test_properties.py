"""Properties of evaluation: determinism, fail-safety on missing data, monotone expiry, JSON."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec.model.patient import CareSetting
from mutrec.model.results import LabResult
from mutrec.policy import (
    MISSING_DATA_CODES,
    ClinicalContext,
    Decision,
    Outcome,
    Purpose,
    Request,
)
from tests.policy.scenarios import at, context, imaging, lab, policy

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
    a = policy(critical=False).evaluate(result, receiver=receiver, at=when, context=ctx)
    b = policy(critical=False).evaluate(result, receiver=receiver, at=when, context=ctx)
    assert a == b
    assert a.to_json() == b.to_json()
    assert Decision.from_json(a.to_json()) == a


@given(lab_results(), st.sampled_from(RECEIVERS), instants, contexts)
def test_missing_datum_never_recognised(
    result: LabResult, receiver: str, when: datetime, ctx: ClinicalContext
) -> None:
    d = policy(critical=False).evaluate(result, receiver=receiver, at=when, context=ctx)
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
    before = policy(critical=False).evaluate(result, receiver=receiver, at=when, context=ctx)
    later = when + timedelta(hours=hours)
    after = policy(critical=False).evaluate(result, receiver=receiver, at=later, context=ctx)
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
    pol = policy(critical=False)
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
    batch = policy(critical=False).evaluate_many(rows)  # type: ignore[arg-type]
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
        policy(critical=False).evaluate(
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
    d = policy(critical=False).evaluate(
        imaging(), receiver="BJ002", at=at(1, 16) + timedelta(days=days), context=context()
    )
    assert (d.outcome is Outcome.RECOGNISED) == (days < 30)


def test_zoned_and_fixed_offsets_decide_alike() -> None:
    result = lab()
    fixed = attrs.evolve(
        result, collected=result.collected.astimezone(timezone(timedelta(hours=8)))
    )
    a = policy(critical=False).evaluate(result, receiver="TJ001", at=at(3), context=context())
    b = policy(critical=False).evaluate(fixed, receiver="TJ001", at=at(3), context=context())
    assert a == b
