"""Field rules: acceptance by hospital grade, windows by clinical context, ground 2 as named.

- :class:`GradeRule` reads a program's acceptance matrix (``Program.acceptance``): Jiangsu
  (苏卫医政〔2022〕18号) and Inner Mongolia (2022) decide by the issuer's and the receiver's
  level and grade. Codes ``grade.not_accepted``, ``grade.unknown_tier``.
- :class:`ContextWindowRule` applies an item's windows by clinical context
  (``Window.contexts``): a blood group holds 3 months, but 3 days after a transfusion or a
  pregnancy in the last 3 months (UK minimum retesting intervals). Codes ``context.*``.
- :class:`NamedRapidRule` honours the doctor's "this value changes fast" (ground 2) for any item
  the doctor names (``ClinicalContext.rapid_items``), beyond the program's ``rapid_items``.

Medical alliances need no rule: an alliance is a program (``ProgramKind.ALLIANCE``) that the
policy evaluates like any other, with its members as its scope.

Their reason texts are in ``policy/data/field-reasons.toml`` (:func:`field_reasons`).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import ClassVar

from mutrec.policy._findings import Finding
from mutrec.policy._reasons import Reason, Reasons
from mutrec.policy._rule import NO_FINDINGS, Rule, Subject
from mutrec.policy._rules_context import ContextWindowRule
from mutrec.policy._rules_grade import GradeRule

__all__ = ["ContextWindowRule", "GradeRule", "NamedRapidRule", "field_reasons", "field_rules"]


@functools.cache
def field_reasons() -> tuple[Reason, ...]:
    """The reasons of the field rules' codes, with their texts (read once).

    >>> sorted(reason.code for reason in field_reasons())[:2]
    ['context.assumed_shorter', 'context.expired']
    """
    data = resources.files("mutrec.policy").joinpath("data", "field-reasons.toml")
    return tuple(Reasons.from_toml(data.read_text("utf-8")).by_code.values())


def field_rules() -> tuple[Rule, ...]:
    """The field rules, to add after the default ones (with :func:`field_reasons`).

    ``Policy.from_region(region, [*default_rules(), *field_rules()], reasons=field_reasons())``

    >>> [rule.code_prefix for rule in field_rules()]
    ['grade', 'context', 'ground']
    """
    return (GradeRule(), ContextWindowRule(), NamedRapidRule())


class NamedRapidRule:
    """Ground 2 for an item the doctor names, where the grounds rule did not already say so.

    The grounds rule cites ground 2 for the program's fast-changing items when the doctor
    notes ``rapid_change``; the doctor may name any item (``ClinicalContext.rapid_items``):
    the receiving doctor's judgement is the standard (国卫医发〔2022〕6号).

    >>> NamedRapidRule().code_prefix
    'ground'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "ground"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report ground 2 for a named item the program's list leaves out."""
        context = subject.context
        code = subject.item.code
        if code not in context.rapid_items:
            return NO_FINDINGS
        listed = subject.view.settings.rapid_items
        if context.rapid_change and (listed is None or code in listed):
            return NO_FINDINGS  # the grounds rule reports it
        return (subject.view.finding("ground.rapid_change", item=code),)
