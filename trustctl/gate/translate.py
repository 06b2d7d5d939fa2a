"""Planned Pulumi resources -> the Terraform plan JSON that checkov reads (`-f plan.json
--framework terraform_plan`).

The plan is a create-everything plan: `planned_values` holds each resource with its properties
renamed the Terraform way; a value that refers to another resource is unknown until apply (left
out of `planned_values`, as Terraform does) and carried in `configuration` as a reference, which
is how checkov builds the edges its connection checks follow. Secrets are redacted and assets
reduced to a marker before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trustctl.gate.references import UNKNOWN, Path, find_references
from trustctl.gate.resource_types import MAP_PROPERTIES, TfType, is_inert, snake_case, tf_type
from trustctl.gate.sources import Declared
from trustctl.plan.model import PlannedResource

# Pulumi's wire-format signature key: marks secrets, assets and archives inside property values.
_SIGNATURE = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
REDACTED = "<redacted secret>"
_ASSET = "<pulumi asset>"
_PROVIDER_ADDRESS = {"aws": "registry.terraform.io/hashicorp/aws",
                     "cloudflare": "registry.terraform.io/cloudflare/cloudflare",
                     "supabase": "registry.terraform.io/supabase/supabase"}
_TF_NAME_INVALID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class _Reference:
    """Marks a value that is another resource's attribute, e.g. `aws_kms_key.data.arn`."""

    attribute: str


@dataclass
class TfPlan:
    """The plan document, which Pulumi resource each TF address stands for, and what was left
    unchecked because the gate does not know its type."""

    document: dict[str, Any]
    resources: dict[str, PlannedResource] = field(default_factory=dict)  # TF address -> resource
    unchecked: list[PlannedResource] = field(default_factory=list)
    skipped_inert: list[PlannedResource] = field(default_factory=list)


def translate(declared: Declared) -> TfPlan:
    plan = TfPlan(document={})
    typed: list[tuple[PlannedResource, TfType]] = []
    for resource in declared.plan.resources:
        tf = tf_type(resource.type)
        if tf is not None:
            typed.append((resource, tf))
        elif is_inert(resource.type):
            plan.skipped_inert.append(resource)
        else:
            plan.unchecked.append(resource)
    addresses = _addresses(typed)
    targets = {r.urn: r for r, _ in typed}
    planned, configured = [], []
    for resource, tf in typed:
        address = addresses[resource.urn]
        plan.resources[address] = resource
        refs = {path: f"{addresses[ref.urn]}.{ref.attribute}"
                for path, ref in find_references(resource, targets, declared.identities).items()}
        values = _tf_value(_marked(resource.inputs, refs), tf, None)
        block = {"address": address, "mode": "managed", "type": tf.name,
                 "name": address.split(".", 1)[1]}
        planned.append({**block, "provider_name": _PROVIDER_ADDRESS[tf.provider],
                        "schema_version": 0, "values": _known(values)})
        configured.append({**block, "expressions": _expressions(values) or {}})
    plan.document = _document(planned, configured)
    return plan


def _document(planned: list[dict[str, Any]], configured: list[dict[str, Any]]) -> dict[str, Any]:
    """A Terraform (1.x, format 1.2) plan JSON in which every resource is created."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": [
            {"address": p["address"], "mode": "managed", "type": p["type"], "name": p["name"],
             "provider_name": p["provider_name"],
             "change": {"actions": ["create"], "before": None, "after": p["values"]}}
            for p in planned
        ],
        "configuration": {"root_module": {"resources": configured}},
    }


def _addresses(typed: list[tuple[PlannedResource, TfType]]) -> dict[str, str]:
    """A unique, valid TF address per resource: `<type>.<logical name, sanitised>`."""
    taken: set[str] = set()
    out = {}
    for resource, tf in typed:
        base = _TF_NAME_INVALID.sub("_", resource.name) or "resource"
        if base[0].isdigit():
            base = f"_{base}"
        name, n = base, 1
        while f"{tf.name}.{name}" in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(f"{tf.name}.{name}")
        out[resource.urn] = f"{tf.name}.{name}"
    return out


def _marked(value: Any, refs: dict[Path, str], path: Path = ()) -> Any:
    """A copy of Pulumi inputs with references replaced by markers, secrets
    redacted, assets reduced and Pulumi's bookkeeping (`__defaults`) dropped."""
    if path in refs:
        return _Reference(refs[path])
    if isinstance(value, dict):
        if value.get(_SIGNATURE) == _SECRET_SIG:
            return REDACTED
        if _SIGNATURE in value:
            return _ASSET
        return {k: _marked(v, refs, (*path, k)) for k, v in value.items() if k != "__defaults"}
    if isinstance(value, list):
        return [_marked(v, refs, (*path, i)) for i, v in enumerate(value)]
    return None if value == UNKNOWN else value


def _tf_value(value: Any, tf: TfType, key: str | None) -> Any:
    """Rename properties the TF way; nest single blocks as a list of one for SDKv2 providers."""
    if isinstance(value, list):
        return [_tf_value(v, tf, key) for v in value]
    if not isinstance(value, dict):
        return value
    if key in MAP_PROPERTIES:
        return dict(value)
    out = {}
    for k, v in value.items():
        converted = _tf_value(v, tf, k)
        if isinstance(v, dict) and k not in MAP_PROPERTIES and tf.nests_blocks:
            converted = [converted]
        out[tf.renames.get(k) or snake_case(k)] = converted
    return out


def _known(value: Any) -> Any:
    """What Terraform knows before apply: references and unknowns are left out."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()
                if not isinstance(v, _Reference) and v is not None}
    if isinstance(value, list):
        return [None if isinstance(v, _Reference) else _known(v) for v in value]
    return value


def _expressions(value: Any) -> Any:
    """The `configuration` expressions of a block: only what holds references, same shape."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            expr = _expressions(v)
            if expr:
                out[k] = expr
        return out
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            nested = [_expressions(v) if isinstance(v, dict) else {} for v in value]
            return nested if any(nested) else None
        refs = [v.attribute for v in value if isinstance(v, _Reference)]
        return _reference(refs) if refs else None
    return _reference([value.attribute]) if isinstance(value, _Reference) else None


def _reference(addresses: list[str]) -> dict[str, list[str]]:
    """TF lists both the attribute and the resource: `aws_kms_key.k.arn`, `aws_kms_key.k`."""
    out: list[str] = []
    for attr in addresses:
        for ref in (attr, attr.rsplit(".", 1)[0]):
            if ref not in out:
                out.append(ref)
    return {"references": out}
