"""The public :class:`Unit` value and :func:`parse_unit`."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import attrs

from mutrec.errors import UnitError
from mutrec.units import _factors
from mutrec.units._dimension import dimension_name
from mutrec.units._guards import repair
from mutrec.units._limits import shown, unit_text
from mutrec.units._spellings import closest_code, to_ucum
from mutrec.units._ucum import DecimalLookalikeError, ParsedUcum, UcumSyntaxError, parse_ucum

__all__ = ["Unit", "parse_unit", "parsed"]

# eGFR is "per 1.73 m2 of body surface": UCUM writes the 1.73 m2 as an annotation.
_BODY_SURFACE: Final = "{1.73_m2}"
_COUNT_POWERS: Final = frozenset({"3", "6", "9", "12"})


def _plain(value: str) -> str:
    """A str subclass becomes a plain str: it cannot change how a Unit hashes or compares."""
    given: object = value  # typed str, but callers may pass anything: _nonblank refuses it
    return str.__str__(value) if isinstance(given, str) else value


def _nonblank(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        reason = f"Unit.{attribute.name} must be a non-blank str, got {shown(value)}"
        raise UnitError(shown(value), reason)


@attrs.frozen
class Unit:
    """A unit of a lab result, read and vetted: its canonical UCUM code and its dimension.

    Build one with :func:`parse_unit`; it holds plain strings only, so it pickles and compares
    without pint.

    Attributes:
        code: The canonical UCUM code, such as ``10*9/L``, ``umol/L`` or ``[IU]/L``.
        dimension: A readable dimension name, such as ``substance concentration``; two units
            with the same dimension convert by a pure factor (when their annotations agree).

    >>> unit = parse_unit("×10⁹/L")
    >>> unit
    Unit(code='10*9/L', dimension='number concentration')
    >>> str(unit)
    '10*9/L'
    """

    code: str = attrs.field(converter=_plain, validator=_nonblank)
    dimension: str = attrs.field(converter=_plain, validator=_nonblank)

    def __str__(self) -> str:
        """The UCUM code."""
        return self.code


@lru_cache(maxsize=4096)
def parsed(code: str) -> ParsedUcum:
    """The parse of a canonical UCUM code (cached: the private twin of :class:`Unit`)."""
    return parse_ucum(code)


def parse_unit(text: str) -> Unit:
    """Read a unit as written in a UCUM message or a Chinese or US lab report.

    Args:
        text: The unit's text: UCUM (``10*9/L``, ``umol/L``, ``[IU]/L``, ``{INR}``), a Chinese
            spelling (``×10^9/L``, ``μmol/L``, ``秒``, full-width forms) or a US one (``K/uL``,
            ``mEq/L``, ``mm Hg``, ``#/hpf``, ``ng/mL FEU``).

    Returns:
        The vetted :class:`Unit`, with a canonical code (litre ``L``, ``[IU]``, ``10*``), so the
        same unit written twice compares equal.

    Raises:
        UnitError: The text is blank, not a unit (``N/A``, ``Ratio``, ``+/-``), ambiguous
            (``units``, ``pH``, ``G/L``), a typo that UCUM would misread (``Mmol/L`` megamole,
            ``109/L`` the number 109, ``1.5`` which UCUM reads as 1 × 5), unknown, not a str,
            or beyond the bounds of hostile input (longer than 100 characters, non-ASCII
            digits, huge exponents); ``suggestion`` holds the likely unit.

    >>> parse_unit("K/uL").code, parse_unit("μmol/L").code, parse_unit("mEq/L").dimension
    ('10*3/uL', 'umol/L', 'equivalent concentration')
    >>> parse_unit("mg/dl") == parse_unit("mg/dL")
    True
    >>> parse_unit("Mmol/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'Mmol/L': 'Mmol' is UCUM for megamole ... (did you mean 'mmol/L'?)
    >>> parse_unit("units")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'units': ambiguous: ... (did you mean '[pH]'?)
    >>> parse_unit("mL/min/(1.73.m2)")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'mL/min/(1.73.m2)': ... (did you mean 'mL/min/{1.73_m2}'?)
    """
    # Type and length first: the cache would hash a 100,000-character text, or fail on a list.
    return _parse_unit(unit_text(text))


@lru_cache(maxsize=4096)
def _parse_unit(text: str) -> Unit:
    code = to_ucum(text)
    try:
        result = parsed(code)
    except DecimalLookalikeError as error:
        reason = (
            f"ambiguous: {error}; a number in a UCUM unit is an integer: write 10^9 as 10*9, "
            f"eGFR's 1.73 m2 as {_BODY_SURFACE}, and fold any other decimal into the value"
        )
        raise UnitError(text, reason, suggestion=_decimal_suggestion(code, error)) from None
    except UcumSyntaxError as error:
        raise UnitError(
            text, f"not a unit mutrec knows ({error})", suggestion=closest_code(code)
        ) from None
    dims = _factors.dimensionality(result.powers)
    return Unit(code, dimension_name(dims))


def _decimal_suggestion(code: str, error: DecimalLookalikeError) -> str | None:
    """The code meant by a decimal-looking ``1.73.m2`` or ``10.9/L``, if it is one of those."""
    before, after = code[: error.start], code[error.start + len(error.number) :]
    whole, _, fraction = error.number.partition(".")
    if error.number == "1.73" and after.startswith(".m2"):
        if before.endswith("(") and after.startswith(".m2)"):
            before, after = before[:-1], after[1:]
        return repair(before + _BODY_SURFACE + after[len(".m2") :])
    if not before and whole == "10" and fraction in _COUNT_POWERS and after.startswith("/"):
        return repair(f"10*{fraction}{after}")
    return None
