"""What every reader returns: the results it built and a problem for each input it did not."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from mutrec.errors import Problem
from mutrec.model.results import ImagingResult, LabResult

__all__ = ["Reading"]


def _results(values: Iterable[LabResult | ImagingResult]) -> tuple[LabResult | ImagingResult, ...]:
    return tuple(values)


def _problems(values: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(values)


@attrs.frozen
class Reading:
    """The results a reader built, and one :class:`~mutrec.errors.Problem` per input it did not.

    A reader never skips an input in silence: each resource, segment or row either becomes a
    result or is named in ``problems`` with where it was and why it was not read.

    Attributes:
        results: The results read, in input order.
        problems: One problem per input not read (``source``, ``where``, ``message``, ``hint``).

    >>> from mutrec.errors import Problem
    >>> reading = Reading((), (Problem("bundle.json", "entry[0]", "status 'preliminary'"),))
    >>> len(reading), reading.complete
    (0, False)
    >>> print(reading.problems[0])
    bundle.json: entry[0]: status 'preliminary'
    """

    results: tuple[LabResult | ImagingResult, ...] = attrs.field(converter=_results, default=())
    problems: tuple[Problem, ...] = attrs.field(converter=_problems, default=())

    def __len__(self) -> int:
        """The number of results read."""
        return len(self.results)

    @property
    def complete(self) -> bool:
        """Whether every input was read (no problems)."""
        return not self.problems

    def __add__(self, other: Reading) -> Reading:
        """Both readings' results and problems, in order.

        >>> (Reading() + Reading()).complete
        True
        """
        if not isinstance(other, Reading):
            return NotImplemented
        return Reading(self.results + other.results, self.problems + other.problems)
