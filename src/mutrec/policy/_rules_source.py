"""Default rules about where a result comes from: catalogue, membership, scope, quality.

Each rule is one small class; its codes start with its ``code_prefix`` and are listed with their
texts in ``policy/data/reasons.toml``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, final

from mutrec.model.catalogue import Catalogue, Crosswalk, Item
from mutrec.model.instants import local_date
from mutrec.model.programs import QualityRecord
from mutrec.model.results import Result
from mutrec.policy._findings import Finding, Scalar
from mutrec.policy._rule import NO_FINDINGS, ProgramView, Subject

__all__ = [
    "CatalogueRule",
    "MembershipRule",
    "QualityRule",
    "ScopeRule",
    "membership_findings",
    "quality_findings",
    "scope_findings",
]


@final
class CatalogueRule:
    """The item is in the program's catalogue in force at collection.

    The policy runs it first, to resolve the result's item code (exact code, LOINC, alias,
    then the issuer's local code through a crosswalk); without an item no other rule can run.
    Codes: ``catalogue.no_catalogue``, ``catalogue.not_listed``.

    >>> CatalogueRule().code_prefix
    'catalogue'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "catalogue"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:  # noqa: ARG002 (the Rule protocol's signature)
        """Nothing left to say once the item resolved (see :meth:`resolve`).

        >>> CatalogueRule().check(None)  # type: ignore[arg-type]
        ()
        """
        return NO_FINDINGS

    @staticmethod
    def resolve(
        view: ProgramView,
        result: Result,
        collected_on: date,
        crosswalk: Crosswalk | None,
    ) -> tuple[Item, Catalogue] | Finding:
        """Find the result's item in a catalogue in force on *collected_on*, or say why not.

        >>> CatalogueRule.resolve.__name__
        'resolve'
        """
        code = result.item
        loinc = getattr(result, "loinc", None)
        version = None
        for catalogue in view.program.catalogues:
            if not catalogue.in_force(collected_on):
                continue
            version = catalogue.version
            item = catalogue.resolve(code, loinc=loinc)
            if item is None and crosswalk is not None:
                mapped = crosswalk.item_code(result.issuer, code)
                item = None if mapped is None else catalogue.get(mapped)
            if item is not None:
                return item, catalogue
        name = view.program.name
        if version is None:
            return view.finding(
                "catalogue.no_catalogue", program=name, collected=collected_on.isoformat()
            )
        return view.finding("catalogue.not_listed", program=name, item=code, version=version)


@final
class MembershipRule:
    """The issuer was a member of the program, for the item, on the day of collection.

    Codes: ``membership.unknown_issuer``, ``membership.not_member``.

    >>> MembershipRule().code_prefix
    'membership'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "membership"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report an unknown issuer or one that was not a member."""
        return membership_findings(
            subject.view, subject.result.issuer, subject.item.code, subject.collected_on
        )


def membership_findings(view: ProgramView, issuer: str, code: str, on: date) -> tuple[Finding, ...]:
    """The membership rule's findings: was *issuer* a member for item *code* on *on*?"""
    for since, until, items in view.members.get(issuer, ()):
        if since <= on <= until and (items is None or code in items):
            return NO_FINDINGS
    if not issuer:
        return (view.finding_from("membership.unknown_issuer", {"issuer": None}),)
    data: dict[str, Scalar] = {
        "issuer": issuer,
        "program": view.program.name,
        "item": code,
        "collected": on.isoformat(),
    }
    return (view.finding_from("membership.not_member", data),)


@final
class ScopeRule:
    """The receiver lies inside the mark's scope.

    With ``scope_regions`` in the program's settings, the receiver's region code must start
    with one of them; without, the receiver must be a member of the program at ``at``.
    Codes: ``scope.unknown_receiver``, ``scope.outside``.

    >>> ScopeRule().code_prefix
    'scope'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "scope"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a receiver that is unknown or outside the scope."""
        return scope_findings(subject.view, subject.receiver, subject.at)


def scope_findings(view: ProgramView, receiver: str, at: datetime) -> tuple[Finding, ...]:
    """The scope rule's findings: is *receiver* inside the mark's scope at *at*?"""
    inside_scope = view.inside_scope
    if inside_scope is not None and receiver in inside_scope:
        return NO_FINDINGS
    if not receiver or receiver not in view.institutions:
        return (view.finding_from("scope.unknown_receiver", {"receiver": receiver or None}),)
    if inside_scope is None:
        program = view.program
        if program.membership(receiver, local_date(at, program.zone)) is not None:
            return NO_FINDINGS
    data: dict[str, Scalar] = {"receiver": receiver, "mark": view.program.mark}
    return (view.finding_from("scope.outside", data),)


@final
class QualityRule:
    """The issuer passed quality control for the item in the period covering collection.

    Codes: ``qc.no_record``, ``qc.failed``.

    >>> QualityRule().code_prefix
    'qc'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "qc"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a missing or failed quality record."""
        item = subject.item
        return quality_findings(
            subject.view, subject.result.issuer, item.code, item.category.name, subject.collected_on
        )


def quality_findings(
    view: ProgramView, issuer: str, code: str, category: str, on: date
) -> tuple[Finding, ...]:
    """The quality rule's findings, read as ``QualityBook.covering`` reads the records.

    Item-specific records first, then the item's category's, then the institution-wide ones;
    among records of one kind the latest period first.
    """
    entry = view.chains.get(issuer)
    record: QualityRecord | None = None
    text = ""
    if entry is not None:
        specific = entry[0].get(code) if entry[0] else None
        if specific is not None:
            for since, until, found, period in specific:
                if since <= on <= until:
                    record, text = found, period
                    break
        if record is None:
            for since, until, found, period in entry[1].get(category, entry[2]):
                if since <= on <= until:
                    record, text = found, period
                    break
    if record is None:
        data: dict[str, Scalar] = {"issuer": issuer, "item": code, "collected": on.isoformat()}
        return (view.finding_from("qc.no_record", data),)
    if record.passed:
        return NO_FINDINGS
    return (view.finding_from("qc.failed", {"issuer": issuer, "item": code, "period": text}),)
