"""The decision: outcome, findings, expiry, versions, and its explanation and JSON form."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.policy._findings import Finding, Outcome, RecordError
from mutrec.policy._instants import (
    aware,
    fixed_offset,
    instant_from_json,
    instant_to_json,
    zone_of,
)
from mutrec.policy._jsonio import dump, load
from mutrec.policy._reasons import Lang, Reasons, default_reasons, format_instant

__all__ = [
    "DECISION",
    "DECISION_SCHEMA",
    "DECISION_SCHEMA_1",
    "DECISION_SCHEMA_2",
    "Decision",
    "DecisionSlots",
    "aware",
    "fixed_offset",
    "instant_from_json",
    "instant_to_json",
    "trusted_decision",
    "zone_of",
]

DECISION_SCHEMA: Final = "mutrec.decision/3"
"""The schema tag decisions are written with; ``/1`` (no value) and ``/2`` (no issuer, patient
or item as sent) still read."""
DECISION_SCHEMA_1: Final = "mutrec.decision/1"
DECISION_SCHEMA_2: Final = "mutrec.decision/2"
DECISION: Final = "decision"  # the record's name in errors
"""The ``schema`` tag of a decision's JSON form; a change of layout gets a new number."""


_opt_str = optional(instance_of(str))


def _opt_finite(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    ):
        raise RecordError(DECISION, attribute.name, value, "must be a finite number or None")


def _findings(value: object) -> tuple[Finding, ...]:
    return items_of("findings", value, Finding)  # type: ignore[arg-type]


_HEADLINE: Final[Mapping[Lang, Mapping[Outcome, str]]] = {
    "zh": {
        Outcome.RECOGNISED: "结论：可以互认{until}，无需重复检查检验。",
        Outcome.RECOGNISED_WITH_CAUTION: "结论：可以互认但需谨慎{until}，请接诊医师结合临床判断。",
        Outcome.NOT_RECOGNISED: "结论：不予互认，原因如下（需向患者说明）。",
    },
    "en": {
        Outcome.RECOGNISED: "Outcome: recognised{until}; no repeat is needed.",
        Outcome.RECOGNISED_WITH_CAUTION: (
            "Outcome: recognised with caution{until}; the receiving doctor decides."
        ),
        Outcome.NOT_RECOGNISED: "Outcome: not recognised, for the reasons below "
        "(to be explained to the patient).",
    },
}
_UNTIL: Final[Mapping[Lang, str]] = {"zh": "（有效至 {0}）", "en": " until {0}"}


# No __weakref__ slot: on Python 3.11, ``__class__`` assignment (see DecisionSlots) refuses a
# slotted class whose weak-reference slot follows its fields (3.12 accepts it), and nothing
# needs a weak reference to a decision.
@attrs.frozen(weakref_slot=False)
class Decision:
    """Whether a prior result may be recognised, why, and until when.

    Attributes:
        outcome: Recognised, recognised with caution, or not recognised.
        findings: Everything the rules reported, in rule order.
        expires_at: The instant recognition ends (the earliest any rule reported), or ``None``.
        evaluated_at: The instant the decision is about (the ``at`` of the evaluation).
        result_id: The reference of the result decided on.
        receiver_id: The receiving institution.
        program_id: The program the decision was made under, ``None`` if none applied.
        catalogue_version: The version of that program's catalogue in force at collection.
        policy_version: The version of the policy that decided.
        item_code: The catalogue item the result resolved to, ``None`` if it resolved to none.
        value: The result's number in the catalogue's unit (glucose 100 mg/dL: 5.55 mmol/L),
            so a receiving screen shows it beside its own reference range; ``None`` when the
            result is not a number that converted (qualitative, censored, unconvertible).
        unit: The catalogue's unit of *value* (UCUM code), ``None`` with it.
        issuer_id: The institution that issued the result, as the result named it.
        patient_id: The patient reference the result carried (opaque: no names).
        item_text: The item code or name as the issuer sent it, before any look-up (``LIS-0101``
            where ``item_code`` is ``K``): with the three above, an audit trail needs nothing
            beside the decision.

    >>> from datetime import datetime, UTC
    >>> decision = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...                     "r1", "H2", "jjj", "2024.1", "1")
    >>> Decision.from_json(decision.to_json()) == decision
    True
    >>> print(decision.explain("en"))
    Outcome: recognised; no repeat is needed.
    """

    outcome: Outcome = attrs.field(validator=instance_of(Outcome))
    findings: tuple[Finding, ...] = attrs.field(converter=_findings)
    expires_at: datetime | None = attrs.field(converter=fixed_offset, validator=aware)
    evaluated_at: datetime = attrs.field(converter=fixed_offset, validator=aware)
    result_id: str | None = attrs.field(validator=_opt_str)
    receiver_id: str | None = attrs.field(validator=_opt_str)
    program_id: str | None = attrs.field(validator=_opt_str)
    catalogue_version: str | None = attrs.field(validator=_opt_str)
    policy_version: str = attrs.field(validator=instance_of(str))
    item_code: str | None = attrs.field(default=None, validator=_opt_str)
    value: float | None = attrs.field(default=None, kw_only=True, validator=_opt_finite)
    unit: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    issuer_id: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    patient_id: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    item_text: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        """A value comes with its unit, and a unit with a value."""
        if (self.value is None) != (self.unit is None):
            msg = f"value ({self.value!r}) and unit ({self.unit!r}) come together or not at all"
            raise RecordError(DECISION, "value", self.value, msg)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes of the findings, in order.

        >>> from datetime import datetime, UTC
        >>> from mutrec.policy import Severity
        >>> Decision(Outcome.NOT_RECOGNISED, (Finding("patient.mismatch", Severity.BLOCK),),
        ...          None, datetime(2024, 3, 1, tzinfo=UTC), None, None, None, None, "1").codes
        ('patient.mismatch',)
        """
        return tuple(finding.code for finding in self.findings)

    def explain(self, lang: Lang = "zh", reasons: Reasons | None = None) -> str:
        """Explain the decision in words a doctor and a patient understand.

        Args:
            lang: ``"zh"`` or ``"en"``.
            reasons: The registry to read texts from; the default rules' registry if omitted
                (a policy with vendor rules passes its own, see ``Policy.explain``).

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), datetime(2024, 3, 8, tzinfo=UTC),
        ...              datetime(2024, 3, 1, tzinfo=UTC), None, None, None, None, "1")
        >>> print(d.explain("zh"))
        结论：可以互认（有效至 2024-03-08 00:00 (+00:00)），无需重复检查检验。
        """
        if lang not in _LANGS:
            arg = "lang"
            raise ArgumentError(arg, lang, "'zh' or 'en'")
        book = default_reasons() if reasons is None else reasons
        until = ""
        if self.expires_at is not None and self.outcome is not Outcome.NOT_RECOGNISED:
            until = _UNTIL[lang].format(format_instant(self.expires_at.isoformat()))
        lines = [_HEADLINE[lang][self.outcome].format(until=until)]
        lines.extend(f"- {book.explain(finding, lang)}" for finding in self.findings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (only str, numbers, bool, None, lists and dicts).

        >>> from datetime import datetime, UTC
        >>> Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...          None, None, None, None, "1").to_dict()["outcome"]
        'recognised'
        """
        return {
            "schema": DECISION_SCHEMA,
            "outcome": self.outcome.value,
            "findings": [
                {"code": f.code, "severity": f.severity.value, "data": dict(f.data)}
                for f in self.findings
            ],
            "expires_at": instant_to_json(self.expires_at),
            "evaluated_at": instant_to_json(self.evaluated_at),
            "result_id": self.result_id,
            "receiver_id": self.receiver_id,
            "program_id": self.program_id,
            "catalogue_version": self.catalogue_version,
            "policy_version": self.policy_version,
            "item_code": self.item_code,
            "value": self.value,
            "unit": self.unit,
            "issuer_id": self.issuer_id,
            "patient_id": self.patient_id,
            "item_text": self.item_text,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Decision:
        """Rebuild a decision from :meth:`to_dict`'s form, refusing any inconsistent document.

        Refused, with a :class:`~mutrec.errors.RecordError` naming the JSON path:
        another schema, a missing or unknown key, a value of the wrong type, an unknown
        outcome or severity, finding data that is not a JSON scalar, a naive or out-of-range
        instant, an outcome the findings contradict (a block under "recognised"), or a
        recognised decision that expired before it was made.

        >>> Decision.from_dict({"schema": "other/9"})
        Traceback (most recent call last):
        mutrec.errors.RecordError: decision schema = 'other/9': not a mutrec decision ...
        """
        # The reader lives beside the class (the JSON layouts of every version): imported here,
        # where it is used, because it builds Decisions itself.
        from mutrec.policy._decision_read import decision_from_dict

        return decision_from_dict(raw)

    def to_json(self) -> str:
        """Serialise to JSON text (UTF-8 friendly: Chinese is kept, not escaped).

        >>> from datetime import datetime, UTC
        >>> Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...          None, None, None, None, "1").to_json()[:40]
        '{"schema": "mutrec.decision/3", "outcome'
        """
        return dump(self.to_dict(), DECISION, self.findings)

    def _repr_html_(self) -> str:
        """Render the decision as HTML for notebooks (see ``mutrec.policy._html``).

        >>> from datetime import datetime, UTC
        >>> d = Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
        ...              "r1", "H2", "jjj", "2024.1", "1", "K")
        >>> "recognised" in d._repr_html_()
        True
        """
        from mutrec.policy._html import decision_html

        return decision_html(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        r"""Rebuild a decision from :meth:`to_json`'s text; the round trip is exact.

        The text is read strictly (see :meth:`from_dict` and ``mutrec.policy._jsonio``):
        anything but a consistent ``mutrec.decision/3`` (or ``/2``, ``/1``) document is a
        :class:`~mutrec.errors.RecordError`, never another exception.

        >>> Decision.from_json('{"schema": "mutrec.decision/1"}')
        Traceback (most recent call last):
        mutrec.errors.RecordError: decision outcome: missing: add it (null where unknown)
        >>> Decision.from_json(b"\xff")
        Traceback (most recent call last):
        mutrec.errors.RecordError: decision $: is not UTF-8 text (byte 0 is 0xff): ...
        """
        return cls.from_dict(load(text, "decision"))


_LANGS: Final = ("zh", "en")


class DecisionSlots:
    """A :class:`Decision`'s slot layout without its frozen ``__setattr__`` (the hot path's).

    ``trusted_decision`` fills one with plain attribute stores (the interpreter's fastest) and
    then makes it a :class:`Decision` by assigning its class: CPython allows that between
    classes of the same slot layout, and the object is then a plain ``Decision`` in every way
    (type, equality, hash, repr, pickle, JSON). A few times cheaper than storing each field
    through ``object.__setattr__`` or the slot descriptors, as attrs' own ``__init__`` does.
    """

    __slots__ = Decision.__slots__  # type: ignore[attr-defined]  # the same names and order

    def __init__(  # noqa: PLR0917, PLR0913 (one argument per field)
        self,
        outcome: Outcome,
        findings: tuple[Finding, ...],
        expires_at: datetime | None,
        evaluated_at: datetime,
        result_id: str | None,
        receiver_id: str | None,
        program_id: str | None,
        catalogue_version: str | None,
        policy_version: str,
        item_code: str | None,
        value: float | None,
        unit: str | None,
        issuer_id: str | None,
        patient_id: str | None,
        item_text: str | None,
    ) -> None:
        """Hold the fields; assign ``__class__ = Decision`` next (see the class)."""
        self.outcome = outcome
        self.findings = findings
        self.expires_at = expires_at
        self.evaluated_at = evaluated_at
        self.result_id = result_id
        self.receiver_id = receiver_id
        self.program_id = program_id
        self.catalogue_version = catalogue_version
        self.policy_version = policy_version
        self.item_code = item_code
        self.value = value
        self.unit = unit
        self.issuer_id = issuer_id
        self.patient_id = patient_id
        self.item_text = item_text


def trusted_decision(  # noqa: PLR0917, PLR0913 (one argument per field)
    outcome: Outcome,
    findings: tuple[Finding, ...],
    expires_at: datetime | None,
    evaluated_at: datetime,
    result_id: str | None,
    receiver_id: str | None,
    program_id: str | None,
    catalogue_version: str | None,
    policy_version: str,
    item_code: str | None = None,
    value: float | None = None,
    unit: str | None = None,
    issuer_id: str | None = None,
    patient_id: str | None = None,
    item_text: str | None = None,
) -> Decision:
    """Build a decision from values the policy already checked (the hot path skips validators).

    Instants must be aware and already have fixed offsets (see :func:`fixed_offset`).

    >>> from datetime import datetime, UTC
    >>> at = datetime(2024, 3, 1, tzinfo=UTC)
    >>> made = trusted_decision(Outcome.RECOGNISED, (), None, at, None, None, None, None, "1")
    >>> type(made) is Decision, made == Decision(Outcome.RECOGNISED, (), None, at, None, None,
    ...                                          None, None, "1")
    (True, True)
    """
    decision = DecisionSlots(
        outcome,
        findings,
        expires_at,
        evaluated_at,
        result_id,
        receiver_id,
        program_id,
        catalogue_version,
        policy_version,
        item_code,
        value,
        unit,
        issuer_id,
        patient_id,
        item_text,
    )
    decision.__class__ = Decision  # type: ignore[assignment]  # the same layout: see above
    return decision  # type: ignore[return-value]  # now a Decision
