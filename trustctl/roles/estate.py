"""The neutral graph the role rules read: what each key, bucket, policy, route table, subnet and
VPC is called, what it declares of itself (its tags) and who uses it how.

The gate fills it from a translated plan (references between resources), the audit from live
reads (vault encryption keys, bucket logging and replication, IAM policy documents, route
tables). Each side resolves its own ids; the rules see only the facts below, so they decide
the same way whichever side asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from trustctl.roles.grants import Grant


@dataclass
class Key:
    """A KMS key (or a multi-Region replica of one)."""

    id: str
    name: str  # what findings show
    tags: Mapping[str, str]
    goes_by: frozenset[str]  # every id and ARN a policy may name it by
    vaults: list[str] = field(default_factory=list)  # names of the backup vaults encrypting with it
    primaries: list[str] = field(default_factory=list)  # ids of the key it replicates


@dataclass
class Bucket:
    id: str
    name: str
    tags: Mapping[str, str]
    goes_by: frozenset[str]  # the bucket name (and logical names) a policy ARN may carry
    logged_by: list[str] = field(default_factory=list)  # who delivers server access logs to it


@dataclass
class Policy:
    """One IAM policy document: a unit of what one principal is granted."""

    name: str
    grants: list[Grant]


@dataclass
class RouteTable:
    id: str
    name: str
    tags: Mapping[str, str]
    internet: list[str] | None  # internet gateways it routes to; None: a target unknown yet


@dataclass
class Subnet:
    id: str
    name: str
    tags: Mapping[str, str]
    public_ip: bool  # instances launched in it get public IPs
    tables: list[str] | None  # ids of the tables serving it (its own, else its VPC's main
    #                           table); None: a table the estate does not hold


@dataclass
class Vpc:
    id: str
    name: str
    subnets: list[str]  # ids
    internal: list[str]  # what runs privately in it ("endpoint x", "subnet group y")
    internal_tables: list[str]  # the route tables its internal traffic uses


def no_replication(bucket: Bucket) -> list[str]:
    return []


@dataclass
class Estate:
    """Everything the rules look at. `replicates_into(bucket)` gives the ids of the buckets a
    bucket replicates into; the rules ask it only of backup buckets, so a live reader reads the
    replication of those alone."""

    keys: list[Key] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    route_tables: list[RouteTable] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    vpcs: list[Vpc] = field(default_factory=list)
    replicates_into: Callable[[Bucket], list[str]] = no_replication
