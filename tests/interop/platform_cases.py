"""Hand-built platform uploads in the shapes of domain brief §14 (Guangxi rows, DE-coded XML)."""

from __future__ import annotations

import json
from typing import Any

WBC, K, GLU, CREA, MCV = (
    "002501010010000", "002503010010000", "002503030010000", "002503030020000", "002501010040000",
)  # fmt: skip


def header(number: str, id_no: str = "450102199001011234", **extra: str) -> dict[str, str]:
    row = {
        "TEST_REPORT_NO": number, "ORG_CODE": "BJ001", "ORG_NAME": "示例医院", "ID_TYPE": "01",
        "ID_NO": id_no, "GENDER": "1", "BIRTH_DATE": "1990-01-01",
        "SAMPLE_TIME": "2024-09-23 08:10:00", "ACCEPT_SAMPLE_TIME": "2024-09-23 08:40:00",
        "TEST_REC_TIME": "2024-09-23 08:41:00", "TEST_REPORT_DATE": "2024-09-23 10:38:53",
        "SPECIMEN_NAME": "血清",
    }  # fmt: skip
    return {**row, **extra}


def indicator(number: str, code: str, value: str, unit: str = "", **extra: str) -> dict[str, str]:
    row = {
        "testReportNo": number, "orgCode": "BJ001", "orgName": "示例医院",
        "testProjCodeExp": "LIS-1", "testProjNameExp": "项目", "dataCode": code,
        "dataName": "名称", "loincCode": "", "testIndexResult": value, "testIndexUint": unit,
        "normalRefLimit": "", "anomalyCode": "1", "criticalSign": "0", "mtuRecMark": "1",
        "mtuRecLimitMark": "广西",
    }  # fmt: skip
    return {**row, **extra}


# The 20 result rows of a Guangxi-shaped upload, each with what it must become:
# ("result", value kind) or ("problem", words of the problem).
GUANGXI: list[tuple[dict[str, str], tuple[str, str]]] = [
    (indicator("R1", WBC, "6.2", "10^9/L", normalRefLimit="3.5-9.5"), ("result", "Measured")),
    (
        indicator("R1", MCV, "74.1", "fL", normalRefLimit="82-100", anomalyCode="22"),
        ("result", "Measured"),
    ),
    (indicator("R1", K, "4.1", "mmol/L", normalRefLimit="3.5-5.3"), ("result", "Measured")),
    (indicator("R1", GLU, "5.6", "mmol/L", normalRefLimit="3.9~6.1"), ("result", "Measured")),
    (indicator("R1", CREA, "88", "umol/L", normalRefLimit="57-97"), ("result", "Measured")),
    (indicator("R1", K, "小于0.1", "mmol/L"), ("result", "Censored")),
    (indicator("R1", K, "大于9", "mmol/L", anomalyCode="21"), ("result", "Censored")),
    (indicator("R1", GLU, "＜2.0", "mmol/L", anomalyCode="22"), ("result", "Censored")),
    (indicator("R2", "002508010010000", "阴性"), ("result", "Qualitative")),
    (indicator("R2", "002508010020000", "阳性", anomalyCode="21"), ("result", "Qualitative")),
    (indicator("R2", "002508010030000", "0-2"), ("result", "Qualitative")),
    (
        indicator("R2", WBC, "5.0", "10^9/L", mtuRecMark="2", mtuRecLimitMark="NA"),
        ("result", "Measured"),
    ),
    (
        indicator("R2", K, "3.9", "mmol/L", mtuRecMark="NA", mtuRecLimitMark="/"),
        ("result", "Measured"),
    ),
    (indicator("R2", K, "NA", "mmol/L"), ("problem", "the value is missing")),
    (indicator("R2", K, "/", "mmol/L"), ("problem", "the value is missing")),
    (indicator("R2", K, "", "mmol/L"), ("problem", "the value is missing")),
    (indicator("R2", K, "4.4", "mmol/LL"), ("problem", "unit")),
    (indicator("R3", K, "4.0", "mmol/L"), ("problem", "the patient is missing")),
    (indicator("R9", K, "4.0", "mmol/L"), ("problem", "missing (no report row)")),
    (indicator("R2", "", "4.0", "mmol/L"), ("problem", "the item is missing")),
]
HEADERS = [header("R1"), header("R2"), header("R3", id_no="000000000000000000")]


def exam_row(**extra: str) -> dict[str, str]:
    row = {
        "check_report_no": "E1", "org_code": "BJ001", "org_name": "示例医院", "id_type": "01",
        "id_no": "450102199001011234", "check_type_code": "03", "check_type_name": "CT",
        "check_part_code": "01", "check_part_name": "胸部", "check_proj_code": "CT-CHEST",
        "check_proj_name": "胸部CT平扫", "check_res_obj": "双肺纹理清晰",
        "check_res_sub": "未见异常",
        "check_date": "2024-09-23 09:00:00", "check_report_date": "2024-09-23 11:00:00",
        "check_equip_model": "SOMATOM Definition AS", "image_exist_mark": "1",
        "image_uid_addr": "https://film.example/s/1", "mtuRecMark": "1", "mtuRecLimitMark": "广西",
    }  # fmt: skip
    return {**row, **extra}


def csv_text(rows: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def json_text(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False)


# A DE-coded XML upload: a lab report whose element names are the national data-element codes,
# its results nested in it (they inherit its report number, issuer and patient).
DE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<upload>
 <report>
  <DE01.00.018.00>L-2024-0001</DE01.00.018.00>
  <DE08.10.052.00>BJ001</DE08.10.052.00>
  <DE08.10.013.00>示例医院</DE08.10.013.00>
  <DE02.01.031.00>01</DE02.01.031.00>
  <DE02.01.030.00>450102199001011234</DE02.01.030.00>
  <DE02.01.039.00>张三</DE02.01.039.00>
  <DE04.50.137.00>20240301080000</DE04.50.137.00>
  <DE04.50.141.00>20240301083000</DE04.50.141.00>
  <DE04.50.133.00>20240301110000</DE04.50.133.00>
  <DE04.50.134.00>血清</DE04.50.134.00>
  <items>
   <item><DE04.30.019.00>LIS-0101</DE04.30.019.00><DE04.30.020.00>钾</DE04.30.020.00>
    <DE04.30.015.00>4.1</DE04.30.015.00><DE04.30.016.00>mmol/L</DE04.30.016.00>
    <DE04.30.017.00>1</DE04.30.017.00></item>
   <item><DE04.30.019.00>LIS-0102</DE04.30.019.00><DE04.30.020.00>钠</DE04.30.020.00>
    <DE04.30.015.00>小于100</DE04.30.015.00><DE04.30.016.00>mmol/L</DE04.30.016.00>
    <DE04.30.017.00>2</DE04.30.017.00></item>
   <item><DE04.30.019.00>LIS-0101</DE04.30.019.00><DE04.30.020.00>钾</DE04.30.020.00>
    <DE04.30.015.00>NA</DE04.30.015.00><DE04.30.016.00>mmol/L</DE04.30.016.00></item>
  </items>
 </report>
</upload>
"""
