"""Doctors' overrides: a repeat on a ground, or an accept on the doctor's judgement; JSON.

A ground (see ``mutrec.policy._grounds``) justifies a *repeat*. Accepting a result the policy
did not recognise needs no statutory ground: the receiving doctor's judgement is the standard
(国卫医发〔2022〕6号), so an accepting override carries the doctor's own justification instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from mutrec._checks import instance_of, items_of
from mutrec.errors import ArgumentError
from mutrec.policy._decision import Decision
from mutrec.policy._decision_read import decision_from_dict
from mutrec.policy._findings import NO_VALUE, Outcome, RecordError
from mutrec.policy._grounds import Ground, LocalGround
from mutrec.policy._instants import aware, fixed_offset, instant_to_json
from mutrec.policy._jsonio import dump, enum_field, fields, instant_field, load, text_field
from mutrec.policy._reasons import Lang, format_instant

__all__ = ["OVERRIDE_SCHEMA", "Action", "Override"]

OVERRIDE_SCHEMA: Final = "mutrec.override/2"
"""The ``schema`` tag of an override's JSON form.

Version 2 writes ``"ground": null`` for an accepting override (its justification is the
note). Version 1 records, where an accept cited a repeat ground, still read: the ground is
dropped and kept in words in the note.
"""

_OVERRIDE_SCHEMA_1: Final = "mutrec.override/1"

_str = instance_of(str)


class Action(enum.StrEnum):
    """What the doctor did against the recommendation.

    Repeat a recognised result, or accept one that was not recognised.

    >>> Action("repeat") is Action.REPEAT
    True
    """

    REPEAT = "repeat"
    ACCEPT = "accept"


def _nonblank(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError(attribute.name, value, "a non-blank str")


def _ground(value: object) -> Ground | LocalGround | None:
    if value is None or isinstance(value, (Ground, LocalGround)):
        return value
    if isinstance(value, str) and value in Ground.__members__.values():
        return Ground(value)
    arg = "ground"
    raise ArgumentError(arg, value, "a Ground, its value, a LocalGround or None")


def _action(value: object) -> Action:
    if isinstance(value, Action):
        return value
    if isinstance(value, str) and value in Action.__members__.values():
        return Action(value)
    arg = "action"
    raise ArgumentError(arg, value, "an Action or its value: 'repeat' or 'accept'")


@attrs.frozen
class Override:
    """A doctor's recorded decision against the recommendation; immutable, serialisable.

    A repeat cites the ground that justifies it (statutory or local). An accept cites none
    (``ground`` is ``None``): the doctor's judgement is the standard, and *note* is then the
    doctor's justification, required.

    Attributes:
        decision: The decision overridden.
        action: Repeat (a recognised result) or accept (a not recognised one).
        ground: The statutory or local ground of a repeat; ``None`` for an accept.
        by: An opaque id of who decided (no names: the caller keeps the mapping).
        at: When the doctor decided (aware).
        note: The doctor's note (may be empty for a repeat); an accept's justification.

    >>> from datetime import datetime, UTC
    >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...              "r1", "H2", None, None, "1")
    >>> o = Override(d, Action.REPEAT, Ground.EMERGENCY, "doc-7", datetime(2024, 3, 1, tzinfo=UTC))
    >>> Override.from_json(o.to_json()) == o
    True
    >>> print(o.explain("en"))  # doctest: +ELLIPSIS
    Doctor doc-7 decided at 2024-03-01 00:00 (+00:00) to repeat the test, on ground 4: ...
    >>> d = Decision(Outcome.NOT_RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...              "r1", "H2", None, None, "1")
    >>> print(Override(d, Action.ACCEPT, None, "doc-7", d.evaluated_at, "stable").explain("en"))
    Doctor doc-7 decided at 2024-03-01 00:00 (+00:00) to accept the prior result, on the
    doctor's judgement: stable.
    """

    decision: Decision = attrs.field(validator=instance_of(Decision))
    action: Action = attrs.field(converter=_action)
    ground: Ground | LocalGround | None = attrs.field(converter=_ground)
    by: str = attrs.field(validator=_nonblank)
    at: datetime = attrs.field(converter=fixed_offset, validator=aware)
    note: str = attrs.field(default="", validator=_str)

    def __attrs_post_init__(self) -> None:
        """Refuse an override that agrees with the recommendation or lacks its justification.

        An override is dated at or after the decision it overrides: one dated before it would
        answer a recommendation not yet made (a clock error, or an override of another decision).

        >>> from datetime import datetime, timedelta, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              "r1", "H2", None, None, "1")
        >>> Override(d, "repeat", "other", "d1", d.evaluated_at - timedelta(seconds=1))
        Traceback (most recent call last):
        mutrec.errors.ArgumentError: argument 'at' = '2024-02-29T23:59:59+00:00': expected an ...
        """
        if self.at < self.decision.evaluated_at:
            msg = (
                f"an instant at or after the decision it overrides (evaluated at "
                f"{self.decision.evaluated_at.isoformat()}): an override cannot come before it"
            )
            arg = "at"
            raise ArgumentError(arg, self.at.isoformat(), msg)
        outcome = self.decision.outcome
        agrees = (self.action is Action.REPEAT and outcome is Outcome.NOT_RECOGNISED) or (
            self.action is Action.ACCEPT and outcome is Outcome.RECOGNISED
        )
        if agrees:
            msg = (
                f"an action against the recommendation: it agrees with outcome "
                f"{outcome.value!r} (an override goes against the recommendation; record none)"
            )
            arg = "action"
            raise ArgumentError(arg, self.action.value, msg)
        if self.action is Action.REPEAT and self.ground is None:
            msg = (
                "a ground: a repeat needs a ground, one of the six statutory grounds or a local one"
            )
            arg = "ground"
            raise ArgumentError(arg, None, msg)
        if self.action is Action.ACCEPT:
            if self.ground is not None:
                msg = (
                    "None: an accept cites no re-examination ground (grounds justify a repeat); "
                    "give the doctor's justification as the note"
                )
                arg = "ground"
                raise ArgumentError(arg, _ground_code(self.ground), msg)
            if not self.note.strip():
                msg = (
                    "the doctor's justification: an accept needs a non-blank note "
                    "(the doctor's judgement is the standard, no statutory ground applies)"
                )
                arg = "note"
                raise ArgumentError(arg, self.note, msg)

    @classmethod
    def record(  # noqa: PLR0917, PLR0913 (an override has that many facts)
        cls,
        decision: Decision,
        action: Action | str,
        ground: Ground | str | None,
        by: str,
        at: datetime,
        note: str = "",
        *,
        local_grounds: Iterable[LocalGround] = (),
    ) -> Override:
        """Record an override naming its ground by code: statutory, or one of *local_grounds*.

        A repeat names its ground; an accept passes ``None`` and its justification as *note*.

        Raises:
            ArgumentError: Unknown ground, an action that agrees with the recommendation, a
                repeat without a ground, or an accept with a ground or without justification.

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              None, None, None, None, "1")
        >>> Override.record(d, "repeat", "patient_request", "d1", d.evaluated_at)
        Traceback (most recent call last):
        mutrec.errors.ArgumentError: argument 'ground' = 'patient_request': ... unknown ground
        """
        the_ground: Ground | LocalGround | None
        if ground is None:
            the_ground = None
        elif isinstance(ground, Ground) or ground in Ground.__members__.values():
            the_ground = Ground(ground)
        else:
            local = items_of("local_grounds", local_grounds, LocalGround)
            found = [g for g in local if g.code == ground]
            if not found:
                msg = (
                    f"one of the six statutory grounds {[g.value for g in Ground]} or a local "
                    "ground of the decision's program: unknown ground"
                )
                arg = "ground"
                raise ArgumentError(arg, ground, msg)
            the_ground = found[0]
        return cls(decision, Action(action), the_ground, by, at, note)

    def explain(self, lang: Lang = "zh") -> str:
        """Say who overrode the recommendation, when, how and why.

        A repeat gives its ground; an accept gives the doctor's justification (its note).

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              None, None, None, None, "1")
        >>> local = LocalGround("patient_request", "患者要求", "the patient asked")
        >>> print(Override(d, "repeat", local, "d1", datetime(2024, 3, 1, tzinfo=UTC)).explain())
        医师 d1 于 2024-03-01 00:00 (+00:00) 决定重新检查检验，理由（本地情形）：患者要求。
        """
        when = format_instant(self.at.isoformat())
        ground = self.ground
        if ground is None:
            justification = self.note.strip()
            if lang == "zh":
                return (
                    f"医师 {self.by} 于 {when} 决定采纳原结果，理由（医师判断）：{justification}。"
                )
            return (
                f"Doctor {self.by} decided at {when} to accept the prior result, "
                f"on the doctor's judgement: {justification}."
            )
        if isinstance(ground, LocalGround):
            why = (
                f"理由（本地情形）：{ground.zh}"
                if lang == "zh"
                else f"on a local ground: {ground.en}"
            )
        else:
            why = (
                f"理由（复查情形{_ZH_NUM[ground.number]}）：{_GROUND_TEXT['zh'][ground]}"
                if lang == "zh"
                else f"on ground {ground.number}: {_GROUND_TEXT['en'][ground]}"
            )
        if lang == "zh":
            act = "重新检查检验" if self.action is Action.REPEAT else "采纳原结果"
            text = f"医师 {self.by} 于 {when} 决定{act}，{why}。"
        else:
            act = "repeat the test" if self.action is Action.REPEAT else "accept the prior result"
            text = f"Doctor {self.by} decided at {when} to {act}, {why}."
        return f"{text} {self.note}".rstrip() if self.note else text

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form, the decision included.

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              None, None, None, None, "1")
        >>> Override(d, "repeat", "other", "d1", d.evaluated_at).to_dict()["ground"]
        'other'
        """
        ground: object
        if isinstance(self.ground, LocalGround):
            ground = {"code": self.ground.code, "zh": self.ground.zh, "en": self.ground.en}
        else:
            ground = None if self.ground is None else self.ground.value
        return {
            "schema": OVERRIDE_SCHEMA,
            "decision": self.decision.to_dict(),
            "action": self.action.value,
            "ground": ground,
            "by": self.by,
            "at": instant_to_json(self.at),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Override:
        """Rebuild an override from :meth:`to_dict`'s form (``mutrec.override/2`` or ``/1``).

        A version 1 accept cited a repeat ground; it reads with no ground, the ground kept in
        words in the note (the note itself when the doctor wrote one).

        Everything :meth:`Decision.from_dict` refuses in the decision is refused, and so are
        an unknown action or ground, a blank ``by``, a naive ``at``, and an override the
        record itself forbids (one that agrees with the recommendation, a repeat without a
        ground, an accept without justification): a
        :class:`~mutrec.errors.RecordError` naming the JSON path.

        >>> Override.from_dict({"schema": "mutrec.decision/1"})
        Traceback (most recent call last):
        mutrec.errors.RecordError: override schema = 'mutrec.decision/1': not a mutrec override ...
        """
        if not isinstance(raw, Mapping):
            reason = f"must be a JSON object (got a {type(raw).__name__})"
            raise RecordError(_OVERRIDE, "$", raw, reason)
        schema = raw.get("schema")
        if schema not in (OVERRIDE_SCHEMA, _OVERRIDE_SCHEMA_1):  # a tuple: schema may be unhashable
            reason = (
                f"not a mutrec override (expected {OVERRIDE_SCHEMA!r} or {_OVERRIDE_SCHEMA_1!r})"
            )
            raise RecordError(_OVERRIDE, "schema", schema, reason)
        raw = fields(raw, "override", "$", _KEYS)
        decision = decision_from_dict(raw["decision"], _OVERRIDE, "decision")
        action = enum_field(raw, "action", Action, "override", "$")
        ground = _ground_from_json(raw["ground"])
        by = text_field(raw, "by", "override", "$", null=False)
        at = instant_field(raw, "at", "override", "$", null=False)
        note: str = text_field(raw, "note", "override", "$", null=False)
        if schema == _OVERRIDE_SCHEMA_1 and action is Action.ACCEPT and ground is not None:
            if not note.strip():
                note = f"(recorded as {_OVERRIDE_SCHEMA_1} citing ground {_ground_code(ground)!r})"
            ground = None
        try:
            return cls(decision, action, ground, by, at, note)
        except (TypeError, ValueError) as err:
            raise RecordError(_OVERRIDE, "$", NO_VALUE, str(err)) from None

    def to_json(self) -> str:
        """Serialise to JSON text.

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              None, None, None, None, "1")
        >>> '"action": "repeat"' in Override(d, "repeat", "other", "d1", d.evaluated_at).to_json()
        True
        """
        return dump(self.to_dict(), _OVERRIDE, self.decision.findings, "decision")

    @classmethod
    def from_json(cls, text: str | bytes) -> Override:
        """Rebuild an override from :meth:`to_json`'s text; the round trip is exact.

        The text is read strictly (see ``mutrec.policy._jsonio``): anything but a consistent
        override document is a :class:`~mutrec.errors.RecordError`.

        >>> Override.from_json('{"schema": "x"}')
        Traceback (most recent call last):
        mutrec.errors.RecordError: override schema = 'x': not a mutrec override ...
        """
        return cls.from_dict(load(text, "override"))


_OVERRIDE: Final = "override"  # the record's name in errors
_KEYS: Final = ("schema", "decision", "action", "ground", "by", "at", "note")


def _ground_from_json(raw: object) -> Ground | LocalGround | None:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        local = fields(raw, "override", "ground", ("code", "zh", "en"))
        texts = [
            text_field(local, key, "override", "ground", null=False) for key in ("code", "zh", "en")
        ]
        try:
            return LocalGround(*texts)
        except ValueError as err:
            raise RecordError(_OVERRIDE, "ground.code", local["code"], str(err)) from None
    if isinstance(raw, str) and raw in Ground.__members__.values():
        return Ground(raw)
    reason = (
        f"unknown ground: use null (an accept), one of {[g.value for g in Ground]}, or a "
        'local ground {"code": ..., "zh": ..., "en": ...}'
    )
    raise RecordError(_OVERRIDE, "ground", raw, reason)


def _ground_code(ground: Ground | LocalGround) -> str:
    return ground.code if isinstance(ground, LocalGround) else ground.value


_ZH_NUM: Final = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}
_GROUND_TEXT: Final[Mapping[str, Mapping[Ground, str]]] = {
    "zh": {
        Ground.CONDITION_CHANGED: "病情变化，原结果与临床表现或诊断不符",
        Ground.RAPID_CHANGE: "数值随病程进展变化较快",
        Ground.MAJOR_INTERVENTION: "项目对手术、输血等重大诊疗措施具有关键作用",
        Ground.EMERGENCY: "急诊或抢救",
        Ground.MEDICO_LEGAL: "司法、伤残、病休或退休鉴定",
        Ground.OTHER: "其他确需复查的情形",
    },
    "en": {
        Ground.CONDITION_CHANGED: "the condition changed and the result no longer fits",
        Ground.RAPID_CHANGE: "the value changes fast as the disease evolves",
        Ground.MAJOR_INTERVENTION: "the item is critical to a major intervention",
        Ground.EMERGENCY: "emergency or resuscitation",
        Ground.MEDICO_LEGAL: "a medico-legal, disability, sick-leave or retirement assessment",
        Ground.OTHER: "another case that truly needs a repeat",
    },
}
