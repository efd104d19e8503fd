"""ORU^R01 messages built field by field from the HL7 v2.5.1 segment definitions.

Each builder takes fields by their number, so a test says ``{11: "C"}`` (OBX-11 result status)
instead of counting bars.
"""

from __future__ import annotations

SH = "+0800"


def segment(name: str, fields: dict[int, str]) -> str:
    last = max(fields, default=0)
    if name == "MSH":  # MSH-1 is the field separator itself, MSH-2 the encoding characters
        return "|".join(["MSH", "^~\\&", *(fields.get(n, "") for n in range(3, last + 1))])
    return "|".join([name, *(fields.get(n, "") for n in range(1, last + 1))])


def msh(
    *,
    facility: str = "H001",
    charset: str = "",
    control: str = "MSG0001",
    kind: str = "ORU^R01^ORU_R01",
) -> str:
    fields = {3: "LIS", 4: facility, 5: "PLATFORM", 6: "REGION", 7: "20240301120000" + SH}
    fields |= {9: kind, 10: control, 11: "P", 12: "2.5.1"}
    if charset:
        fields[18] = charset
    return segment("MSH", fields)


def pid(patient: str = "P0001^^^H001^MR", name: str = "") -> str:
    return segment("PID", {1: "1", 3: patient, 5: name, 8: "F"})


def obr(
    *,
    observed: str = "20240301080500" + SH,
    reported: str = "20240301114000" + SH,
    status: str = "F",
    specimen: str = "",
    received: str = "",
) -> str:
    fields = {1: "1", 2: "ORD1", 3: "FIL1", 4: "CHEM^生化^L", 7: observed, 22: reported, 25: status}
    if specimen:
        fields[15] = specimen
    if received:
        fields[14] = received
    return segment("OBR", fields)


def obx(
    value: str = "4.1",
    *,
    kind: str = "NM",
    code: str = "2823-3^Potassium^LN",
    unit: str = "mmol/L^^UCUM",
    ranges: str = "3.5-5.3",
    flags: str = "N",
    status: str = "F",
    observed: str = "",
    performer: str = "",
    number: str = "1",
) -> str:
    fields = {1: number, 2: kind, 3: code, 5: value, 6: unit, 7: ranges, 8: flags, 11: status}
    if observed:
        fields[14] = observed
    if performer:
        fields[23] = performer
    return segment("OBX", fields)


def spm(specimen: str = "SER^Serum^HL70487", collected: str = "") -> str:
    fields = {1: "1", 4: specimen}
    if collected:
        fields[17] = collected
    return segment("SPM", fields)


def message(*segments: str, end: str = "\r") -> str:
    return end.join(segments) + end


def basic(*observations: str, **header: str) -> str:
    """MSH, PID, one OBR and the given OBX (one potassium OBX when none)."""
    return message(msh(**header), pid(), obr(), *(observations or (obx(),)))
