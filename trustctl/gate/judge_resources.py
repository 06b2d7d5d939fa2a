"""The gate's judgment over resources someone else hands it, e.g. the Pulumi policy pack (the
engine's resources, with the values resolved at `pulumi up`).

The resources come in the shape of `pulumi stack export` resources (`urn`, `type`, `custom`,
`inputs`, `outputs`, `parent`, `dependencies`, `propertyDependencies`), so they are read exactly
as `trustctl gate --state` reads a file (gate/sources.py), then translated, put through checkov
with the project's checks and judged by control with the run's exceptions and the stack's
ownership of controls (gate/run.py): one judgment, whoever asks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.exceptions import Waiver
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.run import check_inputs
from trustctl.gate.sources import _declared
from trustctl.report.model import ControlReport


def judge_resources(
    resources: list[dict[str, Any]], origin: str, *, ownership: Any = None,
    policies: PolicySet | None = None, exceptions: list[Waiver] | None = None,
    today: dt.date | None = None, checkov: CheckovProcess | None = None,
) -> ControlReport:
    """One report by control for these resources, judged as one stack. `ownership` is the
    stack's `trustctl:controls` config value (gate/ownership.py); `exceptions` are already read
    and judged (gate/waiver_rules.py); `checkov` may be one started earlier (it is used up)."""
    declared = _declared(resources, origin, Path(origin))
    declared.ownership = ownership
    return check_inputs([declared], exceptions, policies, today, checkov).estate()
