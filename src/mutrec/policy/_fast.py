"""The default rules' fast path: one flat pass over a plan prepared per (program, item).

Each default rule's meaning lives in its own module, as plain functions of plain data
(``membership_findings``, ``window_findings``, ``judge_value`` …) that the rule's ``check``
calls too. This pass calls the same functions in the same order, without building a
:class:`Subject` for each (one is built only for the rules that need it: grounds and any rule
after the default ones). The only thing it decides itself is that a clean number needs no
finding (``ItemPlan.clean_number``). Decisions are identical to the plain rule loop
(``tests/policy/test_fast_path.py`` compares the two).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Final, TypeAlias, final

from mutrec.model.catalogue import Catalogue, Item
from mutrec.model.results import ImagingResult, LabResult, Result
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision, DecisionSlots
from mutrec.policy._findings import Finding, Outcome, Severity
from mutrec.policy._plan import ItemPlan
from mutrec.policy._rule import NO_FINDINGS, ExpiringRule, ProgramView, Rule, Subject
from mutrec.policy._rules_facts import (
    ImagingRule,
    SpecimenRule,
    ValueRule,
    imaging_findings,
    judge_value,
    specimen_findings,
)
from mutrec.policy._rules_result import (
    GroundsRule,
    PatientRule,
    WindowRule,
    patient_findings,
    window_findings,
)
from mutrec.policy._rules_source import (
    MembershipRule,
    QualityRule,
    ScopeRule,
    membership_findings,
    quality_findings,
    scope_findings,
)

__all__ = ["DEFAULT_RULE_TYPES", "FastView", "ItemPlan", "default_rules_in"]

DEFAULT_RULE_TYPES: Final = (
    MembershipRule,
    ScopeRule,
    QualityRule,
    WindowRule,
    ImagingRule,
    SpecimenRule,
    ValueRule,
    PatientRule,
    GroundsRule,
)
"""The rule types, in order, the fast path stands in for."""

# Specimen texts remembered per item plan: real feeds spell a specimen a handful of ways.
_MEMO_SIZE: Final = 256
_BLOCK: Final = Severity.BLOCK
_CAUTION: Final = Severity.CAUTION
_RECOGNISED: Final = Outcome.RECOGNISED
_CAUTIOUS: Final = Outcome.RECOGNISED_WITH_CAUTION
_REFUSED: Final = Outcome.NOT_RECOGNISED

_Defaults: TypeAlias = tuple[
    MembershipRule,
    ScopeRule,
    QualityRule,
    WindowRule,
    ImagingRule,
    SpecimenRule,
    ValueRule,
    PatientRule,
    GroundsRule,
]
# A rule's bound check, and whether it is an ExpiringRule's check_until.
_Check: TypeAlias = tuple[Callable[[Subject], Any], bool]


def default_rules_in(rules: Sequence[Rule]) -> tuple[_Defaults, tuple[_Check, ...]] | None:
    """The nine planned default rules and the checks of the rules after them, or ``None``.

    ``None`` unless *rules* start with exactly those nine, in order. The rules after them (the
    default grade and context-window rules, then a vendor's) are asked plainly.

    >>> from mutrec.policy._policy import default_rules
    >>> found = default_rules_in(default_rules())
    >>> [check.__self__.code_prefix for check, _ in found[1]], default_rules_in(default_rules()[1:])
    (['grade', 'context'], None)
    """
    count = len(DEFAULT_RULE_TYPES)
    if len(rules) < count or any(
        type(rule) is not kind for rule, kind in zip(rules, DEFAULT_RULE_TYPES, strict=False)
    ):
        return None
    extra = tuple(
        (rule.check_until, True) if isinstance(rule, ExpiringRule) else (rule.check, False)
        for rule in rules[count:]
    )
    defaults: _Defaults = tuple(rules[:count])  # type: ignore[assignment]  # checked above
    return defaults, extra


def _extras_for(extra: tuple[_Check, ...], view: ProgramView, item: Item) -> tuple[_Check, ...]:
    """The checks in *extra* whose rule may report on *item* under *view*.

    A rule may say, with an optional ``applies(view, item)`` method, that it can report nothing
    on an item under a program whatever the result (the grade rule without a matrix, the
    context-window rule without context windows): the fast pass then skips it for that item.
    A rule without the method is always asked.
    """
    kept = []
    for check, expiring in extra:
        hint = getattr(getattr(check, "__self__", None), "applies", None)
        if hint is None or hint(view, item):
            kept.append((check, expiring))
    return tuple(kept)


def _planned(
    item: Item, catalogue: Catalogue, view: ProgramView, rule: ValueRule, extra: tuple[_Check, ...]
) -> ItemPlan:
    plan = ItemPlan(item, catalogue, view, rule)
    plan.extra = _extras_for(extra, view, item)
    return plan


@final
class FastView:
    """A program view with its items planned, and the rules to ask beyond the plan."""

    __slots__ = ("_catalogues", "_grounds", "version", "view")

    def __init__(
        self, view: ProgramView, rules: _Defaults, extra: tuple[_Check, ...], version: str
    ) -> None:
        """Plan every item of every catalogue of *view*'s program; decide with *version*."""
        self.view = view
        self.version = version
        self._grounds = rules[8]
        self._catalogues = tuple(
            (
                cat.effective_from,
                cat.effective_until,
                {item.code: _planned(item, cat, view, rules[6], extra) for item in cat.items},
            )
            for cat in view.program.catalogues
        )

    def _locate(self, result: Result) -> tuple[ItemPlan, datetime] | None:
        """The plan of *result*'s exact code and its clinical instant (``decide`` inlines it)."""
        if type(result) is LabResult:
            collected = result.collected
        elif type(result) is ImagingResult:
            collected = result.performed
        else:
            return None
        zone = self.view.program.zone
        on = collected.date() if collected.tzinfo is zone else collected.astimezone(zone).date()
        for since, until, plans in self._catalogues:
            if since <= on and (until is None or on <= until):
                plan = plans.get(result.item)
                return None if plan is None else (plan, collected)
        return None

    def plain_plan(self, code: str, on: date, *, keyed: tuple[type, ...] = ()) -> ItemPlan | None:
        """The plan of exact *code* in the catalogue in force on *on*, for a columnar reader.

        ``None`` when the code is not planned there or rules after the planned defaults apply
        to it (clinical context, a vendor's: their meaning is theirs alone), unless each such
        rule is of a type in *keyed*, whose findings the caller asks itself (``mutrec.columnar``
        asks the grade rule's function once per issuer and receiver); otherwise the caller
        asks :meth:`decide` through the policy. Read-only; ``mutrec.columnar`` reads its plans
        and view through it.
        """
        for since, until, plans in self._catalogues:
            if since <= on and (until is None or on <= until):
                plan = plans.get(code)
                if plan is None or not all(
                    type(getattr(check, "__self__", None)) in keyed for check, _ in plan.extra
                ):
                    return None
                return plan
        return None

    def loses(self, result: Result, at: datetime, context: ClinicalContext, bar: datetime) -> bool:
        """Whether this program's decision on *result* surely expires by *bar* (or never).

        A recognised decision that expires at *bar* is beaten only by another recognised one
        that expires later (``_defaults.better``). The decision's expiry is the earliest any
        expiring rule reports: a window that ends by *bar* settles it, and so does a window
        that reports none when no other rule may report one. ``False`` when unsure (the
        code is not planned here): the caller then decides under this program.
        """
        located = self._locate(result)
        if located is None:
            return False
        plan, collected = located
        scratch: list[Finding] = []
        expires = window_findings(
            scratch, self.view, plan.item, plan.window, result, collected, at, context.setting
        )
        return (expires is None and not plan.extra) or (expires is not None and expires <= bar)

    def decide(  # noqa: C901, PLR0912, PLR0915 (one flat pass, on purpose)
        self,
        result: Result,
        receiver: str,
        at: datetime,
        context: ClinicalContext,
        result_id: str | None,
    ) -> Decision | None:
        """The decision under the default rules; ``None`` if the plain path must run.

        *at* must already have a fixed offset. The plain path runs when the result's exact
        code is not in the first catalogue in force at collection (aliases, LOINC codes and
        crosswalks resolve there).
        """
        view = self.view
        program = view.program
        lab_result = type(result) is LabResult
        if lab_result:
            collected = result.collected  # type: ignore[union-attr]  # a LabResult
        elif type(result) is ImagingResult:
            collected = result.performed
        else:
            return None
        zone = program.zone
        # astimezone() to the instant's own zone object is the instant itself: skip it.
        on = collected.date() if collected.tzinfo is zone else collected.astimezone(zone).date()
        plan = None
        for since, until, plans in self._catalogues:
            if since <= on and (until is None or on <= until):
                plan = plans.get(result.item)
                break
        if plan is None:
            return None
        code = plan.code
        subject: Subject | None = None
        found: list[Finding] = []
        issuer = result.issuer

        # membership, scope, quality
        more = membership_findings(view, issuer, code, on)
        if more:
            found.extend(more)
        inside = view.inside_scope
        if inside is None or receiver not in inside:  # the common case needs no call
            found.extend(scope_findings(view, receiver, at))
        more = quality_findings(view, issuer, code, plan.category, on)
        if more:
            found.extend(more)

        # window
        expires = window_findings(
            found, view, plan.item, plan.window, result, collected, at, context.setting
        )

        # imaging, specimen, value
        number: float | None = None
        if not plan.lab:
            subject = subject or Subject(
                result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
            )
            found.extend(imaging_findings(view, plan.item, result))
        else:
            if plan.specimens is not None:
                # An imaging result under a lab code has no specimen: the rule says so.
                specimen = result.specimen if lab_result else None  # type: ignore[union-attr]
                memo = plan.specimen_memo
                known = memo.get(specimen) if type(specimen) is str else None
                if known is None:
                    known = specimen_findings(view, plan.item, result, plan.specimens)
                    if type(specimen) is str and len(memo) < _MEMO_SIZE:
                        memo[specimen] = known  # pure: the same text gives the same findings
                if known:
                    found.extend(known)
            value = result.value if lab_result else None  # type: ignore[union-attr]
            number = plan.clean_number(value)
            if number is None:  # anything but a clean number: the value rule says what
                more, number = judge_value(
                    view, plan.item, value, plan.convert, plan.limits, plan.critical
                )
                if more:
                    found.extend(more)

        # patient
        theirs = result.patient
        ours = context.patient
        if not theirs or not ours or theirs != ours or theirs.isspace():
            found.extend(patient_findings(view, theirs, ours))

        # grounds
        if context.grounds or context.local_grounds:
            subject = subject or Subject(
                result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
            )
            found.extend(self._grounds.check(subject))

        # rules after the default ones (a vendor's, or a new default rule): asked plainly
        for check, expiring in plan.extra:
            subject = subject or Subject(
                result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
            )
            if expiring:
                more, until = check(subject)
                if until is not None and (expires is None or until < expires):
                    expires = until
            else:
                more = check(subject)
            if more:
                found.extend(more)

        if found:
            findings = tuple(found)
            outcome = _RECOGNISED
            for finding in findings:
                severity = finding.severity
                if severity is _BLOCK:
                    outcome = _REFUSED
                    break
                if severity is _CAUTION:
                    outcome = _CAUTIOUS
        else:
            findings, outcome = NO_FINDINGS, _RECOGNISED
        # trusted_decision, inlined: the values are checked, the layout is Decision's.
        decision = DecisionSlots(
            outcome, findings, expires, at, result_id, receiver, program.name, plan.version,
            self.version, code, number, None if number is None else plan.target_code,
            result.issuer, result.patient, result.item,
        )  # fmt: skip
        decision.__class__ = Decision  # type: ignore[assignment]  # see DecisionSlots
        return decision  # type: ignore[return-value]  # a Decision now
