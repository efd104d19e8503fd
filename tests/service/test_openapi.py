"""The OpenAPI document matches the routes, and the live service matches the document.

schemathesis (a property-based API tester on hypothesis) generates requests from the document,
valid and invalid, and checks each answer: no server error, a documented status, the
documented content type and a body that validates against the documented schema. The run is
bounded (few examples per operation, a time cap) and deterministic.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mutrec.service import ServiceConfig, create_app
from mutrec.service._openapi import openapi
from tests.service.conftest import Service


def test_the_document_lists_every_route_and_method() -> None:
    app = create_app(ServiceConfig(receiver="TJ001"))
    served = {
        (route.path, method.lower())
        for route in app.routes
        for method in route.methods - {"HEAD"}
        if route.path != "/openapi.json"
    }
    documented = {
        (path, method)
        for path, item in openapi()["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert served == documented


def test_the_service_serves_its_document(client: Any) -> None:
    assert client.get("/openapi.json").json() == json.loads(json.dumps(openapi()))


# Checks left out, and why: `positive_data_acceptance` expects every schema-valid body to be
# accepted, but validity here is clinical (an ISO instant, a known item, a receiver), which a
# schema cannot say: such bodies get a 422 problem, which is documented and checked.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,negative_data_rejection,unsupported_method"
)


RUN_CLI = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"


@pytest.mark.slow
def test_schemathesis_finds_no_mismatch_in_a_bounded_run(service: Service, tmp_path: Path) -> None:
    pytest.importorskip("schemathesis")
    if service.log is None:
        pytest.skip("schemathesis speaks HTTP to the live process")
    token = service.token("mutrec-order-sign")
    command = [
        sys.executable, "-c", RUN_CLI,
        "run", f"{service.url}/openapi.json",
        "--checks", CHECKS,
        "--max-examples", "5",
        "--max-time", "25",
        "--phases", "coverage,fuzzing",
        "--generation-deterministic",
        "--workers", "2",
        "--request-timeout", "10",
        "--header", f"Authorization: Bearer {token}",
    ]  # fmt: skip
    run = subprocess.run(  # noqa: S603 (fixed argv)
        command, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "generated" in summary
