"""The policy's small pieces: the default rules, and how decisions and instants are compared.

Kept apart from ``_policy`` so that module stays about evaluation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from mutrec.errors import TimeZoneError
from mutrec.policy._decision import fixed_offset
from mutrec.policy._findings import Outcome, Severity
from mutrec.policy._rules_facts import (
    ImagingRule,
    SpecimenRule,
    ValueConverter,
    ValueRule,
    units_converter,
)
from mutrec.policy._rules_result import GroundsRule, PatientRule, WindowRule
from mutrec.policy._rules_source import MembershipRule, QualityRule, ScopeRule

if TYPE_CHECKING:
    from mutrec.policy._decision import Decision
    from mutrec.policy._findings import Finding
    from mutrec.policy._reasons import Reasons
    from mutrec.policy._rule import Rule
    from mutrec.policy._settings import ProgramSettings

__all__ = ["better", "default_rules", "normalised", "outcome_of", "severities"]

_RANK: Final = {
    Outcome.RECOGNISED: 0,
    Outcome.RECOGNISED_WITH_CAUTION: 1,
    Outcome.NOT_RECOGNISED: 2,
}


def default_rules(convert: ValueConverter = units_converter) -> tuple[Rule, ...]:
    """Return the default rules, in the order their findings are reported.

    Args:
        convert: How the value rule converts units (pass ``mutrec.units``' converter).

    >>> [rule.code_prefix for rule in default_rules()]
    ['membership', 'scope', 'qc', 'window', 'imaging', 'specimen', 'value', 'patient', 'ground']
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
    )


def severities(reasons: Reasons, settings: ProgramSettings) -> dict[str, Severity]:
    table = {code: reasons[code].severity for code in reasons}
    table.update(settings.severities)
    return table


def normalised(at: datetime) -> datetime:
    """*at* checked to be an aware datetime, with its fixed offset (see ``fixed_offset``)."""
    # Callers outside mypy pass anything: check the type at run time all the same.
    checked: object = at
    if not isinstance(checked, datetime) or at.utcoffset() is None:
        if isinstance(checked, datetime):
            msg = "at"
            raise TimeZoneError(msg)
        msg = f"'at' must be an aware datetime (got {at!r})"
        raise TypeError(msg)
    return fixed_offset(at)


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
