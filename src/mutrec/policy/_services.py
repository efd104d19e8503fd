"""The policy's convenience methods: explain, override, item code, batches, marks, orders.

Each is a method of :class:`~mutrec.policy.Policy` (bound in its class body); they are kept
here, apart from the evaluation in ``_policy``, and read only the parts of a policy that
:class:`PolicyParts` names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from mutrec._checks import require
from mutrec.model.catalogue import Crosswalk
from mutrec.model.instants import require_aware
from mutrec.model.programs import FeeSchedule
from mutrec.model.results import Report, Result
from mutrec.policy._batch import Batch, Evaluate, Request, run
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision
from mutrec.policy._grounds import Ground
from mutrec.policy._indexing import item_code_in
from mutrec.policy._marking import MarkLine, mark_report
from mutrec.policy._orders import OrderCheck, order_check
from mutrec.policy._overrides import Action, Override
from mutrec.policy._reasons import Lang, Reasons
from mutrec.policy._rule import ProgramView

__all__ = [
    "PolicyParts",
    "check_order",
    "evaluate_many",
    "explain",
    "item_code",
    "mark",
    "override",
]


class PolicyParts(Protocol):
    """What the convenience methods read of a :class:`~mutrec.policy.Policy`.

    >>> from mutrec.policy import Policy
    >>> Policy.explain is explain
    True
    """

    @property
    def _reasons(self) -> Reasons: ...
    @property
    def _programs(self) -> dict[str, ProgramView]: ...
    @property
    def _views(self) -> tuple[ProgramView, ...]: ...
    @property
    def _crosswalk(self) -> Crosswalk | None: ...
    @property
    def fees(self) -> FeeSchedule | None: ...
    @property
    def evaluate(self) -> Evaluate: ...
    @property
    def item_code(self) -> Callable[[str, datetime], str | None]: ...
    def view(self, program: str) -> ProgramView: ...


def explain(self: PolicyParts, decision: Decision, lang: Lang = "zh") -> str:
    """Explain *decision* with this policy's registry (vendor codes included).

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import Outcome, Policy
    >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...              None, None, None, None, "1")
    >>> Policy([]).explain(d, "en")
    'Outcome: recognised; no repeat is needed.'
    """
    require("decision", decision, Decision)
    return decision.explain(lang, self._reasons)


def override(  # noqa: PLR0913 (an override has that many facts)
    self: PolicyParts,
    decision: Decision,
    *,
    action: Action | str,
    ground: Ground | str | None = None,
    by: str,
    at: datetime,
    note: str = "",
) -> Override:
    """Record a doctor's decision against *decision*.

    A repeat cites its ground: statutory, or a local ground of the decision's program. An
    accept of a result that was not recognised cites no ground: the doctor's judgement is
    the standard, and *note* (required) records it.

    Raises:
        ArgumentError: Unknown or missing ground, a ground on an accept, an accept without a
            note, or an action that agrees with the recommendation.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import Outcome, Policy
    >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...              None, None, None, None, "1")
    >>> Policy([]).override(d, action="repeat", ground="emergency", by="d1",
    ...                     at=d.evaluated_at).ground
    <Ground.EMERGENCY: 'emergency'>
    >>> refused = Decision(Outcome.NOT_RECOGNISED, (), None, d.evaluated_at,
    ...                    None, None, None, None, "1")
    >>> accepted = Policy([]).override(refused, action="accept", by="d1", at=d.evaluated_at,
    ...                                note="stable chronic value, trend known")
    >>> accepted.ground is None
    True
    """
    require("decision", decision, Decision)
    view = self._programs.get(decision.program_id or "")
    local = () if view is None else view.settings.local_grounds
    return Override.record(decision, action, ground, by, at, note, local_grounds=local)


def item_code(self: PolicyParts, name: str, at: datetime) -> str | None:
    """The code of the catalogue item *name* designates at *at* (code, LOINC or alias).

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import Policy
    >>> Policy([]).item_code("K", datetime(2024, 3, 1, tzinfo=UTC)) is None
    True
    """
    return item_code_in(self._views, name, at)


def evaluate_many(self: PolicyParts, rows: Iterable[Request | tuple[Any, ...]]) -> Batch:
    """Evaluate many rows; a bad row becomes a :class:`RowError`, never an exception.

    >>> from mutrec.policy import Policy
    >>> Policy([]).evaluate_many([]).ok
    0
    """
    return run(self.evaluate, rows)


def mark(self: PolicyParts, report: Report, program: str, at: datetime) -> tuple[MarkLine, ...]:
    """Say which items of *report* may carry *program*'s mark when issued at *at*.

    Raises:
        KeyError: No such program.

    >>> from datetime import datetime, UTC
    >>> from mutrec.model.results import Report
    >>> from mutrec.policy import Policy
    >>> Policy([]).mark(Report("R1", "H1", "p", ()), "x", datetime(2024, 1, 1, tzinfo=UTC))
    Traceback (most recent call last):
    KeyError: "no program named 'x' in this policy"
    """
    require("report", report, Report)
    require("program", program, str)
    require_aware(at, "at")
    return mark_report(self.view(program), report, at, self._crosswalk)


def check_order(  # noqa: PLR0913 (a method of Policy: self, then the facts of an order)
    self: PolicyParts,
    ordered: Iterable[str],
    priors: Iterable[Result],
    *,
    receiver: str,
    at: datetime,
    context: ClinicalContext,
) -> OrderCheck:
    """For each ordered item, the newest prior that passes (and the fee saved), or why none.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import ClinicalContext
    >>> from mutrec.policy import Policy
    >>> Policy([]).check_order([], [], receiver="H1", at=datetime(2024, 1, 1, tzinfo=UTC),
    ...                        context=ClinicalContext()).lines
    ()
    """
    return order_check(
        self.evaluate,
        self.item_code,
        self.fees,
        ordered,
        priors,
        receiver=receiver,
        at=at,
        context=context,
    )
