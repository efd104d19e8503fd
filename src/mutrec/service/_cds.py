"""CDS Hooks 2.0: discovery, the ``order-select`` and ``order-sign`` services, and feedback.

A hook call reads the draft ServiceRequests and the prefetched results, runs the order check
(:meth:`mutrec.policy.Policy.check_order`) and answers one card per draft order a prior result
covers: the reason codes, the expiry, a suggestion to delete the draft order, and the grounds
on which the doctor may still repeat it (``overrideReasons``: the six statutory grounds, then
the program's local grounds). Feedback on a card records an adoption or an override with its
ground; feedback on a card this service never showed is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs

from mutrec.interop import FHIR_BASE, REASON_SYSTEM
from mutrec.model import LabResult, Result
from mutrec.policy import ClinicalContext, Decision, Ground, OrderLine
from mutrec.service._fhirin import DraftOrder, draft_orders, priors
from mutrec.service._state import HttpProblem, ServiceState
from mutrec.service._store import Card, FeedbackConflict, FeedbackRecord, Lookup

__all__ = ["GROUND_SYSTEM", "SERVICES", "discovery", "feedback", "hook"]

GROUND_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/ground"
"""The system of ``overrideReasons`` codings: statutory ground values and local ground codes."""

_PREFETCH: Final = {
    "observations": "Observation?patient={{context.patientId}}&_include=Observation:performer",
    "reports": "DiagnosticReport?patient={{context.patientId}}&_include=DiagnosticReport:result"
    "&_include=DiagnosticReport:performer",
    "studies": "ImagingStudy?patient={{context.patientId}}",
}
SERVICES: Final[Mapping[str, Mapping[str, str]]] = {
    "mutrec-order-select": {
        "hook": "order-select",
        "title": "Prior results recognised (检查检验结果互认)",
        "description": "Finds a recognisable prior result for each selected draft order.",
    },
    "mutrec-order-sign": {
        "hook": "order-sign",
        "title": "Prior results recognised before signing (检查检验结果互认)",
        "description": "Finds a recognisable prior result for each draft order being signed.",
    },
}
_GROUNDS: Final[Mapping[Ground, tuple[str, str]]] = {
    Ground.CONDITION_CHANGED: ("病情变化", "the condition changed"),
    Ground.RAPID_CHANGE: ("指标变化较快", "the value changes fast"),
    Ground.MAJOR_INTERVENTION: ("重大诊疗措施关键项目", "critical to a major intervention"),
    Ground.EMERGENCY: ("急诊、急救", "emergency or resuscitation"),
    Ground.MEDICO_LEGAL: ("司法、伤残、病休或退休鉴定", "medico-legal or disability assessment"),
    Ground.OTHER: ("其他确需复查的情形", "another case that truly needs a repeat"),
}
_WORDS: Final = {
    "zh": {
        "summary": "无需重复：{item}已有{issuer}{date}的结果可互认{until}",
        "until": "（有效至{date}）",
        "caution": "可互认但需医生判断：{item}已有{issuer}{date}的结果{until}",
        "delete": "删除重复医嘱：{item}",
        "result": "原结果",
        "codes": "原因代码",
    },
    "en": {
        "summary": "No repeat needed: {item} from {issuer} on {date} is recognised{until}",
        "until": " until {date}",
        "caution": "Recognised with caution (you decide): {item} from {issuer} on {date}{until}",
        "delete": "Remove the duplicate order: {item}",
        "result": "Prior result",
        "codes": "Reason codes",
    },
}
_SUMMARY_MAX: Final = 140


def discovery() -> dict[str, Any]:
    """The discovery document: both services, with the prefetch each asks for.

    >>> [s["hook"] for s in discovery()["services"]]
    ['order-select', 'order-sign']
    """
    return {
        "services": [
            {"id": name, **service, "prefetch": dict(_PREFETCH)}
            for name, service in SERVICES.items()
        ]
    }


def _issuer_name(state: ServiceState, issuer: str) -> str:
    institution = state.region.institutions.get(issuer)
    return issuer if institution is None else institution.name


def _instant(result: Result) -> datetime:
    return result.collected if isinstance(result, LabResult) else result.performed


def _override_reasons(state: ServiceState, decision: Decision, lang: str) -> list[dict[str, str]]:
    reasons = [
        {"code": g.value, "system": GROUND_SYSTEM, "display": _GROUNDS[g][lang == "en"]}
        for g in Ground
    ]
    if decision.program_id in state.policy.programs:
        for local in state.policy.view(decision.program_id).settings.local_grounds:
            display = local.en if lang == "en" else local.zh
            reasons.append({"code": local.code, "system": GROUND_SYSTEM, "display": display})
    return reasons


def _card(  # noqa: PLR0913 (a card says all of these)
    state: ServiceState,
    *,
    order: DraftOrder,
    line: OrderLine,
    decision: Decision,
    reference: str,
    lang: str,
) -> dict[str, Any]:
    words = _WORDS[lang]
    result = line.result
    assert result is not None  # noqa: S101 (a recognised line has its result)

    def local(instant: datetime) -> datetime:
        return instant.astimezone(state.zone)

    until = ""
    if decision.expires_at is not None:
        until = words["until"].format(date=local(decision.expires_at).strftime("%Y-%m-%d %H:%M"))
    text = words["caution" if line.cautioned else "summary"].format(
        item=order.label,
        issuer=_issuer_name(state, result.issuer),
        date=local(_instant(result)).date().isoformat(),
        until=until,
    )
    summary = text if len(text) <= _SUMMARY_MAX else text[: _SUMMARY_MAX - 1] + "…"
    codes = ", ".join(f"`{code}`" for code in decision.codes) or "—"
    detail = "\n\n".join(
        [
            state.policy.explain(decision, lang).replace("\n- ", "\n\n- "),  # type: ignore[arg-type]
            f"{words['result']}: {reference}",
            f"{words['codes']} ({REASON_SYSTEM}): {codes}",
        ]
    )
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "detail": detail,
        "indicator": "warning" if line.cautioned else "info",
        "source": {"label": "mutrec", "url": "https://mutrec.readthedocs.io/"},
        "suggestions": [
            {
                "label": words["delete"].format(item=order.label),
                "uuid": str(uuid.uuid4()),
                "isRecommended": not line.cautioned,
                "actions": [
                    {
                        "type": "delete",
                        "description": words["delete"].format(item=order.label),
                        "resourceId": [order.reference],
                    }
                ],
            }
        ],
        "selectionBehavior": "at-most-one",
        "overrideReasons": _override_reasons(state, decision, lang),
    }


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HttpProblem(422, "invalid-request", f"{where}: expected a JSON object", where=where)
    return value


def _text(body: Mapping[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HttpProblem(422, "invalid-request", f"{where}: expected text", where=where)
    return value


@attrs.frozen
class _Answer:
    response: dict[str, Any]
    lookups: tuple[Lookup, ...]
    cards: tuple[Card, ...]


def hook(  # noqa: PLR0913 (the call, and who asked)
    state: ServiceState,
    service_id: str,
    body: object,
    *,
    receiver: str | None,
    lang: str,
    request_id: str,
) -> dict[str, Any]:
    """Answer a CDS Hooks call of *service_id* with cards; record the look-ups and cards.

    Raises:
        HttpProblem: 404 for an unknown service; 422 for a request that is not a CDS Hooks
            call of this hook; 413 over the limits.
    """
    if service_id not in SERVICES:
        raise HttpProblem(404, "unknown-service", f"no CDS service {service_id!r}")
    request = _object(body, "$")
    expected = SERVICES[service_id]["hook"]
    if request.get("hook") != expected:
        msg = f"hook: expected {expected!r} for this service"
        raise HttpProblem(422, "invalid-request", msg, where="hook")
    hook_instance = _text(request, "hookInstance", "hookInstance")
    context = _object(request.get("context"), "context")
    patient = _text(context, "patientId", "context.patientId")
    if receiver is None:
        msg = "the service has no receiving institution: configure receiver"
        raise HttpProblem(422, "no-receiver", msg)
    at = state.now()
    orders = draft_orders(state, context, at, select=expected == "order-select")
    found = priors(state, request.get("prefetch"), "prefetch")
    reading = found.reading
    reference_of = {id(r): ref for r, ref in zip(reading.results, reading.references, strict=True)}
    answer = _answer(
        state,
        orders=orders,
        results=reading.results,
        reference_of=reference_of,
        receiver=receiver,
        at=at,
        patient=patient,
        lang=lang,
    )
    if state.store is not None:
        state.store.record(
            request_id,
            at.isoformat(),
            "cds",
            answer.lookups,
            answer.cards,
            service_id=service_id,
            hook_instance=hook_instance,
        )
    response = answer.response
    if found.problems:
        response["extension"] = {
            "io.mutrec.problems": [str(problem) for problem in found.problems[:100]]
        }
    return response


def _answer(  # noqa: PLR0913 (the facts of one order check)
    state: ServiceState,
    *,
    orders: Sequence[DraftOrder],
    results: Sequence[Result],
    reference_of: Mapping[int, str],
    receiver: str,
    at: datetime,
    patient: str,
    lang: str,
) -> _Answer:
    check = state.policy.check_order(
        [o.name for o in orders],
        results,
        receiver=receiver,
        at=at,
        context=ClinicalContext(patient=f"Patient/{patient}"),
    )
    lookups: list[Lookup] = []
    cards: list[Card] = []
    shown = []
    for order, line in zip(orders, check.lines, strict=True):
        lookups.extend(Lookup(rejected, None) for rejected in line.rejected)
        if line.decision is None or line.result is None:
            continue
        reference = reference_of.get(id(line.result), "")
        decision = attrs.evolve(line.decision, result_id=reference or None)
        lookups.append(Lookup(decision, line.result.issuer))
        card = _card(
            state, order=order, line=line, decision=decision, reference=reference, lang=lang
        )
        cards.append(Card(card["uuid"], len(lookups) - 1, order.reference))
        shown.append(card)
    return _Answer({"cards": shown}, tuple(lookups), tuple(cards))


_OUTCOMES: Final = frozenset({"accepted", "overridden"})


def _ground(state: ServiceState, item: Mapping[str, Any], card: str, where: str) -> str | None:
    reason = item.get("overrideReason")
    if reason is None:
        return None
    coding = _object(_object(reason, f"{where}.overrideReason").get("reason"), f"{where}.reason")
    code = coding.get("code")
    decision = state.store.decision(card) if state.store is not None else None
    local: tuple[str, ...] = ()
    if decision is not None and decision.program_id in state.policy.programs:
        settings = state.policy.view(decision.program_id).settings
        local = tuple(g.code for g in settings.local_grounds)
    if code not in {g.value for g in Ground} and code not in local:
        msg = f"{where}.overrideReason.reason.code: {code!r} is not a ground this card offered"
        raise HttpProblem(422, "unknown-ground", msg, where=f"{where}.overrideReason")
    return str(code)


def _note(item: Mapping[str, Any]) -> str | None:
    reason = item.get("overrideReason")
    comment = reason.get("userComment") if isinstance(reason, Mapping) else None
    return comment[:2000] if isinstance(comment, str) else None


def feedback(
    state: ServiceState, service_id: str, body: object, *, request_id: str
) -> dict[str, Any]:
    """Record feedback on cards this service showed: accepted, or overridden with a ground.

    The whole request is refused if any item is: nothing is recorded from it.

    Raises:
        HttpProblem: 404 for an unknown service or card; 409 for a card already answered
            otherwise; 422 for a malformed item or an unknown ground; 503 without a store.
    """
    if service_id not in SERVICES:
        raise HttpProblem(404, "unknown-service", f"no CDS service {service_id!r}")
    if state.store is None:
        raise HttpProblem(503, "no-audit-store", "feedback needs an audit store (--audit FILE)")
    items = _object(body, "$").get("feedback")
    if not isinstance(items, list) or not items:
        raise HttpProblem(422, "invalid-request", "feedback: expected a non-empty list")
    if len(items) > state.config.max_batch:
        raise HttpProblem(413, "too-many", f"at most {state.config.max_batch} feedback items")
    records = []
    for index, raw in enumerate(items):
        where = f"feedback[{index}]"
        item = _object(raw, where)
        card = _text(item, "card", f"{where}.card")
        outcome = item.get("outcome")
        if outcome not in _OUTCOMES:
            msg = f"{where}.outcome: expected 'accepted' or 'overridden'"
            raise HttpProblem(422, "invalid-request", msg, where=f"{where}.outcome")
        shown = state.store.shown(card)
        if shown is None or shown.service_id != service_id:
            msg = f"{where}.card: no card {card[:60]!r} was shown by {service_id}"
            raise HttpProblem(404, "unknown-card", msg, where=f"{where}.card")
        ground = _ground(state, item, card, where) if outcome == "overridden" else None
        if shown.feedback is not None and shown.feedback != (outcome, ground):
            msg = f"{where}.card: feedback on this card was already recorded ({shown.feedback[0]})"
            raise HttpProblem(409, "feedback-recorded", msg, where=f"{where}.card")
        stamp = item.get("outcomeTimestamp")
        records.append(
            FeedbackRecord(
                card, outcome, ground, _note(item), stamp[:40] if isinstance(stamp, str) else None
            )
        )
    try:
        state.store.feedback(request_id, state.now().isoformat(), records)
    except FeedbackConflict as conflict:  # a concurrent feedback on the same card came first
        msg = (
            f"feedback on card {conflict.card_id[:60]!r} was already recorded ({conflict.recorded})"
        )
        raise HttpProblem(409, "feedback-recorded", msg) from None
    return {"recorded": len(records)}
