"""The pack over other people's real stacks (`pulumi preview --json` and `pulumi stack export`
output in ../shared/realworld), handed over as the engine hands them: it fails the controls the
gate fails on the same resources, on the same resources."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_support import REALWORLD, REALWORLD_PREVIEWS, REALWORLD_STATES

from trustctl.gate.run import check_many
from trustctl.gate.sources import from_preview, from_state
from trustctl.pack.engine_driver import MANDATORY, Analyzer, from_preview_file, from_state_file
from trustctl.report.model import ControlReport
from trustctl.report.results import Status

pytestmark = pytest.mark.realworld
FILES = [*REALWORLD_PREVIEWS, *REALWORLD_STATES]


def _read(name: str) -> tuple[object, object]:
    path = REALWORLD / name
    if name in REALWORLD_PREVIEWS:
        return from_preview(path), from_preview_file(path)
    return from_state(path), from_state_file(path)


@pytest.fixture(scope="module")
def gate() -> dict[str, ControlReport]:
    return dict(zip(FILES, check_many([_read(n)[0] for n in FILES]), strict=True))


def _failed(report: ControlReport) -> set[tuple[str, str | None]]:
    return {(c.id, f.urn) for c in report.controls if c.status == Status.FAIL
            for f in c.findings}


@pytest.mark.parametrize("name", FILES)
def test_the_pack_fails_what_the_gate_fails_on_the_same_resources(
        pack: Analyzer, gate: dict[str, ControlReport], name: str) -> None:
    diagnostics = pack.analyze_stack(_read(name)[1])
    mandatory = {(d.policy, d.urn or None) for d in diagnostics if d.level == MANDATORY}
    assert mandatory == _failed(gate[name])
    assert mandatory, f"{Path(name).stem}: the gate fails nothing here"
