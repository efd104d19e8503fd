"""Hand-built WS/T 500—2016 documents: C0007 (CLUSTER, flat, XD-LAB) and a C0006 CT report."""

from __future__ import annotations

DE = 'codeSystem="2.16.156.10011.2.2.1" codeSystemName="卫生信息数据元目录"'


def document(body: str, *, code: str = "C0007", author_time: str = "20240301110000+0800",
             org: str = "BJ001", org_root: str = "2.16.156.10011.1.5",
             id_card: str = "450102199001011234") -> str:  # fmt: skip
    template = "2.16.156.10011.2.1.1.27" if code == "C0007" else "2.16.156.10011.2.1.1.26"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="CN"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_MT000040"/>
  <templateId root="{template}"/>
  <id root="2.16.156.10011.1.1" extension="DOC-1"/>
  <code code="{code}" codeSystem="2.16.156.10011.2.4"/>
  <title>报告</title>
  <effectiveTime value="20240301110500"/>
  <recordTarget typeCode="RCT">
    <patientRole classCode="PAT">
      <id root="2.16.156.10011.1.11" extension="MZ-778"/>
      <id root="2.16.156.10011.1.33" extension="L-2024-0001"/>
      <id root="2.16.156.10011.1.32" extension="E-2024-0009"/>
      <id root="2.16.156.10011.1.14" extension="S-1"/>
      <patient classCode="PSN" determinerCode="INSTANCE">
        <id root="2.16.156.10011.1.3" extension="{id_card}"/>
        <name>张三</name>
      </patient>
    </patientRole>
  </recordTarget>
  <author typeCode="AUT"><time value="{author_time}"/>
    <assignedAuthor><id root="2.16.156.10011.1.7" extension="D-1"/></assignedAuthor></author>
  <custodian typeCode="CST"><assignedCustodian><representedCustodianOrganization>
    <id root="{org_root}" extension="{org}"/><name>示例医院</name>
  </representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>{body}</structuredBody></component>
</ClinicalDocument>
"""


def item(code: str, *, low: str = "20240301080000+0800", high: str = "20240301083000+0800",
         specimen: str = "血清") -> str:  # fmt: skip
    return f"""<observation classCode="OBS" moodCode="EVN">
      <code code="DE04.30.019.00" {DE} displayName="检验项目代码"/>
      <effectiveTime value="20240301100000+0800"/>
      <value xsi:type="ST">{code}</value>
      <entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
        <code code="DE04.50.134.00" {DE} displayName="标本类别"/>
        <effectiveTime><low value="{low}"/><high value="{high}"/></effectiveTime>
        <value xsi:type="ST">{specimen}</value>
      </observation></entryRelationship>
    </observation>"""


def quantity(value: str, unit: str, *, as_pq: bool = False) -> str:
    if as_pq:
        shown = f'<value xsi:type="PQ" value="{value}" unit="{unit}"/>'
        nested = ""
    else:
        shown = f'<value xsi:type="REAL" value="{value}"/>'
        nested = f"""<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
          <code code="DE04.30.016.00" {DE}/><value xsi:type="ST">{unit}</value>
        </observation></entryRelationship>"""
    return f"""<observation classCode="OBS" moodCode="EVN">
      <code code="DE04.30.015.00" {DE} displayName="检验定量结果"/>{shown}{nested}
    </observation>"""


def result_code(code: str) -> str:
    return f"""<observation classCode="OBS" moodCode="EVN">
      <code code="DE04.30.017.00" {DE}/>
      <value xsi:type="CD" code="{code}" codeSystem="2.16.156.10011.2.3.2.38"/>
    </observation>"""


def section(*entries: str) -> str:
    inner = "".join(f"<entry>{e}</entry>" for e in entries)
    return f"""<component><section>
      <code code="30954-2" codeSystem="2.16.840.1.113883.6.1" displayName="STUDIES SUMMARY"/>
      <text/>{inner}</section></component>"""


def cluster(*observations: str) -> str:
    inner = "".join(f"<component>{o}</component>" for o in observations)
    return f'<organizer classCode="CLUSTER" moodCode="EVN"><statusCode/>{inner}</organizer>'


# Variant 1: each item in its CLUSTER organizer (the templates' form).
LAB_CLUSTERS = document(section(
    cluster(item("LIS-0101"), result_code("1"), quantity("4.1", "mmol/L")),
    cluster(item("LIS-0102"), result_code("2"), quantity("小于100", "mmol/L")),
    cluster(item("LIS-0103"), result_code("1"), quantity("NA", "mmol/L")),
    cluster(item("LIS-0104", low=""), quantity("5.0", "mmol/L", as_pq=True)),
))  # fmt: skip

# Variant 2: flat siblings, one item (safe to pair), PQ value.
LAB_FLAT_ONE = document(section(
    item("LIS-0101"), result_code("1"), quantity("4.1", "mmol/L", as_pq=True),
), author_time="20240301")  # fmt: skip

# Flat siblings with two items: which value belongs to which cannot be known.
LAB_FLAT_TWO = document(section(
    item("LIS-0101"), quantity("4.1", "mmol/L"), item("LIS-0102"), quantity("140", "mmol/L"),
))  # fmt: skip

# The IHE XD-LAB form some vendors produce: a BATTERY of LOINC-coded observations with ranges,
# and an offset copied from an IHE sample.
LAB_XDLAB = document(section(
    """<organizer classCode="BATTERY" moodCode="EVN">
      <code code="24326-1" codeSystem="2.16.840.1.113883.6.1" displayName="Electrolytes"/>
      <statusCode code="completed"/>
      <effectiveTime value="20240301080000-0500"/>
      <component><observation classCode="OBS" moodCode="EVN">
        <code code="2823-3" codeSystem="2.16.840.1.113883.6.1" displayName="Potassium"/>
        <statusCode code="completed"/>
        <value xsi:type="PQ" value="4.1" unit="mmol/L"/>
        <interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/>
        <referenceRange><observationRange><value xsi:type="IVL_PQ">
          <low value="3.5" unit="mmol/L"/><high value="5.3" unit="mmol/L"/>
        </value></observationRange></referenceRange>
      </observation></component>
      <component><observation classCode="OBS" moodCode="EVN">
        <code code="5196-1" codeSystem="2.16.840.1.113883.6.1" displayName="HBsAg"/>
        <effectiveTime value="20240301080000+0800"/>
        <value xsi:type="ST">阴性</value>
      </observation></component>
      <component><observation classCode="OBS" moodCode="EVN">
        <code code="2951-2" codeSystem="2.16.840.1.113883.6.1" displayName="Sodium"/>
        <value xsi:type="PQ" value="NA" unit="mmol/L"/>
      </observation></component>
    </organizer>""",
), author_time="20240301110000-0500")  # fmt: skip

# A C0006 CT report: exam type as text, item with its date, findings and impression.
EXAM_CT = document(section(
    f"""<observation classCode="OBS" moodCode="EVN"><code code="DE04.30.018.00" {DE}/>
      <value xsi:type="ST">CT</value></observation>""",
    cluster(f"""<observation classCode="OBS" moodCode="EVN">
      <code code="DE04.30.019.00" {DE} displayName="检查项目代码"/>
      <effectiveTime value="20240301090000+0800"/>
      <value xsi:type="ST">CT-CHEST</value></observation>"""),
    f"""<observation classCode="OBS" moodCode="EVN"><code code="DE04.50.131.00" {DE}/>
      <value xsi:type="ST">双肺纹理清晰</value></observation>""",
    f"""<observation classCode="OBS" moodCode="EVN"><code code="DE04.50.132.00" {DE}/>
      <value xsi:type="ST">胸部CT平扫未见异常</value></observation>""",
), code="C0006")  # fmt: skip
