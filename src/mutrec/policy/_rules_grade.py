"""The grade rule: a program's acceptance matrix by hospital level and grade.

Jiangsu (苏卫医政〔2022〕18号): 二级甲等 and above recognise each other, 二级乙等 and below
recognise each other, lower levels accept higher; Inner Mongolia (2022): lower levels accept
higher [domain.md §5]. The matrix is the program's data (``Program.acceptance``, a program
file's ``[acceptance]`` table). Codes ``grade.not_accepted``, ``grade.unknown_tier``.
"""

from __future__ import annotations

from typing import ClassVar

from mutrec.model.acceptance import Tier
from mutrec.model.items import Item
from mutrec.policy._findings import Finding
from mutrec.policy._rule import NO_FINDINGS, ProgramView, Subject

__all__ = ["GradeRule", "grade_findings"]


class GradeRule:
    """The program's acceptance matrix accepts the issuer's grade at the receiver's.

    A program without a matrix says nothing. An issuer or receiver the matrix cannot place (not
    in the institutions file, unrated, or without a grade where grades count) is a missing
    datum: ``grade.unknown_tier``, never a guess.

    >>> GradeRule().code_prefix
    'grade'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "grade"

    @staticmethod
    def applies(view: ProgramView, item: Item, /) -> bool:
        """Whether the rule may report on *item* under *view*: only where there is a matrix.

        The fast pass asks it once per item when the policy is built.
        """
        del item  # every item of a program with a matrix
        return view.program.acceptance is not None

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a pair the matrix does not accept, or an institution it cannot place."""
        return grade_findings(subject.view, subject.result.issuer, subject.receiver)


def grade_findings(view: ProgramView, issuer_id: str, receiver_id: str) -> tuple[Finding, ...]:
    """The grade rule's findings on results of *issuer_id* received by *receiver_id*.

    The rule reads nothing else of a result: ``mutrec.columnar`` asks it once per pair.
    """
    acceptance = view.program.acceptance
    if acceptance is None:
        return NO_FINDINGS
    institutions = view.institutions
    tiers: list[Tier] = []
    for who, ident in (("issuer", issuer_id), ("receiver", receiver_id)):
        inst = institutions.get(ident)
        tier = None if inst is None else Tier.of(inst, acceptance.compare)
        if tier is None:
            return (view.finding("grade.unknown_tier", who=who, institution=ident),)
        tiers.append(tier)
    mine, theirs = tiers
    if acceptance.accepts_tiers(mine, theirs):
        return NO_FINDINGS
    return (
        view.finding(
            "grade.not_accepted",
            program=view.program.name,
            source=acceptance.source or view.program.name,
            issuer=issuer_id,
            receiver=receiver_id,
            issuer_tier=str(mine),
            receiver_tier=str(theirs),
        ),
    )
