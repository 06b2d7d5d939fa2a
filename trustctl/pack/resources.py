"""The engine's resources, as a stack policy receives them, in the shape the gate reads.

`AnalyzeStack` hands a policy every resource of the stack with its outputs: inputs plus what
the provider computed (at `pulumi preview` the computed values are still unknown, at `pulumi
up` they are resolved). They become `pulumi stack export` resources: unknowns keep Pulumi's
wire sentinel, which the gate reads as "known only after apply"; the outputs the program made
secret are marked secret again, so the translation redacts them. A resource with no provider
is a component (or the stack) and declares nothing itself.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, serialize_properties


def as_state(resource: PolicyResource) -> dict[str, Any]:
    """One resource as `pulumi stack export` writes it (no id: outputs name the resource)."""
    properties = _whole_numbers(dict(serialize_properties(resource.props)))
    for key in resource.opts.additional_secret_outputs:
        if key in properties:
            properties[key] = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": properties[key]}
    return {
        "urn": resource.urn,
        "type": resource.resource_type,
        "custom": resource.provider is not None,
        "inputs": properties,
        "outputs": properties,
        "parent": resource.parent.urn if resource.parent is not None else None,
        "dependencies": [d.urn for d in resource.dependencies],
        "propertyDependencies": {key: [d.urn for d in on]
                                 for key, on in resource.property_dependencies.items()},
    }


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value
