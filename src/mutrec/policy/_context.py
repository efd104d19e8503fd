"""The clinical context of an evaluation: care setting, purposes, patient, declared facts.

A context that matches one of the six statutory re-examination grounds makes the policy add a
``ground.*`` finding telling the doctor a repeat is justified, and on which ground.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model.instants import require_aware
from mutrec.model.patient import CareSetting, PatientContext
from mutrec.model.windows import Event
from mutrec.policy._grounds import Ground

__all__ = ["ClinicalContext", "Purpose"]


class Purpose(enum.StrEnum):
    """Why the result is needed now, where the purpose itself may justify a repeat.

    >>> Purpose.BEFORE_SURGERY.ground
    <Ground.MAJOR_INTERVENTION: 'major_intervention'>
    >>> Purpose.FORENSIC.ground.number
    5
    """

    BEFORE_SURGERY = "before_surgery"
    BEFORE_TRANSFUSION = "before_transfusion"
    FORENSIC = "forensic"
    DISABILITY = "disability"
    SICK_LEAVE_RETIREMENT = "sick_leave_retirement"

    @property
    def ground(self) -> Ground:
        """The statutory ground the purpose matches (3 for interventions, 5 for assessments).

        >>> Purpose.DISABILITY.ground.name
        'MEDICO_LEGAL'
        """
        return _PURPOSE_GROUND[self]


_PURPOSE_GROUND: Final = {
    Purpose.BEFORE_SURGERY: Ground.MAJOR_INTERVENTION,
    Purpose.BEFORE_TRANSFUSION: Ground.MAJOR_INTERVENTION,
    Purpose.FORENSIC: Ground.MEDICO_LEGAL,
    Purpose.DISABILITY: Ground.MEDICO_LEGAL,
    Purpose.SICK_LEAVE_RETIREMENT: Ground.MEDICO_LEGAL,
}


_PURPOSES: Final = "Purpose values, such as ['before_surgery']"


def _purposes(value: object) -> frozenset[Purpose]:
    if isinstance(value, (str, Purpose)):
        value = (value,)
    found: set[Purpose] = set()
    purpose: object
    for index, purpose in enumerate(items_of("purposes", value, (str, Purpose), _PURPOSES)):  # type: ignore[arg-type]
        if purpose not in Purpose.__members__.values():
            arg = f"purposes[{index}]"
            raise ArgumentError(arg, purpose, f"one of {[p.value for p in Purpose]}")
        found.add(Purpose(purpose))
    return frozenset(found)


def _local(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    return frozenset(items_of("local_grounds", value, str))  # type: ignore[arg-type]


_EVENTS: Final = "a mapping of Event to an aware datetime (or None: known not to have happened)"


def _events(
    value: Mapping[Event | str, datetime | None] | Iterable[tuple[Event | str, datetime | None]],
) -> tuple[tuple[Event, datetime | None], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    if isinstance(pairs, str):
        arg = "events"
        raise ArgumentError(arg, value, _EVENTS)
    found: dict[Event, datetime | None] = {}
    try:
        listed = list(pairs)
    except TypeError:
        arg = "events"
        raise ArgumentError(arg, value, _EVENTS) from None
    for index, pair in enumerate(listed):
        try:
            kind, when = pair
            event = Event(kind)
        except (TypeError, ValueError):
            arg = f"events[{index}]"
            raise ArgumentError(arg, pair, _EVENTS) from None
        if when is not None:
            if not isinstance(when, datetime):
                arg = f"events[{event.value}]"
                raise ArgumentError(arg, when, "an aware datetime or None")
            require_aware(when, f"events[{event.value}]")
        if event in found:
            arg = f"events[{event.value}]"
            raise ArgumentError(arg, when, "one instant per event (its latest)")
        found[event] = when
    return tuple(sorted(found.items(), key=lambda p: p[0].value))


def _items(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    codes: frozenset[str] = frozenset(items_of("rapid_items", value, str))  # type: ignore[arg-type]
    if any(not code.strip() for code in codes):
        arg = "rapid_items"
        raise ArgumentError(arg, sorted(codes), "item codes, none blank")
    return codes


_bool = instance_of(bool)
_opt_str = optional(instance_of(str))


@attrs.frozen(cache_hash=True)
class ClinicalContext:
    """What the receiving doctor knows about the visit, as far as recognition cares.

    Attributes:
        setting: Outpatient, inpatient or emergency (emergency is ground 4).
        purposes: Why the result is needed (before surgery or transfusion: ground 3;
            forensic, disability, sick-leave or retirement assessment: ground 5).
        patient: The opaque reference of the patient being treated, to check the result is
            theirs; ``None`` when unknown (the patient rule then refuses).
        patient_facts: Sex, birth date, pregnancy, when known (reference-range partitions).
        condition_changed: The doctor notes the condition changed (ground 1).
        rapid_change: The disease evolves so that the value changes fast (ground 2), for the
            program's fast-changing items (``rapid_items`` of its policy; every item if none).
        rapid_items: Item codes the doctor names as changing fast in this patient (ground 2
            for those items, whatever the program lists).
        events: Patient events that shorten context windows
            (:class:`~mutrec.model.windows.ContextSpan`): each event's latest aware instant, or
            ``None`` when the doctor knows it did not happen; an event left out is unknown.
        resuscitation: The patient is being resuscitated (ground 4, in any setting).
        other_need: The doctor's note of another case that truly needs a repeat (ground 6).
        local_grounds: Codes of the program's local grounds that apply (such as
            ``patient_request``).

    >>> ctx = ClinicalContext(CareSetting.EMERGENCY, purposes=["before_surgery"], patient="p1")
    >>> sorted(g.number for g in ctx.grounds)
    [3, 4]
    >>> ClinicalContext().grounds
    frozenset()
    >>> from datetime import datetime, UTC
    >>> ctx = ClinicalContext(events={"transfusion": datetime(2026, 5, 1, tzinfo=UTC)})
    >>> ctx.event_times[Event.TRANSFUSION].month, Event.PREGNANCY in ctx.event_times
    (5, False)
    >>> sorted(ClinicalContext(condition_changed=True, other_need="x").grounds)
    [<Ground.CONDITION_CHANGED: 'condition_changed'>, <Ground.OTHER: 'other'>]
    """

    setting: CareSetting = attrs.field(
        default=CareSetting.OUTPATIENT, validator=instance_of(CareSetting)
    )
    purposes: frozenset[Purpose] = attrs.field(default=frozenset(), converter=_purposes)
    patient: str | None = attrs.field(default=None, validator=_opt_str)
    patient_facts: PatientContext | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(PatientContext))
    )
    condition_changed: bool = attrs.field(default=False, kw_only=True, validator=_bool)
    rapid_change: bool = attrs.field(default=False, kw_only=True, validator=_bool)
    resuscitation: bool = attrs.field(default=False, kw_only=True, validator=_bool)
    other_need: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    local_grounds: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_local)
    rapid_items: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_items)
    events: tuple[tuple[Event, datetime | None], ...] = attrs.field(
        default=(), kw_only=True, converter=_events
    )
    grounds: frozenset[Ground] = attrs.field(init=False, eq=False, repr=False)
    """The statutory grounds this context matches (computed once); the grounds rule narrows
    them by item (ground 3 to critical items, ground 2 to fast-changing or named ones)."""

    event_times: Mapping[Event, datetime | None] = attrs.field(init=False, eq=False, repr=False)
    """The events as a read-only mapping (absent: unknown)."""

    def __attrs_post_init__(self) -> None:
        """Work out the grounds once: evaluations read them on every call."""
        object.__setattr__(self, "grounds", self._grounds())
        object.__setattr__(self, "event_times", MappingProxyType(dict(self.events)))

    def _grounds(self) -> frozenset[Ground]:
        found = {purpose.ground for purpose in self.purposes}
        if self.condition_changed:
            found.add(Ground.CONDITION_CHANGED)
        if self.rapid_change or self.rapid_items:
            found.add(Ground.RAPID_CHANGE)
        if self.setting is CareSetting.EMERGENCY or self.resuscitation:
            found.add(Ground.EMERGENCY)
        if self.other_need is not None:
            found.add(Ground.OTHER)
        return frozenset(found)
