"""Plain REST against a running service, and every kind of bad input as a 4xx problem document."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.service.cases import call, drafts, order, organization, potassium, searchset, yesterday
from tests.service.conftest import Service, query

K_ROW = {
    "result_id": "lis-0042",
    "item": "K",
    "value": "4.1",
    "unit": "mmol/L",
    "specimen": "serum",
    "collected": "2024-03-01T08:00:00+08:00",
    "reported": "2024-03-01T11:00:00+08:00",
    "issuer": "BJ001",
    "patient": "p1",
}
SIGN = "mutrec-order-sign"


def _problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = answer.json()
    assert document["type"].endswith("/" + kind)
    assert document["status"] == status
    assert document["request_id"] == answer.headers["x-request-id"]
    assert "Traceback" not in answer.text
    return document


def test_healthz_says_what_is_loaded(client: Any) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["catalogues"]["京津冀鲁检验互认项目"] == "2025-2027"  # the newest cycle
    assert health["startup_seconds"] > 0


def test_evaluate_one_row_answers_the_decision_and_its_explanation(client: Any) -> None:
    answer = client.post("/v1/evaluate", json=K_ROW, headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    decision = body["decision"]
    assert decision["schema"] == "mutrec.decision/3"
    assert (decision["issuer_id"], decision["item_text"]) == ("BJ001", "K")
    assert decision["outcome"] == "recognised"
    assert decision["receiver_id"] == "TJ001"  # the service's receiver
    assert decision["evaluated_at"] == "2024-03-02T09:00:00+08:00"  # the service's instant
    assert decision["result_id"] == "lis-0042"
    assert body["explanation"].startswith("Outcome: recognised until 2024-03-08")


def test_evaluate_batch_keeps_bad_rows_as_row_errors(client: Any) -> None:
    rows = [K_ROW, {**K_ROW, "collected": "yesterday"}, {**K_ROW, "issuer": "XX999"}]
    answer = client.post("/v1/evaluate/batch", json={"rows": rows})
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    assert [d and d["outcome"] for d in batch["decisions"]] == [
        "recognised", None, "not_recognised",
    ]  # fmt: skip
    (error,) = batch["errors"]
    assert (error["index"], error["field"]) == (1, "collected")


def test_order_check_finds_the_prior_and_the_fee(client: Any) -> None:
    body = {"patient": "p1", "ordered": ["K", "Na"], "priors": [K_ROW]}
    answer = client.post("/v1/order-check", json=body)
    assert answer.status_code == 200, answer.text
    lines = answer.json()["lines"]
    assert [(line["item_code"], line["recognised"]) for line in lines] == [
        ("K", True),
        ("Na", False),
    ]
    assert answer.json()["currency"] == "CNY"


def test_mark_says_which_results_may_carry_the_mark(client: Any) -> None:
    report = {"id": "R1", "issuer": "BJ001", "patient": "p1", "results": [K_ROW]}
    answer = client.post("/v1/mark", json={"program": "京津冀鲁检验互认(示例)", "report": report})
    assert answer.status_code == 200, answer.text
    (line,) = answer.json()["lines"]
    assert line["item_code"] == "K"
    assert line["marked"] is (line["form"] is not None)


def test_every_evaluation_served_is_one_look_up_in_the_audit(client: Any, service: Service) -> None:
    before = query(service.audit, "SELECT count(*) FROM lookups WHERE channel = 'rest'")[0][0]
    client.post("/v1/evaluate", json=K_ROW)
    client.post("/v1/evaluate/batch", json={"rows": [K_ROW, K_ROW, {"item": "K"}]})
    after = query(service.audit, "SELECT count(*) FROM lookups WHERE channel = 'rest'")[0][0]
    assert after - before == 3


@pytest.mark.parametrize(
    ("path", "content", "status", "kind"),
    [
        ("/v1/evaluate", b"{not json", 400, "invalid-json"),
        ("/v1/evaluate", b'{"value": NaN}', 400, "invalid-json"),
        ("/v1/evaluate", b"\xff\xfe", 400, "invalid-json"),
        ("/v1/evaluate", b"[1, 2]", 422, "invalid-request"),
        ("/v1/evaluate", b'{"item": "K"}', 422, "invalid-result"),
        ("/v1/evaluate", b'{"item": "K", "colour": "red"}', 422, "invalid-result"),
        ("/v1/evaluate/batch", b'{"rows": {}}', 422, "invalid-request"),
        ("/v1/order-check", b'{"patient": "p1", "ordered": "K"}', 422, "invalid-request"),
        ("/v1/mark", b'{"program": "nope", "report": {}}', 422, "unknown-program"),
        ("/v1/nothing-here", b"{}", 404, "not-found"),
    ],
)
def test_malformed_input_is_a_problem_document(
    client: Any, path: str, content: bytes, status: int, kind: str
) -> None:
    answer = client.post(path, content=content, headers={"Content-Type": "application/json"})
    _problem(answer, status, kind)


def test_a_get_where_only_post_is_served_is_a_problem(client: Any) -> None:
    _problem(client.get("/v1/evaluate"), 405, "method-not-allowed")


def test_oversize_bodies_and_batches_are_refused(client: Any) -> None:
    _problem(client.post("/v1/evaluate", content=b" " * 300_000), 413, "too-large")
    _problem(client.post("/v1/evaluate/batch", json={"rows": [K_ROW] * 101}), 413, "too-many")

    def chunks() -> Any:  # no Content-Length: the limit holds while streaming
        for _ in range(30):
            yield b" " * 10_000

    _problem(client.post("/v1/evaluate", content=chunks()), 413, "too-large")


def _k_sign() -> dict[str, Any]:
    prefetch = {"observations": searchset(potassium(yesterday()), organization())}
    return call("order-sign", drafts(order("sr-k", "2823-3", "血钾")), prefetch)


@pytest.mark.parametrize(
    "body",
    [
        {"hook": "order-select", "hookInstance": "x", "context": {}},  # the wrong hook
        {"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "p"}},
        {"hook": "order-sign", "hookInstance": "x",
         "context": {"patientId": "p", "draftOrders": {"resourceType": "Patient"}}},
        {"hook": "order-sign", "hookInstance": "x",
         "context": {"patientId": "p", "draftOrders": {"resourceType": "Bundle", "entry": [1]}}},
        {**_k_sign(), "prefetch": {"observations": {"resourceType": "Medication"}}},
        {**_k_sign(), "prefetch": {"observations": [1, 2]}},
        {**_k_sign(), "prefetch": "Observation?patient=p"},
    ],
    ids=["wrong-hook", "no-draft-orders", "orders-not-bundle", "entry-not-resource",
         "prefetch-wrong-type", "prefetch-list", "prefetch-text"],
)  # fmt: skip
def test_wrong_cds_or_fhir_shapes_are_422(client: Any, service: Service, body: Any) -> None:
    answer = client.post(f"/cds-services/{SIGN}", json=body, headers=service.headers(SIGN))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_too_many_prefetched_resources_are_refused(client: Any, service: Service) -> None:
    many = searchset(*[potassium(yesterday(), ident=f"k{i}") for i in range(101)])
    body = {**_k_sign(), "prefetch": {"observations": many}}
    answer = client.post(f"/cds-services/{SIGN}", json=body, headers=service.headers(SIGN))
    _problem(answer, 413, "too-many")


def _none_token(service: Service) -> str:
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"iss": "https://ehr.tj001.example", "aud": f"{service.url}/cds-services/{SIGN}",
              "exp": int(time.time()) + 300, "iat": int(time.time()), "jti": "1"}  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        "unsigned",
        "expired",
        "wrong-audience",
        "unknown-issuer",
        "other-key",
        "hmac",
        "no-jti",
    ],
)
def test_bad_tokens_are_401(client: Any, service: Service, authorization: str | None) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    made = {
        "unsigned": lambda: f"Bearer {_none_token(service)}",
        "expired": lambda: "Bearer " + service.token(SIGN, exp=int(time.time()) - 120),
        "wrong-audience": lambda: "Bearer " + service.token(SIGN, aud="https://other.example"),
        "unknown-issuer": lambda: "Bearer " + service.token(SIGN, iss="https://evil.example"),
        "other-key": lambda: "Bearer " + jwt.encode(
            {"iss": "https://ehr.tj001.example", "aud": f"{service.url}/cds-services/{SIGN}",
             "exp": int(time.time()) + 60, "iat": int(time.time()), "jti": "x"},
            ec.generate_private_key(ec.SECP384R1()), algorithm="ES384",
        ),
        "hmac": lambda: "Bearer " + jwt.encode(
            {"iss": "https://ehr.tj001.example", "aud": f"{service.url}/cds-services/{SIGN}",
             "exp": int(time.time()) + 60, "iat": int(time.time()), "jti": "x"},
            "a-shared-secret-of-at-least-32-bytes!!", algorithm="HS256",
        ),
        "no-jti": lambda: "Bearer " + service.token(SIGN, jti=None),
    }  # fmt: skip
    header = made[authorization]() if authorization in made else authorization
    headers = {} if header is None else {"Authorization": header}
    answer = client.post(f"/cds-services/{SIGN}", json=_k_sign(), headers=headers)
    document = _problem(answer, 401, "invalid-token")
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert document["detail"]


def test_logs_carry_request_ids_and_no_patient_identifiers(client: Any, service: Service) -> None:
    if service.log is None:
        pytest.skip("the live process's log file is read")
    answer = client.post("/v1/evaluate", json={**K_ROW, "patient": "患者-330102199001011234"})
    assert answer.status_code == 200
    rid = answer.headers["x-request-id"]
    client.post(f"/cds-services/{SIGN}", json=_k_sign(), headers=service.headers(SIGN))
    deadline = time.monotonic() + 5
    while rid not in service.log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.05)
    log = service.log.read_text(encoding="utf-8")
    assert rid in log
    for secret in ("330102199001011234", "p-8842", "Patient/"):
        assert secret not in log


def test_a_token_is_good_for_one_call(client: Any, service: Service) -> None:
    headers = service.headers(SIGN)
    first = client.post(f"/cds-services/{SIGN}", json=_k_sign(), headers=headers)
    assert first.status_code == 200
    again = client.post(f"/cds-services/{SIGN}", json=_k_sign(), headers=headers)
    assert "used before" in _problem(again, 401, "invalid-token")["detail"]
