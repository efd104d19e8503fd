"""A decision as a FHIR R4 DetectedIssue; mutrec's reason codes as a FHIR CodeSystem."""

from __future__ import annotations

import html
import re
from typing import Any, Final

from mutrec._checks import require
from mutrec.errors import ArgumentError
from mutrec.policy import Decision, Outcome, Reasons, default_reasons

__all__ = [
    "FHIR_BASE",
    "OUTCOME_SYSTEM",
    "REASON_SYSTEM",
    "decision_to_fhir",
    "reason_code_system",
]

FHIR_BASE: Final = "https://mutrec.readthedocs.io/fhir"
"""The one root of every canonical URL mutrec's FHIR output uses (code systems, extensions)."""
REASON_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/reason"
"""The canonical URL of mutrec's reason codes (``window.expired`` …) as a FHIR CodeSystem."""
OUTCOME_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/outcome"
"""The canonical URL of the three outcomes (``recognised`` …), a DetectedIssue's ``code``."""
_EXTENSION: Final = f"{FHIR_BASE}/StructureDefinition/"
_TRANSLATION: Final = "http://hl7.org/fhir/StructureDefinition/translation"
_UCUM: Final = "http://unitsofmeasure.org"
_OUTCOME_WORDS: Final = {
    Outcome.RECOGNISED: ("Recognised", "可以互认"),
    Outcome.RECOGNISED_WITH_CAUTION: ("Recognised with caution", "可以互认但需谨慎"),
    Outcome.NOT_RECOGNISED: ("Not recognised", "不予互认"),
}
_XHTML: Final = "http://www.w3.org/1999/xhtml"


def _translated(zh: str, en: str) -> tuple[str, dict[str, Any]]:
    """Chinese text and the ``_element`` carrying its English translation (FHIR extension)."""
    translation = {
        "url": _TRANSLATION,
        "extension": [
            {"url": "lang", "valueCode": "en"},
            {"url": "content", "valueString": en},
        ],
    }
    return zh, {"extension": [translation]}


def _narrative(zh: str, en: str) -> dict[str, str]:
    def paragraphs(words: str, lang: str) -> str:
        lines = "".join(f"<p>{html.escape(line)}</p>" for line in words.splitlines() if line)
        return f'<div lang="{lang}">{lines}</div>'

    div = f'<div xmlns="{_XHTML}">{paragraphs(zh, "zh")}{paragraphs(en, "en")}</div>'
    return {"status": "generated", "div": div}


def decision_to_fhir(
    decision: Decision,
    *,
    implicated: str | None = None,
    patient: str | None = None,
    reasons: Reasons | None = None,
) -> dict[str, Any]:
    """A decision as a FHIR R4 ``DetectedIssue`` (plain JSON-ready dict).

    Why a DetectedIssue and not a GuidanceResponse: a DetectedIssue is the record of an issue
    with a proposed clinical action (here: repeating a test whose prior result exists) and
    *implicates* the prior result directly (``implicated``: any resource), with the evidence
    (each reason code) and a detail text; EHR duplicate-order checks already file and show
    them. A GuidanceResponse answers a call of a knowledge module (its ``module`` is
    required), has no element that references the result being judged (``reasonReference``
    says why the request was made), and carries its output as parameters or a RequestGroup.

    The resource holds: ``code`` the outcome (:data:`~mutrec.interop.OUTCOME_SYSTEM`); one
    ``evidence`` per finding, coded in mutrec's reason CodeSystem
    (:data:`~mutrec.interop.REASON_SYSTEM`, English display, Chinese text); ``detail`` the
    explanation in Chinese with its English translation
    (the FHIR ``translation`` extension) and a narrative in both; ``identifiedDateTime`` the
    evaluation instant; extensions for the expiry (``recognised-until``), the receiver, the
    program, the catalogue and policy versions, the item and its value. ``severity`` is left
    out: the outcome says what mutrec recommends, and the receiving doctor decides.

    Args:
        decision: The decision.
        implicated: The reference of the prior result (``Observation/f001``); defaults to
            the decision's ``result_id`` (pass the reference as ``result_id=`` when evaluating).
        patient: The patient reference (``Patient/f001``), if it is to be named.
        reasons: The reason registry texts are read from (``policy.reasons`` for vendor rules).

    Raises:
        ArgumentError: *decision* is not a :class:`~mutrec.policy.Decision`, or a reference is
            not text.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import Decision, Outcome
    >>> d = Decision(Outcome.RECOGNISED, (), datetime(2024, 3, 8, tzinfo=UTC),
    ...              datetime(2024, 3, 1, tzinfo=UTC), "Observation/f001", "TJ001", "p", "1", "1")
    >>> issue = decision_to_fhir(d)
    >>> issue["resourceType"], issue["implicated"], issue["code"]["coding"][0]["code"]
    ('DetectedIssue', [{'reference': 'Observation/f001'}], 'recognised')
    """
    require("decision", decision, Decision)
    for name, value in (("implicated", implicated), ("patient", patient)):
        given: object = value  # typed, but callers outside mypy pass anything
        if given is not None and (not isinstance(given, str) or not given.strip()):
            raise ArgumentError(name, value, "a reference such as 'Observation/f001', or None")
    book = default_reasons() if reasons is None else reasons
    require("reasons", book, Reasons, "a Reasons registry (policy.reasons) or None")
    zh, en = decision.explain("zh", book), decision.explain("en", book)
    detail, detail_ext = _translated(zh, en)
    en_word, zh_word = _OUTCOME_WORDS[decision.outcome]
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "language": "zh-CN",
        "text": _narrative(zh, en),
        "extension": _extensions(decision),
        "status": "final",
        "code": {
            "coding": [
                {"system": OUTCOME_SYSTEM, "code": decision.outcome.value, "display": en_word}
            ],
            "text": zh_word,
        },
    }
    if patient is not None:
        issue["patient"] = {"reference": patient}
    issue["identifiedDateTime"] = decision.evaluated_at.isoformat()
    issue["author"] = {"display": f"mutrec (policy {decision.policy_version})"}
    target = implicated if implicated is not None else decision.result_id
    if target:
        issue["implicated"] = [{"reference": target}]
    if decision.findings:
        issue["evidence"] = [
            {
                "code": [
                    {
                        "coding": [
                            {
                                "system": REASON_SYSTEM,
                                "code": f.code,
                                "display": book.explain(f, "en"),
                            }
                        ],
                        "text": book.explain(f, "zh"),
                    }
                ]
            }
            for f in decision.findings
        ]
    issue["detail"] = detail
    issue["_detail"] = detail_ext
    return issue


def _extensions(decision: Decision) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if decision.expires_at is not None:
        found.append(
            {
                "url": _EXTENSION + "recognised-until",
                "valueDateTime": decision.expires_at.isoformat(),
            }
        )
    for name, value in (
        ("receiver", decision.receiver_id),
        ("program", decision.program_id),
        ("catalogue-version", decision.catalogue_version),
        ("policy-version", decision.policy_version),
        ("item", decision.item_code),
    ):
        if value:
            found.append({"url": _EXTENSION + name, "valueString": value})
    if decision.value is not None and decision.unit is not None:
        quantity = {"value": decision.value, "system": _UCUM, "code": decision.unit}
        found.append({"url": _EXTENSION + "value", "valueQuantity": quantity})
    return found


_PLACEHOLDER: Final = re.compile(r"\{[^{}]*\}")


def reason_code_system(reasons: Reasons | None = None) -> dict[str, Any]:
    """Mutrec's reason codes as a FHIR R4 ``CodeSystem`` (English display, Chinese designation).

    Placeholders of the explanation templates (``{window}``) show as ``…``.

    >>> cs = reason_code_system()
    >>> cs["url"] == REASON_SYSTEM, cs["content"]
    (True, 'complete')
    >>> any(c["code"] == "window.expired" for c in cs["concept"])
    True
    """
    book = default_reasons() if reasons is None else reasons
    require("reasons", book, Reasons, "a Reasons registry (policy.reasons) or None")
    concepts = []
    for code in book:
        reason = book[code]
        en, zh = _PLACEHOLDER.sub("…", reason.en), _PLACEHOLDER.sub("…", reason.zh)
        concepts.append(
            {
                "code": code,
                "display": en,
                "designation": [{"language": "zh", "value": zh}],
                "property": [{"code": "severity", "valueCode": reason.severity.value}],
            }
        )
    return {
        "resourceType": "CodeSystem",
        "url": REASON_SYSTEM,
        "name": "MutrecReasonCodes",
        "title": "mutrec reason codes (互认判定原因代码)",
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "property": [
            {
                "code": "severity",
                "description": "The default severity: info, caution or block",
                "type": "code",
            }
        ],
        "concept": concepts,
    }
