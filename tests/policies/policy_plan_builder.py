"""Build Terraform-plan JSON documents (the shape `terraform show -json` writes) for checkov.

The gate hands checkov exactly this shape, so the policy tests build it the same way:
`planned_values.root_module.resources[]` carries each resource's values, and
`configuration.root_module.resources[].expressions` carries the references that let
checkov's graph checks connect resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One planned resource; `refs` maps an attribute path to what it references.

    A path is a tuple of keys, e.g. ("rule", "apply_server_side_encryption_by_default",
    "kms_master_key_id"); nested blocks along it are taken as one-element lists, and the
    target is a Terraform reference such as "aws_kms_key.data.arn" (or a list of them, for
    a list attribute such as subnet_ids).
    """

    type: str
    name: str
    values: dict[str, Any]
    refs: dict[tuple[str, ...], str | list[str]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


def _reference_expression(targets: str | list[str]) -> dict[str, list[str]]:
    """Terraform lists each attribute reference, then the resource it belongs to."""
    references: list[str] = []
    for target in [targets] if isinstance(targets, str) else targets:
        resource = ".".join(target.split(".")[:2])
        references += [target, resource] if target != resource else [target]
    return {"references": references}


def _expressions(refs: dict[tuple[str, ...], str | list[str]]) -> dict[str, Any]:
    """Nested blocks are lists of one object in `expressions`, as in a real plan."""
    expressions: dict[str, Any] = {}
    for path, target in refs.items():
        node = expressions
        for key in path[:-1]:
            node = node.setdefault(key, [{}])[0]
        node[path[-1]] = _reference_expression(target)
    return expressions


def plan_document(resources: list[Resource]) -> dict[str, Any]:
    """A minimal Terraform plan: values, configuration with references, resource changes."""
    addresses = [r.address for r in resources]
    duplicates = sorted({a for a in addresses if addresses.count(a) > 1})
    if duplicates:
        raise ValueError(f"duplicate resource addresses {duplicates}")
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {**_block(r), "provider_name": _provider(r.type), "schema_version": 0,
                     "values": r.values}
                    for r in resources
                ]
            }
        },
        "resource_changes": [
            {
                **_block(r),
                "provider_name": _provider(r.type),
                "change": {"actions": ["create"], "before": None, "after": r.values},
            }
            for r in resources
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {**_block(r), "provider_config_key": r.type.split("_")[0],
                     "expressions": _expressions(r.refs), "schema_version": 0}
                    for r in resources
                ]
            }
        },
    }


def _block(r: Resource) -> dict[str, str]:
    """What every section of a plan says to name a resource."""
    return {"address": r.address, "mode": "managed", "type": r.type, "name": r.name}


def _provider(resource_type: str) -> str:
    prefix = resource_type.split("_")[0]
    namespace = {"cloudflare": "cloudflare", "supabase": "supabase"}.get(prefix, "hashicorp")
    return f"registry.terraform.io/{namespace}/{prefix}"
