"""Results as hospital systems send them, and decisions as standard documents.

Each reader returns a :class:`Reading`: the results it built and one problem per input it
could not read, never silence. The readers need optional extras only where a format needs a
parser of its own; ``import mutrec`` loads none of them.

- HL7 v2 ORU^R01 messages: :func:`read_oru` (``mutrec.interop.hl7v2``; no extra needed).
- DICOM headers: :func:`read_dicom` and :func:`scan_evidence` (``mutrec.interop.dicom``;
  ``pip install mutrec[dicom]``), with CT scanner grade as data in a :class:`ScannerTable`.

>>> from mutrec.interop import Reading
>>> Reading().complete
True
"""

from __future__ import annotations

from mutrec.interop._reading import Reading
from mutrec.interop.dicom import ScanEvidence, ScannerTable, read_dicom, scan_evidence
from mutrec.interop.hl7v2 import read_oru

__all__ = ["Reading", "ScanEvidence", "ScannerTable", "read_dicom", "read_oru", "scan_evidence"]
