"""``mutrec.service``'s public names let only MutrecErrors out, and load no web package early."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

import mutrec.service
from mutrec.errors import MutrecError
from tests.test_public_arguments import NASTY, NASTY_IDS


@pytest.mark.parametrize("value", NASTY, ids=NASTY_IDS)
@pytest.mark.parametrize("name", ["Issuer", "ServiceConfig", "create_app", "load_config", "serve"])
def test_public_callable_lets_only_mutrec_errors_out(name: str, value: object) -> None:
    function = getattr(mutrec.service, name)
    with contextlib.suppress(MutrecError):
        if name == "Issuer":
            function(value, value)
        elif name == "ServiceConfig":
            for field in ("region", "host", "port", "audit", "receiver", "performers", "issuers",
                          "audience", "language", "max_body_bytes", "public", "at"):  # fmt: skip
                with contextlib.suppress(MutrecError):
                    function(**{field: value})
        else:
            function(value)


def test_importing_mutrec_or_mutrec_service_loads_no_web_package() -> None:
    code = (
        "import sys, mutrec, mutrec.service; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jwt', 'httpx') if m in sys.modules))"
    )
    run = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("name", mutrec.service.__all__)
def test_public_hints_resolve_at_run_time(name: str) -> None:
    import inspect
    import typing

    obj = getattr(mutrec.service, name)
    typing.get_type_hints(obj)
    if inspect.isclass(obj):
        typing.get_type_hints(obj.__init__)
