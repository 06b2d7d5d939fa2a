"""Planned Pulumi resources -> the Terraform plan JSON that checkov reads (`-f plan.json
--framework terraform_plan`).

The plan is a create-everything plan: `planned_values` holds each resource with its properties
renamed the Terraform way; a value that refers to another resource is unknown until apply (left
out of `planned_values`, as Terraform does) and carried in `configuration` as a reference, which
is how checkov builds the edges its connection checks follow. Secrets are redacted and assets
reduced to a marker before anything is written. Roles the checks read as `trustctl:` tags are
decided from the resource graph where the program does not tag them (roles.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trustctl.gate.references import UNKNOWN, Path, find_references
from trustctl.gate.resource_types import Block, TfType, tf_type
from trustctl.gate.roles import assign_roles
from trustctl.gate.sdk_schema import save_all
from trustctl.gate.sources import Declared
from trustctl.gate.unchecked import unchecked_risk
from trustctl.plan.model import PlannedResource
from trustctl.plan.placeholders import is_placeholder
from trustctl.roles.rules import Role

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


@dataclass(frozen=True)
class _Unknown:
    """Marks a value only the cloud knows (a data source, an existing resource, another stack's
    output): left out of the plan, as Terraform leaves out what is unknown until apply."""

    origin: str


@dataclass(frozen=True)
class _PartlyKnown:
    """Marks a string built from a value only the cloud knows (a policy document computed with
    `.apply` over a data source's ARN): kept, placeholders and all, so that checks read what
    is known of it; a pass that rests on it is not claimed (gate/evaluate.py)."""

    text: str
    origin: str


@dataclass
class TfPlan:
    """The plan document, which Pulumi resource each TF address stands for, what was left
    unchecked because the gate does not know its type, and which attributes are unknown."""

    document: dict[str, Any]
    resources: dict[str, PlannedResource] = field(default_factory=dict)  # TF address -> resource
    unchecked: list[PlannedResource] = field(default_factory=list)  # may hold data: fails closed
    skipped_inert: list[PlannedResource] = field(default_factory=list)  # listed, never failing
    # TF address -> attribute path ("ingress.0.cidr_blocks.0") -> where the value comes from
    unknowns: dict[str, dict[str, str]] = field(default_factory=dict)
    # TF address -> attribute path -> where its placeholders come from (the rest is known)
    partly_known: dict[str, dict[str, str]] = field(default_factory=dict)
    # TF address -> its role (backup key, backup bucket, public subnet...): tagged or inferred
    roles: dict[str, Role] = field(default_factory=dict)
    # TF address -> the ids and ARNs it holds once it exists (state, preview)
    identities: dict[str, set[str]] = field(default_factory=dict)


def translate(declared: Declared) -> TfPlan:
    plan = TfPlan(document={})
    typed: list[tuple[PlannedResource, TfType]] = []
    for resource in declared.plan.resources:
        tf = tf_type(resource.type)
        if tf is not None:
            typed.append((resource, tf))
        elif not unchecked_risk(resource.type).fails_closed:
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
        unknown = {tuple(p.split(".")): origin for p, origin in resource.unknowns.items()}
        values = _tf_value(_marked(resource.inputs, refs, unknown), tf, tf.block)
        plan.unknowns[address] = dict(_unknown_leaves(values, _Unknown))
        plan.partly_known[address] = dict(_unknown_leaves(values, _PartlyKnown))
        block = {"address": address, "mode": "managed", "type": tf.name,
                 "name": address.split(".", 1)[1]}
        planned.append({**block, "provider_name": _PROVIDER_ADDRESS[tf.provider],
                        "schema_version": 0, "values": _known(values),
                        "after_unknown": _after_unknown(values)})
        configured.append({**block, "expressions": _expressions(values) or {}})
    plan.document = _document(planned, configured)
    plan.identities = {address: declared.identities.get(r.urn, set())
                       for address, r in plan.resources.items()}
    save_all()  # what was read of the SDKs, for the next run
    plan.roles = assign_roles(plan.document,
                              {address: r.name for address, r in plan.resources.items()},
                              plan.identities)
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
             "change": {"actions": ["create"], "before": None, "after": p["values"],
                        "after_unknown": p.pop("after_unknown")}}
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


def _marked(value: Any, refs: dict[Path, str], unknown: dict[tuple[str, ...], str],
            path: Path = ()) -> Any:
    """A copy of Pulumi inputs with references and unknowns replaced by markers, secrets
    redacted, assets reduced and Pulumi's bookkeeping (`__defaults`) dropped."""
    if path in refs:
        return _Reference(refs[path])
    origin = unknown.get(tuple(str(p) for p in path)) if path else None
    if origin is not None:
        if isinstance(value, str) and value != UNKNOWN and not is_placeholder(value):
            return _PartlyKnown(value, origin)
        return _Unknown(origin)
    if isinstance(value, dict):
        if value.get(_SIGNATURE) == _SECRET_SIG:
            return REDACTED
        if _SIGNATURE in value:
            return _ASSET
        return {k: _marked(v, refs, unknown, (*path, k)) for k, v in value.items()
                if k != "__defaults"}
    if isinstance(value, list):
        return [_marked(v, refs, unknown, (*path, i)) for i, v in enumerate(value)]
    return None if value == UNKNOWN else value


def _tf_value(value: Any, tf: TfType, block: Block) -> Any:
    """Rename properties the TF way (the SDK's input types say how); nest single blocks as a
    list of one for SDKv2 providers; keep the keys of maps (tags, headers) as they are."""
    if isinstance(value, list):
        return [_tf_value(v, tf, block) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        prop = block.property(k)
        if prop.is_map and isinstance(v, dict):
            converted: Any = {key: _tf_value(item, tf, prop.block) for key, item in v.items()}
        else:
            converted = _tf_value(v, tf, prop.block or Block(None, "", tf.renames))
            if isinstance(v, dict) and tf.nests_blocks:
                converted = [converted]
        out[prop.tf_name] = converted
    return out


def _known(value: Any) -> Any:
    """What Terraform knows before apply: references and unknowns are left out."""
    if isinstance(value, _PartlyKnown):
        return value.text
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()
                if not isinstance(v, _Reference | _Unknown) and v is not None}
    if isinstance(value, list):
        return [None if isinstance(v, _Reference | _Unknown) else _known(v) for v in value]
    return value


def _after_unknown(value: Any) -> Any:
    """Terraform's `after_unknown`: true where a value is known only after apply."""
    if isinstance(value, dict):
        out = {k: _after_unknown(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v}
    if isinstance(value, list):
        items = [_after_unknown(v) for v in value]
        return items if any(items) else []
    return isinstance(value, _Reference | _Unknown)


def _unknown_leaves(value: Any, kind: type[_Unknown | _PartlyKnown],
                    path: str = "") -> list[tuple[str, str]]:
    """(TF attribute path, origin) of every value of this kind: wholly or partly unknown."""
    if isinstance(value, kind):
        return [(path, value.origin)]
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else []
    return [leaf for k, v in items
            for leaf in _unknown_leaves(v, kind, f"{path}.{k}" if path else str(k))]


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
