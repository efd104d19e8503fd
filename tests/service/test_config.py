"""The service's configuration file: every problem at once, and loopback unless told."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutrec.errors import ArgumentError, CatalogueError
from mutrec.service import ServiceConfig, load_config


def test_every_problem_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    file = tmp_path / "service.toml"
    file.write_text(
        'receiver = "TJ001"\ncolour = "red"\n'
        '[[issuers]]\niss = "https://ehr"\njwks = "none.json"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_config(file)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["colour", "issuers[0].jwks"]


def test_paths_are_read_from_the_files_directory_and_options_win(tmp_path: Path) -> None:
    file = tmp_path / "service.toml"
    file.write_text('region = "region"\naudit = "audit.db"\nport = 9000\n', encoding="utf-8")
    config = load_config(file, port=9100, receiver="TJ001")
    assert (config.region, config.audit) == (tmp_path / "region", tmp_path / "audit.db")
    assert (config.port, config.receiver) == (9100, "TJ001")


def test_a_public_address_needs_public_and_ipv6_loopback_is_loopback() -> None:
    with pytest.raises(ArgumentError, match="loopback"):
        ServiceConfig(host="10.0.0.5")
    assert ServiceConfig(host="10.0.0.5", public=True).host == "10.0.0.5"
    assert ServiceConfig(host="::1").host == "::1"
