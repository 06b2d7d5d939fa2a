"""Fixtures of the access-review tests: a roster, a Cloudflare-like API, a Postgres server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from access_review.cloudflare_api import CloudflareApi, serve
from trustctl.access_review import roster

ROSTER = """\
version: 1
people:
  - name: Alice Martin
    principals: [aws:role/oncall-alice, sso:user/alice, postgres:alice,
                 cloudflare:member/alice@claver.app]
services:
  - name: backup runner
    owner: alice@claver.app
    principals: [aws:role/backup-writer, aws:role/backup-runner, cloudflare:token/pulumi-edge,
                 postgres:claver_app]
  - name: ops mailbox, declared
    owner: alice@claver.app
    principals: [postgres:deploy]
"""


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "oncall.yaml"
    path.write_text(ROSTER)
    return path


@pytest.fixture
def the_roster(roster_file: Path) -> roster.Roster:
    return roster.load(roster_file)


@pytest.fixture
def cloudflare_api() -> Iterator[CloudflareApi]:
    api = CloudflareApi()
    server = serve(api)
    yield api
    server.shutdown()
    server.server_close()
