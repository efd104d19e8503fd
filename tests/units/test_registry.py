"""The private pint registry (the tests' oracle, a rare fallback): locking, dimension names."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from mutrec.units import _registry, parse_unit
from mutrec.units._dimension import dimension_name

if TYPE_CHECKING:
    import pytest


class _RecordingLock:
    def __init__(self) -> None:
        self.inner = threading.RLock()
        self.held = 0
        self.entered = 0

    def __enter__(self) -> None:
        self.inner.acquire()
        self.held += 1
        self.entered += 1

    def __exit__(self, *exc: object) -> None:
        self.held -= 1
        self.inner.release()


def test_dimensionality_reads_pint_under_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    _registry.dimensionality("(mole) ** 1 * (liter) ** -1")  # build the registry first
    lock = _RecordingLock()
    monkeypatch.setattr(_registry, "_LOCK", lock)
    seen: list[int] = []
    real = _registry._unit

    class _Spy:
        def __init__(self, unit: Any) -> None:
            self.unit = unit

        @property
        def dimensionality(self) -> Any:
            seen.append(lock.held)
            return self.unit.dimensionality

    monkeypatch.setattr(_registry, "_unit", lambda expression: _Spy(real(expression)))
    expression = "(katal) ** 1 * (deciliter) ** -1"  # not cached yet
    assert _registry.dimensionality(expression) == (
        ("[length]", -3),
        ("[substance]", 1),
        ("[time]", -1),
    )
    assert seen == [1]


def test_dimension_names_drop_zero_powers() -> None:
    assert dimension_name((("[length]", -3), ("[mass]", 0), ("[substance]", 1))) == (
        "substance concentration"
    )
    assert dimension_name((("[current]", 1), ("[length]", 0), ("[mass]", 0))) == (
        "other: [current]^1"
    )
    assert dimension_name((("[length]", 0),)) == "dimensionless"
    assert "^0" not in parse_unit("A").dimension
