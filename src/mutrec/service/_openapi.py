"""The OpenAPI 3.1 document of the service, written by hand from mutrec's own JSON documents.

Hand-written rather than generated: the bodies are mutrec's documents (``mutrec check`` rows,
``mutrec.decision/3``, CDS Hooks 2.0 requests and cards), not Python classes a framework could
introspect, and generating them would mean restating each as a model. The route table and
this document are checked against each other by a test, and the live service against the
document by schemathesis.
"""

from __future__ import annotations

from typing import Any, Final

from mutrec._checkio import COLUMNS
from mutrec.policy import Severity, json_schema

__all__ = ["openapi"]

_TEXT: Final = {"type": "string"}
_NULLABLE_TEXT: Final = {"type": ["string", "null"]}
_FLAGS: Final = frozenset({"condition_changed", "rapid_change", "resuscitation"})
_LISTS: Final = frozenset({"purpose", "local_grounds"})
_NUMBERS: Final = frozenset({"value", "detector_rows", "field_strength_t"})


def _embedded(schema: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A shipped JSON Schema as OpenAPI components: its ``$defs`` become named components.

    The decision's own schema (``mutrec.policy.json_schema``) is the one source of its shape;
    its internal references are rewritten to point at the components.
    """

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    f"#/components/schemas/{prefix}{value.removeprefix('#/$defs/')}"
                    if key == "$ref" and isinstance(value, str)
                    else rewrite(value)
                )
                for key, value in node.items()
                if key not in {"$schema", "$id", "$defs"}
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    definitions = {f"{prefix}{name}": rewrite(d) for name, d in schema.get("$defs", {}).items()}
    return rewrite(schema), definitions


def _column(name: str) -> dict[str, Any]:
    if name in _FLAGS:
        return {"type": ["boolean", "string"]}
    if name in _LISTS:
        return {"type": ["string", "array"], "items": _TEXT}
    if name in _NUMBERS:
        return {"type": ["string", "number"]}
    return {"type": ["string", "number"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_PROBLEM: Final = {
    "description": "A problem document (RFC 9457)",
    "content": {"application/problem+json": {"schema": _ref("Problem")}},
}


def _problems(*statuses: int) -> dict[str, Any]:
    return {str(status): _PROBLEM for status in statuses}


def _post(summary: str, body: dict[str, Any], answer: dict[str, Any], *errors: int) -> Any:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": answer, **_problems(400, 413, 422, *errors)},
        }
    }


def _schemas() -> dict[str, Any]:
    finding = {
        "type": "object",
        "required": ["code", "severity", "data"],
        "properties": {
            "code": _TEXT,
            "severity": {"enum": [s.value for s in Severity]},
            "data": {"type": "object"},
        },
    }
    decision, definitions = _embedded(json_schema("decision"), "Decision_")
    row = {
        "type": "object",
        "description": "A result as a `mutrec check` JSON row (see `mutrec check --help`).",
        "properties": {name: _column(name) for name in sorted(COLUMNS)},
        "additionalProperties": False,
    }
    row_error = {
        "type": "object",
        "required": ["index", "error", "message"],
        "properties": {
            "index": {"type": "integer"},
            "result_id": _NULLABLE_TEXT,
            "error": _TEXT,
            "message": _TEXT,
            "field": _NULLABLE_TEXT,
        },
    }
    problem = {
        "type": "object",
        "required": ["type", "title", "status", "detail", "request_id"],
        "properties": {
            "type": _TEXT,
            "title": _TEXT,
            "status": {"type": "integer"},
            "detail": _TEXT,
            "request_id": _TEXT,
            "where": _TEXT,
        },
    }
    coding = {
        "type": "object",
        "properties": {"code": _TEXT, "system": _TEXT, "display": _TEXT},
    }
    card = {
        "type": "object",
        "required": ["uuid", "summary", "indicator", "source"],
        "properties": {
            "uuid": _TEXT,
            "summary": {"type": "string", "maxLength": 140},
            "detail": _TEXT,
            "indicator": {"enum": ["info", "warning", "critical"]},
            "source": {"type": "object"},
            "suggestions": {"type": "array", "items": {"type": "object"}},
            "selectionBehavior": _TEXT,
            "overrideReasons": {"type": "array", "items": coding},
        },
    }
    return {
        **definitions,
        "Finding": finding,
        "Decision": decision,
        "Row": row,
        "RowError": row_error,
        "Problem": problem,
        "Coding": coding,
        "Card": card,
    }


def _paths() -> dict[str, Any]:
    explained = {
        "type": "object",
        "required": ["decision", "explanation"],
        "properties": {"decision": _ref("Decision"), "explanation": _TEXT},
    }
    # Rows are read one by one: a bad row is a row error in the answer, not a refusal.
    batch_in = {
        "type": "object",
        "required": ["rows"],
        "properties": {
            "rows": {
                "type": "array",
                "items": {"type": "object", "description": "a Row; a bad one is a row error"},
            }
        },
    }
    batch_out = {
        "type": "object",
        "required": ["schema", "decisions", "errors"],
        "properties": {
            "schema": {"const": "mutrec.batch/1"},
            "decisions": {
                "type": "array",
                "items": {"oneOf": [_ref("Decision"), {"type": "null"}]},
            },
            "errors": {"type": "array", "items": _ref("RowError")},
        },
    }
    order_in = {
        "type": "object",
        "required": ["patient", "ordered"],
        "properties": {
            "patient": _TEXT,
            "ordered": {"type": "array", "items": _TEXT},
            "priors": {"type": "array", "items": _ref("Row")},
            "receiver": _TEXT,
            "at": _TEXT,
        },
    }
    line = {
        "type": "object",
        "required": ["ordered", "item_code", "recognised", "cautioned", "decision", "rejected"],
        "properties": {
            "ordered": _TEXT,
            "item_code": _NULLABLE_TEXT,
            "recognised": {"type": "boolean"},
            "cautioned": {"type": "boolean"},
            "decision": {"oneOf": [_ref("Decision"), {"type": "null"}]},
            "rejected": {"type": "array", "items": _ref("Decision")},
            "fee_saved": _TEXT,
            "bucket": _NULLABLE_TEXT,
        },
    }
    order_out = {
        "type": "object",
        "required": ["lines", "currency", "fee_saved", "fee_possible"],
        "properties": {
            "lines": {"type": "array", "items": line},
            "currency": _NULLABLE_TEXT,
            "fee_saved": _TEXT,
            "fee_possible": _TEXT,
        },
    }
    mark_in = {
        "type": "object",
        "required": ["program", "report"],
        "properties": {
            "program": _TEXT,
            "at": _TEXT,
            "report": {
                "type": "object",
                "required": ["id", "issuer", "patient", "results"],
                "properties": {
                    "id": _TEXT,
                    "issuer": _TEXT,
                    "patient": _TEXT,
                    "results": {"type": "array", "items": _ref("Row")},
                },
            },
        },
    }
    mark_out = {
        "type": "object",
        "required": ["program", "lines"],
        "properties": {
            "program": _TEXT,
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "item", "item_code", "form", "marked", "findings"],
                    "properties": {
                        "index": {"type": "integer"},
                        "item": _TEXT,
                        "item_code": _NULLABLE_TEXT,
                        "form": _NULLABLE_TEXT,
                        "marked": {"type": "boolean"},
                        "findings": {"type": "array", "items": _ref("Finding")},
                    },
                },
            },
        },
    }
    health = {
        "type": "object",
        "required": ["status", "region", "policy_version", "catalogues", "startup_seconds"],
        "properties": {
            "status": {"const": "ok"},
            "region": _TEXT,
            "policy_version": _TEXT,
            "catalogues": {"type": "object", "additionalProperties": _TEXT},
            "startup_seconds": {"type": "number"},
            "audit": {"type": "boolean"},
        },
    }
    hook_in = {
        "type": "object",
        "required": ["hook", "hookInstance", "context"],
        "properties": {
            "hook": {"enum": ["order-select", "order-sign"]},
            "hookInstance": _TEXT,
            "fhirServer": _TEXT,
            "context": {
                "type": "object",
                "required": ["patientId", "draftOrders"],
                "properties": {
                    "userId": _TEXT,
                    "patientId": _TEXT,
                    "encounterId": _TEXT,
                    "selections": {"type": "array", "items": _TEXT},
                    "draftOrders": {"type": "object"},
                },
            },
            "prefetch": {"type": "object"},
        },
    }
    hook_out = {
        "type": "object",
        "required": ["cards"],
        "properties": {
            "cards": {"type": "array", "items": _ref("Card")},
            "extension": {"type": "object"},
        },
    }
    feedback_in = {
        "type": "object",
        "required": ["feedback"],
        "properties": {
            "feedback": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["card", "outcome"],
                    "properties": {
                        "card": _TEXT,
                        "outcome": {"enum": ["accepted", "overridden"]},
                        "acceptedSuggestions": {"type": "array", "items": {"type": "object"}},
                        "overrideReason": {
                            "type": "object",
                            "properties": {"reason": _ref("Coding"), "userComment": _TEXT},
                        },
                        "outcomeTimestamp": _TEXT,
                    },
                },
            }
        },
    }
    service_id = {
        "name": "service_id",
        "in": "path",
        "required": True,
        "schema": {"enum": ["mutrec-order-select", "mutrec-order-sign"]},
    }
    discovery = {
        "type": "object",
        "required": ["services"],
        "properties": {"services": {"type": "array", "items": {"type": "object"}}},
    }
    recorded = {
        "type": "object",
        "required": ["recorded"],
        "properties": {"recorded": {"type": "integer"}},
    }
    get: dict[str, Any] = {"responses": {}}
    return {
        "/healthz": {"get": {**get, "summary": "Liveness and what is loaded",
                             "responses": {"200": _json(health, "Ready")}}},
        "/cds-services": {"get": {**get, "summary": "CDS Hooks discovery",
                                  "responses": {"200": _json(discovery, "The services")}}},
        "/cds-services/{service_id}": {
            "parameters": [service_id],
            **_post("Call a CDS service (order-select, order-sign)", hook_in,
                    _json(hook_out, "Cards"), 401, 404),
        },
        "/cds-services/{service_id}/feedback": {
            "parameters": [service_id],
            **_post("Feedback on cards shown", feedback_in, _json(recorded, "Recorded"),
                    401, 404, 409, 503),
        },
        "/v1/evaluate": _post("Decide one result", _ref("Row"), _json(explained, "The decision")),
        "/v1/evaluate/batch": _post("Decide many results", batch_in, _json(batch_out, "A batch")),
        "/v1/order-check": _post("Check an order", order_in, _json(order_out, "One line per item")),
        "/v1/mark": _post("Mark a report (互认标识)", mark_in,
                          _json(mark_out, "One line per result")),
    }  # fmt: skip


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service.

    >>> sorted(openapi()["paths"])[:2]
    ['/cds-services', '/cds-services/{service_id}']
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mutrec service",
            "version": "1",
            "description": "Mutual recognition of prior results (检查检验结果互认): CDS Hooks 2.0 "
            "and plain REST. Errors are RFC 9457 problem documents.",
        },
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }
