"""Issuer side: which items of a report may carry a program's mark, and in which form.

Only items whose issuer passed the QC organisation's evaluation may carry the mark; the
others must not be marked [2022 measures 国卫医发〔2022〕6号, domain.md §2]. A result must also
be what its item says, as :meth:`Policy.evaluate <mutrec.policy.Policy.evaluate>` checks it:
the modality, body part, device and images of an examination; the specimen and kind of value
of a lab test. The receiver's side (scope, window, patient, grounds) is not the issuer's.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from mutrec.model.catalogue import Crosswalk, ItemKind
from mutrec.model.results import LabResult, Report
from mutrec.policy._context import ClinicalContext
from mutrec.policy._findings import Finding
from mutrec.policy._rule import ProgramView, Subject
from mutrec.policy._rules_facts import ImagingRule, SpecimenRule, ValueRule
from mutrec.policy._rules_source import CatalogueRule, MembershipRule, QualityRule

__all__ = ["MarkLine", "mark_report"]


@attrs.frozen
class MarkLine:
    """Whether one result of a report may carry the mark, in which form, or why not.

    Attributes:
        index: The result's position in the report.
        item: The item as the report names it.
        item_code: The catalogue item it resolved to, or ``None``.
        form: The mark to print (``京津冀HR``, ``★`` …), or ``None``: must not be marked.
        findings: Why it may not carry the mark (empty when it may).

    >>> MarkLine(0, "K", "K", "京津冀HR", ()).marked
    True
    """

    index: int
    item: str
    item_code: str | None
    form: str | None
    findings: tuple[Finding, ...]

    @property
    def marked(self) -> bool:
        """Whether the item may carry the mark.

        >>> MarkLine(0, "X", None, None, ()).marked
        False
        """
        return self.form is not None


def mark_report(
    view: ProgramView, report: Report, at: datetime, crosswalk: Crosswalk | None
) -> tuple[MarkLine, ...]:
    """Say, for each result of *report*, whether it may carry *view*'s mark when issued at *at*.

    An item may carry the mark when it is in the catalogue in force at collection, the issuer
    was a member for it then, and passed quality control for it in the period covering
    collection. Missing data means no mark.

    >>> mark_report.__name__
    'mark_report'
    """
    program = view.program
    forms = view.settings.mark_forms
    context = ClinicalContext(patient=report.patient or None)
    # The issuer's side of the default rules: who issued it, and what the result is.
    rules = (MembershipRule(), QualityRule(), ImagingRule(), SpecimenRule(), ValueRule())
    lines = []
    for index, result in enumerate(report.results):
        collected = result.collected if isinstance(result, LabResult) else result.performed
        collected_on = collected.astimezone(program.zone).date()
        resolved = CatalogueRule.resolve(view, result, collected_on, crosswalk)
        if isinstance(resolved, Finding):
            lines.append(MarkLine(index, result.item, None, None, (resolved,)))
            continue
        item, catalogue = resolved
        subject = Subject(
            result, item, catalogue, view, result.issuer, at, context, collected, collected_on
        )
        found = tuple(finding for rule in rules for finding in rule.check(subject))
        if collected > at:
            found = (
                *found,
                view.finding("window.future", collected=collected.isoformat(), at=at.isoformat()),
            )
        kind = "lab" if item.kind is ItemKind.LAB else "imaging"
        # Any finding, a caution too, leaves the item unmarked: a mark is a promise to others.
        # An alliance has no mark (an empty one): nothing of it is marked.
        shown = forms.get(kind, program.mark)
        form = None if found or not shown else shown
        lines.append(MarkLine(index, result.item, item.code, form, found))
    return tuple(lines)
