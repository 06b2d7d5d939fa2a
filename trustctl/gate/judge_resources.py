"""The gate's judgment over resources someone else hands it, e.g. the Pulumi policy pack (the
engine's resources, with the values resolved at `pulumi up`).

The resources come in the shape of `pulumi stack export` resources (`urn`, `type`, `custom`,
`inputs`, `outputs`, `parent`, `dependencies`, `propertyDependencies`), so they are read exactly
as `trustctl gate --state` reads a file (gate/sources.py), then translated, put through checkov
with the project's checks and judged by control with the run's exceptions and the stack's
ownership of controls (gate/run.py): one judgment, whoever asks.

A value the engine does not know yet (at `pulumi preview`, what only creating a resource
returns, and is no reference to another declared resource) is unknown at plan time, as a data
source is to the offline planner: a check whose verdict rests on it says so instead of judging
a placeholder, and the same check judges the value once `pulumi up` has resolved it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.exceptions import Waiver
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.run import check_inputs
from trustctl.gate.sources import declared_from_states, mark_unknown_until_apply
from trustctl.report.model import ControlReport


def judge_resources(
    resources: list[dict[str, Any]], origin: str, *, ownership: Any = None,
    policies: PolicySet | None = None, exceptions: list[Waiver] | None = None,
    today: dt.date | None = None, checkov: CheckovProcess | None = None,
) -> ControlReport:
    """One report by control for these resources, judged as one stack. `ownership` is the
    stack's `trustctl:controls` config value (gate/ownership.py); `exceptions` are already read
    and judged (gate/waiver_rules.py); `checkov` may be one started earlier (it is used up)."""
    declared = declared_from_states(resources, origin, Path(origin))
    declared.ownership = ownership
    mark_unknown_until_apply(declared.plan.resources)
    return check_inputs([declared], exceptions, policies, today, checkov).estate()
