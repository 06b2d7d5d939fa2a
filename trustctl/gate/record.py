"""The gate record: a judged report as the GATE evidence, for `trustctl gate` and the policy
pack alike (one shape, trustctl/records/facts/gate.py, whoever ran the gate)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from trustctl.records import Record
from trustctl.records.facts import GateFacts
from trustctl.report.model import ControlReport
from trustctl.report.render import to_json


def gate_record(report: ControlReport, started: datetime, *, targets: dict[str, Any],
                judged: dict[str, Any]) -> Record:
    """The record of `report`: its controls, the rest of its JSON (and the resources' roles) as
    facts; `judged` (what was judged: trustctl/records/origin.py) is its provenance."""
    facts = json.loads(to_json(report))
    controls = facts.pop("controls")
    return Record.new(GateFacts.from_json({**facts, "roles": report.roles}), started,
                      datetime.now(UTC), controls=controls, targets=targets,
                      provenance={"gate": judged})
