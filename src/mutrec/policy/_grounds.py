"""The six statutory re-examination grounds and the local grounds a program adds.

Source: 2022 measures 国卫医发〔2022〕6号 (repeated in 国卫医政发〔2024〕37号): the receiving
doctor may re-examine when (1) the condition changed, (2) the value changes fast, (3) the item
is critical to a major intervention, (4) emergency or resuscitation, (5) medico-legal,
disability, sick-leave or retirement assessment, (6) other cases that truly need a repeat.

A ground justifies a *repeat*. Accepting a result the policy did not recognise needs no
statutory ground: the receiving doctor's judgement is the standard (same measures), so an
accepting override (see ``mutrec.policy._overrides``) carries the doctor's own justification
instead.
"""

from __future__ import annotations

import enum

import attrs

from mutrec._checks import instance_of
from mutrec.errors import ArgumentError

__all__ = ["Ground", "LocalGround"]


class Ground(enum.StrEnum):
    """The six statutory grounds on which a receiving doctor may re-examine.

    >>> Ground.EMERGENCY.number, Ground.EMERGENCY.code
    (4, 'ground.emergency')
    """

    CONDITION_CHANGED = "condition_changed"
    RAPID_CHANGE = "rapid_change"
    MAJOR_INTERVENTION = "major_intervention"
    EMERGENCY = "emergency"
    MEDICO_LEGAL = "medico_legal"
    OTHER = "other"

    @property
    def number(self) -> int:
        """The ground's number in the 2022 measures (1 to 6).

        >>> Ground.CONDITION_CHANGED.number
        1
        """
        return list(Ground).index(self) + 1

    @property
    def code(self) -> str:
        """The reason code of the finding that cites this ground.

        >>> Ground.OTHER.code
        'ground.other'
        """
        return f"ground.{self.value}"


def _snake(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    ok = isinstance(value, str) and value.isascii() and value.replace("_", "a").isalnum()  # type: ignore[redundant-expr]
    if not ok or not value[:1].islower() or value in Ground.__members__.values():
        msg = "a lower-case snake word that is not a statutory ground"
        raise ArgumentError(attribute.name, value, msg)


_str = instance_of(str)


@attrs.frozen
class LocalGround:
    """A re-examination ground a program adds to the six (Inner Mongolia 2022 lists ten).

    Attributes:
        code: A lower-case snake word, unique in the program, such as ``patient_request``.
        zh: How the ground reads in Chinese.
        en: How the ground reads in English.

    >>> LocalGround("patient_request", "患者要求", "the patient asks for a repeat").code
    'patient_request'
    >>> LocalGround("emergency", "急诊", "emergency")
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'code' = 'emergency': expected a lower-case snake word ...
    """

    code: str = attrs.field(validator=_snake)
    zh: str = attrs.field(validator=_str)
    en: str = attrs.field(validator=_str)
