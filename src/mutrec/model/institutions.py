"""Institutions: hospitals and labs that issue and receive results.

>>> h = Institution("H001", "示例市第一人民医院", "110102", Level.TERTIARY, Grade.A)
>>> h.level.label + h.grade.label
'三级甲等'
"""

from __future__ import annotations

import enum

import attrs

from mutrec._checks import instance_of

__all__ = ["Grade", "Institution", "InstitutionType", "Level"]


class Level(enum.Enum):
    """Hospital level (一级 / 二级 / 三级); ``UNRATED`` for clinics and independent labs.

    >>> Level(3).label
    '三级'
    """

    UNRATED = 0
    PRIMARY = 1
    SECONDARY = 2
    TERTIARY = 3

    @property
    def label(self) -> str:
        """The Chinese label."""
        return ("未定级", "一级", "二级", "三级")[self.value]


class Grade(enum.Enum):
    """Hospital grade within a level (甲 / 乙 / 丙); ``NONE`` when not graded.

    >>> Grade("甲").name
    'A'
    """

    A = "甲"
    B = "乙"
    C = "丙"
    NONE = ""

    @property
    def label(self) -> str:
        """The Chinese label (``甲等`` …), empty when not graded."""
        return f"{self.value}等" if self.value else ""


class InstitutionType(enum.Enum):
    """What kind of institution it is.

    >>> InstitutionType("general").name
    'GENERAL'
    """

    COMMUNITY = "community"
    GENERAL = "general"
    IMAGING_CENTRE = "imaging_centre"
    INDEPENDENT_LAB = "independent_lab"
    MATERNAL_CHILD = "maternal_child"
    SPECIALTY = "specialty"
    TCM = "tcm"


@attrs.frozen
class Institution:
    """An institution taking part in recognition.

    Attributes:
        id: Stable id (such as the 医疗机构执业许可证 registration number or a platform id).
        name: Name.
        region: Administrative region code (GB/T 2260, such as ``110102``).
        level: 一级 / 二级 / 三级.
        grade: 甲 / 乙 / 丙.
        type: General, specialty, TCM, independent lab …

    >>> lab = Institution("L01", "示例医学检验实验室", "110105", Level.UNRATED, Grade.NONE,
    ...                   InstitutionType.INDEPENDENT_LAB)
    >>> lab.level.label, lab.type.value
    ('未定级', 'independent_lab')
    """

    id: str = attrs.field(validator=instance_of(str))
    name: str = attrs.field(validator=instance_of(str))
    region: str = attrs.field(validator=instance_of(str))
    level: Level = attrs.field(validator=instance_of(Level))
    grade: Grade = attrs.field(validator=instance_of(Grade))
    type: InstitutionType = attrs.field(
        default=InstitutionType.GENERAL, validator=instance_of(InstitutionType)
    )
