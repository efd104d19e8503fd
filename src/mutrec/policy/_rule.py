"""The rule protocol and what a rule sees: the :class:`Subject` of one evaluation.

A vendor adds a rule by writing a class with a ``code_prefix`` and a ``check`` method; it
needs no base class and touches no existing code (structural typing, :class:`typing.Protocol`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Final, Protocol, runtime_checkable

import attrs

from mutrec._checks import instance_of, require
from mutrec.model.catalogue import Catalogue, Item
from mutrec.model.institutions import Institution
from mutrec.model.programs import Program, QualityBook
from mutrec.model.results import Result
from mutrec.policy._context import ClinicalContext
from mutrec.policy._findings import Finding, Scalar, Severity, trusted_finding
from mutrec.policy._indexes import (
    OffsetMemo,
    Periods,
    QualityIndex,
    member_periods,
    shared_quality_index,
)
from mutrec.policy._settings import ProgramSettings

__all__ = ["NO_FINDINGS", "ExpiringRule", "ProgramView", "Rule", "Subject"]

NO_FINDINGS: Final[tuple[Finding, ...]] = ()
"""What a rule returns when it has nothing to report (shared, allocation-free)."""


@attrs.frozen
class ProgramView:
    """A program with everything the rules look up, indexed once when a policy is built.

    Attributes:
        program: The program.
        settings: Its policy settings.
        quality: The quality records of its QC organisation.
        institutions: Institutions by id (issuers and receivers).
        severity: The severity of every known reason code under this program.

    >>> ProgramView.__name__
    'ProgramView'
    """

    program: Program = attrs.field(validator=instance_of(Program))
    settings: ProgramSettings = attrs.field(validator=instance_of(ProgramSettings))
    quality: QualityBook = attrs.field(validator=instance_of(QualityBook))
    institutions: Mapping[str, Institution] = attrs.field(
        repr=False, validator=instance_of(Mapping)
    )
    severity: Mapping[str, Severity] = attrs.field(repr=False, validator=instance_of(Mapping))
    inside_scope: frozenset[str] | None = attrs.field(init=False, repr=False, eq=False)
    """The receivers inside the scope's regions; ``None`` when the scope is the members."""
    # What the default rules look up, prepared once (see _indexes; private: no docstrings, so
    # the reference leaves them out): membership periods by institution; the quality records as
    # QualityBook.covering reads them (one index per book, shared by the programs that read
    # it); the program zone's offset per year, for the calendar-day shortcut.
    members: dict[str, Periods] = attrs.field(init=False, repr=False, eq=False)
    chains: QualityIndex = attrs.field(init=False, repr=False, eq=False)
    offsets: OffsetMemo = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Index once what the rules look up: scope, members, quality, zone offsets."""
        object.__setattr__(self, "members", member_periods(self.program))
        object.__setattr__(self, "offsets", OffsetMemo(self.program.zone))
        object.__setattr__(self, "chains", shared_quality_index(self.quality))
        regions = self.settings.scope_regions
        inside = None
        if regions is not None:
            prefixes = tuple(regions)
            inside = frozenset(
                ident
                for ident, inst in self.institutions.items()
                if inst.region.startswith(prefixes)
            )
        object.__setattr__(self, "inside_scope", inside)

    def finding(self, code: str, **data: Scalar) -> Finding:
        """Build a finding for *code* with this program's severity for it.

        >>> from datetime import date
        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.programs import Program, QualityBook
        >>> from mutrec.policy._settings import ProgramSettings
        >>> view = ProgramView(Program("p", "s", "sHR", (), (), zone=ZoneInfo("UTC")),
        ...                    ProgramSettings(), QualityBook(()), {}, {"a.b": Severity.CAUTION})
        >>> view.finding("a.b", n=1)
        Finding(code='a.b', severity=<Severity.CAUTION: 'caution'>, data=FrozenData({'n': 1}))
        """
        # Rules pass str, number, bool or None values: skip re-validating them.
        try:
            severity = self.severity.get(code, Severity.BLOCK)
        except TypeError:  # checked only on failure: rules report findings on the hot path
            require("code", code, str)
            raise
        return trusted_finding(code, severity, data)

    def finding_from(self, code: str, data: dict[str, Scalar]) -> Finding:
        """:meth:`finding`, from a dict the caller built: the rules' hot path, no keywords.

        *data* is taken as it is (not copied, not checked): a fresh dict of JSON scalars.

        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.programs import Program, QualityBook
        >>> from mutrec.policy._settings import ProgramSettings
        >>> view = ProgramView(Program("p", "s", "sHR", (), (), zone=ZoneInfo("UTC")),
        ...                    ProgramSettings(), QualityBook(()), {}, {})
        >>> view.finding_from("a.b", {"n": 1}) == view.finding("a.b", n=1)
        True
        """
        return trusted_finding(code, self.severity.get(code, Severity.BLOCK), data)


class Subject:
    """What a rule sees in one evaluation. Built by the policy; rules only read it.

    Attributes:
        result: The prior result.
        item: The catalogue item it resolved to (never ``None`` when rules run).
        catalogue: The catalogue in force at collection that lists the item.
        view: The program it is evaluated under, with its look-ups.
        receiver: The receiving institution's id.
        at: The instant of the evaluation (aware).
        context: The clinical context.
        collected: The clinical instant (lab collection or examination).
        collected_on: Its date in the program's calendar.

    >>> "result" in Subject.__slots__
    True
    """

    __slots__ = (
        "at",
        "catalogue",
        "collected",
        "collected_on",
        "context",
        "item",
        "receiver",
        "result",
        "view",
    )

    def __init__(  # noqa: PLR0917, PLR0913 (one slot each)
        self,
        result: Result,
        item: Item,
        catalogue: Catalogue,
        view: ProgramView,
        receiver: str,
        at: datetime,
        context: ClinicalContext,
        collected: datetime,
        collected_on: date,
    ) -> None:
        """Hold the facts of one evaluation."""
        self.result = result
        self.item = item
        self.catalogue = catalogue
        self.view = view
        self.receiver = receiver
        self.at = at
        self.context = context
        self.collected = collected
        self.collected_on = collected_on


@runtime_checkable
class Rule(Protocol):
    """A recognition rule: reports findings about a subject; stateless after construction.

    ``check`` must be pure (no I/O, no clock, no mutation of shared state): the policy calls it
    from many threads at once. Return :data:`NO_FINDINGS` when there is nothing to say; report
    a missing datum as a finding (block, or caution where the program says so), never silence.

    >>> class Fasting:
    ...     code_prefix = "acme"
    ...     def check(self, subject: Subject) -> tuple[Finding, ...]:
    ...         return NO_FINDINGS
    >>> isinstance(Fasting(), Rule)
    True
    """

    @property
    def code_prefix(self) -> str:
        """The prefix of every code the rule reports, such as ``window``."""
        ...

    def check(self, subject: Subject, /) -> Sequence[Finding]:
        """Report what the rule sees in *subject*."""
        ...


@runtime_checkable
class ExpiringRule(Rule, Protocol):
    """A rule that also says until when the result may be recognised.

    The policy calls ``check_until`` instead of ``check`` (one pass, one computation); the
    decision expires at the earliest instant any expiring rule reports.

    >>> class Always:
    ...     code_prefix = "acme"
    ...     def check(self, subject: Subject) -> tuple[Finding, ...]:
    ...         return NO_FINDINGS
    ...     def check_until(self, subject: Subject) -> tuple[tuple[Finding, ...], None]:
    ...         return NO_FINDINGS, None
    >>> isinstance(Always(), ExpiringRule)
    True
    """

    def check_until(self, subject: Subject, /) -> tuple[Sequence[Finding], datetime | None]:
        """Report the findings and the instant recognition ends (``None`` for no limit)."""
        ...
