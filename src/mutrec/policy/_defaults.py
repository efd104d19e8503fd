"""The policy's small pieces: the default rules, and how decisions and instants are compared.

Kept apart from ``_policy`` so that module stays about evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Final

from mutrec.errors import ArgumentError, TimeZoneError
from mutrec.model.results import ImagingResult, LabResult, Result, check_instant
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision, fixed_offset
from mutrec.policy._fast import FastView
from mutrec.policy._findings import Finding, Outcome, Severity
from mutrec.policy._reasons import Reasons
from mutrec.policy._rule import ProgramView, Rule
from mutrec.policy._rules_context import ContextWindowRule
from mutrec.policy._rules_facts import (
    ImagingRule,
    SpecimenRule,
    ValueConverter,
    ValueRule,
    units_converter,
)
from mutrec.policy._rules_grade import GradeRule
from mutrec.policy._rules_result import GroundsRule, PatientRule, WindowRule
from mutrec.policy._rules_source import MembershipRule, QualityRule, ScopeRule
from mutrec.policy._settings import ProgramSettings

__all__ = [
    "best_of",
    "better",
    "check_arguments",
    "default_rules",
    "normalised",
    "outcome_of",
    "severities",
]

_RANK: Final = {
    Outcome.RECOGNISED: 0,
    Outcome.RECOGNISED_WITH_CAUTION: 1,
    Outcome.NOT_RECOGNISED: 2,
}


def default_rules(convert: ValueConverter = units_converter) -> tuple[Rule, ...]:
    """Return the default rules, in the order their findings are reported.

    Args:
        convert: How the value rule converts units (pass ``mutrec.units``' converter).

    >>> [rule.code_prefix for rule in default_rules()]  # doctest: +NORMALIZE_WHITESPACE
    ['membership', 'scope', 'qc', 'window', 'imaging', 'specimen', 'value', 'patient', 'ground',
     'grade', 'context']
    """
    return (
        MembershipRule(),
        ScopeRule(),
        QualityRule(),
        WindowRule(),
        ImagingRule(),
        SpecimenRule(),
        ValueRule(convert),
        PatientRule(),
        GroundsRule(),
        GradeRule(),
        ContextWindowRule(),
    )


def severities(reasons: Reasons, settings: ProgramSettings) -> dict[str, Severity]:
    table = {code: reasons[code].severity for code in reasons}
    table.update(settings.severities)
    return table


def normalised(at: datetime) -> datetime:
    """*at* checked to be an aware datetime inside the calendar, with its fixed offset.

    Raises:
        ArgumentError: *at* is not a datetime.
        TimeZoneError: *at* is naive.
        ResultError: *at* is within two days of year 1 or 9999 (see ``check_instant``).
    """
    # Callers outside mypy pass anything: check the type at run time all the same.
    checked: object = at
    if not isinstance(checked, datetime):
        msg = "at"
        raise ArgumentError(msg, checked, "an aware datetime")
    if at.utcoffset() is None:
        msg = "at"
        raise TimeZoneError(msg)
    return fixed_offset(check_instant(at, "at"))


def check_arguments(result: object, receiver: object, context: object, result_id: object) -> None:
    """Refuse arguments of ``evaluate`` of the wrong type, naming the argument.

    Raises:
        ArgumentError: One of them is not what ``evaluate`` takes.
    """
    if not isinstance(result, (LabResult, ImagingResult)):
        msg = "result"
        raise ArgumentError(msg, result, "a LabResult or ImagingResult")
    if not isinstance(receiver, str):
        msg = "receiver"
        raise ArgumentError(msg, receiver, "the receiving institution's id as text")
    if not isinstance(context, ClinicalContext):
        msg = "context"
        raise ArgumentError(msg, context, "a ClinicalContext (ClinicalContext() when unknown)")
    if result_id is not None and not isinstance(result_id, str):
        msg = "result_id"
        raise ArgumentError(msg, result_id, "text or None")


def outcome_of(findings: list[Finding]) -> Outcome:
    outcome = Outcome.RECOGNISED
    for finding in findings:
        severity = finding.severity
        if severity is Severity.BLOCK:
            return Outcome.NOT_RECOGNISED
        if severity is Severity.CAUTION:
            outcome = Outcome.RECOGNISED_WITH_CAUTION
    return outcome


def better(a: Decision, b: Decision) -> bool:
    """Whether *a* serves the patient better than *b*: a better outcome, then a later expiry."""
    ra, rb = _RANK[a.outcome], _RANK[b.outcome]
    if ra != rb:
        return ra < rb
    if a.expires_at is None or b.expires_at is None:
        return False
    return a.expires_at > b.expires_at


def best_of(
    views: Sequence[ProgramView],
    under: Callable[[ProgramView], Decision],
    fasts: Mapping[str, FastView] | None,
    facts: tuple[Result, datetime, ClinicalContext],
) -> Decision | None:
    """The decision *under* the program that serves the patient best (the first among equals).

    ``None`` when no program lists the result's item. It stops early where the decision so
    far cannot lose: a later program wins only with a better outcome, or the same outcome and
    a later expiry (:func:`better`), and a fast view can tell (``FastView.loses``) that its
    window ends by then. *facts* are the result, ``at`` and the context.
    """
    best: Decision | None = None
    for view in views:
        if best is not None and best.outcome is Outcome.RECOGNISED:
            bar = best.expires_at
            if bar is None:  # better() needs two expiries: nothing beats this one
                break
            fast = None if fasts is None else fasts[view.program.name]
            if fast is not None and fast.loses(*facts, bar):
                continue
        decision = under(view)
        if decision.catalogue_version is None:  # the item is not in this program
            continue
        if best is None or better(decision, best):
            best = decision
    return best
