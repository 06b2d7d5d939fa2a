"""The policy pack's fixtures: the pack started as Pulumi's engine starts it
(trustctl/pack/engine_driver.py),
judging by a policies directory whose only own file is a reviewed exception (the catalog and
checks are trustctl's)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gate"))  # gate_support

from gate_support import commit_all
from pack_support import OWNER, WAIVED, WAIVER_REASON

from trustctl.pack.engine_driver import Analyzer, running_pack


@pytest.fixture(scope="session")
def waiver_expires() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)


@pytest.fixture(scope="session")
def waived_policies(tmp_path_factory: pytest.TempPathFactory, waiver_expires: dt.date) -> Path:
    folder = tmp_path_factory.mktemp("policies")
    added = waiver_expires - dt.timedelta(days=60)
    (folder / "exceptions.yaml").write_text(
        f"exceptions:\n  - control: NO-PUBLIC-DB\n    resource: {WAIVED}\n"
        f"    reason: {WAIVER_REASON}\n    owner: {OWNER}\n"
        f"    added: {added.isoformat()}\n    expires: {waiver_expires.isoformat()}\n")
    (folder / "owners.yaml").write_text(
        f"owners:\n  - id: {OWNER}\n    accountable: Alice Martin (platform lead)\n")
    commit_all(folder, added)  # a waiver's date is bounded by the commit that wrote it
    return folder


@pytest.fixture(scope="session")
def pack(waived_policies: Path) -> Iterator[Analyzer]:
    """One pack for the tests' stacks (the engine starts one per `pulumi` run)."""
    with running_pack("test", "gate-tests", env={"TRUSTCTL_POLICIES": str(waived_policies)}) \
            as analyzer:
        yield analyzer
