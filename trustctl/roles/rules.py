"""The role rules: what makes a key a backup key, a bucket a backup bucket or its replica, a
route table or subnet public or private. The gate and the audit both decide roles here.

The project's checks read a role as a tag (`trustctl:purpose=backup` on a key, ...), which only
this project's own programs carry. A program that never heard of those tags still says what each
resource is by how resources use each other: the key an AWS Backup vault encrypts with *is* a
backup key; a bucket *is* a backup bucket by what the backups do to it (the backup writer's
write-only grant, replication from a backup bucket), never by the key it shares: a shared key
must fail BACKUP-KEY-SEPARATE, not turn customer data into "backups"; a subnet *is* public
when its route table routes to an internet gateway. A `trustctl:` tag set on the resource is an
explicit decision and always wins (and the checks then hold the resource to it). Every decision
records how it was made, so a finding can say why a resource was taken for a backup bucket or a
public subnet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trustctl.roles.estate import Bucket, Estate, Key, RouteTable, Subnet, Vpc
from trustctl.roles.grants import DELETE, ENCRYPT, READ, WRITE, Grant, bucket_named, key_named

PURPOSE, ROLE, TIER = "trustctl:purpose", "trustctl:role", "trustctl:tier"
ROLE_TAGS = (PURPOSE, ROLE, TIER)
BACKUP, BACKUP_REPLICA, ACCESS_LOGS = "backup", "backup-replica", "access-logs"

# How a role is inferred when no tag decides it (the catalog's `requires:` say "tag or graph").
INFERRED_FROM = {
    f"{PURPOSE}=backup": "the key an aws_backup_vault uses, or that key's aws_kms_replica_key",
    f"{ROLE}=backup": "a bucket the backup writer writes: a policy that encrypts under the "
                      "backup key and may write the bucket but neither read nor delete it",
    f"{ROLE}=backup-replica": "the replication destination of the backup bucket",
    f"{ROLE}=access-logs": "the bucket that receives server access logs",
    f"{TIER}=private": "a subnet that gives no public IPs and whose route table routes to no "
                       "internet gateway",
}

_Inferred = tuple[str, str] | None  # (value, how it was inferred), or None: undecided


@dataclass(frozen=True)
class Role:
    """One decided role: the tag that carries it, and how it was decided."""

    key: str
    value: str
    explicit: bool  # the resource is tagged with it; otherwise inferred from the graph
    reason: str = ""

    def describe(self) -> str:
        how = f"tagged {self.key}" if self.explicit else f"inferred: {self.reason}"
        return f"{self.key.removeprefix('trustctl:')} {self.value} ({how})"

    def as_fact(self) -> dict[str, str]:
        """What a record keeps of it."""
        return {"tag": self.key, "value": self.value,
                "decided": "tag" if self.explicit else "inferred", "reason": self.reason}


def none_decided(kind: str, key: str, value: str) -> str:
    """The finding when no resource has a role the control needs: how it could have had it."""
    inferred = INFERRED_FROM.get(f"{key}={value}")
    return (f"no {kind} has {key}={value} (tagged" + (f", or inferred: {inferred})"
                                                      if inferred else ")"))


def decide_roles(estate: Estate) -> dict[str, Role]:
    """Every role the estate's tags declare or its graph implies: resource id -> role."""
    return _Decider(estate).run()


class _Decider:
    """Decides in dependency order: keys, then their replicas, then buckets (backup buckets
    before their replicas); route tables, then subnets, then what each VPC must keep."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.roles: dict[str, Role] = {}

    def role(self, thing_id: str, key: str) -> str | None:
        decided = self.roles.get(thing_id)
        return decided.value if decided is not None and decided.key == key else None

    def decide(self, thing_id: str, tags: Mapping[str, str], key: str,
               infer: Callable[[], _Inferred]) -> None:
        """The tag decides when present; else `infer()` gives (value, reason) or None."""
        tagged = tags.get(key)
        if tagged is not None:
            self.roles[thing_id] = Role(key, str(tagged), explicit=True)
            return
        inferred = infer()
        if inferred is not None:
            self.roles[thing_id] = Role(key, inferred[0], False, inferred[1])

    def run(self) -> dict[str, Role]:
        e = self.estate
        for key in sorted(e.keys, key=lambda k: bool(k.primaries)):  # primaries first
            self.decide(key.id, key.tags, PURPOSE,
                        lambda key=key: _backup_key(key) or self._replica(key))
        backup_keys = {n for k in e.keys if self.role(k.id, PURPOSE) == BACKUP for n in k.goes_by}
        for bucket in e.buckets:
            self.decide(bucket.id, bucket.tags, ROLE,
                        lambda bucket=bucket: self._bucket(bucket, backup_keys))
        self._replicas()
        for table in e.route_tables:
            self.decide(table.id, table.tags, TIER, lambda table=table: _route_table(table))
        names = {t.id: t.name for t in e.route_tables}
        for subnet in e.subnets:
            self.decide(subnet.id, subnet.tags, TIER,
                        lambda subnet=subnet: self._subnet(subnet, names))
        for vpc in e.vpcs:
            self._keep_private(vpc)
        return self.roles

    def _replica(self, key: Key) -> _Inferred:
        names = {k.id: k.name for k in self.estate.keys}
        primaries = [names[p] for p in key.primaries
                     if p in names and self.role(p, PURPOSE) == BACKUP]
        if not primaries:
            return None
        return BACKUP, f"the replica of backup key {_listed(primaries)}"

    def _bucket(self, bucket: Bucket, backup_keys: set[str]) -> _Inferred:
        writers = sorted({p.name for p in self.estate.policies
                          if _writes_only(p.grants, bucket, backup_keys)})
        if writers:
            return BACKUP, (f"backup writer {', '.join(writers)} encrypts under the backup key "
                            "and may write it, never read or delete it")
        if bucket.logged_by:
            return ACCESS_LOGS, (f"server access logs of {_listed(bucket.logged_by)} are "
                                 "delivered to it")
        return None

    def _replicas(self) -> None:
        """A bucket no tag or grant decided, that a backup bucket replicates into."""
        sources: dict[str, list[str]] = {}
        for bucket in self.estate.buckets:
            if self.role(bucket.id, ROLE) == BACKUP:
                for target in self.estate.replicates_into(bucket):
                    sources.setdefault(target, []).append(bucket.name)
        for bucket in self.estate.buckets:
            if bucket.id in sources and bucket.id not in self.roles:
                reason = f"backup bucket {_listed(sources[bucket.id])} replicates into it"
                self.roles[bucket.id] = Role(ROLE, BACKUP_REPLICA, False, reason)

    def _subnet(self, subnet: Subnet, table_names: dict[str, str]) -> _Inferred:
        if subnet.public_ip:
            return "public", "map_public_ip_on_launch gives its instances public IPs"
        if subnet.tables is None:
            return None  # served by a route table the estate does not hold
        tables = [table_names.get(t, t) for t in subnet.tables]
        public = [table_names.get(t, t) for t in subnet.tables if self.role(t, TIER) == "public"]
        if public:
            return "public", f"route table {_listed(public)} routes to an internet gateway"
        if any(self.role(t, TIER) != "private" for t in subnet.tables):
            return None
        if tables:
            return "private", f"route table {_listed(tables)} has no route to an internet gateway"
        return "private", "its VPC's main route table has no route to an internet gateway"

    def _keep_private(self, vpc: Vpc) -> None:
        """A VPC hosting internal services keeps a private subnet: when an internet route made
        every subnet of it public, the route tables its internal traffic uses must be private,
        and the route is the finding. The subnets keep the tier their routes give them (their
        databases are public now)."""
        if not vpc.subnets or not vpc.internal or any(
                self.role(s, TIER) != "public" for s in vpc.subnets):
            return
        reason = (f"VPC {vpc.name} hosts internal services ({_listed(vpc.internal)}) and must "
                  "keep a private subnet")
        tables = {t.id: t for t in self.estate.route_tables}
        for table_id in vpc.internal_tables:
            table = tables.get(table_id)
            if table is not None and table.tags.get(TIER) is None and table.internet:
                self.roles[table_id] = Role(TIER, "private", False, reason)


def _backup_key(key: Key) -> _Inferred:
    if not key.vaults:
        return None
    return BACKUP, f"backup vault {_listed(key.vaults)} encrypts with it"


def _route_table(table: RouteTable) -> _Inferred:
    if table.internet is None:
        return None  # a route's target is known only after apply: leave it undecided
    if table.internet:
        return "public", f"it routes to internet gateway {_listed(table.internet)}"
    return "private", "no route to an internet gateway"


def _writes_only(grants: list[Grant], bucket: Bucket, backup_keys: set[str]) -> bool:
    """What the backup writer is granted: write `bucket`, neither read nor delete it, and
    encrypt under a backup key (all in one policy)."""
    on_bucket = [g for g in grants if bucket_named(g.resource) in bucket.goes_by]
    return (any(g.allows(WRITE) for g in on_bucket)
            and not any(g.allows(READ) or g.allows(DELETE) or g.allows(f"{DELETE}version")
                        for g in on_bucket)
            and any(_encrypts_under(g, backup_keys) for g in grants))


def _encrypts_under(grant: Grant, keys: set[str]) -> bool:
    return (any(grant.allows(action) for action in ENCRYPT)
            and (grant.resource in keys or key_named(grant.resource) in keys))


def _listed(names: list[str]) -> str:
    return ", ".join(sorted(set(names)))
