"""`trustctl gate`: check a Pulumi program (or what the Pulumi CLI produced) against every
control of the catalog, before anything is deployed."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer

from trustctl.catalog import load_catalog
from trustctl.errors import InputError
from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.evaluate import GateReport
from trustctl.gate.run import check
from trustctl.gate.schedules import find_workflows, load_workflows
from trustctl.gate.sources import Declared, from_preview, from_program, from_state
from trustctl.gate.unchecked import unchecked_risk
from trustctl.paths import EXCEPTIONS_PATH, REPO_ROOT
from trustctl.plan.command import StackOutputsOption, TimeoutOption
from trustctl.plan.failures import exit_despite_program_threads, unknown_stacks_warning
from trustctl.plan.planner import DEFAULT_TIMEOUT_S
from trustctl.plan.stack_outputs import read_stack_outputs
from trustctl.records import Record
from trustctl.records.options import (
    DEFAULT_EVIDENCE_DIR,
    EvidenceDirOption,
    EvidenceOption,
    record_store,
)
from trustctl.redaction import write_file
from trustctl.report.render import to_json, to_junit, to_table
from trustctl.report.results import exit_code
from trustctl.report.sarif import to_sarif


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"


def gate(
    program: Annotated[Path | None, typer.Option(
        help="Pulumi program (directory with Pulumi.yaml), planned offline. "
             "Default: this repository.")] = None,
    stack: Annotated[str, typer.Option(help="Stack whose config the program reads.")] = "prod",
    preview: Annotated[Path | None, typer.Option(
        help="Output of `pulumi preview --json` to check instead of a program.")] = None,
    state: Annotated[Path | None, typer.Option(
        help="Output of `pulumi stack export` to check instead of a program.")] = None,
    output_format: Annotated[Format, typer.Option(
        "--format", help="Report format.")] = Format.TABLE,
    output: Annotated[Path | None, typer.Option(help="Write the report here, not stdout.")] = None,
    exceptions: Annotated[Path, typer.Option(
        help="Reviewed exceptions file.")] = EXCEPTIONS_PATH,
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
    BACKUP-DAILY-35D and RESTORE-DRILL also need a workflow job that runs `trustctl backup run`
    daily and `trustctl drill` at least every 92 days, in the production environment, with
    their roles (policies/controls.yaml `schedule:`). Every run that checked something leaves
    a `gate-*.json` record in --evidence-dir (or the --evidence bucket).

    \b
    Examples:
      trustctl gate
      trustctl gate --preview preview.json --format sarif --output gate.sarif
      trustctl gate --workflows .github/workflows --format json
    """
    records = record_store(evidence_dir, evidence)
    records.check_writable()
    started = datetime.now(UTC)
    with CheckovProcess() as checkov:  # imports itself while the program is planned
        declared = _declared(program, stack, preview, state,
                             read_stack_outputs(stack_outputs or []), timeout)
        found = load_workflows(workflows or find_workflows(
            program or (REPO_ROOT if preview is None and state is None else Path.cwd())))
        report = check(declared, exceptions_path=exceptions, checkov=checkov, workflows=found)
    if tf_plan_out is not None:
        _write(tf_plan_out, json.dumps(report.tf_plan, indent=1), "--tf-plan-out")
    text = _render(report, output_format, _fallback_uri(program, preview, state))
    records.write(_as_record(report, stack, started))
    if output is None:
        typer.echo(text, nl=False)
    else:
        _write(output, text, "--output")
    code, unchecked = gate_exit(report)
    if unchecked and code == 2:
        raise InputError(unchecked)
    for warning in (unchecked, unknown_stacks_warning(declared.plan.unknown_stacks)):
        if warning:
            typer.echo(f"trustctl: warning: {warning}", err=True)
    exit_despite_program_threads(code)
    raise typer.Exit(code)


def gate_exit(report: GateReport) -> tuple[int, str | None]:
    """The exit code, and what could not be checked. A resource that may hold customer data or
    open network paths and could not be checked makes a passing gate exit 2; a failed control
    still exits 1 (a finding is never hidden behind what could not be checked)."""
    code = exit_code(report.controls)
    risky = [r for r in report.unchecked if unchecked_risk(r.type).fails_closed]
    if not risky:
        return code, None
    reasons = {r.type: unchecked_risk(r.type).reason for r in risky}
    message = (f"{len(risky)} resource(s) could not be checked: "
               + "; ".join(f"{t} ({why})" for t, why in sorted(reasons.items()))
               + " (listed in the report)")
    return (1 if code == 1 else 2), message


def _as_record(report: GateReport, stack: str, started: datetime) -> Record:
    facts = json.loads(to_json(report))
    controls = facts.pop("controls")
    facts["roles"] = report.roles
    return Record.new("gate", started, datetime.now(UTC), controls=controls, facts=facts,
                      targets={"origin": report.origin, "stack": stack})


def _declared(program: Path | None, stack: str, preview: Path | None, state: Path | None,
              stack_outputs: dict[str, dict], timeout: float) -> Declared:
    given = [flag for flag, value in (("--program", program), ("--preview", preview),
                                      ("--state", state)) if value is not None]
    if len(given) > 1:
        raise InputError(f"give one of --program, --preview, --state (got {', '.join(given)})")
    if preview is not None:
        return from_preview(preview)
    if state is not None:
        return from_state(state)
    return from_program(program or REPO_ROOT, stack, stack_outputs, timeout)


def _write(path: Path, text: str, flag: str) -> None:
    try:
        write_file(path, text)
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot write ({exc.strerror})") from exc


def _fallback_uri(program: Path | None, preview: Path | None, state: Path | None) -> str:
    """Where SARIF points a finding that has no source line: the input itself."""
    target = preview or state or (program or REPO_ROOT) / "Pulumi.yaml"
    return Path(os.path.relpath(target.resolve(), Path.cwd())).as_posix()


def _render(report: GateReport, output_format: Format, fallback_uri: str) -> str:
    if output_format == Format.JSON:
        return to_json(report)
    if output_format == Format.SARIF:
        return to_sarif(report, load_catalog(), fallback_uri, sarif_version())
    if output_format == Format.JUNIT:
        return to_junit(report)
    return to_table(report)


def sarif_version() -> str:
    """The tool version SARIF names (the package's; `0` when not installed)."""
    try:
        return version("trustctl")
    except PackageNotFoundError:
        return "0"


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
    app.command(name="gate")(gate)
