"""FHIR R4 in and out: results read from Observations, reports and studies; decisions written.

:func:`read_fhir` reads FHIR R4 (and R4B) JSON, parsed or as text, without any FHIR library:
Observation, DiagnosticReport (with contained, referenced or bundled Observations, which take
the report's times, subject, performer and specimen where their own are absent), ImagingStudy
(with the Device its series' performer references) and Bundles (collection, searchset,
transaction, batch). Every Observation, report and study is either a result or a
:class:`~mutrec.errors.Problem` saying where and why; nothing is skipped in silence and
nothing is guessed:

- ``code`` → the item: a local or national coding's code (a LIS code, WS/T 886), else
  ``code.text``, else a LOINC or SNOMED display; the LOINC code goes to ``loinc`` so the
  policy resolves by code, LOINC, name or the issuer's crosswalk;
- ``effective[x]`` → collected (a Period's start), ``issued`` → reported; a date alone or a
  time without an offset only in the ``default_zone`` the caller names;
- ``performer`` → issuer through the caller's resolver (:func:`issuer_table`); ``subject``
  → patient (the reference as sent);
- ``valueQuantity`` → a measured (or, with a comparator, censored) value, its unit read from
  the UCUM ``system``/``code`` or else from the unit text, strictly (a unit text naming another
  unit than the code is refused); ``valueString`` and
  ``valueCodeableConcept`` → qualitative; ``dataAbsentReason`` → a problem;
- ``referenceRange`` → the one normal range printed (``low``/``high`` or text like
  ``3.5-5.3``, in the value's unit, as HL7's OBX-7); text contradicting the bounds is refused;
  ranges split by ``appliesTo`` or ``age`` are not chosen for the patient;
- ``status``: final, amended and corrected are read; anything else is refused with the reason;
- elements only FHIR R5 has (``Observation.triggeredBy``, ``ImagingStudy.procedure`` …) are
  refused: they mean the sender speaks R5.

:func:`decision_to_fhir` writes a decision as a FHIR R4 ``DetectedIssue`` that implicates the
prior result; :func:`reason_code_system` publishes the reason codes as a ``CodeSystem``.
:func:`validate_r4b` checks a resource against the R4B models of ``fhir.resources`` (the
``fhir`` extra).

>>> from zoneinfo import ZoneInfo
>>> observation = {
...     "resourceType": "Observation", "id": "k1", "status": "final",
...     "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "text": "钾"},
...     "subject": {"reference": "Patient/p1"},
...     "performer": [{"reference": "Organization/bj1"}],
...     "effectiveDateTime": "2024-03-01T08:00:00+08:00",
...     "issued": "2024-03-01T11:00:00+08:00",
...     "valueQuantity": {"value": 4.1, "system": "http://unitsofmeasure.org", "code": "mmol/L"},
... }
>>> reading = read_fhir(observation, issuer=issuer_table({"Organization/bj1": "BJ001"}))
>>> result = reading.results[0]
>>> result.item, result.loinc, result.issuer, str(result.value.unit), reading.references
('钾', '2823-3', 'BJ001', 'mmol/L', ('Observation/k1',))
>>> print(read_fhir({**observation, "status": "preliminary"}).problems[0])
FHIR: status: Observation 'k1' has status 'preliminary': only final, amended, corrected ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from mutrec._checks import require
from mutrec.errors import ArgumentError, Problem
from mutrec.interop._args import check_issuer, check_zone
from mutrec.interop._fhir_doc import Resolver
from mutrec.interop._fhir_out import (
    FHIR_BASE,
    OUTCOME_SYSTEM,
    REASON_SYSTEM,
    decision_to_fhir,
    reason_code_system,
)
from mutrec.interop._fhir_read import FhirReading, read_document
from mutrec.interop._fhir_strict import validate

__all__ = [
    "FHIR_BASE",
    "OUTCOME_SYSTEM",
    "REASON_SYSTEM",
    "FhirReading",
    "Resolver",
    "decision_to_fhir",
    "issuer_table",
    "read_fhir",
    "reason_code_system",
    "validate_r4b",
]


def read_fhir(
    data: Mapping[str, Any] | str | bytes,
    *,
    issuer: Resolver | Mapping[str, str] | None = None,
    default_zone: tzinfo | None = None,
    source: str = "FHIR",
    strict: bool = False,
) -> FhirReading:
    """Read the results in a FHIR R4 resource or Bundle (parsed JSON, or its text or bytes).

    Args:
        data: An Observation, DiagnosticReport, ImagingStudy or Bundle, as a dict from
            ``json.loads`` or as JSON text (UTF-8 bytes).
        issuer: Maps a performer to the issuing institution's id. It is called with the
            resource the performer references when the document holds it (an Organization),
            else with the Reference itself, and returns the id or ``None``. A mapping is read
            as :func:`issuer_table` reads it. Without one, no result can name its issuer: each
            is a problem.
            What the resolver raises is not caught: it is the caller's code, not the input.
        default_zone: The zone in which a date alone (start of that day) or a time without an
            offset is read; ``None`` refuses them.
        source: How problems name the input (a file name, a message id).
        strict: Also validate each resource against the R4B models of ``fhir.resources``
            (the ``fhir`` extra); a resource they refuse is a problem, not a result.

    Returns:
        The results in input order, the reference each came from, and one problem per
        resource (or element) not read.

    Raises:
        ArgumentError: *data* is neither a mapping nor text, or an option has the wrong type.
        mutrec.errors.MissingDependencyError: *strict* without ``fhir.resources`` installed.

    >>> reading = read_fhir('{"resourceType": "Patient"}', source="msg-1")
    >>> print(reading.problems[0])
    msg-1: $: 'Patient': mutrec reads Observation, DiagnosticReport, ImagingStudy, Bundle ...
    """
    if not isinstance(data, (Mapping, str, bytes)):
        arg = "data"
        raise ArgumentError(arg, data, "a FHIR resource: a dict, or its JSON text or bytes")
    check_issuer(issuer, "performer")
    check_zone(default_zone)
    if isinstance(issuer, Mapping):
        issuer = issuer_table(issuer)
    require("source", source, str)
    require("strict", strict, bool)
    return read_document(data, source, issuer, default_zone, validator=validate if strict else None)


def issuer_table(table: Mapping[str, str]) -> Resolver:
    """An issuer resolver from a table of references and identifiers to institution ids.

    A key is a reference (``Organization/f001``, a ``fullUrl``) or an identifier token
    ``system|value``. A performer matches by its reference, by the ``Type/id`` of the resource
    it references, or by any of its identifiers; two matches naming different institutions
    resolve to none (``None``), never to the first.

    Raises:
        ArgumentError: *table* is not a mapping of text to text.

    >>> resolve = issuer_table({"https://hospitals.example/id|110102001": "BJ001"})
    >>> resolve({"resourceType": "Organization", "id": "x",
    ...          "identifier": [{"system": "https://hospitals.example/id", "value": "110102001"}]})
    'BJ001'
    >>> resolve({"reference": "Practitioner/f005"}) is None
    True
    """
    given: object = table  # typed, but callers outside mypy pass anything
    if not isinstance(given, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in given.items()
    ):
        arg = "table"
        raise ArgumentError(arg, table, "a mapping of references or 'system|value' to ids")
    known = dict(table)

    def resolve(performer: Mapping[str, Any]) -> str | None:
        keys: list[object] = [performer.get("reference")]
        kind, name = performer.get("resourceType"), performer.get("id")
        if isinstance(kind, str) and isinstance(name, str):
            keys.append(f"{kind}/{name}")
        idents = performer.get("identifier")
        for ident in idents if isinstance(idents, list) else [idents]:
            if isinstance(ident, Mapping):
                system, value = ident.get("system"), ident.get("value")
                if isinstance(system, str) and isinstance(value, str):
                    keys.append(f"{system}|{value}")
        found = {known[key] for key in keys if isinstance(key, str) and key in known}
        return found.pop() if len(found) == 1 else None

    return resolve


def validate_r4b(resource: Mapping[str, Any], *, source: str = "FHIR") -> tuple[Problem, ...]:
    """The problems the FHIR R4B models of ``fhir.resources`` find in *resource* (none: valid).

    Raises:
        mutrec.errors.MissingDependencyError: ``fhir.resources`` is not installed
            (``pip install mutrec[fhir]``).
        ArgumentError: *resource* is not a mapping.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import Decision, Outcome
    >>> d = Decision(Outcome.NOT_RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC),
    ...              "Observation/f001", "TJ001", None, None, "1")
    >>> validate_r4b(decision_to_fhir(d))
    ()
    >>> validate_r4b({"resourceType": "DetectedIssue"})[0].message
    "R4B: Value for the field 'status' is required."
    """
    require("resource", resource, Mapping, "a FHIR resource as a dict")
    require("source", source, str)
    return validate(resource, source, "")
