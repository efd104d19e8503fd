"""CDS Hooks requests: draft orders and prefetched FHIR R4 results, built or read from tests/data.

The hand-built potassium result maps to the example region's item K (LOINC 2823-3) at BJ001,
as docs/how-to/feed-from-fhir.md shows; its times are relative to now, because the service
decides at the moment of the call (as an EHR's order entry does).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import DATA
from tests.service.conftest import AT

EXAMPLES = DATA / "fhir-r4-examples"
UCUM = "http://unitsofmeasure.org"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def potassium(collected: datetime, *, patient: str = "p-8842", ident: str = "k") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "text": "钾"},
        "subject": {"reference": f"Patient/{patient}"},
        "performer": [{"reference": "Organization/bj1"}],
        "effectiveDateTime": collected.isoformat(),
        "issued": (collected + timedelta(hours=3)).isoformat(),
        "specimen": {"reference": "#s"},
        "contained": [{"resourceType": "Specimen", "id": "s", "type": {"text": "血清"}}],
        "valueQuantity": {"value": 4.1, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"},
        "referenceRange": [{"text": "3.5-5.3"}],
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": resource} for resource in resources],
    }


def organization() -> dict[str, Any]:
    return {"resourceType": "Organization", "id": "bj1", "name": "示例北京市第一医院"}


def order(ident: str, code: str, text: str, system: str = "http://loinc.org") -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": ident,
        "status": "draft",
        "intent": "proposal",
        "code": {"coding": [{"system": system, "code": code}], "text": text},
        "subject": {"reference": "Patient/p-8842"},
    }


def drafts(*orders: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": o} for o in orders],
    }


def call(
    hook: str,
    orders: dict[str, Any],
    prefetch: dict[str, Any] | None,
    *,
    patient: str = "p-8842",
    selections: list[str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/d1",
        "patientId": patient,
        "draftOrders": orders,
    }
    if hook == "order-select":
        context["selections"] = (
            selections
            if selections is not None
            else [f"ServiceRequest/{entry['resource']['id']}" for entry in orders["entry"]]
        )
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def yesterday() -> datetime:
    """The day before the instant the test service decides at."""
    return AT - timedelta(days=1)
