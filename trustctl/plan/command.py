"""`trustctl plan`: write every resource a Pulumi program would declare, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trustctl.errors import InputError
from trustctl.plan.failures import unknown_stacks_warning
from trustctl.plan.isolated import DEFAULT_TIMEOUT_S, plan_isolated
from trustctl.plan.project import default_stack
from trustctl.plan.stack_outputs import read_stack_outputs
from trustctl.redaction import write_file

StackOutputsOption = Annotated[list[str] | None, typer.Option(
    "--stack-outputs", metavar="STACK=FILE",
    help="Outputs of a stack the program references (pulumi.StackReference), as printed by "
         "`pulumi stack output --json`; repeat per stack. Without it, its outputs are unknown "
         "at plan time.")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0, help="Stop a program that has not finished after this many seconds "
                             "(0: no limit).")]


def plan(
    program: Annotated[
        Path,
        typer.Option(
            "--program", help="Pulumi project directory (holds Pulumi.yaml).", show_default=True
        ),
    ] = Path("."),
    stack: Annotated[
        str | None, typer.Option("--stack", help="Stack whose Pulumi.<stack>.yaml config is "
                                 "used. Default: PULUMI_STACK, else the stack `pulumi "
                                 "stack select` chose, else the project's only "
                                 "Pulumi.<stack>.yaml, else prod.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the JSON here instead of standard output."),
    ] = None,
    stack_outputs: StackOutputsOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Plan a Pulumi Python program offline: no Pulumi CLI, plugins or cloud credentials.

    Runs the program under Pulumi's mock runtime with the stack's config (`secure:` values
    become opaque placeholders) and writes {"resources": [...]}, each resource with urn, type,
    name, parent, inputs, dependencies and source (file and line that declared it). Computed
    outputs are synthesized in the shape the provider SDK declares, so that references between
    resources stay traceable; values only the cloud knows (data sources, existing resources,
    stack references without --stack-outputs) are placeholders listed under `unknowns`.

    Examples:
      trustctl plan --program . --stack prod --output plan.json
      trustctl plan --stack-outputs acme/network/prod=network.json --timeout 60
    """
    if stack is None:
        stack, hint = default_stack(program)
        if hint:
            typer.echo(f"trustctl: note: {hint}", err=True)
    result = plan_isolated(program, stack, stack_outputs=read_stack_outputs(stack_outputs or []),
                           timeout=timeout)
    text = json.dumps(result.to_json(), indent=2, sort_keys=False)
    if output is None:
        typer.echo(text)
    else:
        try:
            write_file(output, text + "\n")
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    types = {r.type for r in result.resources}
    typer.echo(
        f"planned {len(result.resources)} resources of {len(types)} types "
        f"({result.project}/{stack})" + (f" -> {output}" if output else ""),
        err=True,
    )
    warning = unknown_stacks_warning(result.unknown_stacks)
    if warning:
        typer.echo(f"trustctl: warning: {warning}", err=True)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
