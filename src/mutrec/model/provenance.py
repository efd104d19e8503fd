"""Where a reference value comes from, and how sure it is: a standard's citation and a tag.

The tags are the domain brief's, kept exactly as it gives them and never upgraded by mutrec:
``C`` read in the standard's own text, ``S`` agreeing secondary sources, ``I`` recalled.

>>> str(Citation.parse("WS/T 404.5—2015")), Confidence("C").meaning
('WS/T 404.5-2015', "read in the standard's own text")
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

import attrs

from mutrec._checks import instance_of, optional
from mutrec.errors import ArgumentError

__all__ = ["Citation", "Confidence", "weakest"]

_CITATION = re.compile(r"WS/T ([0-9]{3})(?:\.([1-9][0-9]?))?[-—–]([0-9]{4})")
_RANKS = {"C": 2, "S": 1, "I": 0}
_MEANINGS = {
    "C": "read in the standard's own text",
    "S": "agrees across two or more independent secondary sources; the standard was not read",
    "I": "recalled, unconfirmed",
}


class Confidence(enum.Enum):
    """How sure a value is, as the domain brief tags it.

    >>> Confidence("I").name, Confidence.CONFIRMED.rank > Confidence.SECONDARY.rank
    ('RECALLED', True)
    """

    CONFIRMED = "C"
    SECONDARY = "S"
    RECALLED = "I"

    @property
    def rank(self) -> int:
        """2 for confirmed, 1 for secondary sources, 0 for recalled: higher is surer.

        >>> [c.rank for c in Confidence]
        [2, 1, 0]
        """
        return _RANKS[self.value]

    @property
    def meaning(self) -> str:
        """What the tag says about the value, in words.

        >>> Confidence.RECALLED.meaning
        'recalled, unconfirmed'
        """
        return _MEANINGS[self.value]


def weakest(confidences: Iterable[Confidence]) -> Confidence:
    """The least sure of *confidences*: a table is only as sure as its weakest row.

    Raises:
        ArgumentError: *confidences* is empty or holds something else.

    >>> weakest([Confidence.CONFIRMED, Confidence.RECALLED]).value
    'I'
    """
    try:
        found = list(confidences)
    except TypeError:
        found = []
    if not found or not all(isinstance(c, Confidence) for c in found):
        arg = "confidences"
        raise ArgumentError(arg, confidences, "a non-empty collection of Confidence")
    return min(found, key=lambda c: _RANKS[c.value])


@attrs.frozen
class Citation:
    """A standard a value comes from, such as WS/T 404.5-2015 (number, part, year).

    Attributes:
        number: The standard's number, such as ``"404"``.
        year: The year of the edition cited.
        part: The part, such as 5 for WS/T 404.5; ``None`` for a standard in one part.

    >>> c = Citation("404", 2015, part=5)
    >>> str(c), c == Citation.parse("WS/T 404.5-2015")
    ('WS/T 404.5-2015', True)
    """

    number: str = attrs.field(validator=instance_of(str))
    year: int = attrs.field(validator=instance_of(int, allow_bool=False))
    part: int | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(int, allow_bool=False))
    )

    def __str__(self) -> str:
        """The citation as the domain brief writes it: ``WS/T 404.5-2015``."""
        part = "" if self.part is None else f".{self.part}"
        return f"WS/T {self.number}{part}-{self.year}"

    @classmethod
    def parse(cls, text: str) -> Citation:
        """Read ``WS/T <number>[.<part>]-<year>`` (a hyphen, en dash or em dash before the year).

        Raises:
            ArgumentError: *text* is not such a citation.

        >>> Citation.parse("WS/T 405-2012").part is None
        True
        >>> Citation.parse("GB/T 1-2020")
        Traceback (most recent call last):
        ...
        mutrec.errors.ArgumentError: argument 'standard' = 'GB/T 1-2020': expected a citation ...
        """
        given: object = text  # typed str, but callers may pass anything
        found = _CITATION.fullmatch(given.strip()) if isinstance(given, str) else None
        if found is None:
            arg = "standard"
            raise ArgumentError(arg, text, "a citation such as 'WS/T 404.5-2015'")
        number, part, year = found.groups()
        return cls(number, int(year), part=None if part is None else int(part))
