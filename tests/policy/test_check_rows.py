"""One reading of ``mutrec check`` rows for the CLI, the columnar fallback and the synthetic rows.

``mutrec.policy._check_rows`` is what ``mutrec._checkio``, ``mutrec.columnar._rows`` and
``mutrec.synth._decide`` call: here, that a typed cell (an Arrow timestamp, a float) means what
its text means, that the three callers give one answer, and that hostile cells are errors
that name their column, never another exception.
"""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec._checkio import Defaults, parse_rows
from mutrec.errors import MutrecError, ResultError, TimeZoneError
from mutrec.model import ImagingResult, LabResult, Measured, Qualitative
from mutrec.policy import RowError
from mutrec.policy._check_rows import FIRST_YEAR, LAST_YEAR, instant_of, request_from, text_of

if TYPE_CHECKING:
    from collections.abc import Callable

CST: Final = timezone(timedelta(hours=8))
NEW_YORK: Final = ZoneInfo("America/New_York")
LAB: Final = {
    "result_id": "L1", "item": "Glu", "value": "5.2", "unit": "mmol/L",
    "collected": "2024-03-01T08:00+08:00", "reported": "2024-03-01T10:00+08:00",
    "issuer": "BJ001", "patient": "P1", "receiver": "BJ003", "at": "2024-03-02T08:00+08:00",
}  # fmt: skip
IMAGING: Final = {
    "result_id": "I1", "item": "CT-CHEST", "modality": "ct", "performed": "2024-03-01T08:00+08:00",
    "issuer": "BJ001", "patient": "P1", "receiver": "BJ003", "at": "2024-03-02T08:00+08:00",
    "detector_rows": "64", "field_strength_t": "1.5", "device_model": "X", "body_part": "chest",
}  # fmt: skip


def _message(row: dict[str, Any], **defaults: Any) -> str:
    try:
        request_from(row, **defaults)
    except MutrecError as error:
        return f"{type(error).__name__}: {error}"
    return "read"


def _lab(row: dict[str, Any]) -> LabResult:
    result = request_from(row).result
    assert isinstance(result, LabResult)
    return result


def test_a_typed_instant_reads_as_its_iso_text() -> None:
    for cell in (datetime(2024, 3, 1, 8, tzinfo=CST), datetime(2024, 3, 1, tzinfo=UTC)):
        collected = _lab({**LAB, "collected": cell, "reported": None}).collected
        assert collected == cell
        assert collected.utcoffset() == cell.utcoffset()
    # An Arrow timestamp with a named zone keeps the offset the sender used at that instant.
    shanghai = datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert _lab({**LAB, "collected": shanghai}).collected.tzinfo == CST
    assert request_from({**LAB, "collected": shanghai}) == request_from(LAB)


def test_a_finite_float_value_is_the_number_its_text_gives() -> None:
    for number in (5.2, 0.1 + 0.2, 1e-7, 1e16, -0.0, 123456789.123456789):
        typed = request_from({**LAB, "value": number})
        assert typed == request_from({**LAB, "value": repr(number)})
        assert isinstance(_lab({**LAB, "value": number}).value, Measured)
    # Not a number: the text the policy refuses for a numeric item, as mutrec check reads it.
    for odd in (math.nan, math.inf, -math.inf):
        value = _lab({**LAB, "value": odd}).value
        assert isinstance(value, Qualitative)
        assert value.text == str(odd)


def test_a_whole_float_is_its_whole_number() -> None:
    """pandas gives an integer column with blanks as floats: 64.0 rows is 64, 63.7 no number."""
    result = request_from({**IMAGING, "detector_rows": 64.0}).result
    assert isinstance(result, ImagingResult)
    assert result.device is not None
    assert result.device.detector_rows == 64
    assert "not a number (int)" in _message({**IMAGING, "detector_rows": 63.7})


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"detector_rows": 63.7}, "'detector_rows' = '63.7': not a number (int)"),
        ({"detector_rows": math.inf}, "'detector_rows' = 'inf': not a number (int)"),
        ({"field_strength_t": math.nan}, "'field_strength_t' = 'nan': not a finite number"),
        ({"performed": 2024}, "'performed' = '2024': not an ISO-8601 instant"),
        ({"performed": date(2024, 3, 1)}, "'performed' = '2024-03-01': expected text, not date"),
        ({"performed": [1]}, "'performed' = '[1]': expected text, not list"),
        ({"performed": datetime(2024, 3, 1, 8)}, "TimeZoneError: 'performed' is a naive"),  # noqa: DTZ001
        ({"performed": datetime(1850, 1, 1, tzinfo=UTC)}, "the year is outside 1900-2999"),
        ({"modality": "XX"}, "'modality' = 'XX': not one of"),
        ({"kind": "ecg"}, "'kind' = 'ecg': expected 'lab' or 'imaging'"),
        ({"setting": "ward"}, "'setting' = 'ward': expected outpatient, inpatient or emergency"),
        ({"resuscitation": 2}, "'resuscitation' = 2: expected true or false"),
        ({"purpose": "wellness"}, "'purpose' = 'wellness': argument 'purposes[0]'"),
        ({"item": {"code": "CT"}}, "'item' = \"{'code': 'CT'}\": expected text, not dict"),
        ({"item": "  "}, "'item' = '  ': is required"),
        ({"receiver": None}, "'receiver' = None: is required"),
    ],
)
def test_hostile_cells_are_errors_naming_their_column(
    cells: dict[str, object], message: str
) -> None:
    assert message in _message({**IMAGING, **cells})


def test_the_defaults_are_read_as_cells() -> None:
    row = {k: v for k, v in LAB.items() if k not in {"at", "receiver"}}
    request = request_from(row, receiver="BJ009", at=datetime(2024, 3, 5, tzinfo=UTC))
    assert (request.receiver, request.at) == ("BJ009", datetime(2024, 3, 5, tzinfo=UTC))
    naive = {**row, "collected": "2024-03-01T08:00", "reported": None}
    request = request_from(naive, receiver="BJ009", at="2024-03-05T09:00", zone=NEW_YORK)
    assert request.at.utcoffset() == timedelta(hours=-5)
    assert "'at' = None: is required" in _message(row, receiver="BJ009")
    assert "the year is outside" in _message(row, receiver="R", at=datetime(1850, 1, 1, tzinfo=UTC))
    # A naive typed instant is a wall time in the zone, as its text is; a skipped one names none.
    gap = datetime(2024, 3, 10, 2, 30)  # noqa: DTZ001 (a wall time, for the zone)
    assert "TimeZoneError" in _message({**row, "collected": gap}, receiver="R", at=LAB["at"])
    assert "skips or repeats" in _message(
        {**row, "collected": gap}, receiver="R", at=LAB["at"], zone=NEW_YORK
    )


def test_text_cells_and_instants() -> None:
    assert text_of({"a": 4}, "a") == "4"
    assert text_of({"a": " \t"}, "a") is None
    with pytest.raises(ResultError, match="expected text, not bool"):
        text_of({"a": True}, "a")
    wall = datetime(2024, 1, 1)  # noqa: DTZ001 (the point)
    with pytest.raises(TimeZoneError):
        instant_of("at", wall, None)
    assert instant_of("at", wall, UTC) == datetime(2024, 1, 1, tzinfo=UTC)


def _answer(read: Callable[[], object]) -> str:
    try:
        return repr(read())
    except MutrecError as error:
        return f"{type(error).__name__}: {error}"


def test_the_three_callers_give_one_answer() -> None:
    from mutrec.columnar._rows import request_of

    for row in (LAB, IMAGING, {**LAB, "value": "abc"}, {**LAB, "collected": "yesterday"},
                {**IMAGING, "detector_rows": "64.5"}, {**LAB, "kind": "LAB"},
                {**LAB, "purpose": "forensic", "condition_changed": "是"}):  # fmt: skip
        (checked,) = parse_rows([row], Defaults())
        cli = (
            f"{checked.error}: {checked.message}"
            if isinstance(checked, RowError)
            else repr(checked)
        )
        assert cli == _answer(lambda: request_of(row, None, None))  # noqa: B023 (called here)
        assert cli == _answer(lambda: request_from(row))  # noqa: B023 (the synthetic rows' call)


CELLS: Final = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "4.1",
            "nan",
            "1e999",
            "9" * 5000,
            "x" * 200,
            "是",
            "否",
            "true",
            "CT",
            "ct",
            "lab",
            "imaging",
            "emergency",
            "before_surgery; forensic",
            ">300",
            "阴性",
            "___",
            "2024-03-01T08:00",
            "2024-03-01T08:00+08:00",
            "0001-01-01T00:00+00:00",
            "9999-12-31T23:59-12:00",
            "2024-03-10T02:30",
            "\x00",
            "mmol/L",
            "10*9/L",
        ]
    ),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001 (naive bounds, zone drawn apart)
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, CST, NEW_YORK, timezone(timedelta(hours=-12))]),
    ),
    st.datetimes(min_value=datetime(1, 1, 2)),  # noqa: DTZ001 (naive: a wall time)
    st.dates(),
    st.lists(st.sampled_from(["before_surgery", "", " forensic", "x"]), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.text(max_size=20),
)
COLUMNS: Final = sorted(
    {*LAB, *IMAGING, "kind", "setting", "purpose", "condition_changed", "rapid_change",
     "resuscitation", "other_need", "local_grounds", "loinc", "specimen", "current_patient"}
)  # fmt: skip


@given(
    base=st.sampled_from([LAB, IMAGING]),
    changes=st.dictionaries(st.sampled_from(COLUMNS), CELLS, max_size=4),
    zone=st.sampled_from([None, NEW_YORK, CST]),
    at=st.sampled_from([None, "2024-03-05T08:00", datetime(2024, 3, 5, tzinfo=CST)]),
)
def test_only_mutrec_errors_come_out(
    base: dict[str, Any], changes: dict[str, Any], zone: Any, at: Any
) -> None:
    row = {**base, **changes}
    with contextlib.suppress(MutrecError):
        request = request_from(row, receiver="BJ003", at=at, zone=zone)
        assert FIRST_YEAR <= request.at.year <= LAST_YEAR
        assert request.at.utcoffset() is not None


def test_columnar_quotes_a_blank_cell_as_an_absent_one() -> None:
    from mutrec.columnar._rows import request_of

    # pyarrow reads an empty CSV cell as '', a table has null: one answer for both.
    for blank in ("", "  ", None):
        row = {**LAB, "value": blank}
        with pytest.raises(ResultError, match=r"'value' = None: is required"):
            request_of(row, None, None)
    (checked,) = parse_rows([{**LAB, "value": ""}], Defaults())
    assert isinstance(checked, RowError)
    assert checked.message == "result field 'value' = '': is required"  # as mutrec check says


def test_synthetic_rows_are_read_as_mutrec_check_reads_them() -> None:
    pa = pytest.importorskip("pyarrow")
    from mutrec.files import load_example_region
    from mutrec.policy import Policy
    from mutrec.synth import decide_rows

    rows: list[dict[str, Any]] = [
        LAB,
        {**LAB, "item": None},
        {**LAB, "setting": " Inpatient "},
        IMAGING,
    ]
    columns = sorted({k for row in rows for k in row})
    table = pa.table({c: [row.get(c) for row in rows] for c in columns})
    out = decide_rows(Policy.from_region(load_example_region()), table).to_pylist()
    assert out[1]["error"] == "ResultError: result field 'item' = None: is required"
    assert [out[i]["outcome"] is not None for i in (0, 2, 3)] == [True] * 3
