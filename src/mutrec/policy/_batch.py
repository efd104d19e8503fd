"""Batch evaluation: many results in one call, every bad row reported, none lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from mutrec.errors import MutrecError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from mutrec.model.results import Result
    from mutrec.policy._context import ClinicalContext
    from mutrec.policy._decision import Decision
    from mutrec.policy._policy import Policy

__all__ = ["BATCH_SCHEMA", "Batch", "Request", "RowError", "evaluate_many"]

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
        """Render the batch as HTML for notebooks, one row per input row (see ``mutrec._display``).

        >>> html = Batch((None,), (RowError(0, "r<1>", "TimeZoneError", "naive"),))._repr_html_()
        >>> "r&lt;1&gt;" in html
        True
        """
        from mutrec._display import batch_html

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
        return row
    if isinstance(row, tuple) and 4 <= len(row) <= 5:
        return Request(*row)
    msg = f"a batch row must be a Request or (result, receiver, at, context[, result_id]); got {row!r}"  # noqa: E501 (one message)
    raise TypeError(msg)


def evaluate_many(policy: Policy, rows: Iterable[Request | tuple[Any, ...]]) -> Batch:
    """Evaluate every row with *policy*, collecting per-row errors as data.

    A row that raises (a naive instant, a malformed result, a row that is not a row) becomes a
    :class:`RowError`; the other rows are decided as if it were not there.

    >>> from mutrec.policy import Policy
    >>> batch = evaluate_many(Policy([]), ["not a row"])
    >>> batch.errors[0].error, batch.decisions
    ('TypeError', (None,))
    """
    decisions: list[Decision | None] = []
    errors: list[RowError] = []
    evaluate = policy.evaluate
    for index, raw in enumerate(rows):
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
        except (MutrecError, TypeError, ValueError, AttributeError, KeyError, LookupError) as err:
            # A bad row is data about that row; it never aborts the batch.
            field = getattr(err, "field", None)
            errors.append(
                RowError(
                    index,
                    result_id if isinstance(result_id, str) else None,
                    type(err).__name__,
                    str(err),
                    field if isinstance(field, str) else None,
                )
            )
            decisions.append(None)
    return Batch(tuple(decisions), tuple(errors))
