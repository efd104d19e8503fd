"""CDS Hooks 2.0 against a running service: discovery, both order hooks, feedback, the audit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.service.cases import (
    call,
    drafts,
    example,
    order,
    organization,
    potassium,
    searchset,
    yesterday,
)
from tests.service.conftest import Service, query

SELECT = "mutrec-order-select"
SIGN = "mutrec-order-sign"


def _hook(client: Any, service: Service, name: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"/cds-services/{name}", json=body, headers={**service.headers(name), **headers}
    )


def _k_call(hook: str, **kw: Any) -> dict[str, Any]:
    orders = drafts(order("sr-k", "2823-3", "血钾"), order("sr-ct", "24627-2", "Chest CT"))
    prefetch = {"observations": searchset(potassium(yesterday()), organization()), "studies": None}
    return call(hook, orders, prefetch, **kw)


def test_discovery_lists_both_order_hooks_with_their_prefetch(client: Any) -> None:
    answer = client.get("/cds-services")
    assert answer.status_code == 200
    services = {s["id"]: s for s in answer.json()["services"]}
    assert services[SELECT]["hook"] == "order-select"
    assert services[SIGN]["hook"] == "order-sign"
    assert "{{context.patientId}}" in services[SIGN]["prefetch"]["observations"]


def test_order_select_suggests_deleting_the_covered_draft_order_in_chinese(
    client: Any, service: Service
) -> None:
    answer = _hook(client, service, SELECT, _k_call("order-select"), **{"Accept-Language": "zh-CN"})
    assert answer.status_code == 200, answer.text
    (card,) = answer.json()["cards"]  # the chest CT has no prior: no card for it
    assert card["indicator"] == "info"
    assert card["summary"].startswith("无需重复：血钾已有示例北京市第一医院")
    assert "有效至" in card["summary"]
    assert len(card["summary"]) <= 140
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert suggestion["actions"] == [
        {
            "type": "delete",
            "description": "删除重复医嘱：血钾",
            "resourceId": ["ServiceRequest/sr-k"],
        }
    ]
    codes = [r["code"] for r in card["overrideReasons"]]
    assert codes[:6] == [
        "condition_changed", "rapid_change", "major_intervention", "emergency", "medico_legal",
        "other",
    ]  # fmt: skip
    assert codes[6:] == ["patient_request"]  # the program's local ground
    assert "可以互认" in card["detail"]


def test_order_sign_answers_in_english_when_asked(client: Any, service: Service) -> None:
    headers = {"Accept-Language": "fr;q=0.9, en;q=0.8, zh;q=0.1"}
    answer = _hook(client, service, SIGN, _k_call("order-sign"), **headers)
    assert answer.status_code == 200, answer.text
    (card,) = answer.json()["cards"]
    assert card["summary"].startswith("No repeat needed: 血钾 from 示例北京市第一医院 on ")
    assert " until " in card["summary"]
    assert card["overrideReasons"][3]["display"] == "emergency or resuscitation"


def test_order_select_checks_only_the_selected_orders(client: Any, service: Service) -> None:
    body = _k_call("order-select", selections=["ServiceRequest/sr-ct"])
    answer = _hook(client, service, SELECT, body)
    assert answer.status_code == 200
    assert answer.json()["cards"] == []


def test_a_prior_of_another_patient_is_not_recognised(client: Any, service: Service) -> None:
    answer = _hook(client, service, SIGN, _k_call("order-sign", patient="someone-else"))
    assert answer.status_code == 200
    assert answer.json()["cards"] == []


def test_the_r4_examples_are_read_and_what_cannot_be_read_is_said(
    client: Any, service: Service
) -> None:
    orders = drafts(
        example("servicerequest-example-lipid"),
        example("servicerequest-example-di"),
        example("servicerequest-example-ft4"),
    )
    prefetch = {
        "observations": searchset(
            example("observation-example-f001-glucose"), example("observation-example-f205-egfr")
        ),
        "reports": example("diagnosticreport-example-ghp"),
        "studies": searchset(example("imagingstudy-example")),
    }
    answer = _hook(client, service, SIGN, call("order-sign", orders, prefetch, patient="example"))
    assert answer.status_code == 200, answer.text
    document = answer.json()
    # Results of 2013 at an unknown lab cover no order of today: no card, and each resource
    # the reader refused is named (never skipped in silence).
    assert document["cards"] == []
    problems = document["extension"]["io.mutrec.problems"]
    assert problems
    assert all(p.startswith("prefetch.") for p in problems)


def _card(client: Any, service: Service) -> dict[str, Any]:
    answer = _hook(client, service, SIGN, _k_call("order-sign"))
    (card,) = answer.json()["cards"]
    return card  # type: ignore[no-any-return]


def _feedback(client: Any, service: Service, *items: dict[str, Any], name: str = SIGN) -> Any:
    return client.post(
        f"/cds-services/{name}/feedback",
        json={"feedback": list(items)},
        headers=service.headers(name),
    )


def test_feedback_records_adoptions_and_overrides_with_their_ground(
    client: Any, service: Service
) -> None:
    adopted, overridden = _card(client, service), _card(client, service)
    accepted = {
        "card": adopted["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": adopted["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": "2026-03-02T09:01:00Z",
    }
    override = {
        "card": overridden["uuid"],
        "outcome": "overridden",
        "overrideReason": {
            "reason": {
                "code": "patient_request",
                "system": overridden["overrideReasons"][6]["system"],
            },
            "userComment": "患者要求复查",
        },
        "outcomeTimestamp": "2026-03-02T09:02:00Z",
    }
    answer = _feedback(client, service, accepted, override)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"recorded": 2}
    # A retry of the same feedback is not counted twice; a contradicting one is refused.
    assert _feedback(client, service, accepted).status_code == 200
    conflict = _feedback(client, service, {**accepted, "outcome": "overridden"})
    assert conflict.status_code == 409
    rows = query(
        service.audit,
        "SELECT f.outcome, f.ground, f.note FROM feedback f WHERE f.card_id IN (?, ?)"
        " ORDER BY f.outcome",
        adopted["uuid"],
        overridden["uuid"],
    )
    assert rows == [("accepted", None, None), ("overridden", "patient_request", "患者要求复查")]


@pytest.mark.parametrize(
    ("item", "status", "kind"),
    [
        ({"card": str(uuid.uuid4()), "outcome": "accepted"}, 404, "unknown-card"),
        ({"card": "x", "outcome": "maybe"}, 422, "invalid-request"),
    ],
)
def test_feedback_on_an_unknown_card_or_outcome_is_refused(
    client: Any, service: Service, item: dict[str, Any], status: int, kind: str
) -> None:
    answer = _feedback(client, service, item)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(kind)


def test_feedback_for_a_card_of_the_other_service_or_an_unoffered_ground_is_refused(
    client: Any, service: Service
) -> None:
    card = _card(client, service)
    other = _feedback(client, service, {"card": card["uuid"], "outcome": "accepted"}, name=SELECT)
    assert other.status_code == 404
    reason = {"reason": {"code": "bored"}}
    bad = _feedback(
        client, service, {"card": card["uuid"], "outcome": "overridden", "overrideReason": reason}
    )
    assert bad.status_code == 422
    assert bad.json()["type"].endswith("unknown-ground")


def test_every_card_shown_is_in_the_audit_with_its_decision_and_versions(
    client: Any, service: Service
) -> None:
    card = _card(client, service)
    (row,) = query(
        service.audit,
        "SELECT r.service_id, r.draft_order, r.outcome, r.catalogue_version, l.issuer,"
        " l.decision FROM reminders r JOIN lookups l ON l.id = r.lookup_id WHERE r.card_id = ?",
        card["uuid"],
    )
    assert row[:5] == (SIGN, "ServiceRequest/sr-k", "recognised", "2023-2024", "BJ001")
    assert '"item_code": "K"' in row[5]


def test_a_prior_recognised_with_caution_is_a_warning_the_doctor_decides(
    client: Any, service: Service
) -> None:
    critical = potassium(yesterday())
    critical["valueQuantity"] = {**critical["valueQuantity"], "value": 6.5}  # past 6.2: 危急值
    orders = drafts(order("sr-k", "2823-3", "血钾"))
    body = call("order-sign", orders, {"observations": searchset(critical, organization())})
    answer = _hook(client, service, SIGN, body, **{"Accept-Language": "en"})
    (card,) = answer.json()["cards"]
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Recognised with caution (you decide)")
    assert card["suggestions"][0]["isRecommended"] is False
    assert "value.critical" in card["detail"]


def test_a_prior_ct_study_covers_a_ct_order_at_a_beijing_receiver() -> None:
    # The Beijing imaging program's scope is Beijing: decided for BJ002 (the issuer of the
    # EHR's token names the receiver; here the hook is called in-process, without HTTP).
    from mutrec.service import ServiceConfig
    from mutrec.service._cds import hook
    from mutrec.service._state import start
    from tests.interop.fhir_cases import SCANNER, ct_study
    from tests.service.conftest import AT

    state = start(ServiceConfig(performers={"Organization/bj1": "BJ001"}, at=AT))
    study = ct_study(subject={"reference": "Patient/p-8842"})  # 64 rows, 2024-03-01, head
    orders = drafts(order("sr-ct", "CT-HEAD", "头颅CT平扫", system="https://his.example/orders"))
    body = call("order-sign", orders, {"studies": searchset(study, SCANNER, organization())})
    (card,) = hook(state, SIGN, body, receiver="BJ002", lang="zh", request_id="r")["cards"]
    assert card["summary"] == (
        "无需重复：头颅CT平扫已有示例北京市第一医院2024-03-01的结果可互认（有效至2024-03-31 10:00）"
    )
    assert "ImagingStudy/ct1" in card["detail"]
    # At TJ001 (Tianjin), the same study is outside the Beijing program's scope: no card.
    assert hook(state, SIGN, body, receiver="TJ001", lang="zh", request_id="r")["cards"] == []
