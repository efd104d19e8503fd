"""mutrec's own pint registry: built lazily, once, under a lock; the only module that imports pint.

pint is the source of truth for units, but a process rarely needs it: dimensions and factors
come from ``data/factors.toml`` (:mod:`mutrec.units._factors`), generated from pint by
:mod:`mutrec.units._generate` and checked against this registry by the tests. At run time this
registry serves only what that table declines, an affine temperature inside a product
(``Cel/h``); :func:`dimensionality` is kept as the tests' oracle.

Why lazy: ``import pint`` and ``UnitRegistry()`` cost about 0.45 s together, and a cold region
load must stay under 100 ms. Why our own registry: libraries must not mutate the host
application's (``pint.get_application_registry()``), and pint's lazy default start-up can race
(pint #2039). Why only plain floats and dicts leave this module: pint objects never cross
mutrec's public API or its pickles (CONTRIBUTING), and pint is typed for pyright only (#2306).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from mutrec.units._factors import IncommensurableError

__all__ = ["IncommensurableError", "dimensionality", "linear_map"]


# Re-entrant: linear_map holds it while _unit takes it again.
_LOCK = threading.RLock()
_REGISTRY: Any = None
# Parsed pint units, keyed by mutrec's vetted expression (one per canonical code's powers).
_UNITS: dict[str, Any] = {}


def _registry() -> Any:
    """Build the registry on first use; later calls return it without taking the lock."""
    global _REGISTRY  # noqa: PLW0603 - a process-wide, lazily built singleton
    if _REGISTRY is None:
        with _LOCK:
            if _REGISTRY is None:
                from importlib import resources

                import pint

                registry = pint.UnitRegistry(cache_folder=None)
                definitions = resources.files("mutrec.units") / "data" / "definitions.txt"
                with resources.as_file(definitions) as path:
                    registry.load_definitions(str(path))
                _REGISTRY = registry
    return _REGISTRY


def _unit(expression: str) -> Any:
    registry = _registry()
    unit = _UNITS.get(expression)
    if unit is None:
        with _LOCK:
            unit = _UNITS.setdefault(expression, registry.parse_units(expression))
    return unit


@cache
def dimensionality(expression: str) -> tuple[tuple[str, int], ...]:
    """The pint dimensionality of a vetted expression, as sorted ``(dimension, power)`` pairs.

    >>> dimensionality("(mole) ** 1 * (liter) ** -1")
    (('[length]', -3), ('[substance]', 1))
    """
    unit = _unit(expression)
    with _LOCK:  # pint computes and caches dimensionalities lazily: not documented thread-safe
        dims = dict(unit.dimensionality.items())
    return tuple(sorted((str(name), int(power)) for name, power in dims.items() if power))


def linear_map(
    from_expression: str, to_expression: str, bridges: Sequence[tuple[float, str]] = ()
) -> tuple[float, float]:
    """``(factor, offset)`` such that ``to = factor × from + offset``, computed by pint.

    ``bridges`` are ``(magnitude, expression)`` quantities multiplied in on the way, such as
    an analyte's ``1 / molar_mass`` mol/g. Two points are evaluated so affine units (°C) work.
    Raises IncommensurableError when pint finds the units not commensurable.

    >>> linear_map("(liter) ** -1", "(milliliter) ** -1")
    (0.001, 0.0)
    """
    registry = _registry()
    source, target = _unit(from_expression), _unit(to_expression)

    def to_target(value: float) -> float:
        quantity = registry.Quantity(value, source)
        for magnitude, expression in bridges:
            quantity = quantity * registry.Quantity(magnitude, _unit(expression))
        return float(quantity.to(target).magnitude)

    import pint

    with _LOCK:  # pint's internal caches are not documented as thread-safe
        try:
            offset = to_target(0.0)
            return to_target(1.0) - offset, offset
        except (pint.DimensionalityError, pint.OffsetUnitCalculusError) as error:
            raise IncommensurableError(str(error)) from None
