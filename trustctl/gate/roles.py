"""Roles in a translated plan: the plan's resources and references as the neutral graph of
`trustctl.roles`, decided by its rules (the audit's too), and written into the plan as the tags
checkov's checks read. A `trustctl:` tag the program sets itself is an explicit decision and
always wins; every inferred role says how it was inferred, for the findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trustctl.roles.estate import Bucket, Estate, Key, Policy, RouteTable, Subnet, Vpc
from trustctl.roles.grants import POLICY_TYPES, bucket_named, key_named, policy_grants
from trustctl.roles.rules import Role, decide_roles

KEY_TYPES = ("aws_kms_key", "aws_kms_replica_key")
ROUTE_TABLE_TYPES = ("aws_route_table", "aws_default_route_table")
# where a route may send traffic (hashicorp/aws route blocks and aws_route)
_ROUTE_TARGETS = ("gateway_id", "nat_gateway_id", "transit_gateway_id", "egress_only_gateway_id",
                  "vpc_peering_connection_id", "network_interface_id", "vpc_endpoint_id",
                  "carrier_gateway_id", "local_gateway_id", "core_network_arn", "instance_id")


@dataclass
class _Resource:
    address: str
    type: str
    name: str  # the Pulumi logical name, which findings show
    values: dict[str, Any]  # the plan's values: written in place
    references: list[tuple[str, str, int | None]]  # (attribute path, target address, list index)


class _Graph:
    """The plan's resources and who references whom, by TF attribute path (indices dropped)."""

    def __init__(self, document: dict[str, Any], names: dict[str, str],
                 identities: dict[str, set[str]] | None = None) -> None:
        configured = {r["address"]: r.get("expressions") or {}
                      for r in document["configuration"]["root_module"]["resources"]}
        self.resources = {
            r["address"]: _Resource(r["address"], r["type"], names.get(r["address"], r["name"]),
                                    r["values"],
                                    list(_references(configured.get(r["address"], {}))))
            for r in document["planned_values"]["root_module"]["resources"]
        }

        # address -> every string the resource goes by (logical name, ids, ARNs, bucket name)
        self.names = {a: _goes_by(r, (identities or {}).get(a, set()))
                      for a, r in self.resources.items()}
        self.grants = [g for r in self.of_type(*POLICY_TYPES)
                       for g in policy_grants(r.address, r.values.get("policy"))]
        self.incoming: dict[str, list[tuple[str, _Resource]]] = {}  # target -> (path, source)
        for source in self.resources.values():
            for path, target, _ in source.references:
                self.incoming.setdefault(target, []).append((path, source))

    def of_type(self, *types: str) -> list[_Resource]:
        return [r for r in self.resources.values() if r.type in types]

    def targets(self, resource: _Resource, path: str, *types: str) -> list[_Resource]:
        found = [self.resources.get(t) for p, t, _ in resource.references if p == path]
        return [r for r in found if r is not None and (not types or r.type in types)]

    def referrers(self, target: _Resource, path: str, *types: str) -> list[_Resource]:
        found = {r.address: r for p, r in self.incoming.get(target.address, []) if p == path}
        return [r for r in found.values() if r.type in types]


def _references(expressions: Any, path: tuple[str, ...] = (),
                index: int | None = None) -> Iterator[tuple[str, str, int | None]]:
    """(dotted attribute path, referenced TF address, index in the outermost list) of every
    reference in a resource's `configuration` expressions."""
    if isinstance(expressions, dict):
        refs = expressions.get("references")
        if isinstance(refs, list) and all(isinstance(r, str) for r in refs):
            for address in dict.fromkeys(".".join(r.split(".")[:2]) for r in refs):
                yield ".".join(path), address, index
            return
        for key, value in expressions.items():
            yield from _references(value, (*path, key), index)
    elif isinstance(expressions, list):
        for i, item in enumerate(expressions):
            yield from _references(item, path, i if index is None else index)


def _tags(resource: _Resource) -> dict[str, Any]:
    tags = resource.values.get("tags")
    return tags if isinstance(tags, dict) else {}


def _estate(g: _Graph) -> Estate:
    """The plan as the neutral graph the role rules read."""
    keys = [Key(k.address, k.name, _tags(k), frozenset(g.names[k.address]),
                vaults=[v.name for v in g.referrers(k, "kms_key_arn", "aws_backup_vault")],
                primaries=[p.address for p in g.targets(k, "primary_key_arn", "aws_kms_key")]
                if k.type == "aws_kms_replica_key" else [])
            for k in g.of_type(*KEY_TYPES)]
    buckets = [Bucket(b.address, b.name, _tags(b), frozenset(g.names[b.address]),
                      logged_by=[r.name for r in g.referrers(b, "target_bucket",
                                                             "aws_s3_bucket_logging")])
               for b in g.of_type("aws_s3_bucket")]
    policies: dict[str, Policy] = {}
    for grant in g.grants:
        policies.setdefault(grant.address, Policy(g.resources[grant.address].name, []))
        policies[grant.address].grants.append(grant)
    tables = [RouteTable(t.address, t.name, _tags(t), _internet_routes(g, t))
              for t in g.of_type(*ROUTE_TABLE_TYPES)]
    return Estate(keys, buckets, list(policies.values()), tables,
                  [_subnet(g, s) for s in g.of_type("aws_subnet")],
                  [_vpc(g, v) for v in g.of_type("aws_vpc")],
                  replicates_into=lambda bucket: _replicates_into(g, bucket))


def _replicates_into(g: _Graph, bucket: Bucket) -> list[str]:
    source = g.resources[bucket.id]
    return [target.address
            for config in g.referrers(source, "bucket", "aws_s3_bucket_replication_configuration")
            for target in g.targets(config, "rule.destination.bucket", "aws_s3_bucket")]


def _subnet(g: _Graph, subnet: _Resource) -> Subnet:
    associations = g.referrers(subnet, "subnet_id", "aws_route_table_association")
    tables = [t for a in associations for t in g.targets(a, "route_table_id",
                                                         *ROUTE_TABLE_TYPES)]
    served: list[str] | None = [t.address for t in tables or _main_tables(g, subnet)]
    if len(tables) < len(associations):
        served = None  # associated with a route table the plan does not hold
    return Subnet(subnet.address, subnet.name, _tags(subnet),
                  _is_true(subnet.values.get("map_public_ip_on_launch")), served)


def _vpc(g: _Graph, vpc: _Resource) -> Vpc:
    """Its subnets, what runs privately in it (endpoints, security groups other than the
    default, subnet groups of databases and caches), and the route tables its internal traffic
    uses (those of its gateway endpoints, else all of them)."""
    subnets = g.referrers(vpc, "vpc_id", "aws_subnet")
    internal = [f"{kind} {r.name}" for kind, types in _INTERNAL.items()
                for r in g.referrers(vpc, "vpc_id", *types)]
    internal += [f"subnet group {r.name}" for s in subnets
                 for r in g.referrers(s, "subnet_ids", *_SUBNET_GROUPS)]
    tables = [t for e in g.referrers(vpc, "vpc_id", "aws_vpc_endpoint")
              for t in g.targets(e, "route_table_ids", *ROUTE_TABLE_TYPES)] or [
        t for t in g.of_type(*ROUTE_TABLE_TYPES) if vpc in g.targets(t, "vpc_id", "aws_vpc")]
    return Vpc(vpc.address, vpc.name, [s.address for s in subnets], internal,
               [t.address for t in tables])


def _main_tables(g: _Graph, subnet: _Resource) -> list[_Resource]:
    """The route tables serving a subnet associated with none: its VPC's main table."""
    tables = []
    for vpc in g.targets(subnet, "vpc_id", "aws_vpc"):
        tables += g.referrers(vpc, "default_route_table_id", "aws_default_route_table")
        for main in g.referrers(vpc, "vpc_id", "aws_main_route_table_association"):
            tables += g.targets(main, "route_table_id", *ROUTE_TABLE_TYPES)
    return tables


_INTERNAL = {"endpoint": ("aws_vpc_endpoint",), "security group": ("aws_security_group",)}
_SUBNET_GROUPS = ("aws_db_subnet_group", "aws_redshift_subnet_group",
                  "aws_elasticache_subnet_group", "aws_docdb_subnet_group",
                  "aws_neptune_subnet_group", "aws_dms_replication_subnet_group")


def _internet_routes(graph: _Graph, table: _Resource) -> list[str] | None:
    """Names of the internet gateways a route table routes to (inline routes or aws_route), or
    None when a route's target is known only after apply (a data source, a resource the plan
    does not hold). Any destination counts: a route to a gateway for part of the internet
    exposes the subnet to that part."""
    inline = table.values.get("route")
    routes = [(route, [t for p, t, index in table.references
                       if p.startswith("route.") and index == i])
              for i, route in enumerate(inline if isinstance(inline, list) else [])]
    routes += [(route.values, [t for p, t, _ in route.references if p != "route_table_id"])
               for route in graph.referrers(table, "route_table_id", "aws_route")]
    gateways: list[str] = []
    for values, refs in routes:
        if not refs and not any(isinstance(values, dict) and values.get(target)
                                for target in _ROUTE_TARGETS):
            return None
        gateways += [graph.resources[t].name for t in refs
                     if graph.resources[t].type == "aws_internet_gateway"]
        literal = values.get("gateway_id") if isinstance(values, dict) else None
        gateways += [literal] if isinstance(literal, str) and literal.startswith("igw-") else []
    return gateways


_IDENTITY_VALUES = ("bucket", "arn", "id", "key_id", "name")


def _goes_by(resource: _Resource, identities: set[str]) -> set[str]:
    """The logical name, the names and ids in its values, and the ids and ARNs it holds once it
    exists (state and preview)."""
    values = [resource.values.get(k) for k in _IDENTITY_VALUES]
    found = {resource.name, *identities, *(v for v in values if isinstance(v, str) and v)}
    return found | {key_named(v) or bucket_named(v) or v for v in found}


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def assign_roles(document: dict[str, Any], names: dict[str, str],
                 identities: dict[str, set[str]] | None = None) -> dict[str, Role]:
    """Decide every role in a translated plan and write the inferred ones as the tags the checks
    read (in place); `names` maps TF addresses to Pulumi logical names, `identities` to the ids
    and ARNs a resource holds once it exists. Returns address -> role."""
    graph = _Graph(document, names, identities)
    roles = decide_roles(_estate(graph))
    for address, role in roles.items():
        if not role.explicit:
            values = graph.resources[address].values
            values["tags"] = {**_tags(graph.resources[address]), role.key: role.value}
    return roles


def neighbours(document: dict[str, Any], address: str) -> list[str]:
    """The addresses a resource references (sorted): whose roles bear on its findings."""
    for resource in document["configuration"]["root_module"]["resources"]:
        if resource["address"] == address:
            return sorted({t for _, t, _ in _references(resource.get("expressions") or {})})
    return []
