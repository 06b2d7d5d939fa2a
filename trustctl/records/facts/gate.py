"""The gate record's facts (`gate/1`): the gate's JSON report without its controls (the record
holds those), and the role each resource was judged in. Written by `trustctl gate` and the
policy pack."""

from __future__ import annotations

from trustctl.records.facts.shape import Facts, Raw, Shape


class Unchecked(Shape):
    """A resource no check could judge; `fails_closed` when that alone keeps the gate from 0."""

    urn: str
    type: str
    name: str
    reason: str
    fails_closed: bool


class GateFacts(Facts):
    KIND = "gate"
    SCHEMA = "gate/1"

    tool: str
    origin: str
    exit_code: int
    resources_checked: int
    advisories: list[Raw]
    exceptions: list[Raw]
    excepted_findings: list[Raw]
    unchecked: list[Unchecked]
    roles: dict[str, dict[str, str]]
