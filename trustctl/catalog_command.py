"""`trustctl controls`: the control catalog as people and scripts read it, so nobody has to
open policies/controls.yaml to learn what a control id means or how it is proven."""

from __future__ import annotations

import json
from typing import Any

import typer

from trustctl.catalog import Control, load_catalog
from trustctl.options import FormatOption, check_format


def controls(output_format: FormatOption = "text") -> None:
    """List every control: id, the promise it keeps, how it is proven (static checks of the
    gate, live checks of the audit, the drill, attestation) and its SOC 2 criteria.

    \b
    Examples:
      trustctl controls
      trustctl controls --format json | jq '.controls[] | select(.verification.drill)'
    """
    catalog = load_catalog()
    if check_format(output_format) == "json":
        typer.echo(json.dumps({"controls": [_as_json(c) for c in catalog]}, indent=2))
        return
    for control in catalog:
        typer.echo("\n".join(_as_text(control)) + "\n")


def _as_json(control: Control) -> dict[str, Any]:
    ver = control.verification
    return {
        "id": control.id, "title": control.title, "section": control.section,
        "promise": control.promise, "severity": control.severity, "soc2": list(control.soc2),
        "verification": {"static": list(ver.static), "live": list(ver.live), "drill": ver.drill,
                         "attested": ver.attested,
                         "schedule": None if ver.schedule is None else {
                             "command": ver.schedule.command,
                             "every_days": ver.schedule.every_days}},
        "remediation": control.remediation,
    }


def _as_text(control: Control) -> list[str]:
    ver = control.verification
    proofs = [f"static {', '.join(ver.static)}" if ver.static else "",
              f"live {', '.join(ver.live)}" if ver.live else "",
              "drill" if ver.drill else "", "attested" if ver.attested else ""]
    return [
        f"{control.id}  {control.title}  (section {control.section}, {control.severity})",
        f"  promise: {control.promise}",
        f"  proven by: {'; '.join(p for p in proofs if p) or 'nothing yet'}",
        f"  SOC 2: {', '.join(control.soc2)}",
    ]


def register(app: typer.Typer) -> None:
    """Attach `trustctl controls` to the top-level app."""
    app.command(name="controls")(controls)
