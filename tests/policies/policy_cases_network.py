"""AWS access and network (hashicorp/aws v6 shapes): STAFF-ACCESS, ACCESS-LOGGED,
PRIVATE-NETWORK and the security-group guard of NO-PUBLIC-DB."""

from __future__ import annotations

import json
from typing import Any

from policy_plan_builder import Resource
from policy_scenario import FAILED, NOT_APPLICABLE, PASSED, Scenario

ACCOUNT = "arn:aws:iam::111122223333"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def trust_policy(principal: Any, condition: dict[str, Any] | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def role(name: str, policy: str, tags: dict[str, str] | None = None) -> Resource:
    values = {"name": name, "assume_role_policy": policy, "tags": tags or {}}
    return Resource("aws_iam_role", name, values)


def iam_scenario() -> Scenario:
    s = Scenario()
    oncall = {"AWS": [f"{ACCOUNT}:role/oncall-alice", f"{ACCOUNT}:role/oncall-bob"]}
    s.expect(PASSED, "CKV_TRUST_19 CKV_AWS_60", role("oncall", trust_policy(oncall, MFA)))
    s.expect(FAILED, "CKV_TRUST_19", role("oncall_no_mfa", trust_policy(oncall)))
    if_exists = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    s.expect(FAILED, "CKV_TRUST_19", role("oncall_if_exists", trust_policy(oncall, if_exists)))
    s.expect(FAILED, "CKV_TRUST_19 CKV_AWS_60", role("anyone", trust_policy({"AWS": "*"})))
    lambda_principal = {"Service": "lambda.amazonaws.com"}
    s.expect(PASSED, "CKV_TRUST_19", role("lambda", trust_policy(lambda_principal)))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_18", s.resources[0])
    workload = {"trustctl:access": "workload"}
    runner = {"AWS": [f"{ACCOUNT}:role/backup-runner"]}
    s.expect(PASSED, "CKV_TRUST_19", role("writer", trust_policy(runner), workload))
    s.expect(FAILED, "CKV_TRUST_19", role("writer_untagged", trust_policy(runner)))
    account_root = {"AWS": f"{ACCOUNT}:root"}
    s.expect(FAILED, "CKV_TRUST_19", role("writer_root", trust_policy(account_root), workload))
    person = {"AWS": [f"{ACCOUNT}:role/backup-runner", f"{ACCOUNT}:user/alice"]}
    s.expect(FAILED, "CKV_TRUST_19", role("writer_user", trust_policy(person), workload))
    s.expect(
        FAILED, "CKV_TRUST_18 CKV_AWS_273", Resource("aws_iam_user", "shared", {"name": "ops"})
    )
    for user_type in ("aws_iam_user_login_profile", "aws_iam_access_key"):
        s.expect(
            FAILED,
            "CKV_TRUST_18",
            Resource(user_type, "shared", {}, {("user",): "aws_iam_user.shared.name"}),
        )
    s.expect(
        FAILED,
        "CKV_TRUST_18 CKV_AWS_40",
        Resource(
            "aws_iam_user_policy_attachment",
            "shared",
            {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            {("user",): "aws_iam_user.shared.name"},
        ),
    )
    admin = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    s.expect(
        FAILED,
        "CKV_AWS_62",
        Resource("aws_iam_policy", "admin", {"name": "admin", "policy": json.dumps(admin)}),
    )
    s.expect(
        FAILED,
        "CKV_AWS_274",
        Resource(
            "aws_iam_role_policy_attachment",
            "admin",
            {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
            {("role",): "aws_iam_role.oncall.name"},
        ),
    )
    weak = {
        "minimum_password_length": 8,
        "require_lowercase_characters": False,
        "require_numbers": False,
        "require_symbols": False,
        "require_uppercase_characters": False,
        "max_password_age": 0,
        "password_reuse_prevention": 5,
    }
    s.expect(
        FAILED,
        " ".join(f"CKV_AWS_{n}" for n in range(9, 16)),
        Resource("aws_iam_account_password_policy", "weak", weak),
    )
    return s


def trail(name: str, **values: Any) -> Resource:
    base = {
        "name": name,
        "s3_bucket_name": "claver-trail",
        "is_multi_region_trail": True,
        "include_global_service_events": True,
        "enable_log_file_validation": True,
        "enable_logging": True,
    }
    return Resource(
        "aws_cloudtrail", name, {**base, **values}, {("kms_key_id",): "aws_kms_key.data.arn"}
    )


def trail_scenario() -> Scenario:
    s = Scenario()
    basic = [
        {
            "read_write_type": "All",
            "include_management_events": True,
            "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
        }
    ]
    s.expect(
        PASSED,
        "CKV_TRUST_20 CKV_AWS_67 CKV_AWS_36 CKV_AWS_35 CKV_AWS_251",
        trail("basic", event_selector=basic),
    )

    def advanced(read_only: str | None) -> list[dict[str, Any]]:
        fields = [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
        ]
        if read_only:
            fields.append({"field": "readOnly", "equals": [read_only]})
        return [{"name": "s3 objects", "field_selector": fields}]

    s.expect(PASSED, "CKV_TRUST_20", trail("advanced", advanced_event_selector=advanced(None)))
    s.expect(
        FAILED, "CKV_TRUST_20", trail("writes_only", advanced_event_selector=advanced("false"))
    )
    write_only = [{**basic[0], "read_write_type": "WriteOnly"}]
    s.expect(FAILED, "CKV_TRUST_20", trail("basic_writes", event_selector=write_only))
    s.expect(FAILED, "CKV_TRUST_20", trail("management_only"))
    weak = Resource(
        "aws_cloudtrail",
        "weak",
        {
            "name": "weak",
            "s3_bucket_name": "t",
            "is_multi_region_trail": False,
            "enable_log_file_validation": False,
            "enable_logging": False,
        },
    )
    s.expect(FAILED, "CKV_AWS_67 CKV_AWS_36 CKV_AWS_35 CKV_AWS_251", weak)
    return s


def vpc_scenario() -> Scenario:
    s = Scenario()
    good = Resource("aws_vpc", "main", {"cidr_block": "10.0.0.0/16"})
    s.add(Resource("aws_default_security_group", "main", {}, {("vpc_id",): "aws_vpc.main.id"}))
    s.add(
        Resource("aws_flow_log", "main", {"traffic_type": "ALL"}, {("vpc_id",): "aws_vpc.main.id"})
    )
    for service in ("s3", "dynamodb"):
        s.add(
            Resource(
                "aws_vpc_endpoint",
                service,
                {"service_name": f"com.amazonaws.us-east-1.{service}"},
                {("vpc_id",): "aws_vpc.main.id"},
            )
        )
    s.expect(PASSED, "CKV_TRUST_21 CKV2_AWS_11 CKV2_AWS_12", good)
    bare = Resource("aws_vpc", "bare", {"cidr_block": "10.1.0.0/16"})
    s.expect(FAILED, "CKV_TRUST_21 CKV2_AWS_11 CKV2_AWS_12", bare)
    s.add(Resource("aws_internet_gateway", "igw", {}, {("vpc_id",): "aws_vpc.main.id"}))
    s.expect(
        PASSED,
        "CKV_AWS_130",
        Resource(
            "aws_subnet",
            "private",
            {
                "cidr_block": "10.0.1.0/24",
                "map_public_ip_on_launch": False,
                "tags": {"trustctl:tier": "private"},
            },
            {("vpc_id",): "aws_vpc.main.id"},
        ),
    )
    s.expect(
        FAILED,
        "CKV_AWS_130",
        Resource(
            "aws_subnet",
            "public_ip",
            {"cidr_block": "10.0.2.0/24", "map_public_ip_on_launch": True},
            {("vpc_id",): "aws_vpc.main.id"},
        ),
    )

    def route_table(name: str, tier: str, internet: bool) -> Resource:
        refs = {("vpc_id",): "aws_vpc.main.id"}
        routes: list[dict[str, Any]] = []
        if internet:
            routes = [{"cidr_block": "0.0.0.0/0"}]
            refs[("route", "gateway_id")] = "aws_internet_gateway.igw.id"
        return Resource(
            "aws_route_table", name, {"route": routes, "tags": {"trustctl:tier": tier}}, refs
        )

    s.expect(PASSED, "CKV_TRUST_22", route_table("public", "public", internet=True))
    s.expect(PASSED, "CKV_TRUST_22", route_table("private", "private", internet=False))
    s.expect(FAILED, "CKV_TRUST_22", route_table("leaky", "private", internet=True))

    def route(name: str, table: str, gateway: str) -> Resource:
        return Resource(
            "aws_route",
            name,
            {"destination_cidr_block": "0.0.0.0/0"},
            {("route_table_id",): f"aws_route_table.{table}.id", ("gateway_id",): gateway},
        )

    s.expect(
        PASSED, "CKV_TRUST_23", route("public_default", "public", "aws_internet_gateway.igw.id")
    )
    s.add(Resource("aws_nat_gateway", "nat", {}))
    s.expect(PASSED, "CKV_TRUST_23", route("private_nat", "private", "aws_nat_gateway.nat.id"))
    s.expect(FAILED, "CKV_TRUST_23", route("private_igw", "private", "aws_internet_gateway.igw.id"))
    s.merge(subnet_placement_scenario())
    s.expect(
        FAILED,
        "CKV_AWS_88",
        Resource(
            "aws_instance",
            "public",
            {"ami": "ami-0abc", "instance_type": "t3.micro", "associate_public_ip_address": True},
        ),
    )
    return s


def subnet_placement_scenario() -> Scenario:
    """Subnets tagged by tier, placed behind route tables and into database subnet groups."""
    s = Scenario()
    for name, tier in (("app_a", "private"), ("app_b", "private"), ("edge", "public")):
        values = {"cidr_block": "10.0.8.0/24", "tags": {"trustctl:tier": tier}}
        s.add(Resource("aws_subnet", name, values, {("vpc_id",): "aws_vpc.main.id"}))

    def association(name: str, subnet: str, table: str) -> Resource:
        refs = {
            ("subnet_id",): f"aws_subnet.{subnet}.id",
            ("route_table_id",): f"aws_route_table.{table}.id",
        }
        return Resource("aws_route_table_association", name, {}, refs)

    s.expect(PASSED, "CKV_TRUST_30", association("app_private", "app_a", "private"))
    s.expect(PASSED, "CKV_TRUST_30", association("edge_public", "edge", "public"))
    s.expect(FAILED, "CKV_TRUST_30", association("app_public", "app_b", "public"))

    def subnet_group(group_type: str, name: str, *subnets: str) -> Resource:
        refs = {("subnet_ids",): [f"aws_subnet.{n}.id" for n in subnets]}
        return Resource(group_type, name, {"name": name}, refs)

    db_group = "aws_db_subnet_group"
    s.expect(PASSED, "CKV_TRUST_31", subnet_group(db_group, "private", "app_a", "app_b"))
    s.expect(FAILED, "CKV_TRUST_31", subnet_group(db_group, "mixed", "app_a", "edge"))
    s.expect(FAILED, "CKV_TRUST_31", subnet_group("aws_elasticache_subnet_group", "public", "edge"))
    return s


def ingress(
    from_port: int, to_port: int, cidrs: list[str], protocol: str = "tcp"
) -> dict[str, Any]:
    return {
        "from_port": from_port,
        "to_port": to_port,
        "protocol": protocol,
        "cidr_blocks": [c for c in cidrs if ":" not in c],
        "ipv6_cidr_blocks": [c for c in cidrs if ":" in c],
    }


def security_group_scenario() -> Scenario:
    s = Scenario()

    def group(name: str, *rules: dict[str, Any]) -> Resource:
        return Resource("aws_security_group", name, {"name": name, "ingress": list(rules)})

    s.expect(
        PASSED,
        "CKV_TRUST_25 CKV_AWS_24 CKV_AWS_25",
        group(
            "web", ingress(443, 443, ["0.0.0.0/0", "::/0"]), ingress(5432, 5432, ["10.0.0.0/16"])
        ),
    )
    # admin ports open to the world break PRIVATE-NETWORK, not NO-PUBLIC-DB (no database port)
    ssh_world = group("ssh_world", ingress(22, 22, ["0.0.0.0/0"]))
    s.expect(FAILED, "CKV_AWS_24", ssh_world)
    s.expect(PASSED, "CKV_TRUST_25 CKV_AWS_25", ssh_world)
    s.expect(FAILED, "CKV_AWS_25", group("rdp_world_v6", ingress(3389, 3389, ["::/0"])))
    s.expect(PASSED, "CKV_AWS_24", group("ssh_office", ingress(22, 22, ["203.0.113.0/24"])))
    s.expect(FAILED, "CKV_TRUST_25", group("pg_world", ingress(5432, 5432, ["0.0.0.0/0"])))
    s.expect(FAILED, "CKV_TRUST_25", group("redis_v6", ingress(6379, 6379, ["::/0"])))
    s.expect(FAILED, "CKV_TRUST_25", group("wide_range", ingress(1000, 6000, ["0.0.0.0/0"])))
    s.expect(FAILED, "CKV_TRUST_25", group("all_traffic", ingress(0, 0, ["0.0.0.0/0"], "-1")))

    def rule(name: str, kind: str, port: int, cidr: str) -> Resource:
        return Resource(
            "aws_security_group_rule",
            name,
            {
                "type": kind,
                "from_port": port,
                "to_port": port,
                "protocol": "tcp",
                "cidr_blocks": [cidr],
            },
        )

    s.expect(PASSED, "CKV_TRUST_25", rule("https", "ingress", 443, "0.0.0.0/0"))
    s.expect(FAILED, "CKV_TRUST_25", rule("mysql_world", "ingress", 3306, "0.0.0.0/0"))
    s.expect(FAILED, "CKV_AWS_24", rule("ssh_rule_world", "ingress", 22, "0.0.0.0/0"))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_25", rule("egress_pg", "egress", 5432, "0.0.0.0/0"))

    def vpc_rule(name: str, port: int, **cidr: str) -> Resource:
        return Resource(
            "aws_vpc_security_group_ingress_rule",
            name,
            {"from_port": port, "to_port": port, "ip_protocol": "tcp", **cidr},
        )

    s.expect(PASSED, "CKV_TRUST_25", vpc_rule("pg_private", 5432, cidr_ipv4="10.0.0.0/16"))
    s.expect(FAILED, "CKV_TRUST_25", vpc_rule("mongo_world", 27017, cidr_ipv4="0.0.0.0/0"))
    s.expect(FAILED, "CKV_TRUST_25", vpc_rule("search_world_v6", 9200, cidr_ipv6="::/0"))
    return s


def network_scenario() -> Scenario:
    s = iam_scenario()
    for part in (trail_scenario, vpc_scenario, security_group_scenario):
        s.merge(part())
    return s
