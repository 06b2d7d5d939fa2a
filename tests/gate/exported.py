"""A planned program written out as `pulumi preview --json` and `pulumi stack export` would show
it, so a test can put the same resources through all three gate inputs.

The preview is a create preview: a value that names another resource is unknown until apply
(Pulumi's sentinel) and only `propertyDependencies` say which resource it is. The state is a
converted one (as terraform-migrate writes): no `propertyDependencies`, so references are found
by the ids and ARNs the resources hold once they exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustctl.gate.references import UNKNOWN
from trustctl.plan.mocks import synthesized_arn
from trustctl.plan.model import Plan, PlannedResource

REGION = "eu-west-1"


def _identities(resource: PlannedResource) -> set[str]:
    """What the planner's mocks hand out for the resource's id and ARN."""
    return {resource.name, synthesized_arn(resource.type, resource.name, REGION)}


def _unknown(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _unknown(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown(v, names) for v in value]
    return UNKNOWN if isinstance(value, str) and value in names else value


def _created(resource: PlannedResource, by_urn: dict[str, PlannedResource]) -> dict[str, Any]:
    inputs = {prop: _unknown(value, {i for urn in resource.property_dependencies.get(prop, [])
                                     if urn in by_urn for i in _identities(by_urn[urn])})
              for prop, value in resource.inputs.items()}
    return {"urn": resource.urn, "type": resource.type, "custom": True, "inputs": inputs,
            "dependencies": resource.dependencies,
            "propertyDependencies": resource.property_dependencies}


def write_preview(plan: Plan, path: Path) -> Path:
    by_urn = {r.urn: r for r in plan.resources}
    steps = [{"op": "create", "urn": r.urn, "newState": _created(r, by_urn)}
             for r in plan.resources if r.custom]
    path.write_text(json.dumps({"steps": steps}))
    return path


def write_state(plan: Plan, path: Path) -> Path:
    resources = [{"urn": r.urn, "type": r.type, "custom": True, "id": r.name,
                  "inputs": r.inputs, "dependencies": r.dependencies,
                  "outputs": {"arn": synthesized_arn(r.type, r.name, REGION)}}
                 for r in plan.resources if r.custom]
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return path
