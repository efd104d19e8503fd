"""The default rules' fast path: one flat pass that builds the decision itself.

For the default rules (in their default order) the policy decides here, from look-ups prepared
once per (program, catalogue, item) (see ``_plan``): the common findings (membership, scope,
quality, window, value, patient) are built directly, with exactly the rules' codes, data and
key order; a rare case (no window, no anchor instant, imaging, grounds) asks the rule itself,
with a :class:`Subject` built only then. Decisions stay identical to the plain rule loop
(``tests/policy/test_fast_path.py`` compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Final, TypeAlias, cast, final

from mutrec.model.results import Censored, ImagingResult, LabResult, Measured, Result
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision, trusted_decision, zone_of
from mutrec.policy._findings import Finding, Outcome, Scalar, Severity, trusted_finding
from mutrec.policy._plan import ItemPlan, QualityIndex, quality_index
from mutrec.policy._rule import ProgramView, Rule, Subject
from mutrec.policy._rules_facts import (
    ImagingRule,
    SpecimenRule,
    ValueRule,
    judge_value,
    specimen_findings,
)
from mutrec.policy._rules_result import (
    GroundsRule,
    PatientRule,
    WindowRule,
    age_finding,
    expiry_findings,
    patient_findings,
    release_findings,
)
from mutrec.policy._rules_source import MembershipRule, QualityRule, ScopeRule

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

_NUMERIC: Final = (Measured, Censored)
_UNSEEN: Final = object()
# Specimen texts remembered per item plan: real feeds spell a specimen a handful of ways.
_MEMO_SIZE: Final = 256
_BLOCK: Final = Severity.BLOCK
_CAUTION: Final = Severity.CAUTION
_RECOGNISED: Final = Outcome.RECOGNISED
_CAUTIOUS: Final = Outcome.RECOGNISED_WITH_CAUTION
_REFUSED: Final = Outcome.NOT_RECOGNISED

# The codes the fast path reports itself (their severities are looked up once per program).
_CODES: Final = (
    "membership.unknown_issuer",
    "membership.not_member",
    "scope.unknown_receiver",
    "scope.outside",
    "qc.no_record",
    "qc.failed",
    "window.expired",
)

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


def default_rules_in(rules: Sequence[Rule]) -> _Defaults | None:
    """*rules* typed as the default rules, if they are exactly those, in order; else ``None``.

    >>> from mutrec.policy._policy import default_rules
    >>> default_rules_in(default_rules()) is not None, default_rules_in(default_rules()[1:])
    (True, None)
    """
    if len(rules) != len(DEFAULT_RULE_TYPES) or any(
        type(rule) is not kind for rule, kind in zip(rules, DEFAULT_RULE_TYPES, strict=True)
    ):
        return None
    return cast("_Defaults", tuple(rules))


@final
class FastView:
    """A program view with its items planned, and the default rules to fall back on."""

    __slots__ = (
        "_at",
        "_catalogues",
        "_members",
        "_offsets",
        "_quality",
        "_rules",
        "_sev",
        "version",
        "view",
    )

    def __init__(
        self,
        view: ProgramView,
        rules: _Defaults,
        version: str,
        quality: QualityIndex | None = None,
    ) -> None:
        """Plan every item of every catalogue of *view*'s program; decide with *version*.

        *quality* is :func:`quality_index` of ``view.quality``, when the caller built it once
        for every program sharing the book (a province's book holds ~100,000 records).
        """
        self.view = view
        self.version = version
        self._rules = rules
        self._sev = {code: view.severity.get(code, _BLOCK) for code in _CODES}
        self._offsets: dict[int, timedelta | None] = {}
        # The last evaluation instant and its ISO text: a batch often shares one ``at``.
        # One tuple, swapped whole: concurrent evaluations see a consistent pair.
        self._at: tuple[datetime | None, str] = (None, "")
        # Program.membership without the call: (since, until, items) per institution.
        members: dict[str, list[tuple[date, date, frozenset[str] | None]]] = {}
        for m in view.program.members:
            until = date.max if m.until is None else m.until
            members.setdefault(m.institution, []).append((m.since, until, m.items))
        self._members = {inst: tuple(periods) for inst, periods in members.items()}
        self._quality = quality_index(view.quality) if quality is None else quality
        self._catalogues = tuple(
            (
                cat.effective_from,
                cat.effective_until,
                {item.code: ItemPlan(item, cat, view, rules[6]) for item in cat.items},
            )
            for cat in view.program.catalogues
        )

    def _offset_in(self, year: int) -> timedelta | None:
        """The region zone's UTC offset all through *year*, or ``None`` if it changes.

        Sampled at noon of every day (and the next New Year): an offset that holds for a day
        or more is seen; a zone's changes (DST, a new offset) last longer than that. Asia/
        Shanghai has one offset since 1991, so every recent year is one look-up.
        """
        try:
            return self._offsets[year]
        except KeyError:
            pass
        zone = self.view.program.zone
        found: timedelta | None = None
        if type(zone) is timezone:
            found = zone.utcoffset(None)
        elif 1 < year < 9999:
            noon = datetime(year, 1, 1, 12)  # noqa: DTZ001 (a wall time, read in *zone*)
            offsets = {zone.utcoffset(noon + timedelta(days=d)) for d in range(367)}
            found = offsets.pop() if len(offsets) == 1 else None
        self._offsets[year] = found  # pure: concurrent fillers store equal values
        return found

    def _iso_at(self, at: datetime) -> str:
        last, text = self._at
        if last is not at:
            text = at.isoformat()
            self._at = (at, text)
        return text

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
        sev = self._sev
        subject: Subject | None = None
        found: list[Finding] = []
        data: dict[str, Scalar]
        issuer = result.issuer

        # membership
        for since, until, items in self._members.get(issuer, ()):
            if since <= on <= until and (items is None or code in items):
                break
        else:
            if not issuer:
                c = "membership.unknown_issuer"
                found.append(trusted_finding(c, sev[c], {"issuer": None}))
            else:
                c = "membership.not_member"
                data = {
                    "issuer": issuer,
                    "program": program.name,
                    "item": code,
                    "collected": on.isoformat(),
                }
                found.append(trusted_finding(c, sev[c], data))

        # scope
        inside = view.inside_scope
        if inside is None or receiver not in inside:
            if not receiver or receiver not in view.institutions:
                c = "scope.unknown_receiver"
                found.append(trusted_finding(c, sev[c], {"receiver": receiver or None}))
            elif inside is not None or program.membership(receiver, _local_date(at, zone)) is None:
                c = "scope.outside"
                data = {"receiver": receiver, "mark": program.mark}
                found.append(trusted_finding(c, sev[c], data))

        # quality: QualityBook.covering over the prepared chains
        entry = self._quality.get(issuer)
        record = None
        text = ""
        if entry is not None:
            specific = entry[0].get(code) if entry[0] else None
            if specific is not None:
                for since, until, rec, period in specific:
                    if since <= on <= until:
                        record, text = rec, period
                        break
            if record is None:
                for since, until, rec, period in entry[1].get(plan.category, entry[2]):
                    if since <= on <= until:
                        record, text = rec, period
                        break
        if record is None:
            c = "qc.no_record"
            data = {"issuer": issuer, "item": code, "collected": on.isoformat()}
            found.append(trusted_finding(c, sev[c], data))
        elif not record.passed:
            c = "qc.failed"
            data = {"issuer": issuer, "item": code, "period": text}
            found.append(trusted_finding(c, sev[c], data))

        # window
        expires: datetime | None = None
        spans = plan.spans
        reported = result.reported
        if spans is None:
            subject = Subject(
                result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
            )
            more, expires = self._rules[3].check_until(subject)
            found.extend(more)
        elif collected > at or (reported is not None and reported > at):
            found.extend(release_findings(view, result, collected, at) or ())
        else:
            start = reported if plan.report_anchor else collected
            window = plan.window
            assert window is not None  # noqa: S101 (spans are set only for a window)
            if start is None:
                subject = Subject(
                    result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
                )
                more, expires = self._rules[3].check_until(subject)
                found.extend(more)
            else:
                by_setting = plan.by_setting
                if by_setting is not None:
                    spans = by_setting.get(context.setting._name_, spans)  # str key: see ItemPlan
                span, days, words = spans
                age = None if window.specimen_age is None else age_finding(view, result, window)
                if age is not None:
                    found.append(age)
                expires = None
                tz = start.tzinfo
                if days is not None and type(tz) is timezone:
                    # A fixed offset that is the region's offset all through the year(s): the
                    # region's wall clock and the sender's agree, and plain arithmetic is
                    # window_expiry's count. Anything else goes to window_expiry itself.
                    offset = tz.utcoffset(None)
                    offsets = self._offsets
                    year = start.year
                    if offsets.get(year, _UNSEEN) == offset or self._offset_in(year) == offset:
                        try:
                            wall = start + days
                        except OverflowError:  # past year 9999: window_expiry says so
                            wall = None
                        if wall is not None and (
                            wall.year == year or self._offset_in(wall.year) == offset
                        ):
                            fixed = _FIXED.get(tz) or _fixed(tz)
                            expires = (
                                wall
                                if fixed is tz and not wall.fold
                                else wall.replace(tzinfo=fixed, fold=0)
                            )
                if expires is None:
                    more, expires = expiry_findings(view, span, start, at, None)
                    found.extend(more)
                elif at >= expires:
                    c = "window.expired"
                    data = {
                        "window": words,
                        "expires_at": expires.isoformat(),
                        "at": self._iso_at(at),
                    }
                    found.append(trusted_finding(c, sev[c], data))

        # imaging, specimen, value
        number: float | None = None
        if not plan.lab:
            subject = subject or Subject(
                result, plan.item, plan.catalogue, view, receiver, at, context, collected, on
            )
            found.extend(self._rules[4].check(subject))
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
            found.extend(self._rules[8].check(subject))

        unit = None if number is None else plan.target_code
        if not found:
            return trusted_decision(
                _RECOGNISED, (), expires, at, result_id, receiver, program.name,
                plan.version, self.version, code, number, unit,
            )  # fmt: skip
        outcome = _RECOGNISED
        for finding in found:
            severity = finding.severity
            if severity is _BLOCK:
                outcome = _REFUSED
                break
            if severity is _CAUTION:
                outcome = _CAUTIOUS
        return trusted_decision(
            outcome, tuple(found), expires, at, result_id, receiver, program.name,
            plan.version, self.version, code, number, unit,
        )  # fmt: skip


def _local_date(instant: datetime, zone: tzinfo) -> date:
    return instant.date() if instant.tzinfo is zone else instant.astimezone(zone).date()


# Fixed zones by zone: equal zones (same offset) map to zone_of's one shared object.
_FIXED: dict[tzinfo, timezone] = {}


def _fixed(tz: timezone) -> timezone:
    # A zone equal to zone_of's (same offset, same name) stands for it: the expiry keeps the
    # caller's zone object, as ``at`` does, and saves a replace() per result.
    shared = zone_of(tz.utcoffset(None))
    fixed = _FIXED[tz] = tz if tz == shared and tz.tzname(None) == shared.tzname(None) else shared
    return fixed
