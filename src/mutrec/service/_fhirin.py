"""What a CDS Hooks request carries, read strictly: the draft orders and the prefetched results.

Every shape that is not what CDS Hooks 2.0 and FHIR R4 say is an :class:`HttpProblem` naming
the JSON path; results the FHIR reader cannot read are problems returned beside the cards,
never guesses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, NoReturn

import attrs

from mutrec.errors import MutrecError, Problem
from mutrec.interop import FhirReading, read_fhir
from mutrec.service._state import HttpProblem, ServiceState

__all__ = ["DraftOrder", "Priors", "draft_orders", "priors"]

_RESULT_TYPES: Final = frozenset({"Observation", "DiagnosticReport", "ImagingStudy", "Bundle"})
_SKIPPED: Final = frozenset({"Organization", "Specimen", "Device", "Patient", "Practitioner"})


@attrs.frozen
class DraftOrder:
    """One draft ServiceRequest: its reference and the name the order check looks up."""

    reference: str
    name: str
    label: str


@attrs.frozen
class Priors:
    """The prior results the prefetch held, the reference each came from, and the problems."""

    reading: FhirReading
    problems: tuple[Problem, ...]


def _shape(where: str, expected: str) -> NoReturn:
    raise HttpProblem(422, "invalid-fhir", f"{where}: expected {expected}", where=where)


def _too_many(detail: str, where: str) -> NoReturn:
    raise HttpProblem(413, "too-many", detail, where=where)


def _names(request: Mapping[str, Any]) -> list[str]:
    code = request.get("code")
    if not isinstance(code, Mapping):
        return []
    codings = code.get("coding")
    names = [
        coding["code"]
        for coding in (codings if isinstance(codings, list) else [])
        if isinstance(coding, Mapping) and isinstance(coding.get("code"), str)
    ]
    if isinstance(code.get("text"), str):
        names.append(code["text"])
    return [n for n in names if n.strip()]


def draft_orders(  # noqa: C901 (one refusal per malformed part, in order)
    state: ServiceState, context: Mapping[str, Any], at: datetime, *, select: bool
) -> list[DraftOrder]:
    """The draft ServiceRequests of ``context.draftOrders`` (the selected ones for order-select).

    Raises:
        HttpProblem: 422 when draftOrders is not a Bundle of resources, or holds too many.
    """
    bundle = context.get("draftOrders")
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        _shape("context.draftOrders", "a FHIR Bundle")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        _shape("context.draftOrders.entry", "a list")
    if len(entries) > state.config.max_batch:
        detail = f"{len(entries)} draft orders: at most {state.config.max_batch} are read"
        _too_many(detail, "context.draftOrders.entry")
    chosen: set[str] | None = None
    if select:
        selections = context.get("selections")
        if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
            _shape("context.selections", "a list of references such as ServiceRequest/1")
        chosen = set(selections)
    orders = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            _shape(f"context.draftOrders.entry[{index}].resource", "a FHIR resource")
        if resource["resourceType"] != "ServiceRequest":
            continue  # a MedicationRequest among the drafts: not mutrec's business
        ident = resource.get("id")
        if not isinstance(ident, str) or not ident.strip():
            _shape(f"context.draftOrders.entry[{index}].resource.id", "an id")
        reference = f"ServiceRequest/{ident}"
        if chosen is not None and reference not in chosen:
            continue
        names = _names(resource)
        if not names:
            _shape(f"context.draftOrders.entry[{index}].resource.code", "a coded test")
        # The first name that designates a catalogue item; else the first, which resolves to
        # none and so finds no prior (the order goes ahead).
        name = next((n for n in names if state.policy.item_code(n, at) is not None), names[0])
        orders.append(DraftOrder(reference, name, names[-1]))
    return orders


def _entries_of_interest(value: Mapping[str, Any]) -> int:
    entries = value.get("entry")
    return len(entries) if isinstance(entries, list) else 1


def priors(state: ServiceState, prefetch: object, source: str) -> Priors:
    """Read every prefetched resource or Bundle with the FHIR reader.

    Raises:
        HttpProblem: 422 when prefetch is not an object of resources; 413 when it holds more
            resources than the batch limit.
    """
    if prefetch is None:
        return Priors(FhirReading(), ())
    if not isinstance(prefetch, Mapping):
        _shape("prefetch", "an object of FHIR resources by key")
    reading = FhirReading()
    count = 0
    for key, value in prefetch.items():
        if value is None:
            continue  # the EHR could not prefetch it: no priors from there
        where = f"prefetch.{key}"
        if not isinstance(value, Mapping) or not isinstance(value.get("resourceType"), str):
            _shape(where, "a FHIR resource or Bundle, or null")
        kind = value["resourceType"]
        if kind in _SKIPPED:
            continue
        if kind not in _RESULT_TYPES:
            _shape(f"{where}.resourceType", "Observation, DiagnosticReport, ImagingStudy")
        count += _entries_of_interest(value)
        if count > state.config.max_batch:
            msg = f"more than {state.config.max_batch} prefetched resources"
            _too_many(msg, where)
        try:
            part = read_fhir(
                value, issuer=state.performers, default_zone=state.zone, source=f"{source}.{key}"
            )
        except MutrecError as error:
            _shape(where, f"readable FHIR ({error})")
        reading += part
    return Priors(reading, reading.problems)
