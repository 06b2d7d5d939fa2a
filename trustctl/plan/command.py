"""`trustctl plan`: write every resource a Pulumi program would declare, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trustctl.errors import InputError
from trustctl.plan.planner import plan_program
from trustctl.redaction import write_file


def plan(
    program: Annotated[
        Path,
        typer.Option(
            "--program", help="Pulumi project directory (holds Pulumi.yaml).", show_default=True
        ),
    ] = Path("."),
    stack: Annotated[
        str, typer.Option("--stack", help="Stack whose Pulumi.<stack>.yaml config is used.")
    ] = "prod",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the JSON here instead of standard output."),
    ] = None,
) -> None:
    """Plan a Pulumi Python program offline: no Pulumi CLI, plugins or cloud credentials.

    Runs the program under Pulumi's mock runtime with the stack's config (`secure:` values
    become opaque placeholders) and writes {"resources": [...]}, each resource with urn, type,
    name, parent, inputs, dependencies and source (file and line that declared it). Computed
    outputs (ids, ARNs) are synthesized so that references between resources stay traceable.

    Example: trustctl plan --program . --stack prod --output plan.json
    """
    result = plan_program(program, stack)
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


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
