"""Results as hospital systems send them, and decisions as standard documents.

Each reader returns a :class:`Reading`: the results it built and one problem per input it
could not read, never silence. The readers need optional extras only where a format needs a
parser of its own; ``import mutrec`` loads none of them.

- FHIR R4 in and out (``mutrec.interop.fhir``): :func:`read_fhir` reads Observations, reports,
  imaging studies and Bundles; :func:`decision_to_fhir` writes a decision as a DetectedIssue.

>>> from mutrec.interop import Reading
>>> Reading().complete
True
"""

from __future__ import annotations

from mutrec.interop._reading import Reading
from mutrec.interop.cda import CdaRoots, read_cda
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
    "decision_to_fhir",
    "issuer_table",
    "load_profile",
    "mark_disagreements",
    "read_cda",
    "read_fhir",
    "read_platform",
    "reason_code_system",
    "validate_r4b",
]
