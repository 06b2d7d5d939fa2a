"""One report by control that every flow fills (gate, audit, policy pack, drill summaries).

The renderers (table, JSON, SARIF, JUnit) read only this model, so no flow impersonates
another to be printed, and this package imports no flow: what a flow knows (a waiver file, a
planned resource, a provider's risk) reaches the report as plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from trustctl.report.results import ControlResult, Finding


class Waiver(Protocol):
    """What a report says of a reviewed exception: which finding it accepts, why, who owns it
    and until when (the gate's policies/exceptions.yaml entries are such)."""

    @property
    def control(self) -> str | None: ...
    @property
    def check(self) -> str | None: ...
    @property
    def resource(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def expires(self) -> dt.date: ...

    def to_json(self) -> dict[str, str | None]: ...


@dataclass
class Excepted:
    """A finding accepted by an exception in force: reported, not failing."""

    control: str
    finding: Finding
    exception: Waiver


@dataclass(frozen=True)
class UncheckedResource:
    """A resource the run could not judge, why, and whether that fails the run closed (it may
    hold customer data or open network paths)."""

    urn: str
    type: str
    name: str
    reason: str
    fails_closed: bool


@dataclass
class ControlReport:
    """Everything a report format prints: by control, plus what no control covers."""

    tool: str  # "trustctl gate", "trustctl audit": names the run in every format
    origin: str  # what was judged: a program and stack, an account, a preview file
    controls: list[ControlResult]
    advisories: list[Finding] = field(default_factory=list)
    excepted: list[Excepted] = field(default_factory=list)
    exceptions: list[Waiver] = field(default_factory=list)  # in force
    unchecked: list[UncheckedResource] = field(default_factory=list)
    checked: int = 0
    checked_what: str = "resources"  # what `checked` counts (the audit: live checks)
    remediation: dict[str, str] = field(default_factory=dict)  # control id -> what to do
    # resource URN -> its role and how it was decided (the program's tag or the graph)
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
