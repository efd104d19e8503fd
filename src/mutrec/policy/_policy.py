"""The policy: programs + rules → a decision for each prior result.

Everything a rule looks up is indexed when the policy is built; ``evaluate`` then reads only
immutable data (no I/O, no clock, no pint), so one policy serves many threads at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Final

from mutrec._checks import items_of, require
from mutrec.files.region import Region
from mutrec.model.catalogue import Crosswalk
from mutrec.model.instants import local_date
from mutrec.model.institutions import Institution
from mutrec.model.programs import FeeSchedule, Program, QualityBook
from mutrec.model.results import ImagingResult, LabResult, Result
from mutrec.policy import _services
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision, trusted_decision
from mutrec.policy._defaults import (
    best_of,
    check_arguments,
    default_rules,
    normalised,
    outcome_of,
)
from mutrec.policy._fast import FastView, default_rules_in
from mutrec.policy._findings import Finding, Outcome, Severity
from mutrec.policy._indexing import (
    check_parts,
    index_by_code,
    program_views,
    region_settings,
    rule_checks,
    run_checks,
)
from mutrec.policy._reasons import Reason, Reasons, default_reasons
from mutrec.policy._rule import ProgramView, Rule, Subject
from mutrec.policy._rules_facts import ValueRule
from mutrec.policy._rules_source import CatalogueRule
from mutrec.policy._settings import ProgramSettings
from mutrec.policy._shipping import Arguments, rebuilt, shippable

__all__ = ["Policy", "default_rules", "fast_view_for"]

_EDGES: Final = frozenset({1, 9999})


class Policy:
    """Decides whether prior results may be recognised, under one or more programs.

    Args:
        programs: The programs (a result is decided under the one that serves it best).
        rules: The rules, in reporting order; :func:`default_rules` if omitted. A vendor
            extends them: ``[*default_rules(), MyRule()]``.
        institutions: Institutions by id (receivers and issuers).
        quality: The quality records.
        settings: Policy settings per program name (defaults where absent).
        crosswalk: Issuers' local item codes, if any.
        fees: The fee schedule (order checks report the fee saved).
        version: The policy's version, recorded in every decision.
        reasons: Reason texts of vendor rules' codes.

    Raises:
        ArgumentError: Two programs share a name, a rule is not a :class:`Rule`, or an
            argument is not of its type.

    >>> Policy([], version="2024.1").version
    '2024.1'
    """

    __slots__ = (
        "_arguments",
        "_by_code",
        "_checks",
        "_crosswalk",
        "_fast",
        "_fast_by_code",
        "_fees",
        "_programs",
        "_reasons",
        "_rules",
        "_value_rule",
        "_views",
        "version",
    )

    def __init__(  # noqa: PLR0913 (keyword data, each needed)
        self,
        programs: Iterable[Program],
        rules: Sequence[Rule] | None = None,
        *,
        institutions: Mapping[str, Institution] | None = None,
        quality: QualityBook | None = None,
        settings: Mapping[str, ProgramSettings] | None = None,
        crosswalk: Crosswalk | None = None,
        fees: FeeSchedule | None = None,
        version: str = "1",
        reasons: Iterable[Reason] = (),
    ) -> None:
        """Index everything the rules will look up."""
        the_programs = items_of("programs", programs, Program)
        check_parts(version, quality, crosswalk, fees)
        self.version = version
        vendor_reasons = items_of("reasons", reasons, Reason)
        self._reasons = default_reasons().with_reasons(vendor_reasons)
        self._rules: tuple[Rule, ...] = (
            default_rules() if rules is None else items_of("rules", rules, object, "Rules")
        )
        self._checks = rule_checks(self._rules)
        # The value rule, if the rules have one, converts the value the decision records.
        self._value_rule = next((r for r in self._rules if type(r) is ValueRule), None)
        views = program_views(the_programs, settings, quality, institutions, self._reasons)
        self._views: tuple[ProgramView, ...] = views
        # The default rules have a fast path (see _fast): planned per program, or None.
        planned = default_rules_in(self._rules)
        self._fast: dict[str, FastView] | None = None
        if planned is not None:
            defaults, extra = planned
            self._fast = {
                view.program.name: FastView(view, defaults, extra, version) for view in views
            }
        # An exact item code listed by one program only needs evaluating under that program;
        # anything else (aliases, LOINC, local codes) goes through every program.
        self._by_code, self._fast_by_code = index_by_code(views, self._fast)
        self._programs = {v.program.name: v for v in views}
        self._crosswalk = crosswalk
        self._fees = fees
        given = None if rules is None else self._rules
        self._arguments = Arguments.of(
            the_programs, given, institutions, quality, settings, crosswalk, fees, version,
            vendor_reasons,
        )  # fmt: skip

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle by the construction arguments (see ``_shipping``); a copy is built anew."""
        return rebuilt, (type(self), shippable(self._arguments, protocol))

    @classmethod
    def from_region(
        cls,
        region: Region,
        rules: Sequence[Rule] | None = None,
        *,
        settings: Mapping[str, ProgramSettings] | None = None,
        version: str = "1",
        reasons: Iterable[Reason] = (),
    ) -> Policy:
        """Build a policy from a loaded region (programs, institutions, quality, fees).

        Each program's settings come from the ``[policy]`` table of its file
        (:attr:`Region.policy_settings <mutrec.files.Region.policy_settings>`), read with
        :meth:`ProgramSettings.from_raw`. An entry of *settings* replaces a program's settings
        from data as a whole (no merging, and that table is not read); programs in neither get
        the defaults.

        Raises:
            CatalogueError: A ``[policy]`` table has values the policy refuses (each problem
                names the program's file and the key).

        >>> from mutrec.files import load_example_region
        >>> policy = Policy.from_region(load_example_region())
        >>> sorted(policy.view("京津冀鲁检验互认(示例)").settings.scope_regions)
        ['11', '12', '13', '37']
        """
        the_settings = region_settings(region, settings)
        return cls(
            region.programs.values(),
            rules,
            institutions=region.institutions,
            quality=region.quality,
            settings=the_settings,
            crosswalk=region.crosswalk,
            fees=region.fees,
            version=version,
            reasons=reasons,
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, in reporting order.

        >>> len(Policy([]).rules)
        11
        """
        return self._rules

    @property
    def reasons(self) -> Reasons:
        """The reason registry: the default codes and the vendor rules' ones.

        >>> "window.expired" in Policy([]).reasons
        True
        """
        return self._reasons

    @property
    def fees(self) -> FeeSchedule | None:
        """The fee schedule order checks read, if any.

        >>> Policy([]).fees is None
        True
        """
        return self._fees

    def view(self, program: str) -> ProgramView:
        """The indexed view of the program named *program*.

        Raises:
            KeyError: No such program.

        >>> Policy([]).view("x")
        Traceback (most recent call last):
        KeyError: "no program named 'x' in this policy"
        """
        try:
            return self._programs[program]
        except KeyError:
            # A look-up miss stays a KeyError (documented; callers catch it); a name that is
            # not text is an argument error.
            require("program", program, str)
            msg = f"no program named {program!r} in this policy"
            raise KeyError(msg) from None
        except TypeError:  # an unhashable name
            require("program", program, str)
            raise

    @property
    def programs(self) -> tuple[str, ...]:
        """The programs' names, in policy order.

        >>> Policy([]).programs
        ()
        """
        return tuple(v.program.name for v in self._views)

    def evaluate(
        self,
        result: Result,
        *,
        receiver: str,
        at: datetime,
        context: ClinicalContext,
        result_id: str | None = None,
    ) -> Decision:
        """Decide whether *result* may be recognised by *receiver* at *at* in *context*.

        Args:
            result: The prior result.
            receiver: The receiving institution's id.
            at: The instant of the decision (aware; no clock is read).
            context: The clinical context.
            result_id: The reference recorded in the decision.

        Raises:
            TimeZoneError: *at* is naive.
            ArgumentError: An argument is of the wrong type.
            ResultError: *at* lies within two days of year 1 or 9999.

        >>> from datetime import datetime, timezone
        >>> Policy([]).evaluate(None, receiver="H1", at=datetime(2024, 3, 1), context=None)
        Traceback (most recent call last):
        mutrec.errors.TimeZoneError: 'at' is a naive datetime: ...
        >>> Policy([]).evaluate(None, receiver="H1", at=datetime(2024, 3, 1, tzinfo=timezone.utc),
        ...                     context=None)
        Traceback (most recent call last):
        mutrec.errors.ArgumentError: argument 'result' = None: expected a LabResult or ...
        """
        # A datetime with a fixed offset (what ISO-8601 parses to) is aware and normalised;
        # one in the first or last year may lie off the calendar in another zone.
        if type(at) is not datetime or type(at.tzinfo) is not timezone or at.year in _EDGES:
            at = normalised(at)
        # Exact types are the common case and cost two look-ups; anything else is checked.
        if (
            (type(result) is not LabResult and type(result) is not ImagingResult)
            or type(receiver) is not str
            or type(context) is not ClinicalContext
            or (result_id is not None and type(result_id) is not str)
        ):
            check_arguments(result, receiver, context, result_id)
        # An exact code of one program's only, under the default rules: decide in one pass.
        fast = self._fast_by_code.get(result.item)
        if fast is not None:
            decision = fast.decide(result, receiver, at, context, result_id)
            if decision is not None:
                return decision
        views = self._by_code.get(result.item) or self._views
        if len(views) == 1:
            return self._under(views[0], result, receiver, at, context, result_id)
        if not views:
            finding = Finding("policy.no_program", Severity.BLOCK, {"code": result.item})
            return self._refuse(finding, None, at, result_id, receiver, result)
        best = best_of(
            views,
            lambda view: self._under(view, result, receiver, at, context, result_id),
            self._fast,
            (result, at, context),
        )
        if best is None:
            finding = Finding("policy.no_program", Severity.BLOCK, {"code": result.item})
            return self._refuse(finding, None, at, result_id, receiver, result)
        return best

    def _refuse(  # noqa: PLR0917, PLR0913 (the hot path keeps its arguments flat)
        self,
        finding: Finding,
        view: ProgramView | None,
        at: datetime,
        result_id: str | None,
        receiver: str,
        result: Result,
    ) -> Decision:
        program = None if view is None else view.program.name
        return trusted_decision(
            Outcome.NOT_RECOGNISED,
            (finding,),
            None,
            at,
            result_id,
            receiver,
            program,
            None,
            self.version,
            issuer_id=result.issuer,
            patient_id=result.patient,
            item_text=result.item,
        )

    def _under(  # noqa: PLR0917, PLR0913 (the hot path keeps its arguments flat)
        self,
        view: ProgramView,
        result: Result,
        receiver: str,
        at: datetime,
        context: ClinicalContext,
        result_id: str | None,
    ) -> Decision:
        fast = None if self._fast is None else self._fast[view.program.name]
        if fast is not None:
            decision = fast.decide(result, receiver, at, context, result_id)
            if decision is not None:
                return decision
        collected = result.collected if isinstance(result, LabResult) else result.performed
        collected_on = local_date(collected, view.program.zone)
        resolved = CatalogueRule.resolve(view, result, collected_on, self._crosswalk)
        if isinstance(resolved, Finding):
            return self._refuse(resolved, view, at, result_id, receiver, result)
        item, catalogue = resolved
        subject = Subject(
            result, item, catalogue, view, receiver, at, context, collected, collected_on
        )
        findings, expires = run_checks(self._checks, subject)
        number = self._value_in_item_unit(subject)
        return trusted_decision(
            outcome_of(findings) if findings else Outcome.RECOGNISED,
            tuple(findings) if findings else (),
            expires,
            at,
            result_id,
            receiver,
            view.program.name,
            catalogue.version,
            self.version,
            item.code,
            value=number,
            unit=None if number is None or item.unit is None else item.unit.code,
            issuer_id=result.issuer,
            patient_id=result.patient,
            item_text=result.item,
        )

    def _value_in_item_unit(self, subject: Subject) -> float | None:
        """The value rule's converted number for the decision (``None`` without the rule)."""
        rule = self._value_rule
        return None if rule is None else rule.judge(subject)[1]

    # The convenience methods, bound here and kept in _services (so is their documentation).
    explain = _services.explain
    override = _services.override
    item_code = _services.item_code
    evaluate_many = _services.evaluate_many
    mark = _services.mark
    check_order = _services.check_order


def fast_view_for(policy: Policy, code: str) -> FastView | None:
    """The fast view deciding exact item *code* alone (listed by one program), or ``None``.

    A read-only accessor for ``mutrec.columnar``, which reads the same plans and indexes
    the scalar pass reads (see ``FastView.plain_plan``).

    >>> fast_view_for(Policy([]), "K") is None
    True
    """
    return policy._fast_by_code.get(code)  # noqa: SLF001 (the policy's own module)
