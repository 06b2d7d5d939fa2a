"""Roles inferred from the resource graph: the backup key, the backup bucket and its replica, the
access-log bucket, public and private subnets and route tables.

The project's checks read a role as a tag (`trustctl:purpose=backup` on a key, ...), which only
this project's own programs carry. A program that never heard of those tags still says what each
resource is by how resources use each other: the key an AWS Backup vault encrypts with *is* a
backup key; a bucket *is* a backup bucket by what the backups do to it (the backup writer's
write-only grant, replication from a backup bucket), never by the key it shares: a shared key
must fail BACKUP-KEY-SEPARATE, not turn customer data into "backups"; a subnet *is* public
when its route table routes to an internet gateway. So each role is decided here, from the
translated plan checkov reads, and written into that plan as the tag the checks read. A
`trustctl:` tag the program sets itself is an explicit decision and always wins (and the checks
then hold the program to it). Every decision records how it was made, so a finding can say why
a resource was taken for a backup bucket or a public subnet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from trustctl.gate.grants import (
    DELETE,
    ENCRYPT,
    POLICY_TYPES,
    READ,
    WRITE,
    Grant,
    bucket_named,
    key_named,
    policy_grants,
)

PURPOSE, ROLE, TIER = "trustctl:purpose", "trustctl:role", "trustctl:tier"
ROLE_TAGS = (PURPOSE, ROLE, TIER)
KEY_TYPES = ("aws_kms_key", "aws_kms_replica_key")
ROUTE_TABLE_TYPES = ("aws_route_table", "aws_default_route_table")
# where a route may send traffic (hashicorp/aws route blocks and aws_route)
_ROUTE_TARGETS = ("gateway_id", "nat_gateway_id", "transit_gateway_id", "egress_only_gateway_id",
                  "vpc_peering_connection_id", "network_interface_id", "vpc_endpoint_id",
                  "carrier_gateway_id", "local_gateway_id", "core_network_arn", "instance_id")

# How a role is inferred when no tag decides it (the catalog's `requires:` say "tag or graph").
INFERRED_FROM = {
    f"{PURPOSE}=backup": "the key an aws_backup_vault uses, or that key's aws_kms_replica_key",
    f"{ROLE}=backup": "a bucket the backup writer writes: a policy that encrypts under the "
                      "backup key and may write the bucket but neither read nor delete it",
    f"{ROLE}=backup-replica": "the replication destination of the backup bucket",
}


_Inferred = tuple[str, str] | None  # (value, how it was inferred), or None: undecided


@dataclass(frozen=True)
class Role:
    """One decided role: the tag that carries it, and how it was decided."""

    key: str
    value: str
    explicit: bool  # the program tagged it; otherwise inferred from the graph
    reason: str = ""

    def describe(self) -> str:
        how = f"tagged {self.key}" if self.explicit else f"inferred: {self.reason}"
        return f"{self.key.removeprefix('trustctl:')} {self.value} ({how})"

    def as_fact(self) -> dict[str, str]:
        """What the gate's record keeps of it."""
        return {"tag": self.key, "value": self.value,
                "decided": "tag" if self.explicit else "inferred", "reason": self.reason}


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


class _Decider:
    """Decides roles in dependency order: keys, then buckets; route tables, then subnets."""

    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        self.roles: dict[str, Role] = {}  # address -> the role its tag key carries
        # route table address -> internet gateways it routes to (None: unknown until apply)
        self.internet: dict[str, list[str] | None] = {}

    def role(self, resource: _Resource, key: str) -> str | None:
        decided = self.roles.get(resource.address)
        return decided.value if decided is not None and decided.key == key else None

    def decide(self, resource: _Resource, key: str, infer: Callable[[], _Inferred]) -> None:
        """The tag decides when present; else `infer()` gives (value, reason) or None."""
        tagged = _tags(resource).get(key)
        if tagged is not None:
            self.roles[resource.address] = Role(key, str(tagged), explicit=True)
            return
        inferred = infer()
        if inferred is not None:
            self.roles[resource.address] = Role(key, inferred[0], False, inferred[1])

    def run(self) -> dict[str, Role]:
        g = self.graph
        for key in g.of_type("aws_kms_key"):
            self.decide(key, PURPOSE, lambda key=key: self._backup_key(key))
        for key in g.of_type("aws_kms_replica_key"):
            self.decide(key, PURPOSE, lambda key=key: self._backup_key(key) or self._replica(key))
        for bucket in g.of_type("aws_s3_bucket"):
            self.decide(bucket, ROLE, lambda bucket=bucket: self._bucket(bucket))
        for bucket in g.of_type("aws_s3_bucket"):  # once every backup bucket is known
            if bucket.address not in self.roles:
                self.decide(bucket, ROLE, lambda bucket=bucket: self._replication_target(bucket))
        for table in g.of_type(*ROUTE_TABLE_TYPES):
            self.decide(table, TIER, lambda table=table: self._route_table(table))
        for subnet in g.of_type("aws_subnet"):
            self.decide(subnet, TIER, lambda subnet=subnet: self._subnet(subnet))
        for vpc in g.of_type("aws_vpc"):
            self._keep_private(vpc)
        return self.roles

    def _keep_private(self, vpc: _Resource) -> None:
        """A VPC hosting internal services keeps a private subnet: when an internet route made
        every subnet of it public, the route tables its internal traffic uses (those of its
        gateway endpoints, else all of them) must be private, and the route is the finding.
        The subnets keep the tier their routes give them (their databases are public now)."""
        g = self.graph
        subnets = g.referrers(vpc, "vpc_id", "aws_subnet")
        internal = self._internal_services(vpc)
        if not subnets or not internal or any(
                self.role(s, TIER) != "public" for s in subnets):
            return
        tables = [t for e in g.referrers(vpc, "vpc_id", "aws_vpc_endpoint")
                  for t in g.targets(e, "route_table_ids", *ROUTE_TABLE_TYPES)] or [
            t for t in g.of_type(*ROUTE_TABLE_TYPES)
            if vpc in g.targets(t, "vpc_id", "aws_vpc")]
        reason = (f"VPC {vpc.name} hosts internal services ({', '.join(internal)}) and must keep "
                  "a private subnet")
        for table in tables:
            decided = self.roles.get(table.address)
            if (decided is None or not decided.explicit) and self.internet.get(table.address):
                self.roles[table.address] = Role(TIER, "private", False, reason)

    def _internal_services(self, vpc: _Resource) -> list[str]:
        """What runs privately in the VPC: endpoints, security groups other than the default,
        subnet groups of databases and caches."""
        g = self.graph
        found = [f"{kind} {r.name}" for kind, types in _INTERNAL.items()
                 for r in g.referrers(vpc, "vpc_id", *types)]
        subnets = g.referrers(vpc, "vpc_id", "aws_subnet")
        found += [f"subnet group {r.name}" for s in subnets
                  for r in g.referrers(s, "subnet_ids", *_SUBNET_GROUPS)]
        return sorted(set(found))

    def _backup_key(self, key: _Resource) -> _Inferred:
        vaults = self.graph.referrers(key, "kms_key_arn", "aws_backup_vault")
        if not vaults:
            return None
        return "backup", f"backup vault {_names(vaults)} encrypts with it"

    def _replica(self, key: _Resource) -> _Inferred:
        primaries = [k for k in self.graph.targets(key, "primary_key_arn", "aws_kms_key")
                     if self.role(k, PURPOSE) == "backup"]
        if not primaries:
            return None
        return "backup", f"the replica of backup key {_names(primaries)}"

    def _backup_writers(self, bucket: _Resource) -> list[str]:
        """Names of the policies that write `bucket`, cannot read or delete it, and encrypt
        under a backup key: what the backup writer is granted."""
        g = self.graph
        backup_keys = {n for k in g.of_type(*KEY_TYPES) if self.role(k, PURPOSE) == "backup"
                       for n in g.names[k.address]}
        writers = []
        for policy in {grant.address for grant in g.grants}:
            grants = [grant for grant in g.grants if grant.address == policy]
            on_bucket = [grant for grant in grants
                         if bucket_named(grant.resource) in g.names[bucket.address]]
            if (any(grant.allows(WRITE) for grant in on_bucket)
                    and not any(grant.allows(READ) or grant.allows(DELETE)
                                or grant.allows(f"{DELETE}version") for grant in on_bucket)
                    and any(_encrypts_under(grant, backup_keys) for grant in grants)):
                writers.append(g.resources[policy].name)
        return sorted(writers)

    def _bucket(self, bucket: _Resource) -> _Inferred:
        writers = self._backup_writers(bucket)
        if writers:
            return "backup", (f"backup writer {', '.join(writers)} encrypts under the backup key "
                              "and may write it, never read or delete it")
        loggers = self.graph.referrers(bucket, "target_bucket", "aws_s3_bucket_logging")
        if loggers:
            return "access-logs", f"server access logs of {_names(loggers)} are delivered to it"
        return None

    def _replication_target(self, bucket: _Resource) -> _Inferred:
        g = self.graph
        sources = [
            source for config in g.referrers(bucket, "rule.destination.bucket",
                                             "aws_s3_bucket_replication_configuration")
            for source in g.targets(config, "bucket", "aws_s3_bucket")
            if self.role(source, ROLE) == "backup"]
        if not sources:
            return None
        return "backup-replica", f"backup bucket {_names(sources)} replicates into it"

    def _route_table(self, table: _Resource) -> _Inferred:
        gateways = self.internet[table.address] = _internet_routes(self.graph, table)
        if gateways is None:
            return None  # a route's target is known only after apply: leave it undecided
        if gateways:
            return "public", f"it routes to internet gateway {', '.join(sorted(set(gateways)))}"
        return "private", "no route to an internet gateway"

    def _subnet(self, subnet: _Resource) -> _Inferred:
        g = self.graph
        if _is_true(subnet.values.get("map_public_ip_on_launch")):
            return "public", "map_public_ip_on_launch gives its instances public IPs"
        associations = g.referrers(subnet, "subnet_id", "aws_route_table_association")
        tables = [t for a in associations for t in g.targets(a, "route_table_id",
                                                             *ROUTE_TABLE_TYPES)]
        if len(tables) < len(associations):
            return None  # associated with a route table the plan does not hold
        if not tables:
            tables = self._main_tables(subnet)
        public = [t for t in tables
                  if self.role(t, TIER) == "public" or self.internet.get(t.address)]
        if public:
            return "public", f"route table {_names(public)} routes to an internet gateway"
        if any(self.role(t, TIER) != "private" for t in tables):
            return None
        if tables:
            return "private", f"route table {_names(tables)} has no route to an internet gateway"
        return "private", "its VPC's main route table has no route to an internet gateway"

    def _main_tables(self, subnet: _Resource) -> list[_Resource]:
        """The route tables serving a subnet associated with none: its VPC's main table."""
        g = self.graph
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


def _encrypts_under(grant: Grant, keys: set[str]) -> bool:
    return (any(grant.allows(action) for action in ENCRYPT)
            and (grant.resource in keys or key_named(grant.resource) in keys))


_IDENTITY_VALUES = ("bucket", "arn", "id", "key_id", "name")


def _goes_by(resource: _Resource, identities: set[str]) -> set[str]:
    """The logical name, the names and ids in its values, and the ids and ARNs it holds once it
    exists (state and preview)."""
    values = [resource.values.get(k) for k in _IDENTITY_VALUES]
    found = {resource.name, *identities, *(v for v in values if isinstance(v, str) and v)}
    return found | {key_named(v) or bucket_named(v) or v for v in found}


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _names(resources: list[_Resource]) -> str:
    return ", ".join(sorted({r.name for r in resources}))


def assign_roles(document: dict[str, Any], names: dict[str, str],
                 identities: dict[str, set[str]] | None = None) -> dict[str, Role]:
    """Decide every role in a translated plan and write the inferred ones as the tags the checks
    read (in place); `names` maps TF addresses to Pulumi logical names, `identities` to the ids
    and ARNs a resource holds once it exists. Returns address -> role."""
    graph = _Graph(document, names, identities)
    roles = _Decider(graph).run()
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
