"""`trustctl gate`: check a Pulumi program (or what the Pulumi CLI produced) against every
control of the catalog, before anything is deployed.

Without --program it checks the Pulumi project holding the current directory (the nearest
Pulumi.yaml, as `pulumi` finds it) with that project's policies/exceptions.yaml, which is read
and validated once, before anything is planned. In CI the policy comes from the base branch
(`--base DIR`): what the pull request changes in it is judged on its own (gate/policy_change.py).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from trustctl.catalog import Control, change_control, load_catalog
from trustctl.environment import PRODUCTION
from trustctl.errors import InputError
from trustctl.gate.checkov_runner import CheckovProcess, CheckResult
from trustctl.gate.evaluate import MISSING
from trustctl.gate.exceptions import Waiver
from trustctl.gate.policy_change import policy_change
from trustctl.gate.policy_set import POLICIES_IN_PROJECT, PolicySet
from trustctl.gate.record import gate_record
from trustctl.gate.run import check_inputs
from trustctl.gate.schedules import find_workflows, load_workflows
from trustctl.gate.sources import gather
from trustctl.gate.waiver_rules import judged_waivers
from trustctl.plan.command import StackOutputsOption, TimeoutOption
from trustctl.plan.failures import unknown_stacks_warning
from trustctl.plan.isolated import DEFAULT_TIMEOUT_S
from trustctl.plan.project import default_stack, find_project
from trustctl.plan.stack_outputs import read_stack_outputs
from trustctl.progress import Steps
from trustctl.records.options import (
    DEFAULT_EVIDENCE_DIR,
    EvidenceDirOption,
    EvidenceOption,
    record_store,
)
from trustctl.records.origin import judged_input
from trustctl.redaction import write_file
from trustctl.report.formats import FormatOption, OutputOption, report_outputs, write_reports
from trustctl.report.model import ControlReport
from trustctl.report.render import summary
from trustctl.report.results import Status, exit_code


def gate(
    program: Annotated[list[Path] | None, typer.Option(
        help="Pulumi program (directory with Pulumi.yaml), planned offline; repeat it to judge "
             "several stacks as one estate. Default: the Pulumi project holding the current "
             "directory.")] = None,
    stack: Annotated[list[str] | None, typer.Option(
        help="Stack whose config the program reads: once for every program, once per "
             "--program, or several for one program. Default: PULUMI_STACK, else the stack "
             "`pulumi stack select` chose, else the project's only Pulumi.<stack>.yaml, else "
             "prod.")] = None,
    preview: Annotated[list[Path] | None, typer.Option(
        help="Output of `pulumi preview --json` to check (repeatable).")] = None,
    state: Annotated[list[Path] | None, typer.Option(
        help="Output of `pulumi stack export` to check (repeatable).")] = None,
    output_format: FormatOption = "text",
    output: OutputOption = None,
    exceptions: Annotated[Path | None, typer.Option(
        help="Reviewed exceptions file (its owners: owners.yaml beside it). Default: "
             "exceptions.yaml of --policies, else policies/exceptions.yaml of the Pulumi "
             "project (of the current directory outside one; a missing file: none).")] = None,
    policies: Annotated[Path | None, typer.Option(
        help="Policies directory to judge by: its controls.yaml, checks/, exceptions.yaml and "
             "owners.yaml (a catalog or checks it lacks: trustctl's own). Default: "
             "--base's policies/.")
    ] = None,
    base: Annotated[Path | None, typer.Option(
        help="A checkout of the base branch (CI: the pull request's base). Its policies/ are "
             "the policy in force, and what the pull request changes in the gate (the "
             "catalog's change_control.owners_review) or adds to the exceptions fails "
             "CHANGE-CONTROL: policy change needs review by the owners.")] = None,
    tf_plan_out: Annotated[Path | None, typer.Option(
        help="Also write the translated Terraform plan JSON (what checkov reads) here.")] = None,
    workflows: Annotated[Path | None, typer.Option(
        help="Directory of the GitHub Actions workflows that must schedule the backup and "
             "the drill. The repository checks (workflows, CODEOWNERS) judge the repository "
             "holding it when it is a .github/workflows, else this directory only. Default: "
             "the .github/workflows of the repository holding the program (or the current "
             "directory, for --preview/--state).")] = None,
    stack_outputs: StackOutputsOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
    evidence_dir: EvidenceDirOption = DEFAULT_EVIDENCE_DIR,
    evidence: EvidenceOption = None,
) -> None:
    """Check every control of policies/controls.yaml with checkov (built-in and project checks).

    Exit 0 when every control the gate verifies passes, 1 when one fails, 2 when something could
    not be checked (bad input, a program that raises, unknown resource types, checkov missing).
    A control whose findings are all accepted by an exception in force reads `excepted`, never
    `pass`. BACKUP-DAILY-35D and RESTORE-DRILL also need a workflow job that runs `trustctl
    backup run` daily and `trustctl drill` at least every 92 days, in the production
    environment, with their roles (policies/controls.yaml `schedule:`). Every run that checked
    something leaves a `gate-*.json` record in --evidence-dir (or the --evidence bucket).
    Progress goes to stderr (a spinner on a terminal, plain lines in CI logs), then one
    summary line.

    In CI, run the base branch's trustctl with `--base` on the pull request's checkout: a pull
    request cannot pass by editing the policy it is judged by. A waiver must expire within
    change_control.waiver_max_days of its `added:` date and name an owner of owners.yaml;
    one that does not is refused and fails its control, naming its file:line.

    Several --program/--stack/--preview/--state are judged as one estate: what a control
    requires may be declared in any of them. A stack that keeps only some controls says so in
    its config (`trustctl:controls: {owns: [...], ownedBy: {stack: [...]}}`); a control no
    input owns is not_applicable, naming its owner.

    \b
    Examples:
      trustctl gate
      trustctl gate --output sarif=gate.sarif --output json=gate.json
      trustctl gate --program infra-edge --stack staging --format json
      trustctl gate --preview preview.json --format sarif --output gate.sarif
      trustctl gate --program infra/aws --program infra/edge --stack prod
      ../base/scripts/trustctl gate --base ../base      # CI, in the pull request's checkout
    """
    outputs = report_outputs(output_format, output)
    project = _project(program, preview, state)
    if base is not None and not base.is_dir():
        raise InputError(f"--base {base}: not a directory (a checkout of the base branch)")
    chosen = PolicySet.choose(policies=policies, base=base, exceptions=exceptions,
                              project=project or Path.cwd())
    catalog = load_catalog(chosen.catalog)
    started = datetime.now(UTC)
    # the exceptions are read once and judged before a minute of planning
    waivers = judged_waivers(chosen, catalog, started.date())
    records = record_store(evidence_dir, evidence, PRODUCTION)
    records.check_writable()
    found = load_workflows(workflows or find_workflows(project or Path.cwd()))
    changed = _policy_change(base, found.repository, chosen, catalog, waivers, started.date())
    # checkov imports itself and judges the repository while the programs are planned
    with Steps("gate") as steps, CheckovProcess([found.repository], chosen) as checkov:
        programs = program or ([project] if project and not preview and not state else [])
        inputs = gather(programs, stack or [_default_stack(programs[0] if programs else None)],
                        preview or [], state or [],
                        read_stack_outputs(stack_outputs or []), timeout,
                        lambda p, s: steps.step(f"planning {p} (stack {s}) offline"))
        steps.step(f"running checkov on {sum(len(d.plan.resources) for d in inputs)} "
                   "resources, then judging them by control")
        checked = check_inputs(inputs, waivers, chosen, started.date(), checkov, found,
                               changed)
        report = checked.estate()
    if tf_plan_out is not None:
        _write(tf_plan_out, json.dumps(checked.translated().document, indent=1),
               "--tf-plan-out")
    judged = judged_input("preview" if preview else "state" if state else "program",
                          list(program or ([project] if project else []))
                          + list(preview or []) + list(state or []),
                          ", ".join(d.plan.stack for d in inputs))
    where = records.write(gate_record(report, started, judged=judged, targets={
        "origin": report.origin, "stack": judged["stack"]}))
    typer.echo(f"trustctl: gate: record written to {where}", err=True)
    write_reports(report, outputs, _fallback_uri(project, preview, state))
    code, unchecked = gate_exit(report)
    if unchecked and code == 2:
        raise InputError(unchecked)
    unknown_stacks = sorted({s for d in inputs for s in d.plan.unknown_stacks})
    for warning in (unchecked, unknown_stacks_warning(unknown_stacks)):
        if warning:
            typer.echo(f"trustctl: warning: {warning}", err=True)
    hint = scoping_hint(report)
    if hint:
        typer.echo(f"trustctl: note: {hint}", err=True)
    typer.echo(f"trustctl: gate: {summary(report)}", err=True)
    raise typer.Exit(code)


def _default_stack(program: Path | None) -> str:
    chosen, hint = default_stack(program)
    if hint and program is not None:
        typer.echo(f"trustctl: note: {hint}", err=True)
    return chosen


def _project(program: list[Path] | None, preview: list[Path] | None,
             state: list[Path] | None) -> Path | None:
    """The (first) Pulumi project checked: --program, else the one holding the current
    directory."""
    if program:
        return program[0]
    found = find_project(Path.cwd())
    if found is None and not preview and not state:
        raise InputError(f"no Pulumi.yaml in {Path.cwd()} or any parent directory: run the "
                         "gate inside a Pulumi project, or give --program, --preview or --state")
    return found


def _policy_change(base: Path | None, repository: Path, chosen: PolicySet,
                   catalog: tuple[Control, ...], in_force: list[Waiver],
                   today: date) -> list[CheckResult]:
    """With --base: what the pull request's repository changes in the gate, and the waivers it
    adds to its own exceptions (judged by the base's rules: the author sees why they would not
    count); nothing without --base."""
    if base is None:
        return []
    own = PolicySet.choose(policies=repository / POLICIES_IN_PROJECT, base=None,
                           exceptions=None, project=repository)
    proposed = judged_waivers(
        PolicySet(chosen.catalog, chosen.checks, own.exceptions, chosen.owners), catalog, today)
    return policy_change(base, repository, change_control(chosen.catalog).owners_review,
                         in_force, proposed)


def scoping_hint(report: ControlReport) -> str | None:
    """Said once when most failed controls fail only for what is not declared here: a small
    program is usually one stack of an estate, and should say which controls it keeps."""
    failed = [c for c in report.controls if c.status == Status.FAIL]
    missing = [c.id for c in failed if c.findings and all(
        f.message.startswith(MISSING) for f in c.findings)]
    if len(missing) * 2 <= len(failed) or len(missing) < 3:
        return None
    return (f"{len(missing)} of {len(failed)} failed controls fail only because what they "
            "require is not declared here; if this stack is one part of an estate, list the "
            "controls it keeps in its stack config (trustctl:controls: {owns: [...]}) or gate "
            "the estate's stacks together (several --program/--stack)")


def gate_exit(report: ControlReport) -> tuple[int, str | None]:
    """The exit code, and what could not be checked. A resource that may hold customer data or
    open network paths and could not be checked makes a passing gate exit 2; a failed control
    still exits 1 (a finding is never hidden behind what could not be checked)."""
    code = exit_code(report.controls)
    risky = [r for r in report.unchecked if r.fails_closed]
    if not risky:
        return code, None
    reasons = {r.type: r.reason for r in risky}
    message = (f"{len(risky)} resource(s) could not be checked: "
               + "; ".join(f"{t} ({why})" for t, why in sorted(reasons.items()))
               + " (listed in the report)")
    return (1 if code == 1 else 2), message


def _write(path: Path, text: str, flag: str) -> None:
    try:
        write_file(path, text)
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot write ({exc.strerror})") from exc


def _fallback_uri(project: Path | None, preview: list[Path] | None,
                  state: list[Path] | None) -> str:
    """Where SARIF points a finding that has no source line: the (first) input itself."""
    target = (preview or state or [(project or Path.cwd()) / "Pulumi.yaml"])[0]
    return Path(os.path.relpath(target.resolve(), Path.cwd())).as_posix()


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
    app.command(name="gate")(gate)
