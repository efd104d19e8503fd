"""A real ``mutrec serve`` process on 127.0.0.1, and a CDS client that signs its JWTs.

The service runs as a separate uvicorn process on a free port, configured with one EHR issuer
whose EC P-384 key the tests hold; tests speak HTTP to it with httpx, as a hospital's system
would. It is started once per session (start-up is the region load: well under a second).

Every test that takes ``service`` also runs against the same application served by uvicorn in a
thread of the test process (from the same configuration file): the same answers are expected,
and coverage sees the code the subprocess runs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

httpx = pytest.importorskip("httpx")
jwt = pytest.importorskip("jwt")
pytest.importorskip("cryptography")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

import mutrec  # noqa: E402

ISS = "https://ehr.tj001.example"
# The example region's lab catalogue is the 2023-24 cycle: the service decides as of this instant.
AT = datetime(2024, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
KID = "tj001-2026"
SRC = Path(mutrec.__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@attrs.frozen
class Service:
    url: str
    audit: Path
    key: ec.EllipticCurvePrivateKey
    log: Path | None  # None: in-process (the logs go to the logging module, not a file)

    def token(self, service: str, **changes: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISS,
            "sub": "ehr-client",
            "aud": f"{self.url}/cds-services/{service}",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        token: str = jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": KID})
        return token

    def headers(self, service: str, **changes: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(service, **changes)}"}

    def client(self) -> Any:
        return httpx.Client(base_url=self.url, timeout=httpx.Timeout(20.0))


def write_config(directory: Path, key: ec.EllipticCurvePrivateKey, **settings: Any) -> Path:
    public = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    (directory / "ehr.jwks.json").write_text(json.dumps({"keys": [{**public, "kid": KID}]}))
    lines = [
        'receiver = "TJ001"',
        f"at = {AT.isoformat()}",
        f"max_body_bytes = {settings.get('max_body_bytes', 200_000)}",
        f"max_batch = {settings.get('max_batch', 100)}",
        "[performers]",
        '"Organization/bj1" = "BJ001"',
        '"https://hospitals.example/id|110102001" = "BJ001"',
        '"Practitioner/f005" = "BJ001"',
        "[[issuers]]",
        f'iss = "{ISS}"',
        'jwks = "ehr.jwks.json"',
    ]
    config = directory / "service.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def start_service(directory: Path, key: ec.EllipticCurvePrivateKey) -> Iterator[Service]:
    config = write_config(directory, key)
    port = free_port()
    audit = directory / "audit.db"
    log = directory / "service.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 (fixed argv)
            [sys.executable, "-m", "mutrec", "serve", "--config", str(config),
             "--port", str(port), "--audit", str(audit)],
            stdout=sink, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    service = Service(f"http://127.0.0.1:{port}", audit, key, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"mutrec serve exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{service.url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mutrec serve did not start within 60 s")
            time.sleep(0.1)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def ehr_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def in_process(directory: Path, key: ec.EllipticCurvePrivateKey) -> Iterator[Service]:
    import threading

    import uvicorn

    from mutrec.service import create_app, load_config

    config = load_config(write_config(directory, key), audit=directory / "audit.db")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the in-process server did not start")
        time.sleep(0.05)
    try:
        yield Service(f"http://127.0.0.1:{port}", directory / "audit.db", key, None)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_service(
    tmp_path_factory: pytest.TempPathFactory, ehr_key: ec.EllipticCurvePrivateKey
) -> Iterator[Service]:
    yield from start_service(tmp_path_factory.mktemp("uvicorn"), ehr_key)


@pytest.fixture(scope="session")
def thread_service(
    tmp_path_factory: pytest.TempPathFactory, ehr_key: ec.EllipticCurvePrivateKey
) -> Iterator[Service]:
    yield from in_process(tmp_path_factory.mktemp("in-process"), ehr_key)


@pytest.fixture(params=["uvicorn", "in-process"])
def service(request: pytest.FixtureRequest) -> Service:
    # Both servers live for the whole session; each test runs against each.
    name = "live_service" if request.param == "uvicorn" else "thread_service"
    found: Service = request.getfixturevalue(name)
    return found


@pytest.fixture
def client(service: Service) -> Iterator[Any]:
    with service.client() as http:
        yield http


def query(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of the audit store (read while the service runs: WAL lets readers in)."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()
