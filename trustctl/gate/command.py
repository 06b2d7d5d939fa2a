"""`trustctl gate`: check a Pulumi program (or what the Pulumi CLI produced) against every
control of the catalog, before anything is deployed.

Without --program it checks the Pulumi project holding the current directory (the nearest
Pulumi.yaml, as `pulumi` finds it) with that project's policies/exceptions.yaml, which is read
and validated before anything is planned.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from trustctl.catalog import load_catalog
from trustctl.errors import InputError
from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.exceptions import load_exceptions
from trustctl.gate.run import check_inputs
from trustctl.gate.schedules import find_workflows, load_workflows
from trustctl.gate.sources import gather
from trustctl.plan.command import StackOutputsOption, TimeoutOption
from trustctl.plan.failures import exit_despite_program_threads, unknown_stacks_warning
from trustctl.plan.planner import DEFAULT_TIMEOUT_S
from trustctl.plan.project import find_project
from trustctl.plan.stack_outputs import read_stack_outputs
from trustctl.progress import Steps
from trustctl.records import Record
from trustctl.records.options import (
    DEFAULT_EVIDENCE_DIR,
    EvidenceDirOption,
    EvidenceOption,
    record_store,
)
from trustctl.redaction import write_file
from trustctl.report.formats import FormatOption, OutputOption, report_outputs, write_reports
from trustctl.report.model import ControlReport
from trustctl.report.render import summary, to_json
from trustctl.report.results import exit_code

EXCEPTIONS_IN_PROJECT = Path("policies") / "exceptions.yaml"


def gate(
    program: Annotated[list[Path] | None, typer.Option(
        help="Pulumi program (directory with Pulumi.yaml), planned offline; repeat it to judge "
             "several stacks as one estate. Default: the Pulumi project holding the current "
             "directory.")] = None,
    stack: Annotated[list[str] | None, typer.Option(
        help="Stack whose config the program reads: once for every program, once per "
             "--program, or several for one program. Default: prod.")] = None,
    preview: Annotated[list[Path] | None, typer.Option(
        help="Output of `pulumi preview --json` to check (repeatable).")] = None,
    state: Annotated[list[Path] | None, typer.Option(
        help="Output of `pulumi stack export` to check (repeatable).")] = None,
    output_format: FormatOption = "text",
    output: OutputOption = None,
    exceptions: Annotated[Path | None, typer.Option(
        help="Reviewed exceptions file. Default: policies/exceptions.yaml of the Pulumi "
             "project (of the current directory outside one; a missing file: none).")] = None,
    tf_plan_out: Annotated[Path | None, typer.Option(
        help="Also write the translated Terraform plan JSON (what checkov reads) here.")] = None,
    workflows: Annotated[Path | None, typer.Option(
        help="GitHub Actions workflows that must schedule the backup and the drill. Default: "
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
    """
    outputs = report_outputs(output_format, output)
    project = _project(program, preview, state)
    exceptions = exceptions or (project or Path.cwd()) / EXCEPTIONS_IN_PROJECT
    catalog = load_catalog()  # the exceptions are judged before a minute of planning
    load_exceptions(exceptions, frozenset(c.id for c in catalog),
                    frozenset(check for c in catalog for check in c.verification.static))
    records = record_store(evidence_dir, evidence)
    records.check_writable()
    started = datetime.now(UTC)
    found = load_workflows(workflows or find_workflows(project or Path.cwd()))
    # checkov imports itself and judges the repository while the programs are planned
    with Steps("gate") as steps, CheckovProcess([found.repository]) as checkov:
        inputs = gather(program or ([project] if project and not preview and not state else []),
                        stack or ["prod"], preview or [], state or [],
                        read_stack_outputs(stack_outputs or []), timeout,
                        lambda p, s: steps.step(f"planning {p} (stack {s}) offline"))
        steps.step(f"running checkov on {sum(len(d.plan.resources) for d in inputs)} "
                   "resources, then judging them by control")
        checked = check_inputs(inputs, exceptions_path=exceptions, checkov=checkov,
                               workflows=found)
        report = checked.estate()
    if tf_plan_out is not None:
        _write(tf_plan_out, json.dumps(checked.translated().document, indent=1),
               "--tf-plan-out")
    records.write(_as_record(report, ", ".join(d.plan.stack for d in inputs), started))
    write_reports(report, outputs, _fallback_uri(project, preview, state))
    code, unchecked = gate_exit(report)
    if unchecked and code == 2:
        raise InputError(unchecked)
    unknown_stacks = sorted({s for d in inputs for s in d.plan.unknown_stacks})
    for warning in (unchecked, unknown_stacks_warning(unknown_stacks)):
        if warning:
            typer.echo(f"trustctl: warning: {warning}", err=True)
    typer.echo(f"trustctl: gate: {summary(report)}", err=True)
    exit_despite_program_threads(code)
    raise typer.Exit(code)


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


def _as_record(report: ControlReport, stack: str, started: datetime) -> Record:
    facts = json.loads(to_json(report))
    controls = facts.pop("controls")
    facts["roles"] = report.roles
    return Record.new("gate", started, datetime.now(UTC), controls=controls, facts=facts,
                      targets={"origin": report.origin, "stack": stack})


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
