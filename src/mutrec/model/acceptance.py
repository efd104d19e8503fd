"""Acceptance by hospital level and grade: which issuers a receiver recognises.

Some provinces decide recognition by the issuer's and the receiver's level and grade. Jiangsu
(苏卫医政〔2022〕18号): 二级甲等 and above recognise each other, 二级乙等 and below recognise
each other, and lower levels accept higher; Inner Mongolia (2022): lower levels accept higher
[domain.md §5]. A program states its matrix as data (a program file's ``[acceptance]`` table);
:class:`Acceptance` answers for a pair of institutions.

A tier is a level with a grade (``二级甲等``, ``3甲``) or, when the matrix compares levels only,
a level (``二级``, ``2``). An institution the matrix cannot place (an unrated clinic or lab, or
a rated hospital without a grade when grades count) has no tier: the answer is ``None``, never
a guess.

>>> jiangsu = Acceptance.jiangsu()
>>> from mutrec.model.institutions import Grade, Institution, Level
>>> big = Institution("A", "甲", "320102", Level.TERTIARY, Grade.A)
>>> small = Institution("B", "乙", "320102", Level.SECONDARY, Grade.B)
>>> jiangsu.accepts(issuer=big, receiver=small), jiangsu.accepts(issuer=small, receiver=big)
(True, False)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Final

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model.institutions import Grade, Institution, Level

__all__ = ["Acceptance", "AcceptanceRule", "Compare", "Tier"]

_LEVELS: Final = {"一": 1, "二": 2, "三": 3, "1": 1, "2": 2, "3": 3}
_GRADES: Final = {"甲": Grade.A, "乙": Grade.B, "丙": Grade.C}
# 三级甲等, 三级甲, 3甲, 三级, 3 (ASCII digits only: a full-width 3 is refused, not read).
_TIER: Final = re.compile(r"([一二三123])级?(?:([甲乙丙])等?)?")
# Within a level, 甲 ranks above 乙 above 丙 (the grading standards' order).
_GRADE_RANK: Final = {Grade.C: 1, Grade.B: 2, Grade.A: 3}


class Compare(enum.Enum):
    """What a matrix compares: level and grade (Jiangsu), or level only (Inner Mongolia).

    >>> Compare("level").name
    'LEVEL'
    """

    GRADE = "grade"
    LEVEL = "level"


@attrs.frozen(order=True)
class Tier:
    """A place in the hospital ranking: a level, and a grade unless only levels count.

    Attributes:
        level: 1, 2 or 3 (一级 / 二级 / 三级).
        grade: 甲 / 乙 / 丙, or ``None`` for a level-only tier.

    >>> Tier.parse("二级甲等") > Tier.parse("二级乙等"), str(Tier.parse("3"))
    (True, '三级')
    """

    level: int = attrs.field(validator=instance_of(int))
    grade: Grade | None = attrs.field(
        default=None, kw_only=True, order=False, validator=optional(instance_of(Grade))
    )
    rank: int = attrs.field(init=False, repr=False, default=0)

    def __attrs_post_init__(self) -> None:
        """Refuse a level outside 1–3 and a grade ``NONE`` (write no grade instead)."""
        if isinstance(self.level, bool) or self.level not in {1, 2, 3}:
            arg = "level"
            raise ArgumentError(arg, self.level, "1, 2 or 3")
        if self.grade is Grade.NONE:
            arg = "grade"
            raise ArgumentError(arg, self.grade, "Grade.A, B or C, or None for a level only")
        object.__setattr__(self, "rank", 0 if self.grade is None else _GRADE_RANK[self.grade])

    @classmethod
    def parse(cls, text: str) -> Tier:
        """Read ``三级甲等``, ``二级乙``, ``3甲``, ``二级`` or ``2``.

        Raises:
            ArgumentError: The text is not a tier.

        >>> Tier.parse("3甲")
        Tier(level=3, grade=<Grade.A: '甲'>)
        >>> Tier.parse("甲等")
        Traceback (most recent call last):
        mutrec.errors.ArgumentError: argument 'tier' = '甲等': expected a level with an optional ...
        """
        given: object = text  # callers outside mypy pass anything
        found = _TIER.fullmatch(text.strip()) if isinstance(given, str) else None
        if found is None:
            arg = "tier"
            msg = "a level with an optional grade: 三级甲等, 二级乙等, 3甲, 二级, 2"
            raise ArgumentError(arg, text, msg)
        level, grade = found.groups()
        return cls(_LEVELS[level], grade=None if grade is None else _GRADES[grade])

    @classmethod
    def of(cls, institution: Institution, compare: Compare) -> Tier | None:
        """The tier of *institution*, or ``None`` when the matrix cannot place it.

        >>> from mutrec.model.institutions import Grade, Institution, Level
        >>> h = Institution("H", "h", "32", Level.SECONDARY, Grade.NONE)
        >>> Tier.of(h, Compare.LEVEL), Tier.of(h, Compare.GRADE)
        (Tier(level=2, grade=None), None)
        """
        if institution.level is Level.UNRATED:
            return None
        if compare is Compare.LEVEL:
            return cls(institution.level.value)
        if institution.grade is Grade.NONE:
            return None
        return cls(institution.level.value, grade=institution.grade)

    def __str__(self) -> str:
        """Render as ``三级甲等`` or ``三级``."""
        label = Level(self.level).label
        return label if self.grade is None else label + self.grade.label


def _opt_tier(value: Tier | str | None) -> Tier | None:
    if value is None or isinstance(value, Tier):
        return value
    return Tier.parse(value)


@attrs.frozen
class AcceptanceRule:
    """One line of a matrix: issuers and receivers within tier bounds, and their relation.

    Attributes:
        issuer_min: The lowest issuer tier the line covers (``None``: no floor).
        issuer_max: The highest issuer tier (``None``: no ceiling).
        receiver_min: The lowest receiver tier.
        receiver_max: The highest receiver tier.
        issuer_not_lower: The issuer's tier must be at least the receiver's ("lower levels
            accept higher").

    >>> line = AcceptanceRule(issuer_min="二级甲等", receiver_min="二级甲等")
    >>> line.covers(Tier.parse("三级甲等"), Tier.parse("二级甲等"))
    True
    """

    issuer_min: Tier | None = attrs.field(default=None, kw_only=True, converter=_opt_tier)
    issuer_max: Tier | None = attrs.field(default=None, kw_only=True, converter=_opt_tier)
    receiver_min: Tier | None = attrs.field(default=None, kw_only=True, converter=_opt_tier)
    receiver_max: Tier | None = attrs.field(default=None, kw_only=True, converter=_opt_tier)
    issuer_not_lower: bool = attrs.field(default=False, kw_only=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        """Refuse a line that covers nothing at all (it would say every pair is accepted)."""
        bounds = (self.issuer_min, self.issuer_max, self.receiver_min, self.receiver_max)
        if all(b is None for b in bounds) and not self.issuer_not_lower:
            arg = "rule"
            msg = "a bound (issuer_min …) or issuer_not_lower: an empty line would accept all"
            raise ArgumentError(arg, self, msg)
        for low, high, name in (
            (self.issuer_min, self.issuer_max, "issuer"),
            (self.receiver_min, self.receiver_max, "receiver"),
        ):
            if low is not None and high is not None and low > high:
                arg = f"{name}_max"
                raise ArgumentError(arg, str(high), f"a tier at or above {name}_min {low}")

    def covers(self, issuer: Tier, receiver: Tier) -> bool:
        """Whether this line accepts *issuer*'s results at *receiver*."""
        return (
            (self.issuer_min is None or issuer >= self.issuer_min)
            and (self.issuer_max is None or issuer <= self.issuer_max)
            and (self.receiver_min is None or receiver >= self.receiver_min)
            and (self.receiver_max is None or receiver <= self.receiver_max)
            and (not self.issuer_not_lower or issuer >= receiver)
        )


def _rules(value: Iterable[AcceptanceRule]) -> tuple[AcceptanceRule, ...]:
    return items_of("rules", value, AcceptanceRule)


@attrs.frozen
class Acceptance:
    """A program's acceptance matrix: a pair is accepted when any line covers it.

    Attributes:
        rules: The lines (at least one).
        compare: Whether tiers are levels with grades or levels only.
        source: The notice the matrix comes from.

    >>> mongolia = Acceptance([AcceptanceRule(issuer_not_lower=True)], Compare.LEVEL)
    >>> from mutrec.model.institutions import Grade, Institution, Level
    >>> one = Institution("C", "社区", "15", Level.PRIMARY, Grade.NONE)
    >>> three = Institution("T", "三级", "15", Level.TERTIARY, Grade.NONE)
    >>> mongolia.accepts(three, one), mongolia.accepts(one, three)
    (True, False)
    """

    rules: tuple[AcceptanceRule, ...] = attrs.field(converter=_rules)
    compare: Compare = attrs.field(default=Compare.GRADE, validator=instance_of(Compare))
    source: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(str))
    )

    def __attrs_post_init__(self) -> None:
        """Refuse an empty matrix and tiers of the wrong form for *compare*."""
        if not self.rules:
            arg = "rules"
            raise ArgumentError(arg, self.rules, "at least one line")
        for line in self.rules:
            for tier in (line.issuer_min, line.issuer_max, line.receiver_min, line.receiver_max):
                if tier is None:
                    continue
                if (tier.grade is None) is (self.compare is Compare.GRADE):
                    arg = "rules"
                    msg = (
                        "tiers with a grade (二级甲等)"
                        if self.compare is Compare.GRADE
                        else "levels only (二级), since compare is 'level'"
                    )
                    raise ArgumentError(arg, str(tier), msg)

    @classmethod
    def jiangsu(cls) -> Acceptance:
        """Jiangsu's matrix (苏卫医政〔2022〕18号), as the domain brief reads it.

        >>> len(Acceptance.jiangsu().rules)
        3
        """
        return cls(
            [
                AcceptanceRule(issuer_min="二级甲等", receiver_min="二级甲等"),
                AcceptanceRule(issuer_max="二级乙等", receiver_max="二级乙等"),
                AcceptanceRule(issuer_not_lower=True),
            ],
            source="苏卫医政〔2022〕18号",
        )

    def accepts(self, issuer: Institution, receiver: Institution) -> bool | None:
        """Whether *receiver* accepts *issuer*'s results; ``None`` if a tier is unknown."""
        mine = Tier.of(issuer, self.compare)
        theirs = Tier.of(receiver, self.compare)
        if mine is None or theirs is None:
            return None
        return self.accepts_tiers(mine, theirs)

    def accepts_tiers(self, issuer: Tier, receiver: Tier) -> bool:
        """Whether a receiver of tier *receiver* accepts results from an *issuer* tier.

        >>> Acceptance.jiangsu().accepts_tiers(Tier.parse("二级乙等"), Tier.parse("一级甲等"))
        True
        """
        return any(line.covers(issuer, receiver) for line in self.rules)
