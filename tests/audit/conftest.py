"""Audit fixtures: a compliant AWS account in moto (as the sandbox declares it), readers.

Declaring the account costs moto ~15 s (its EC2 backend loads on first use), so one account
serves every audit test (the audit tests run together, before other areas reset moto): a test
that breaks something adds a broken resource and removes it, or changes one setting and
restores it (`undo`), so the next test sees the compliant account.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import TEST_REGION
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.live_check import Outcome
from trustctl.audit.registry import all_checks
from trustctl.aws import AwsTarget, client
from trustctl.sandbox import backup_target
from trustctl.sandbox.account import (
    ON_CALL_PRINCIPALS,
    DeclaredAccount,
    declare_account,
    tls_only_policy,
)
from trustctl.sandbox.moto import MotoServer
from trustctl.sandbox.recovery import DeclaredRecovery, declare_recovery


@pytest.fixture(scope="session")
def aws(moto_server: MotoServer) -> AwsTarget:
    """Moto, reset once for the audit tests (shadows the per-test `aws` of tests/conftest)."""
    reset = urllib.request.Request(f"{moto_server.url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):
        pass
    return moto_server.target(TEST_REGION)


@pytest.fixture(scope="session")
def regions(aws: AwsTarget) -> tuple[DeclaredAccount, DeclaredRecovery]:
    """A whole compliant account with its recovery region, shared by the audit tests; unlike
    the sandbox's, its backup bucket and replica also deny plain HTTP (nothing writes to them
    here but the tests that lift the policy for a while)."""
    declared = declare_account(aws, backup_target.declare(aws))
    recovery = declare_recovery(aws, declared.backup_bucket)
    for bucket in (declared.backup_bucket, recovery.bucket):
        client("s3", aws).put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    return declared, recovery


@pytest.fixture(scope="session")
def account(regions: tuple[DeclaredAccount, DeclaredRecovery]) -> DeclaredAccount:
    return regions[0]


@pytest.fixture(scope="session")
def recovery(regions: tuple[DeclaredAccount, DeclaredRecovery]) -> DeclaredRecovery:
    return regions[1]


@pytest.fixture
def undo() -> Iterator[list[Callable[[], object]]]:
    """Append what restores the compliant account; run after the test, last first."""
    steps: list[Callable[[], object]] = []
    yield steps
    for step in reversed(steps):
        step()


@pytest.fixture
def run_check(aws: AwsTarget, account: DeclaredAccount) -> Iterator[Callable[[str], Outcome]]:
    """Run one check by id against the account, with a fresh reader (facts read anew)."""
    readers: list[AwsReader] = []

    def run(check_id: str, **settings: object) -> Outcome:
        reader = AwsReader(AwsSettings(region=aws.region, endpoint_url=aws.endpoint_url,
                                       on_call_principals=ON_CALL_PRINCIPALS, **settings))
        readers.append(reader)
        return check_by_id(check_id).run(reader)

    yield run
    for reader in readers:
        reader.close()


def check_by_id(check_id: str):
    return next(c for c in all_checks() if c.id == check_id)


def messages(outcome: Outcome) -> list[str]:
    return [f"{f.resource}: {f.message}" for f in outcome.findings]
