"""Batch evaluation: many results in one call, every bad row reported, none lost.

The rows and the batch, and the loop that decides them; the policy is given as its
``evaluate`` (:func:`~mutrec.policy.evaluate_many` takes the policy itself), so this module
sits below :mod:`mutrec.policy._policy`, which imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Final, TypeAlias

import attrs

from mutrec.errors import ArgumentError, ResultError
from mutrec.model.results import Result
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision

__all__ = ["BATCH_SCHEMA", "Batch", "Evaluate", "Request", "RowError", "run"]

Evaluate: TypeAlias = Callable[..., Decision]
"""A policy's ``evaluate``: (result, *, receiver, at, context, result_id) → a decision."""

BATCH_SCHEMA: Final = "mutrec.batch/1"
"""The ``schema`` tag of a batch's JSON form."""


@attrs.frozen
class Request:
    """One row of a batch: a result and the facts of its evaluation.

    Attributes:
        result: The prior result.
        receiver: The receiving institution's id.
        at: The instant of the decision (aware).
        context: The clinical context.
        result_id: The reference recorded in the decision.

    >>> Request(None, "H1", None, None).receiver  # type: ignore[arg-type]
    'H1'
    """

    result: Result
    receiver: str
    at: datetime
    context: ClinicalContext
    result_id: str | None = None


@attrs.frozen
class RowError:
    """Why one row of a batch could not be decided.

    Attributes:
        index: The row's position in the batch (from 0).
        result_id: The row's result reference, when it had one.
        error: The exception's class name, such as ``TimeZoneError``.
        message: The exception's message.
        field: The field at fault, when the error names one.

    >>> RowError(3, None, "TimeZoneError", "'at' is a naive datetime", "at").to_dict()["index"]
    3
    """

    index: int
    result_id: str | None
    error: str
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form.

        >>> RowError(0, "r", "TypeError", "bad").to_dict()["error"]
        'TypeError'
        """
        return attrs.asdict(self)


@attrs.frozen
class Batch:
    """The outcome of a batch: a decision per good row, an error per bad one.

    Attributes:
        decisions: One entry per row, in order: the decision, or ``None`` for a bad row.
        errors: The bad rows, in order.

    >>> b = Batch((None,), (RowError(0, None, "TypeError", "bad"),))
    >>> b.ok, len(b)
    (0, 1)
    """

    decisions: tuple[Decision | None, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> int:
        """How many rows were decided.

        >>> Batch((), ()).ok
        0
        """
        return len(self.decisions) - len(self.errors)

    def __len__(self) -> int:
        """The number of rows."""
        return len(self.decisions)

    def __iter__(self) -> Iterator[Decision | None]:
        """Iterate over the rows' decisions (``None`` for bad rows)."""
        return iter(self.decisions)

    def _repr_html_(self) -> str:
        """Render the batch as HTML for notebooks, one row per input row (``mutrec.policy._html``).

        >>> html = Batch((None,), (RowError(0, "r<1>", "TimeZoneError", "naive"),))._repr_html_()
        >>> "r&lt;1&gt;" in html
        True
        """
        from mutrec.policy._html import batch_html

        return batch_html(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (decisions in their own JSON form).

        >>> Batch((), ()).to_dict()["schema"]
        'mutrec.batch/1'
        """
        return {
            "schema": BATCH_SCHEMA,
            "decisions": [None if d is None else d.to_dict() for d in self.decisions],
            "errors": [e.to_dict() for e in self.errors],
        }


def _row(row: object) -> Request:
    if type(row) is Request:
        request = row
    elif isinstance(row, tuple) and 4 <= len(row) <= 5:
        request = Request(*row)
    else:
        msg = f"a batch row must be a Request or (result, receiver, at, context[, result_id]); got {_shown(row)}"  # noqa: E501 (one message)
        raise TypeError(msg)
    # Exact types, the common case, pass at once; anything else is checked field by field.
    result_id = request.result_id
    if (
        type(request.receiver) is str
        and type(request.at) is datetime
        and (result_id is None or type(result_id) is str)
    ):
        return request
    # Request does not validate (it is a plain record); name the field at fault here rather
    # than let a wrong type surface as an AttributeError deep inside a rule.
    for field, ok, want in (
        ("receiver", isinstance(request.receiver, str), "the receiving institution's id (str)"),
        ("at", isinstance(request.at, datetime), "an aware datetime"),
        ("result_id", request.result_id is None or isinstance(request.result_id, str), "a str"),
    ):
        if not ok:
            value = getattr(request, field)
            raise ResultError(field, value, f"must be {want} (got a {type(value).__name__})")
    return request


def _shown(value: object, limit: int = 120) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 (a hostile __repr__ must not hide the row's real error)
        text = f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= limit else f"{text[: limit - 5]}…{text[-4:]}"


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # noqa: BLE001 (as in _shown)
        return f"<{type(error).__name__} whose message cannot be shown>"


def _row_error(index: int, result_id: object, error: Exception) -> RowError:
    field = getattr(error, "field", None)
    message = _message(error)
    if isinstance(error, OverflowError):
        message += (
            " (an instant of this row is too near year 1 or 9999 for date arithmetic: "
            "check its at, collected and reported instants)"
        )
    return RowError(
        index,
        result_id if isinstance(result_id, str) else None,
        type(error).__name__,
        message,
        field if isinstance(field, str) else None,
    )


def run(evaluate: Evaluate, rows: Iterable[Request | tuple[Any, ...]]) -> Batch:
    """Decide every row with *evaluate* (a policy's), collecting per-row errors as data.

    The loop of :func:`~mutrec.policy.evaluate_many`, which documents what becomes a
    :class:`RowError`; it lives here, below the policy, and is given the policy's ``evaluate``.

    >>> run(lambda *args, **kwargs: None, ["not a row"]).errors[0].error
    'TypeError'
    """
    decisions: list[Decision | None] = []
    errors: list[RowError] = []
    given: object = rows  # typed, but callers outside mypy pass anything
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        arg = "rows"
        raise ArgumentError(arg, rows, "an iterable of Requests or tuples")
    iterator = iter(rows)
    index = 0
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            break
        except Exception as err:  # noqa: BLE001 (the caller's iterable failed: record it, stop)
            error = _row_error(index, None, err)
            reason = f"reading the rows failed; rows after {index} were not read: {error.message}"
            errors.append(attrs.evolve(error, message=reason))
            decisions.append(None)
            break
        result_id = None
        try:
            row = _row(raw)
            result_id = row.result_id
            decisions.append(
                evaluate(
                    row.result,
                    receiver=row.receiver,
                    at=row.at,
                    context=row.context,
                    result_id=result_id,
                )
            )
        except Exception as err:
            # Deliberately broad: one bad row must not lose a province's batch. Whatever a bad
            # datum makes evaluation raise (a MutrecError, an OverflowError from calendar
            # arithmetic near year 9999, a TypeError from a wrong type, a vendor rule's own
            # bug) is recorded as this row's error, never silenced. BaseException-only
            # interrupts (KeyboardInterrupt, SystemExit) and MemoryError still propagate.
            if isinstance(err, MemoryError):
                raise
            errors.append(_row_error(index, result_id, err))
            decisions.append(None)
        index += 1
    return Batch(tuple(decisions), tuple(errors))
