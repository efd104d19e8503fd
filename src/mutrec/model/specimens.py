"""Specimen types (标本类型): spellings read without guessing, and whether a result's matches.

A urine glucose is not a serum glucose: a result is recognised as an item only when its
specimen is the item's. Spellings (English, Chinese, HL7 v2 table 0487 codes, MIMIC's fluid
names) map to a few canonical types; a spelling mutrec does not know is *unclear*, never
taken as a match. "Blood" without a fraction is unclear for a serum, plasma or whole-blood
item (the lab did not say which), and a mismatch for anything else.

>>> match_specimen("血清", "serum"), match_specimen("Urine", "serum")
('match', 'mismatch')
>>> match_specimen("Blood", "serum"), match_specimen("serum or plasma?", "serum")
('unclear', 'unclear')
"""

from __future__ import annotations

import re
from typing import Final, Literal, TypeAlias

from mutrec.model.catalogue import fold

__all__ = ["SpecimenMatch", "canonical_specimen", "item_specimens", "match_specimen"]

SpecimenMatch: TypeAlias = Literal["match", "unclear", "mismatch"]

# Canonical type -> spellings (folded as aliases are: case, width, µ/μ). Sources: HL7 v2
# table 0487 (SER, PLAS, BLD, UR, CSF …), WS/T 886 specimen names, MIMIC-IV `fluid`.
_SPELLINGS: Final = {
    "serum": ("serum", "ser", "血清", "serum (s)"),
    "plasma": ("plasma", "plas", "血浆"),
    "whole blood": ("whole blood", "wb", "全血", "静脉全血", "venous blood", "bldv"),
    "capillary blood": ("capillary blood", "bldc", "末梢血", "末梢全血"),
    "arterial blood": ("arterial blood", "blda", "动脉血"),
    "blood": ("blood", "bld", "血", "血液"),
    "urine": (
        "urine",
        "ur",
        "uri",
        "尿",
        "尿液",
        "random urine",
        "随机尿",
        "24h urine",
        "24小时尿",
    ),
    "csf": ("csf", "cerebrospinal fluid", "脑脊液"),
    "stool": ("stool", "feces", "faeces", "粪便", "大便"),
    "pleural fluid": ("pleural fluid", "pleural", "胸水", "胸腔积液"),
    "ascites": ("ascites", "peritoneal fluid", "腹水", "腹腔积液"),
    "joint fluid": ("joint fluid", "synovial fluid", "关节液"),
    "sputum": ("sputum", "痰", "痰液"),
    "bone marrow": ("bone marrow", "marrow", "骨髓"),
}
_CANONICAL: Final = {fold(s): name for name, spellings in _SPELLINGS.items() for s in spellings}
# "Blood" names no fraction: for these items the lab did not say which one it measured.
_BLOOD_FRACTIONS: Final = frozenset(
    {"serum", "plasma", "whole blood", "capillary blood", "arterial blood"}
)
# An item's specimen may list alternatives: 血清/血浆, "serum or plasma", "serum; plasma".
_ALTERNATIVES: Final = re.compile(r"\s*(?:/|;|、|或|\bor\b)\s*")


def canonical_specimen(text: str) -> str | None:
    """The canonical specimen type *text* spells, or ``None`` when mutrec does not know it.

    >>> canonical_specimen("ＳＥＲＵＭ"), canonical_specimen("脑脊液"), canonical_specimen("swab?")
    ('serum', 'csf', None)
    """
    return _CANONICAL.get(fold(text))


def item_specimens(text: str) -> frozenset[str]:
    """The specimen types an item's ``specimen`` text accepts (alternatives split).

    A spelling mutrec does not know stays as its folded text: it matches itself only.

    >>> sorted(item_specimens("血清/血浆"))
    ['plasma', 'serum']
    """
    parts = [p for p in _ALTERNATIVES.split(fold(text)) if p]
    return frozenset(_CANONICAL.get(p, p) for p in parts)


def match_specimen(result: str, item: str | frozenset[str]) -> SpecimenMatch:
    """Whether a result's specimen *result* is the item's (*item*: its text or its types).

    ``"unclear"`` when mutrec cannot tell (an unknown spelling, blood without a fraction);
    ``"mismatch"`` when it is surely another specimen.

    >>> match_specimen("plasma", "血清/血浆"), match_specimen("urine", "血清/血浆")
    ('match', 'mismatch')
    """
    accepted = item_specimens(item) if isinstance(item, str) else item
    folded = fold(result)
    kind = _CANONICAL.get(folded)
    if kind is None:
        # An item spelt with a local word matches that word exactly, and nothing else known.
        return "match" if folded in accepted else "unclear"
    if kind in accepted:
        return "match"
    if kind == "blood" and accepted & _BLOOD_FRACTIONS:
        return "unclear"
    return "mismatch"
