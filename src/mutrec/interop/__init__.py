"""Results as hospital systems send them, and decisions as standard documents.

Each reader returns a :class:`Reading`: the results it built and one problem per input it
could not read, never silence. The readers need optional extras only where a format needs a
parser of its own; ``import mutrec`` loads none of them.

- FHIR R4 in and out (``mutrec.interop.fhir``): :func:`read_fhir` reads Observations, reports,
  imaging studies and Bundles; :func:`decision_to_fhir` writes a decision as a DetectedIssue.
- HL7 v2 ORU^R01 messages: :func:`read_oru` (``mutrec.interop.hl7v2``; no extra needed).
- DICOM headers: :func:`read_dicom` and :func:`scan_evidence` (``mutrec.interop.dicom``;
  ``pip install "mutrec[dicom]"``), with CT scanner grade as data in a :class:`ScannerTable`.
- Platform rows (``mutrec.interop.platform``): :func:`read_platform` reads header, result and
  exam rows with a data profile (:func:`load_profile`); :func:`mark_disagreements` compares
  the issuer's mark flags with mutrec's decisions.
- WS/T 500 CDA (``mutrec.interop.cda``): :func:`read_cda` reads lab (C0007) and exam (C0006)
  documents.

>>> from mutrec.interop import Reading
>>> Reading().complete
True
"""

from __future__ import annotations

from mutrec.interop._reading import Reading
from mutrec.interop.cda import CdaRoots, read_cda
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
from mutrec.interop.platform import (
    Disagreement,
    Evidence,
    PlatformProfile,
    PlatformReading,
    load_profile,
    mark_disagreements,
    read_platform,
)

__all__ = [
    "FHIR_BASE",
    "OUTCOME_SYSTEM",
    "REASON_SYSTEM",
    "CdaRoots",
    "Disagreement",
    "Evidence",
    "FhirReading",
    "PlatformProfile",
    "PlatformReading",
    "Reading",
    "Resolver",
    "ScanEvidence",
    "ScannerTable",
    "decision_to_fhir",
    "issuer_table",
    "load_profile",
    "mark_disagreements",
    "read_cda",
    "read_dicom",
    "read_fhir",
    "read_oru",
    "read_platform",
    "reason_code_system",
    "scan_evidence",
    "validate_r4b",
]
