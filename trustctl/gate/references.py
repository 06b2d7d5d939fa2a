"""Which values in a resource's inputs refer to another declared resource.

checkov's connection (graph) checks follow references between resources, e.g. "the bucket's
encryption uses *this* key". Pulumi resolves references to plain values (an ARN, an id), so they
are recovered here: first from `propertyDependencies` (exact: the engine recorded them), then,
when a source has none (converted states), from values equal to another resource's id or ARN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trustctl.plan.model import PlannedResource

# What `pulumi preview --json` prints for a value known only after apply.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """A value that is another resource's attribute (`arn` or `id`)."""

    urn: str
    attribute: str


def string_leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, (*path, index))


def find_references(
    resource: PlannedResource,
    targets: dict[str, PlannedResource],
    identities: dict[str, set[str]],
) -> dict[Path, Ref]:
    """Paths (into `resource.inputs`) of every value that names another declared resource."""
    refs: dict[Path, Ref] = {}
    for prop, urns in resource.property_dependencies.items():
        known = [u for u in urns if u in targets and u != resource.urn]
        if prop in resource.inputs and known:
            refs.update(_dependency_refs(resource.inputs[prop], (prop,), known, targets,
                                         identities))
    by_identity = {value: urn for urn, values in identities.items() if urn != resource.urn
                   for value in values if urn in targets}
    for path, leaf in string_leaves(resource.inputs):
        if path not in refs and leaf in by_identity:
            refs[path] = Ref(by_identity[leaf], _attribute(leaf))
    return refs


def _dependency_refs(
    value: Any, prefix: Path, urns: list[str], targets: dict[str, PlannedResource],
    identities: dict[str, set[str]],
) -> dict[Path, Ref]:
    leaves = list(string_leaves(value, prefix))
    refs = {}
    for path, leaf in leaves:
        urn = next((u for u in urns if _names(leaf, targets[u], identities.get(u, set()))), None)
        if urn is not None:
            refs[path] = Ref(urn, _attribute(leaf))
    unknown = [(path, leaf) for path, leaf in leaves if leaf == UNKNOWN]
    candidates = unknown or leaves
    if not refs and len(urns) == 1 and len(candidates) == 1 and _may_name(candidates[0][1]):
        # one dependency and one value it can be (preferably the one unknown until apply)
        path, leaf = candidates[0]
        refs[path] = Ref(urns[0], _attribute(leaf))
    for path, _ in unknown:
        # several dependencies, several unknowns: the one dependency of the kind the
        # property names (`bucket`, `replica_kms_key_id`), if only one is
        fits = [u for u in urns if path not in refs and _kind_fits(path, targets[u].type)]
        if len(fits) == 1:
            refs[path] = Ref(fits[0], "id")
    if not refs and unknown and len(unknown) == len(urns) == len(leaves) and len(
            {path[:-1] for path, _ in unknown}) == 1 and len({targets[u].type for u in urns}) == 1:
        # a list of nothing but unknowns (`subnet_ids`), one per dependency, all of one type:
        # which is which cannot be known, that they are these can
        refs = {path: Ref(urn, "id") for (path, _), urn in zip(unknown, urns, strict=True)}
    return refs


def _may_name(leaf: str) -> bool:
    """Whether a value can be an id or ARN: a policy document built from one resource's ARN
    depends on it, but is a document, which checks must read, not a reference."""
    return leaf == UNKNOWN or not (leaf.lstrip().startswith(("{", "[")) or any(
        c.isspace() for c in leaf))


_KINDS = {"bucket": ("aws:s3/bucket:", "aws:s3/bucketV2:"), "key": ("aws:kms/",)}


def _kind_fits(path: Path, type_token: str) -> bool:
    """Whether the property at `path` names a resource of this type: its name ends with the
    kind (`bucket`, `...key_id`, `...key_arn`)."""
    name = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    name = name.lower().removesuffix("arn").removesuffix("id").rstrip("_")
    return any(name.endswith(kind) and type_token.startswith(prefixes)
               for kind, prefixes in _KINDS.items())


def _names(leaf: str, target: PlannedResource, identities: set[str]) -> bool:
    """True when `leaf` is the target's id/ARN, or (offline plans) the synthesized id or ARN
    that ends with the target's logical name."""
    if leaf in identities:
        return True
    name = target.name
    return leaf in (name, f"{name}-id") or leaf.endswith((f"/{name}", f":{name}"))


def _attribute(leaf: str) -> str:
    return "arn" if leaf.startswith("arn:") else "id"
