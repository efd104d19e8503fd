"""Results as hospital systems send them, and decisions as standard documents.

Each reader returns a :class:`Reading`: the results it built and one problem per input it
could not read, never silence. The readers need optional extras only where a format needs a
parser of its own; ``import mutrec`` loads none of them.

- FHIR R4 in and out (``mutrec.interop.fhir``): :func:`read_fhir` reads Observations, reports,
  imaging studies and Bundles; :func:`decision_to_fhir` writes a decision as a DetectedIssue.
- HL7 v2 ORU^R01 messages: :func:`read_oru` (``mutrec.interop.hl7v2``; no extra needed).
- DICOM headers: :func:`read_dicom` and :func:`scan_evidence` (``mutrec.interop.dicom``;
  ``pip install "mutrec[dicom]"``), with CT scanner grade as data in a :class:`ScannerTable`.

>>> from mutrec.interop import Reading
>>> Reading().complete
True
"""

from __future__ import annotations

from mutrec.interop._reading import Reading
from mutrec.interop.dicom import ScanEvidence, ScannerTable, read_dicom, scan_evidence
from mutrec.interop.fhir import (
    FHIR_BASE,
    OUTCOME_SYSTEM,
    REASON_SYSTEM,
    FhirReading,
    Resolver,
    decision_to_fhir,
    issuer_table,
    read_fhir,
    reason_code_system,
    validate_r4b,
)
from mutrec.interop.hl7v2 import read_oru

__all__ = [
    "FHIR_BASE",
    "OUTCOME_SYSTEM",
    "REASON_SYSTEM",
    "FhirReading",
    "Reading",
    "Resolver",
    "ScanEvidence",
    "ScannerTable",
    "decision_to_fhir",
    "issuer_table",
    "read_dicom",
    "read_fhir",
    "read_oru",
    "reason_code_system",
    "scan_evidence",
    "validate_r4b",
]
