"""The reason-code registry: codes, severities, and both languages for every code."""

from __future__ import annotations

import string

import pytest

from mutrec.policy import CODE_PATTERN, Reason, Reasons, Severity, default_reasons


def test_every_code_is_well_formed_and_has_both_texts() -> None:
    book = default_reasons()
    for code in book:
        reason = book[code]
        assert CODE_PATTERN.match(code), code
        assert reason.zh.strip()
        assert reason.en.strip()
        assert reason.en.isascii() or "–" in reason.en or "“" in reason.en or "HR" in reason.en


def test_zh_and_en_use_the_same_placeholders() -> None:
    book = default_reasons()
    fmt = string.Formatter()
    for code in book:
        reason = book[code]
        zh = {name for _, name, _, _ in fmt.parse(reason.zh) if name}
        en = {name for _, name, _, _ in fmt.parse(reason.en) if name}
        # local grounds carry a label per language; every other code shares its data
        if code != "ground.local":
            assert zh == en, code


def test_registry_is_extended_not_mutated() -> None:
    book = default_reasons()
    extra = Reason("acme.fasting", Severity.CAUTION, "未空腹", "Not fasting")
    bigger = book.with_reasons([extra])
    assert "acme.fasting" in bigger
    assert "acme.fasting" not in book
    assert len(bigger) == len(book) + 1
    with pytest.raises(ValueError, match="reason code"):
        Reason("Acme.Fasting", Severity.CAUTION, "z", "e")


def test_from_toml() -> None:
    book = Reasons.from_toml('[acme.x]\nseverity = "block"\nzh = "甲{n}"\nen = "A{n}"\n')
    assert book["acme.x"].render({"n": 2}, "zh") == "甲2"
