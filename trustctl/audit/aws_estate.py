"""An account's live resources as the neutral graph of `trustctl.roles`, so the audit decides
roles by the gate's own rules: the key an AWS Backup vault encrypts with, the bucket only a
backup writer's policy may write, the bucket a backup bucket replicates into, the bucket that
receives server access logs, the subnet whose route table reaches an internet gateway; a
`trustctl:` tag on the resource still decides first.

Ids are what the live API names a thing by (key ARN, bucket name, subnet and route table id);
names are what findings show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import unquote

from trustctl.roles.estate import Bucket, Estate, Key, Policy, RouteTable, Subnet, Vpc
from trustctl.roles.grants import bucket_named, policy_grants


class Read(Protocol):
    """A resource as the AWS reader holds it: its id and the facts read about it."""

    name: str
    facts: dict[str, Any]


def tags_of(resource: Read) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.facts.get("tags") or []}


def key_of(key: Read, vaults: list[dict[str, Any]]) -> Key:
    """A KMS key: named by its ARN and id, a backup key when a vault encrypts with it."""
    meta = key.facts.get("metadata") or {}
    multi_region = meta.get("MultiRegionConfiguration") or {}
    primary = (multi_region.get("PrimaryKey") or {}).get("Arn")
    replica = multi_region.get("MultiRegionKeyType") == "REPLICA"
    return Key(key.name, key.name, tags_of(key),
               frozenset({key.name, key.name.rsplit("/", 1)[-1]}),
               vaults=[v["BackupVaultName"] for v in vaults
                       if v.get("EncryptionKeyArn") == key.name],
               primaries=[primary] if replica and primary else [])


def buckets_of(buckets: list[Read]) -> list[Bucket]:
    """Each bucket, with the buckets whose server access logs it receives."""
    logged_by: dict[str, list[str]] = {}
    for bucket in buckets:
        target = (bucket.facts.get("logging") or {}).get("TargetBucket")
        if target:
            logged_by.setdefault(target, []).append(bucket.name)
    return [Bucket(b.name, b.name, tags_of(b), frozenset({b.name}),
                   logged_by=logged_by.get(b.name, [])) for b in buckets]


def replication_targets(configuration: dict[str, Any] | None) -> list[str]:
    """The buckets a replication configuration's rules send objects to (by name)."""
    rules = (configuration or {}).get("Rules") or []
    found = [bucket_named((r.get("Destination") or {}).get("Bucket") or "") for r in rules]
    return [name for name in found if name]


def policies_of(principals: Iterable[tuple[str, list[dict[str, Any]]]],
                managed: list[dict[str, Any]]) -> list[Policy]:
    """Every inline policy of a role, user or group ("role x policy y") and the default version
    of every customer-managed policy: each is one unit of what a principal is granted."""
    found = [Policy(f"{who} policy {p['PolicyName']}",
                    policy_grants(who, _document(p.get("PolicyDocument"))))
             for who, inline in principals for p in inline]
    for policy in managed:
        default = next((v for v in policy.get("PolicyVersionList") or []
                        if v.get("IsDefaultVersion")), {})
        found.append(Policy(f"policy {policy['PolicyName']}",
                            policy_grants(policy["Arn"], _document(default.get("Document")))))
    return [p for p in found if p.grants]


def _document(value: Any) -> Any:
    """IAM returns policy documents URL-encoded (boto3 decodes them to objects itself)."""
    return unquote(value) if isinstance(value, str) else value


def live_estate(keys: list[Read], buckets: list[Read], vaults: list[dict[str, Any]],
                policies: list[Policy], replicates_into: Callable[[str], list[str]]) -> Estate:
    """The estate the role rules read: customer-managed keys (an AWS-managed key is no resource
    a program declares, so it has no role in the gate either); `replicates_into(bucket name)`
    is asked only of the buckets the rules found to be backup buckets."""
    return Estate(keys=[key_of(k, vaults) for k in keys
                        if (k.facts.get("metadata") or {}).get("KeyManager") == "CUSTOMER"],
                  buckets=buckets_of(buckets), policies=policies,
                  replicates_into=lambda bucket: replicates_into(bucket.id))


def _tagged(thing: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in thing.get("Tags") or []}


def network_estate(subnets: list[dict[str, Any]], tables: list[dict[str, Any]],
                   endpoints: list[dict[str, Any]], security_groups: list[dict[str, Any]],
                   subnet_groups: list[dict[str, Any]]) -> Estate:
    """Route tables (their internet gateway routes), subnets (public IPs, the table serving
    each: its own, else its VPC's main table) and VPCs (what runs privately in each: endpoints,
    security groups but the default, database subnet groups; the tables its gateway
    endpoints use, else all of its tables), as EC2 and RDS describe them."""
    route_tables = [RouteTable(t["RouteTableId"], t["RouteTableId"], _tagged(t), [
        r["GatewayId"] for r in t.get("Routes") or []
        if str(r.get("GatewayId", "")).startswith("igw-")]) for t in tables]
    served = [Subnet(s["SubnetId"], s["SubnetId"], _tagged(s),
                     bool(s.get("MapPublicIpOnLaunch")), tables_serving(s, tables))
              for s in subnets]
    vpcs = []
    for vpc in sorted({s["VpcId"] for s in subnets}):
        internal = [f"endpoint {e['VpcEndpointId']}" for e in endpoints if e.get("VpcId") == vpc]
        internal += [f"security group {g['GroupName']}" for g in security_groups
                     if g.get("VpcId") == vpc and g.get("GroupName") != "default"]
        internal += [f"subnet group {g['DBSubnetGroupName']}" for g in subnet_groups
                     if g.get("VpcId") == vpc]
        own = [e for e in endpoints if e.get("VpcId") == vpc and e.get("RouteTableIds")]
        vpcs.append(Vpc(vpc, vpc, [s["SubnetId"] for s in subnets if s["VpcId"] == vpc],
                        internal, [t for e in own for t in e["RouteTableIds"]] or [
                            t["RouteTableId"] for t in tables if t.get("VpcId") == vpc]))
    return Estate(route_tables=route_tables, subnets=served, vpcs=vpcs)


def tables_serving(subnet: dict[str, Any], tables: list[dict[str, Any]]) -> list[str]:
    """The explicitly associated table, else the VPC's main table."""
    own = [t["RouteTableId"] for t in tables
           if any(a.get("SubnetId") == subnet["SubnetId"] for a in t.get("Associations") or [])]
    return own or [t["RouteTableId"] for t in tables if t.get("VpcId") == subnet.get("VpcId")
                   and any(a.get("Main") for a in t.get("Associations") or [])]
