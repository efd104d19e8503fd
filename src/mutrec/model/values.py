"""Values of a result: measured (a number and its unit), qualitative, censored (``<0.1``).

They sit below both :mod:`mutrec.model.ranges` (which interprets them) and
:mod:`mutrec.model.results` (which carries them and a range), so neither imports the other
back. :mod:`mutrec.model.results` re-exports them.

>>> parse_value("<0.1", "ng/mL")
Censored(comparator='<', value=0.1, unit=Unit(...))
>>> parse_value("阳性").polarity
<Polarity.POSITIVE: 'positive'>
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from typing import Any, Final, Literal, TypeAlias

import attrs

from mutrec.errors import ResultError
from mutrec.units import Unit, parse_unit

__all__ = [
    "Censored",
    "Measured",
    "Polarity",
    "Qualitative",
    "Value",
    "parse_value",
]


def _number(value: object) -> float:
    """A finite float from an int or float.

    Bools and text are refused: text goes through :func:`parse_value`, which reads it
    without guessing.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = "value"
        raise ResultError(msg, value, "must be a number: read text with mutrec.parse_value")
    try:
        number = float(value)
    except OverflowError:  # an int past float's range
        number = math.inf
    if not math.isfinite(number):
        msg = "value"
        raise ResultError(msg, value, "must be a finite number")
    return number


def _non_empty(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ResultError(attribute.name, value, "must be non-empty text")


def _comparator(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("<", "<=", ">", ">="):
        raise ResultError(attribute.name, value, "must be one of '<', '<=', '>', '>='")


def _opt_unit(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Unit):
        raise ResultError(
            attribute.name, value, "must be a Unit or None: read text with mutrec.parse_unit"
        )


@attrs.frozen
class Measured:
    """A number with its unit, such as 5.2 mmol/L.

    Attributes:
        value: The number.
        unit: Its unit; ``None`` when the issuer gave none.

    >>> Measured(5.2, parse_unit("mmol/L")).unit.code
    'mmol/L'
    """

    value: float = attrs.field(converter=_number)
    unit: Unit | None = attrs.field(default=None, validator=_opt_unit)


class Polarity(enum.Enum):
    """The reading of a qualitative result.

    >>> Polarity("negative").name
    'NEGATIVE'
    """

    EQUIVOCAL = "equivocal"
    NEGATIVE = "negative"
    POSITIVE = "positive"


_NEGATIVE = {
    "阴性",
    "negative",
    "neg",
    "-",
    "(-)",
    "阴性(-)",
    "nonreactive",
    "not detected",
    "未检出",
}
_EQUIVOCAL = {"±", "+-", "(±)", "弱阳性", "可疑", "equivocal", "weakly positive", "borderline"}
_POSITIVE = {"阳性", "positive", "pos", "(+)", "阳性(+)", "reactive", "detected", "检出"}
_GRADES = re.compile(r"^\(?(\+{1,4})\)?$")


def _fold(text: str) -> str:
    """Fold case, full-width forms and µ/μ so spellings compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@attrs.frozen
class Qualitative:
    """A qualitative value: 阴性/阳性, negative/positive, ``+`` to ``++++``, or free text.

    Attributes:
        text: The value as printed.
        polarity: Its reading, or ``None`` for free text mutrec does not interpret.
        grade: The number of ``+`` signs for graded positives.

    >>> Qualitative.parse("++")
    Qualitative(text='++', polarity=<Polarity.POSITIVE: 'positive'>, grade=2)
    """

    text: str = attrs.field(validator=_non_empty)
    polarity: Polarity | None = None
    grade: int | None = None

    @classmethod
    def parse(cls, text: str) -> Qualitative:
        """Read a printed qualitative value (case, width and spacing are ignored).

        >>> Qualitative.parse("阴性").polarity.name, Qualitative.parse("Yellow").polarity
        ('NEGATIVE', None)
        """
        folded = _fold(text)
        if folded in _NEGATIVE:
            return cls(text, Polarity.NEGATIVE)
        if folded in _EQUIVOCAL:
            return cls(text, Polarity.EQUIVOCAL)
        if folded in _POSITIVE:
            return cls(text, Polarity.POSITIVE)
        if m := _GRADES.match(folded):
            return cls(text, Polarity.POSITIVE, len(m.group(1)))
        return cls(text)


Comparator: TypeAlias = Literal["<", "<=", ">", ">="]
# ASCII digits only (\d would take any script's digits), and no two quantifiers that can
# share a run of digits: matching stays linear however long the text.
_DIGITS = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?"
_CENSORED = re.compile(rf"(<=|>=|<|>|≤|≥)([-+]?{_DIGITS})")
_NORMAL_CMP: dict[str, Comparator] = {
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "≤": "<=",
    "≥": ">=",
}


@attrs.frozen
class Censored:
    """A value beyond the measuring range, printed as ``>300`` or ``<0.1``.

    Attributes:
        comparator: ``<``, ``<=``, ``>`` or ``>=``.
        value: The limit printed.
        unit: Its unit, when known.

    >>> Censored(">", 300.0)
    Censored(comparator='>', value=300.0, unit=None)
    """

    comparator: Comparator = attrs.field(validator=_comparator)
    value: float = attrs.field(converter=_number)
    unit: Unit | None = attrs.field(default=None, validator=_opt_unit)


Value: TypeAlias = Measured | Qualitative | Censored
_NUMBER = re.compile(rf"[-+]?{_DIGITS}")
_REDACTED = re.compile(r"_+")
# A printed value is short; a longer one is not a value (and is not worth reading).
MAX_VALUE_LENGTH: Final = 1000


def parse_value(text: str | float, unit: Unit | str | None = None) -> Value:
    """Read a printed value: a number, a censored ``>300``/``<0.1``, or a qualitative word.

    Full-width characters (``＜０.１``) are read as their ASCII forms; other scripts' digits
    are not numbers. A number already parsed (an ``int`` or ``float``, as FHIR's
    ``valueQuantity.value`` arrives) is taken as it is, if finite.

    *unit* is ``None`` when the issuer gave no unit, and only then is the value unitless.
    Unit text is always read by :func:`~mutrec.units.parse_unit`, so blank text (``""``,
    ``"  "``) is refused like any other text that is not a unit: an empty unit column is
    mapped to ``None`` by the caller that knows it means "no unit", never silently here.

    Text that is not a number (``溶血``, ``N/A``, ``3-5``, ``4,1``, ``nan``) is kept as a
    qualitative value: the policy then refuses it for an item that expects a number.

    Raises:
        ResultError: The value is empty, redacted (``___``), longer than
            ``MAX_VALUE_LENGTH`` (1,000 characters), not finite, or neither text nor a number.
        UnitError: *unit* is text that is not a unit, blank text included.

    >>> parse_value("5.2", "mmol/L")
    Measured(value=5.2, unit=Unit(...))
    >>> parse_value(4.1, "mmol/L").value
    4.1
    >>> parse_value("4,1", "mmol/L")
    Qualitative(text='4,1', polarity=None, grade=None)
    >>> parse_value("___")
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'value' = '___': ...
    >>> parse_value("5.2", "")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit '': blank: ...
    """
    field = "value"
    if isinstance(unit, str):
        the_unit: Unit | None = parse_unit(unit)
    elif unit is None or isinstance(unit, Unit):
        the_unit = unit
    else:
        msg = "unit"
        raise ResultError(msg, unit, "must be a Unit, unit text or None")
    if not isinstance(text, str):
        return Measured(_number(text), the_unit)
    if len(text) > MAX_VALUE_LENGTH:
        raise ResultError(field, text[:40] + "…", f"longer than {MAX_VALUE_LENGTH} characters")
    folded = _fold(text).replace(" ", "")
    if not folded:
        raise ResultError(field, text, "the value is empty")
    if _REDACTED.fullmatch(folded):
        raise ResultError(field, text, "redacted values cannot be evaluated")
    if _NUMBER.fullmatch(folded):
        return Measured(float(folded), the_unit)
    if m := _CENSORED.fullmatch(folded):
        return Censored(_NORMAL_CMP[m.group(1)], float(m.group(2)), the_unit)
    return Qualitative.parse(text.strip())
