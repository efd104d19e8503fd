"""The bounds that keep hostile input from reaching the parser, and the type checks at the API.

A unit's text comes from another hospital's system, so it may be anything: a float, 100,000
parentheses, a 5,000-digit exponent, an Ethiopic digit, a lone surrogate. Every such input ends
as a :class:`~mutrec.errors.UnitError`, never as a raw Python exception and never as a guess.

The bounds, and why (the UCUM example table is ``tests/data/ucum``, 848 codes):

- **length** ≤ :data:`MAX_LENGTH` = 100 characters, checked first, before any regular
  expression, normalisation or cache sees the text. The longest code in the table has 20
  (``nmol/min/mg{protein}``), the longest listed report spelling 15. Every later step is
  linear or at worst quadratic in the length, so a bounded length makes them all cheap.
- **nesting** ≤ :data:`MAX_DEPTH` = 4 levels of parentheses (the table uses 1), so the
  recursive parser needs a dozen stack frames at most, never thousands (RecursionError).
- **powers of ten** ``10*n``: ``|n|`` ≤ :data:`MAX_TEN_POWER` = 24, the range of UCUM's
  prefixes (yocto to yotta); lab counts use ``10*3`` to ``10*12``.
- **exponents of units** (``m2``, ``s-1``): 1 ≤ ``|n|`` ≤ :data:`MAX_EXPONENT` = 6. The table's
  highest is 5 (``cm5`` in vascular resistance, ``10.uN.s/(cm5.m2)``). A zero exponent would
  silently erase the unit it is written on, so it is refused.
- **scale** of a whole code (its prefixes, factors and powers of ten together) within
  10^±:data:`MAX_SCALE_POWER` = 10^±60. The table spans 10^-18 (``ag``) to 10^15
  (``10*9/uL``); the bound keeps every scale, and the ratio of any two, far inside a float.
"""

from __future__ import annotations

import decimal
import math
import numbers
import unicodedata
from typing import Final

from mutrec.errors import UnitError

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_SCALE_POWER",
    "MAX_TEN_POWER",
    "character_problem",
    "finite",
    "shown",
    "unit_text",
]

MAX_LENGTH: Final = 100
MAX_DEPTH: Final = 4
MAX_TEN_POWER: Final = 24
MAX_EXPONENT: Final = 6
MAX_SCALE_POWER: Final = 60

_SHOWN: Final = 40  # characters of a bad value quoted in a message


def shown(value: object) -> str:
    """A short ``repr`` of ``value`` for a message: a hostile value must not flood a log.

    >>> shown("mg/dL")
    "'mg/dL'"
    >>> shown("(" * 1000)
    "'(((((((((((((((((((((((((((((((((((((((… (1,002 characters)"
    """
    text = repr(value)
    if len(text) <= _SHOWN:
        return text
    return f"{text[:_SHOWN]}… ({len(text):,} characters)"


def unit_text(value: object) -> str:
    """``value`` as a plain ``str`` no longer than :data:`MAX_LENGTH`, or a UnitError.

    >>> unit_text("mg/dL")
    'mg/dL'
    >>> unit_text(4.1)
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit '4.1': a unit must be text (str), got float
    """
    if not isinstance(value, str):
        hint = "; decode bytes first" if isinstance(value, (bytes, bytearray)) else ""
        reason = f"a unit must be text (str), got {type(value).__name__}{hint}"
        raise UnitError(shown(value), reason)
    text = str.__str__(value)  # a plain str: a subclass cannot change hashing or comparison
    if len(text) > MAX_LENGTH:
        reason = (
            f"too long: {len(text):,} characters, and a unit has at most {MAX_LENGTH} (the "
            "longest code in the UCUM example table has 20); is this the unit field?"
        )
        raise UnitError(text, reason)
    return text


def character_problem(code: str) -> str | None:
    """Why ``code`` cannot be UCUM character by character, or None when it can.

    UCUM codes are printable 7-bit ASCII without spaces (UCUM 2.2 §1, §3): a non-ASCII digit
    such as ``፩`` (which ``str.isdigit`` accepts) or a control character is never read.

    >>> character_problem("10*9/L") is None
    True
    >>> character_problem("10*٣/L")
    "character '٣' (U+0663 ARABIC-INDIC DIGIT THREE) at position 3: UCUM codes are ..."
    """
    for position, char in enumerate(code):
        if not ("!" <= char <= "~"):
            name = unicodedata.name(char, "unnamed")
            return (
                f"character {char!r} (U+{ord(char):04X} {name}) at position {position}: UCUM "
                "codes are printable ASCII without spaces (UCUM §1); write the unit in ASCII, "
                "with ASCII digits 0-9"
            )
    return None


def finite(value: object, description: str) -> float:
    """``value`` as a finite float, or a UnitError naming ``description`` (the conversion).

    Accepts what is obviously a real number (int, float, Fraction, Decimal, numpy scalars);
    refuses text, bool, None and complex, and values that are not finite or overflow a float.

    >>> finite(3, "mg/dL -> mmol/L")
    3.0
    >>> finite("100", "mg/dL -> mmol/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'mg/dL -> mmol/L': the value '100' is a str, not a real ...
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, decimal.Decimal)):
        text = isinstance(value, str)
        hint = "; read text with mutrec.model.parse_value first" if text else ""
        reason = f"the value {shown(value)} is a {type(value).__name__}, not a real number{hint}"
        raise UnitError(description, reason)
    try:
        number = float(value)
    except OverflowError:  # a huge int, Fraction or Decimal
        reason = f"the value {shown(value)} is beyond the range of a float"
        raise UnitError(description, reason) from None
    except (ValueError, TypeError):  # a signalling NaN; a numeric type with a broken __float__
        number = math.nan
    if not math.isfinite(number):
        raise UnitError(description, f"the value {shown(value)} is not a finite number")
    return number
