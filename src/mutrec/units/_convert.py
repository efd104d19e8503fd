"""Converting values between units: :func:`convert` and the fast :class:`Converter`.

A conversion is computed once per (from, to, analyte): exactly, from mutrec's factor table
(:mod:`mutrec.units._factors`, generated from pint and checked against it), and rounded to a
float once. pint itself is asked, under the registry's lock, only for what the table declines
(an affine temperature inside a product). The hot path is one multiply and one add per value.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, overload

import attrs

from mutrec.errors import UnitError
from mutrec.units import _factors, _registry
from mutrec.units._analytes import AffineMapping, Analyte, affine_mappings, analyte
from mutrec.units._bridges import bridge
from mutrec.units._limits import MAX_LENGTH, finite, shown
from mutrec.units._ucum import ParsedUcum, UcumSyntaxError, pint_expression
from mutrec.units._unit import Unit, parse_unit, parsed

# numpy is an optional extra, and loading it would cost `import mutrec.units` tens of ms:
# Converter.many's hints name it only for type checkers (tests/test_type_hints.py resolves them
# with numpy's names supplied).
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Converter", "convert"]


# Values multiplied as they are; anything else goes through finite() (bool is no number).
_PLAIN: Final = frozenset({float, int})


def _as_unit(unit: object) -> Unit:
    if isinstance(unit, Unit):
        return unit
    if isinstance(unit, str):
        return parse_unit(unit)
    reason = f"a unit must be text (str) or a mutrec.units.Unit, got {type(unit).__name__}"
    raise UnitError(shown(unit), reason)


def _as_analyte(which: object) -> Analyte | None:
    if which is None or isinstance(which, Analyte):
        return which
    if isinstance(which, str):
        return analyte(which)
    reason = f"an analyte must be a key (str) or a mutrec.units.Analyte, got {type(which).__name__}"
    raise UnitError(shown(which), reason)


def _name(unit: object) -> str:
    if isinstance(unit, Unit):
        return unit.code
    return unit if isinstance(unit, str) and len(unit) <= MAX_LENGTH else shown(unit)


def _checked(value: float, result: float, description: str) -> float:
    """``result`` if it is a finite float; else the UnitError that says why it is not."""
    if result - result == 0.0:  # False for inf and nan, cheaper than math.isfinite
        return result
    if not math.isfinite(value):
        raise UnitError(description, f"the value {value!r} is not a finite number")
    reason = f"the value {value!r} converts to {result!r}, beyond the range of a float"
    raise UnitError(description, reason)


def _side(unit: ParsedUcum, mapping: AffineMapping) -> str:
    """Which side of ``mapping`` a unit is on.

    "from" or "to"; "neither" for a pure number that could be on either (1 or 10*-3 for HbA1c);
    "unrelated" for another dimension.
    """
    dims = _factors.dimensionality(unit.powers)
    for side, code in (("from", mapping.from_code), ("to", mapping.to_code)):
        reference = parsed(code)
        # Same atoms, even cancelled ones: umol/mol is an IFCC ratio like mmol/mol, 10*-3 is not.
        if unit.atoms == reference.atoms and dims == _factors.dimensionality(reference.powers):
            return side
    related = {_factors.dimensionality(parsed(c).powers) for c in mapping[:2]}
    return "neither" if dims in related else "unrelated"


def _mapped(  # noqa: PLR0913, PLR0917 - one private step of _linear
    description: str,
    source: ParsedUcum,
    target: ParsedUcum,
    key: str,
    mapping: AffineMapping,
    analyte_key: str | None,
) -> tuple[float, float] | None:
    """The conversion through an analyte's affine mapping (HbA1c), or None when it does not apply.

    Both sides are first scaled to the mapping's own units (umol/mol -> mmol/mol), so
    the mapping is never applied to a number in another unit.
    """
    sides = (_side(source, mapping), _side(target, mapping))
    crossing = sides in {("from", "to"), ("to", "from")}
    if analyte_key != key:
        if crossing and analyte_key is None:
            reason = f"ambiguous: a plain ratio for most analytes, an affine mapping for {key}"
            raise UnitError(description, f"{reason}; pass analyte={key!r} for {key}")
        return None
    if "neither" in sides and "unrelated" not in sides:
        reason = (
            f"ambiguous for {key}: a pure number could be on the {mapping.from_name} scale "
            f"({mapping.from_code}) or the {mapping.to_name} scale ({mapping.to_code}); "
            f"write the unit as {mapping.from_code} or {mapping.to_code}"
        )
        raise UnitError(description, reason)
    if not crossing:
        return None
    start, end = (source.code, target.code) if sides[0] == "from" else (target.code, source.code)
    into, _ = _linear(start, mapping.from_code, None)  # both linear: no offsets
    out_of, _ = _linear(mapping.to_code, end, None)
    factor, offset = out_of * mapping.factor * into, out_of * mapping.offset
    if sides[0] == "from":
        return factor, offset
    return 1 / factor, -offset / factor


@lru_cache(maxsize=4096)
def _linear(from_code: str, to_code: str, analyte_key: str | None) -> tuple[float, float]:
    """``(factor, offset)`` with ``to = factor × from + offset``; cached per argument triple.

    A factor that is zero or not finite (units too far apart for a float) is refused, so no
    conversion ever turns a value into 0, inf or nan.
    """
    factor, offset = _linear_map(from_code, to_code, analyte_key)
    if factor and math.isfinite(factor) and math.isfinite(offset):
        return factor, offset
    description = f"{from_code} -> {to_code}"
    reason = f"the conversion (factor {factor!r}, offset {offset!r}) is not finite"
    if not factor:
        reason = "the factor underflows to 0: the units are too far apart for a float"
    raise UnitError(description, reason)


def _linear_map(from_code: str, to_code: str, analyte_key: str | None) -> tuple[float, float]:
    description = f"{from_code} -> {to_code}"
    try:
        source, target = parsed(from_code), parsed(to_code)
    except UcumSyntaxError as error:
        raise UnitError(description, f"not a canonical UCUM code ({error})") from None
    if source.annotations != target.annotations:
        shown = [" ".join(f"{{{a}}}" for a in p.annotations) or "none" for p in (source, target)]
        reason = f"annotations differ ({shown[0]} vs {shown[1]}): they measure different things"
        raise UnitError(description, reason)
    for key, mapping in affine_mappings().items():
        mapped = _mapped(description, source, target, key, mapping, analyte_key)
        if mapped is not None:
            return mapped
    source_dims = _factors.dimensionality(source.powers)
    target_dims = _factors.dimensionality(target.powers)
    bridges: list[tuple[float, tuple[tuple[str, int], ...]]] = []
    if source_dims != target_dims:
        found = analyte(analyte_key) if analyte_key is not None else None
        bridges = bridge(description, source_dims, target_dims, found)
    try:
        exact = _factors.linear_map(source.powers, target.powers, bridges)
        if exact is not None:
            # The UCUM scales (exact powers of ten and integers) multiply in before rounding.
            ratio, shift = exact
            return _float(ratio * source.scale / target.scale), _float(shift / target.scale)
        factor, offset = _registry.linear_map(
            source.pint_expression,
            target.pint_expression,
            [(magnitude, pint_expression(powers)) for magnitude, powers in bridges],
        )
    except _factors.IncommensurableError as error:
        raise UnitError(description, f"cannot convert: {error}") from None
    # The UCUM scales (prefix-free numbers such as 10*9) stay outside pint, on purpose.
    scale = float(source.scale / target.scale)
    return factor * scale, offset / float(target.scale)


def _float(value: Fraction) -> float:
    """The float nearest ``value``; beyond a float's range, an infinity (refused by _linear)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


@lru_cache(maxsize=4096)
def _conversion(
    from_unit: str | Unit, to_unit: str | Unit, which: str | Analyte | None
) -> tuple[float, float]:
    """Cached on the caller's own arguments, so a repeated convert() skips every lookup.

    Callers check the arguments' types first: a list or dict would fail to hash here.
    """
    found = _as_analyte(which)
    return _linear(
        _as_unit(from_unit).code, _as_unit(to_unit).code, None if found is None else found.key
    )


def _uncached(from_unit: object, to_unit: object, which: object) -> tuple[float, float]:
    """The conversion without the argument cache: each type checked (a UnitError if wrong)."""
    source, target, found = _as_unit(from_unit), _as_unit(to_unit), _as_analyte(which)
    return _linear(source.code, target.code, None if found is None else found.key)


def convert(
    value: float,
    from_unit: str | Unit,
    to_unit: str | Unit,
    *,
    analyte: str | Analyte | None = None,
) -> float:
    """Convert one value; across dimensions (mg/dL -> mmol/L) ``analyte`` supplies the data.

    Args:
        value: The number, in ``from_unit``.
        from_unit: The unit of ``value``, as text or a :class:`Unit`.
        to_unit: The unit wanted.
        analyte: Key or alias of the analyte, needed for mass <-> substance (molar mass),
            mEq <-> mmol (valence), IU <-> U (enzymes) and HbA1c % <-> mmol/mol.

    Returns:
        The value in ``to_unit``.

    Raises:
        UnitError: A unit is unreadable, the dimensions differ and the analyte cannot bridge
            them (the message says what is missing), or the analyte is unknown; or ``value``
            is not a finite real number (text, bool, nan, inf) or converts beyond a float.

    >>> round(convert(100, "mg/dL", "mmol/L", analyte="glucose"), 2)
    5.55
    >>> round(convert(6.5, "%", "mmol/mol", analyte="HbA1c"))
    48
    >>> convert(100, "mg/dL", "mmol/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'mg/dL -> mmol/L': needs an analyte with a molar mass; ...
    >>> convert(1e308, "g/L", "mg/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'g/L -> mg/L': the value 1e+308 converts to inf, beyond ...
    """
    try:
        factor, offset = _conversion(from_unit, to_unit, analyte)
    except TypeError:  # an unhashable argument, refused by the cache before any check ran
        factor, offset = _uncached(from_unit, to_unit, analyte)
    if type(value) is float:  # the hot path: one multiply, one add, one finiteness test
        result = value * factor + offset
        if result - result == 0.0:  # False for inf and nan, cheaper than math.isfinite
            return result
    description = f"{_name(from_unit)} -> {_name(to_unit)}"
    number = finite(value, description)
    return _checked(number, number * factor + offset, description)


@attrs.frozen(init=False)
class Converter:
    """A conversion computed once, then applied fast to many values.

    Attributes:
        from_unit: The unit values come in.
        to_unit: The unit values go out.
        analyte: The analyte that bridged dimensions, if one was given.
        factor: Multiplier of the conversion (``to = factor × from + offset``).
        offset: Offset of the conversion; non-zero only for affine ones (HbA1c, °C).

    >>> to_mmol = Converter("mg/dL", "mmol/L", analyte="glucose")
    >>> round(to_mmol(100), 3), [round(v, 2) for v in to_mmol.many([90.0, 126.0])]
    (5.551, [5.0, 6.99])
    """

    from_unit: Unit
    to_unit: Unit
    analyte: Analyte | None
    factor: float
    offset: float

    def __init__(
        self, from_unit: str | Unit, to_unit: str | Unit, analyte: str | Analyte | None = None
    ) -> None:
        """Read the units and the analyte, and compute the factor and offset once."""
        source, target, found = _as_unit(from_unit), _as_unit(to_unit), _as_analyte(analyte)
        try:
            factor, offset = _conversion(source, target, found)
        except TypeError:  # an Analyte built by hand with unhashable fields
            factor, offset = _uncached(source, target, found)
        self.__attrs_init__(source, target, found, factor, offset)

    def __call__(self, value: float) -> float:
        """Convert one value: a multiply and an add, no pint.

        >>> Converter("g/dL", "g/L")(13.5)
        135.0
        """
        if type(value) is float:  # the hot path, as in convert()
            result = value * self.factor + self.offset
            if result - result == 0.0:
                return result
        description = self._description
        number = finite(value, description)
        return _checked(number, number * self.factor + self.offset, description)

    @property
    def _description(self) -> str:
        return f"{self.from_unit.code} -> {self.to_unit.code}"

    @overload
    def many(self, values: NDArray[np.floating[Any]]) -> NDArray[np.float64]: ...
    @overload
    def many(self, values: Sequence[float]) -> list[float]: ...
    def many(
        self, values: Sequence[float] | NDArray[np.floating[Any]]
    ) -> list[float] | NDArray[np.float64]:
        """Convert a sequence (to a list) or a numpy array (vectorised, to a float64 array).

        Raises UnitError for anything that is not a number (text, bool, None) and for any
        result that is not finite (a nan in, an overflow out), naming the first such value.

        >>> Converter("mmol/L", "umol/L").many([1.0, 2.5])
        [1000.0, 2500.0]
        """
        # numpy is optional: if it was never imported, ``values`` cannot be an array.
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(values, numpy.ndarray):
            return self._many_array(numpy, values)
        if isinstance(values, (str, bytes, bytearray)):
            reason = f"many() takes a sequence of numbers, not {type(values).__name__}"
            raise UnitError(self._description, reason)
        try:
            items = values if isinstance(values, (list, tuple)) else list(values)
        except TypeError:
            reason = f"many() takes a sequence of numbers, got {shown(values)}"
            raise UnitError(self._description, reason) from None
        if not _PLAIN.issuperset(map(type, items)):  # a C loop; bool, str, None... go slow
            description = self._description
            items = [finite(value, description) for value in items]
        factor, offset = self.factor, self.offset
        try:
            converted = [value * factor + offset for value in items]
        except OverflowError:  # an int too large for a float: finite() names it
            description = self._description
            items = [finite(value, description) for value in items]
            converted = [value * factor + offset for value in items]
        total = sum(converted)  # a C loop: finite unless some value is not (or the sum overflows)
        if total - total != 0.0:
            description = self._description
            for value, result in zip(items, converted, strict=True):
                _checked(value, result, description)
        return converted

    def _many_array(self, numpy: Any, values: Any) -> NDArray[np.float64]:
        if values.dtype.kind not in "iuf":  # no bool, complex, object, text or dates
            reason = f"many() takes an array of numbers, got dtype {values.dtype}"
            raise UnitError(self._description, reason)
        with numpy.errstate(over="ignore", invalid="ignore"):  # warnings are errors in tests
            array: NDArray[np.float64] = numpy.asarray(values, dtype=numpy.float64)
            result = array * self.factor + self.offset if self.offset else array * self.factor
            total = result.sum()  # one fast pass: finite unless some value is (or it overflows)
        if not numpy.isfinite(total):
            bad = numpy.flatnonzero(~numpy.isfinite(result))
            if bad.size:
                first = int(bad[0])
                _checked(float(array.flat[first]), float(result.flat[first]), self._description)
        return result
