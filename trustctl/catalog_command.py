"""`trustctl controls`: the control catalog as people and scripts read it, so nobody has to
open policies/controls.yaml to learn what a control id means or how it is proven."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from trustctl.catalog import Control, load_catalog
from trustctl.control_map import ControlMap, Place, control_map
from trustctl.options import FormatOption, check_format


def controls(
    output_format: FormatOption = "text",
    show: Annotated[str | None, typer.Option(
        "--show", metavar="ID", help="One control in full: the page's sentence, its figures, "
        "the infrastructure that declares it, each static and live check, the drill's steps "
        "and the records that prove it, each with its file.")] = None,
) -> None:
    """List every control: id, the promise it keeps, how it is proven (static checks of the
    gate, live checks of the audit, the drill, attestation) and its SOC 2 criteria.

    \b
    Examples:
      trustctl controls
      trustctl controls --show BACKUP-DAILY-35D
      trustctl controls --format json | jq '.controls[] | select(.verification.drill)'
    """
    json_wanted = check_format(output_format) == "json"
    if show is not None:
        found = control_map(show)
        typer.echo(json.dumps({"controls": [_map_json(found)]}, indent=2) if json_wanted
                   else "\n".join(_map_text(found)))
        return
    catalog = load_catalog()
    if json_wanted:
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
        "figures": dict(control.figures),
    }


def _map_json(found: ControlMap) -> dict[str, Any]:
    return {**_as_json(found.control), **{
        name: [p.to_json() for p in getattr(found, name)]
        for name in ("components", "static", "live", "drill", "records", "attestations")}}


_GROUPS = (("declared by", "components"), ("static", "static"), ("live", "live"),
           ("drill", "drill"), ("records", "records"), ("attested", "attestations"))


def _map_text(found: ControlMap) -> list[str]:
    control = found.control
    figures = ", ".join(f"{k} {v}" for k, v in found.figures.items())
    lines = [f"{control.id}  {control.title}  (section {control.section}, {control.severity})",
             f"  page:        {control.promise}",
             f"  figures:     {figures or '-'}"]
    schedule = control.verification.schedule
    if schedule is not None:
        lines.append(f"  schedule:    `{schedule.command}` at least every {schedule.every_days} "
                     f"day(s), role {schedule.role_variable} (judged by the gate from "
                     ".github/workflows)")
    for label, name in _GROUPS:
        places: tuple[Place, ...] = getattr(found, name)
        width = max([22, *(len(p.name) + 2 for p in places)])  # a long name keeps a gap
        rows = [f"{p.name:<{width}}{p.file or ''}{'  (' + p.note + ')' if p.note else ''}"
                for p in places] or ["-"]
        lines += [f"  {label if i == 0 else '':<13}{row}" for i, row in enumerate(rows)]
    lines.append(f"  SOC 2:       {', '.join(control.soc2)}")
    return lines


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
