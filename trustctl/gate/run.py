"""The gate end to end, short of printing: declared resources -> report by control.

Every entry point puts all its inputs through ONE checkov run (`check_inputs`): checkov's
start-up dominates its cost, so tests and batch users pay it once; a caller may also start
checkov before planning. The inputs are then judged as one estate (several stacks, one report)
or each on its own, by one policy (gate/policy_set.py) and the exceptions read once for the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from trustctl.catalog import Control, load_catalog
from trustctl.gate.checkov_runner import CheckovProcess, CheckResult
from trustctl.gate.estate import union
from trustctl.gate.evaluate import evaluate
from trustctl.gate.exceptions import Waiver
from trustctl.gate.grant_targets import grant_target_results
from trustctl.gate.ownership import Ownership, owners_elsewhere, parse_ownership
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.schedules import Workflows
from trustctl.gate.sources import Declared
from trustctl.gate.translate import TfPlan, translate
from trustctl.gate.zizmor import ZizmorProcess
from trustctl.report.model import ControlReport


@dataclass
class CheckedInputs:
    """The inputs after translation and the one checkov run, with what judging them needs.
    With `workflows`, controls with a schedule are judged against them too."""

    inputs: list[Declared]
    catalog: tuple[Control, ...]
    exceptions: list[Waiver]
    ownerships: list[Ownership]
    plans: list[TfPlan]
    results: list[list[CheckResult]]
    day: dt.date
    workflows: Workflows | None = None
    repository_results: list[CheckResult] = field(default_factory=list)  # workflows, zizmor

    def estate(self, which: Sequence[int] | None = None) -> ControlReport:
        """One report for these inputs (default: all) as one estate: what a control requires
        is looked for in their union, and a control is judged when one of them owns it; grants
        are matched to the buckets and keys of the whole estate (gate/grant_targets.py)."""
        picked = self._picked(which)
        plan, found = union([self.plans[i] for i in picked], [self.results[i] for i in picked])
        elsewhere = owners_elsewhere([self.ownerships[i] for i in picked],
                                     [c.id for c in self.catalog])
        return evaluate(self.catalog, "; ".join(self.inputs[i].origin for i in picked), plan,
                        found + grant_target_results(plan) + self.repository_results,
                        self.exceptions, self.day, self.workflows, elsewhere)

    def translated(self, which: Sequence[int] | None = None) -> TfPlan:
        """The Terraform plan checkov read for these inputs (default: all), as one document."""
        picked = self._picked(which)
        return union([self.plans[i] for i in picked], [self.results[i] for i in picked])[0]

    def _picked(self, which: Sequence[int] | None) -> list[int]:
        picked = list(range(len(self.inputs)) if which is None else which)
        if not picked:
            raise ValueError("an estate needs at least one input")
        return picked

    def each(self) -> list[ControlReport]:
        """A report for each input on its own."""
        return [self.estate([i]) for i in range(len(self.inputs))]


def check_inputs(
    inputs: list[Declared], exceptions: list[Waiver] | None = None,
    policies: PolicySet | None = None, today: dt.date | None = None,
    checkov: CheckovProcess | None = None, workflows: Workflows | None = None,
    judged_elsewhere: list[CheckResult] | None = None,
) -> CheckedInputs:
    """Translate every input and run checkov once over them all; `checkov` may be one started
    earlier for `workflows.repository` with `policies.checks` (it is used up). `exceptions` are
    the run's, already read and judged (gate/waiver_rules.py). A bad ownership declaration is
    reported before checkov runs. With `workflows`, the repository holding them is judged too
    (its workflows, Dependabot file and CODEOWNERS by checkov, its actions by zizmor running
    alongside), with `judged_elsewhere` (the policy change, gate/policy_change.py)."""
    policies = policies or PolicySet.installed()
    catalog = load_catalog(policies.catalog)
    ownerships = [parse_ownership(d.ownership, d.origin, [c.id for c in catalog],
                                  [c.id for c in catalog if c.verification.repository])
                  for d in inputs]
    plans = [translate(declared) for declared in inputs]
    repositories = [workflows.repository] if workflows is not None else []
    engine = checkov or CheckovProcess(repositories, policies)
    if list(engine.repositories) != repositories:
        raise ValueError(f"checkov was started for {engine.repositories}, not {repositories}")
    with engine, _zizmor(workflows) as zizmor:
        results = engine.run([p.document for p in plans])
        from_repository = [*results.pop(), *zizmor.results(), *(judged_elsewhere or [])] \
            if repositories else []
    return CheckedInputs(inputs, catalog, exceptions or [], ownerships, plans, results,
                         today or dt.datetime.now(dt.UTC).date(), workflows, from_repository)


@contextmanager
def _zizmor(workflows: Workflows | None) -> Iterator[ZizmorProcess | _NoFindings]:
    """zizmor on the repository while checkov runs; nothing to audit without workflow files."""
    if workflows is None or not workflows.files:
        yield _NoFindings()
        return
    # a repository's workflows and actions, else the workflow files of the directory given
    process = ZizmorProcess(workflows.repository,
                            [workflows.repository] if workflows.in_repository else workflows.files)
    try:
        yield process
    finally:
        process.close()


class _NoFindings:
    def results(self) -> list[CheckResult]:
        return []


def check_many(inputs: list[Declared], exceptions: list[Waiver] | None = None,
               policies: PolicySet | None = None, today: dt.date | None = None,
               checkov: CheckovProcess | None = None,
               workflows: Workflows | None = None) -> list[ControlReport]:
    return check_inputs(inputs, exceptions, policies, today, checkov, workflows).each()


def check(declared: Declared, exceptions: list[Waiver] | None = None,
          policies: PolicySet | None = None, today: dt.date | None = None,
          checkov: CheckovProcess | None = None,
          workflows: Workflows | None = None) -> ControlReport:
    return check_inputs([declared], exceptions, policies, today, checkov, workflows).estate()
