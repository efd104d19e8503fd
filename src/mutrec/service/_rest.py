"""Plain REST: evaluate one result or a batch, check an order, mark a report.

Results come in as ``mutrec check`` JSON rows (see :mod:`mutrec._checkio`); decisions go out
in their JSON form (``mutrec.decision/3``), batches as ``mutrec.batch/1``. A row that cannot
be read is a 422 problem naming the field (a batch keeps it as a row error instead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from mutrec._checkio import Defaults, parse_rows
from mutrec.errors import MutrecError
from mutrec.model import Report
from mutrec.policy import ClinicalContext, Decision, OrderLine, Request, RowError
from mutrec.service._state import HttpProblem, ServiceState
from mutrec.service._store import Lookup

__all__ = ["evaluate", "evaluate_batch", "mark", "order_check"]


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HttpProblem(422, "invalid-request", f"{where}: expected a JSON object", where=where)
    return value


def _rows(state: ServiceState, value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise HttpProblem(422, "invalid-request", f"{where}: expected a list", where=where)
    if len(value) > state.config.max_batch:
        msg = f"{where}: {len(value)} rows; at most {state.config.max_batch} per request"
        raise HttpProblem(413, "too-many", msg, where=where)
    for index, row in enumerate(value):
        _object(row, f"{where}[{index}]")
    return value


def _defaults(state: ServiceState, receiver: object = None, at: object = None) -> Defaults:
    return Defaults(
        receiver=receiver if isinstance(receiver, str) else state.config.receiver,
        at=at if isinstance(at, str) else state.now().isoformat(),
    )


def _refuse(error: RowError, where: str) -> HttpProblem:
    field = error.field or "$"
    return HttpProblem(422, "invalid-result", error.message, where=f"{where}.{field}")


def _request(state: ServiceState, row: Mapping[str, Any], where: str) -> Request:
    (parsed,) = parse_rows([row], _defaults(state))
    if isinstance(parsed, RowError):
        raise _refuse(parsed, where)
    return parsed


def _explained(state: ServiceState, decision: Decision, lang: str) -> dict[str, Any]:
    return {
        "decision": decision.to_dict(),
        "explanation": state.policy.explain(decision, lang),  # type: ignore[arg-type]
    }


def _record(state: ServiceState, request_id: str, channel: str, lookups: Sequence[Lookup]) -> None:
    if state.store is not None and lookups:
        state.store.record(request_id, state.now().isoformat(), channel, lookups)


def evaluate(state: ServiceState, body: object, *, lang: str, request_id: str) -> dict[str, Any]:
    """Decide one result (a ``mutrec check`` JSON row); answer the decision and its text.

    Raises:
        HttpProblem: 422 when the row cannot be read or decided.
    """
    request = _request(state, _object(body, "$"), "$")
    batch = state.policy.evaluate_many([request])
    if batch.errors:
        raise _refuse(batch.errors[0], "$")
    (decision,) = batch.decisions
    assert decision is not None  # noqa: S101 (no error: decided)
    _record(state, request_id, "rest", [Lookup(decision, request.result.issuer)])
    return _explained(state, decision, lang)


def evaluate_batch(state: ServiceState, body: object, *, request_id: str) -> dict[str, Any]:
    """Decide every row of ``{"rows": [...]}``; a bad row is a row error, not a refusal.

    Raises:
        HttpProblem: 422 when the body is not an object with a list of rows; 413 over the limit.
    """
    rows = _rows(state, _object(body, "$").get("rows"), "rows")
    parsed = list(parse_rows(rows, _defaults(state)))
    requests = [p for p in parsed if isinstance(p, Request)]
    batch = state.policy.evaluate_many(requests)
    decided = iter(zip(requests, batch.decisions, strict=True))
    decisions: list[dict[str, Any] | None] = []
    errors: list[dict[str, Any]] = []
    lookups = []
    evaluated = {e.index: e for e in batch.errors}
    done = 0
    for index, item in enumerate(parsed):
        if isinstance(item, RowError):
            decisions.append(None)
            errors.append({**item.to_dict(), "index": index})
            continue
        request, decision = next(decided)
        if decision is None:
            error = evaluated[done]
            decisions.append(None)
            errors.append({**error.to_dict(), "index": index})
        else:
            decisions.append(decision.to_dict())
            lookups.append(Lookup(decision, request.result.issuer))
        done += 1
    _record(state, request_id, "rest", lookups)
    return {"schema": "mutrec.batch/1", "decisions": decisions, "errors": errors}


def _line(line: OrderLine) -> dict[str, Any]:
    return {
        "ordered": line.ordered,
        "item_code": line.item_code,
        "recognised": line.recognised,
        "cautioned": line.cautioned,
        "decision": None if line.decision is None else line.decision.to_dict(),
        "rejected": [d.to_dict() for d in line.rejected],
        "fee_saved": str(line.fee_saved),
        "bucket": None if line.bucket is None else str(line.bucket.value),
    }


def order_check(state: ServiceState, body: object, *, request_id: str) -> dict[str, Any]:
    """Check an order: ``{"patient", "ordered": [names], "priors": [rows], "receiver"?, "at"?}``.

    Raises:
        HttpProblem: 422 when a part is missing or a prior cannot be read.
    """
    request = _object(body, "$")
    patient = request.get("patient")
    if not isinstance(patient, str) or not patient.strip():
        raise HttpProblem(422, "invalid-request", "patient: expected text", where="patient")
    ordered = request.get("ordered")
    if not isinstance(ordered, list) or not all(isinstance(o, str) for o in ordered):
        raise HttpProblem(422, "invalid-request", "ordered: expected a list of item names")
    if len(ordered) > state.config.max_batch:
        raise HttpProblem(413, "too-many", f"at most {state.config.max_batch} ordered items")
    defaults = _defaults(state, request.get("receiver"), request.get("at"))
    results = []
    for index, item in enumerate(parse_rows(_rows(state, request.get("priors", []), "priors"),
                                            defaults)):  # fmt: skip
        if isinstance(item, RowError):
            raise _refuse(item, f"priors[{index}]")
        results.append(item.result)
    if defaults.receiver is None:
        raise HttpProblem(422, "no-receiver", "receiver: required (no default is configured)")
    try:
        check = state.policy.check_order(
            ordered,
            results,
            receiver=defaults.receiver,
            at=_request_at(defaults),
            context=ClinicalContext(patient=patient),
        )
    except MutrecError as error:
        raise HttpProblem(422, "invalid-request", str(error)) from None
    lookups = [
        Lookup(d, line.result.issuer if d is line.decision and line.result else None)
        for line in check.lines
        for d in (*((line.decision,) if line.decision else ()), *line.rejected)
    ]
    _record(state, request_id, "order", lookups)
    return {
        "lines": [_line(line) for line in check.lines],
        "currency": check.currency,
        "fee_saved": str(check.fee_saved),
        "fee_possible": str(check.fee_possible),
    }


def _request_at(defaults: Defaults) -> datetime:
    try:
        at = datetime.fromisoformat(defaults.at or "")
    except ValueError:
        raise HttpProblem(422, "invalid-request", "at: not an ISO-8601 instant") from None
    if at.tzinfo is None:
        raise HttpProblem(422, "invalid-request", "at: needs an offset, such as +08:00")
    return at


def mark(state: ServiceState, body: object) -> dict[str, Any]:
    """Say which results of a report may carry a program's mark (互认标识).

    Body: ``{"program", "at"?, "report": {"id", "issuer", "patient", "results": [rows]}}``.

    Raises:
        HttpProblem: 404 for an unknown program; 422 for a malformed report.
    """
    request = _object(body, "$")
    program = request.get("program")
    if not isinstance(program, str) or program not in state.policy.programs:
        msg = f"program: expected one of {', '.join(state.policy.programs)}"
        raise HttpProblem(422, "unknown-program", msg, where="program")
    report = _object(request.get("report"), "report")
    defaults = _defaults(state, report.get("issuer"), request.get("at"))
    at = _request_at(defaults)
    rows = _rows(state, report.get("results"), "report.results")
    results = []
    for index, item in enumerate(parse_rows(rows, defaults)):
        if isinstance(item, RowError):
            raise _refuse(item, f"report.results[{index}]")
        results.append(item.result)
    try:
        built = Report(
            report.get("id"),  # type: ignore[arg-type]
            report.get("issuer"),  # type: ignore[arg-type]
            report.get("patient"),  # type: ignore[arg-type]
            results,
        )
        lines = state.policy.mark(built, program, at)
    except MutrecError as error:
        raise HttpProblem(422, "invalid-request", str(error), where="report") from None
    return {
        "program": program,
        "lines": [
            {
                "index": line.index,
                "item": line.item,
                "item_code": line.item_code,
                "form": line.form,
                "marked": line.marked,
                "findings": [
                    {"code": f.code, "severity": f.severity.value, "data": dict(f.data)}
                    for f in line.findings
                ],
            }
            for line in lines
        ],
    }
