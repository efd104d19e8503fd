"""mutrec.errors: every exception survives pickling (multiprocessing sends them across)."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from mutrec.errors import (
    CatalogueError,
    MissingDependencyError,
    MutrecError,
    Problem,
    ResultError,
    TimeZoneError,
    UnitError,
)
from mutrec.units import parse_unit

ERRORS: list[MutrecError] = [
    UnitError("Mmol/L", "capitalised prefix", suggestion="mmol/L"),
    UnitError("N/A", "not a unit"),
    ResultError("value", "___", "redacted values cannot be evaluated"),
    ResultError("collected", None, "missing"),
    TimeZoneError("collected"),
    CatalogueError([Problem("a.toml", "version", "missing", line=3, hint="add version = 1")]),
    CatalogueError([Problem("a.toml", "x", "bad"), Problem("b.toml", "y", "worse")]),
    MissingDependencyError("pandas"),
    MissingDependencyError("numpy", extra="bench"),
]
ATTRIBUTES = {
    UnitError: ("text", "reason", "suggestion"),
    ResultError: ("field", "value", "reason"),
    TimeZoneError: ("field",),
    CatalogueError: ("problems",),
    MissingDependencyError: ("package", "extra", "name"),
}


def _same(first: BaseException, second: BaseException) -> None:
    assert type(second) is type(first)
    assert str(second) == str(first)
    assert second.args == first.args
    for name in ATTRIBUTES[type(first)]:
        assert getattr(second, name) == getattr(first, name), name


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_errors_round_trip_through_pickle(error: MutrecError, protocol: int) -> None:
    _same(error, pickle.loads(pickle.dumps(error, protocol=protocol)))  # noqa: S301 - our bytes


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_copy_and_keep_notes(error: MutrecError) -> None:
    noted = copy.copy(error)
    noted.add_note("while reading row 7")
    again = pickle.loads(pickle.dumps(noted))  # noqa: S301 - our own bytes
    _same(error, again)
    assert again.__notes__ == ["while reading row 7"]
    _same(error, copy.deepcopy(error))


def test_messages_are_unchanged() -> None:
    assert str(ERRORS[0]) == "unit 'Mmol/L': capitalised prefix (did you mean 'mmol/L'?)"
    assert str(ERRORS[2]) == ("result field 'value' = '___': redacted values cannot be evaluated")
    assert str(ERRORS[4]).startswith("'collected' is a naive datetime: give it a time zone")
    assert str(ERRORS[6]) == ("2 problems in data files:\n  a.toml: x: bad\n  b.toml: y: worse")


def test_a_unit_error_raised_in_a_worker_process_reaches_the_parent() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        built = pool.submit(TimeZoneError, "reported").result()
        future = pool.submit(parse_unit, "Mmol/L")
        with pytest.raises(UnitError) as caught:
            future.result()
    _same(TimeZoneError("reported"), built)
    assert caught.value.text == "Mmol/L"
    assert caught.value.suggestion == "mmol/L"
