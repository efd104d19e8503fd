"""The exceptions mutrec raises, all rooted at :class:`MutrecError`.

Each one also inherits the builtin it refines (a bad unit *is* a :class:`ValueError`), so code
that already catches builtins keeps working, and carries structured attributes so a caller can
act on it without parsing the message.

>>> from mutrec.errors import MutrecError, UnitError
>>> issubclass(UnitError, MutrecError) and issubclass(UnitError, ValueError)
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs

__all__ = [
    "NO_VALUE",
    "ArgumentError",
    "CatalogueError",
    "MissingDependencyError",
    "MutrecError",
    "Problem",
    "RecordError",
    "ResultError",
    "TimeZoneError",
    "UnitError",
]


class MutrecError(Exception):
    """The root of every exception mutrec raises on purpose.

    Every subclass pickles (multiprocessing sends exceptions between processes): ``args`` holds
    the message, so each one rebuilds itself from its own constructor arguments instead.

    >>> try:
    ...     raise UnitError("N/A", "it is not a unit")
    ... except MutrecError as error:
    ...     print(type(error).__name__)
    UnitError
    """

    def _rebuild(
        self, make: Callable[..., MutrecError], *args: object
    ) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        # The state (attributes, __notes__) is restored over the rebuilt instance, as
        # BaseException.__reduce__ does.
        return make, args, dict(self.__dict__)


class UnitError(MutrecError, ValueError):
    """A unit's text could not be read, or a conversion is impossible or ambiguous.

    Attributes:
        text: The unit text (or conversion) that was refused, as given.
        reason: What was wrong with it.
        suggestion: The unit the text most likely meant, when there is one.

    >>> error = UnitError("K/uL", "ambiguous", suggestion="10*3/uL")
    >>> str(error)
    "unit 'K/uL': ambiguous (did you mean '10*3/uL'?)"
    """

    def __init__(self, text: str, reason: str, *, suggestion: str | None = None) -> None:
        """Record the refused text, why, and the likely intended unit."""
        self.text = text
        self.reason = reason
        self.suggestion = suggestion
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"unit {text!r}: {reason}{hint}")

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments (``suggestion`` is keyword-only).

        >>> import pickle
        >>> pickle.loads(pickle.dumps(UnitError("K/uL", "ambiguous", suggestion="10*3/uL")))
        UnitError("unit 'K/uL': ambiguous (did you mean '10*3/uL'?)")
        """
        make = functools.partial(type(self), suggestion=self.suggestion)
        return self._rebuild(make, self.text, self.reason)


class TimeZoneError(MutrecError, ValueError):
    """An instant had no time zone and none was configured for it.

    mutrec never guesses a zone: pass aware datetimes, or name a default zone explicitly.

    >>> str(TimeZoneError("collected"))  # doctest: +ELLIPSIS
    "'collected' is a naive datetime: give it a time zone ... or configure a default zone ..."
    """

    def __init__(self, field: str) -> None:
        """Record which field held the naive datetime."""
        self.field = field
        super().__init__(
            f"{field!r} is a naive datetime: give it a time zone (for example "
            "ZoneInfo('Asia/Shanghai')) or configure a default zone explicitly"
        )

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(TimeZoneError("at"))).field
        'at'
        """
        return self._rebuild(type(self), self.field)


@attrs.frozen
class Problem:
    """One thing wrong in a data file: where, what, and how to fix it.

    Attributes:
        source: The file (or other source) the problem is in.
        where: The key path, item code or column that is wrong, such as ``items[3].window``.
        message: What is wrong.
        line: The line number, when the parser knows it.
        hint: How to fix it, when that is not obvious from the message.

    >>> print(Problem("bjtjhb.toml", "items[2].unit", "unknown unit 'mg/dl/'", line=14))
    bjtjhb.toml:14: items[2].unit: unknown unit 'mg/dl/'
    """

    source: str
    where: str
    message: str
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        """Render as ``file:line: where: message (hint)``."""
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        hint = f" ({self.hint})" if self.hint else ""
        return f"{place}: {self.where}: {self.message}{hint}"


class CatalogueError(MutrecError, ValueError):
    """A data file (catalogue, program, institutions, quality records, fees) is invalid.

    It reports every problem found in the file at once, not only the first.

    Attributes:
        problems: Every problem found, in file order.

    >>> error = CatalogueError([Problem("a.toml", "version", "missing", hint="add version = 1")])
    >>> print(error)
    1 problem in data files:
      a.toml: version: missing (add version = 1)
    >>> error.problems[0].where
    'version'
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Collect the problems; at least one is required."""
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            msg = "CatalogueError needs at least one problem"
            raise ValueError(msg)
        count = len(self.problems)
        head = f"{count} problem{'s' if count > 1 else ''} in data files:"
        super().__init__("\n  ".join([head, *map(str, self.problems)]))

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(CatalogueError([Problem("a", "b", "c")]))).problems
        (Problem(source='a', where='b', message='c', line=None, hint=None),)
        """
        return self._rebuild(type(self), self.problems)


class ResultError(MutrecError, ValueError):
    """A result (or a field of it) is malformed: a value that is not a value, a bad instant.

    Attributes:
        field: The field that was wrong.
        value: The value given for it.

    >>> str(ResultError("value", "___", "redacted values cannot be evaluated"))
    "result field 'value' = '___': redacted values cannot be evaluated"
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        """Record the field, its value and what was wrong."""
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"result field {field!r} = {value!r}: {reason}")

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(ResultError("value", "___", "redacted"))).value
        '___'
        """
        return self._rebuild(type(self), self.field, self.value, self.reason)


class ArgumentError(MutrecError, TypeError, ValueError):
    """A public call got an argument it cannot take: ``None`` for an instant, a float for text.

    It is a :class:`TypeError` and a :class:`ValueError` too (the builtins such checks raised
    before), so code that catches either keeps working.

    Attributes:
        name: The argument's (or field's) name.
        value: What was given.
        expected: What the call expects.

    >>> str(ArgumentError("at", None, "an aware datetime"))
    "argument 'at' = None: expected an aware datetime"
    >>> isinstance(ArgumentError("at", None, "x"), (TypeError, ValueError))
    True
    """

    def __init__(self, name: str, value: object, expected: str) -> None:
        """Record the argument, what was given and what is expected."""
        self.name = name
        self.value = value
        self.expected = expected
        shown = repr(value)
        if len(shown) > 80:  # a 100,000-character argument must not become the message
            shown = shown[:77] + "..."
        super().__init__(f"argument {name!r} = {shown}: expected {expected}")

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(ArgumentError("at", 1, "a datetime"))).expected
        'a datetime'
        """
        return self._rebuild(type(self), self.name, self.value, self.expected)


class MissingDependencyError(MutrecError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it.

    Attributes:
        package: The package that could not be imported.
        extra: The extra of mutrec that installs it (``pip install "mutrec[extra]"``).
        feature: What needed it, such as ``to_dataframe`` or ``validate_r4b``.

    >>> str(MissingDependencyError("pandas", feature="to_dataframe"))
    'to_dataframe needs pandas: pip install "mutrec[pandas]"'
    >>> str(MissingDependencyError("fhir.resources", "fhir"))
    'this feature needs fhir.resources: pip install "mutrec[fhir]"'
    >>> issubclass(MissingDependencyError, ImportError)
    True
    """

    def __init__(
        self, package: str, extra: str | None = None, *, feature: str = "this feature"
    ) -> None:
        """Record the missing *package*, the extra (default: same name) and what needed it."""
        self.package = package
        self.extra = extra or package
        self.feature = feature
        # Quoted: the brackets are a glob in zsh, the default shell on macOS.
        super().__init__(
            f'{feature} needs {package}: pip install "mutrec[{self.extra}]"', name=package
        )

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> error = MissingDependencyError("pandas", feature="to_dataframe")
        >>> str(pickle.loads(pickle.dumps(error))) == str(error)
        True
        """
        make = functools.partial(type(self), feature=self.feature)
        return self._rebuild(make, self.package, self.extra)


class RecordError(ResultError, TypeError):
    """An audit record (a decision, a finding, an override) or its JSON form is invalid.

    It names the record, the place in it (a JSON path such as ``findings[2].severity``), the
    value found and what to do. It is a :class:`~mutrec.errors.ResultError` (so a
    :class:`ValueError`) and a :class:`TypeError`: the builtins that such checks raised before.

    Attributes:
        record: What was being read or built: ``"decision"``, ``"override"`` or ``"finding"``.
        field: Where in it, as a JSON path (``"$"`` for the whole document).
        value: The value found (shortened in the message).
        reason: What was wrong with it and how to fix it.

    >>> error = RecordError("decision", "findings[0].severity", "fatal", "unknown severity")
    >>> print(error)
    decision findings[0].severity = 'fatal': unknown severity
    >>> isinstance(error, ResultError) and isinstance(error, TypeError)
    True
    """

    def __init__(self, record: str, field: str, value: object, reason: str) -> None:
        """Record what was read, where, the value found and what was wrong."""
        self.record = record
        self.field = field
        self.value = value
        self.reason = reason
        shown = _shorten(repr(value)) if value is not NO_VALUE else ""
        where = f"{record} {field}" + (f" = {shown}" if shown else "")
        Exception.__init__(self, f"{where}: {reason}")

    def __reduce__(self) -> tuple[Callable[..., MutrecError], tuple[object, ...], dict[str, Any]]:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(RecordError("decision", "$", 3, "not an object"))).field
        '$'
        """
        return self._rebuild(type(self), self.record, self.field, self.value, self.reason)


class _NoValue:
    def __repr__(self) -> str:
        return "<no value>"

    def __reduce__(self) -> str:
        return "NO_VALUE"  # the module's one instance, so identity survives a pickle


NO_VALUE: Final = _NoValue()
"""The ``value`` of a :class:`RecordError` about something absent or unprintable (a missing key).

>>> NO_VALUE
<no value>
"""


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[: limit - 5]}…{text[-4:]}"
