"""A small Pulumi program that keeps every promise the static gate verifies.

Config `break` selects one mutation from MUTATIONS (default `none`: the compliant program). Each
mutation names the control it breaks; every control has two mutations that break it differently,
so the gate's tests prove each control can fail in more than one way.
"""

import json

import pulumi
import pulumi.dynamic
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare

MUTATIONS = {
    "none": None,
    "tls-min-1.0": "TLS-MIN",  # min_tls_version 1.0
    "no-always-https": "TLS-MIN",  # the always_use_https setting is not declared
    "hsts-short-max-age": "HSTS",  # max_age one day
    "hsts-no-preload": "HSTS",  # preload off
    "ct-alert-disabled": "CT-MONITOR",  # the ct_alert policy is disabled
    "no-ct-alert": "CT-MONITOR",  # no ct_alert policy at all
    "kms-no-rotation": "ENC-AT-REST",  # the data key does not rotate
    "bucket-sse-s3": "ENC-AT-REST",  # the data bucket uses SSE-S3, no customer key
    "vault-data-key": "BACKUP-KEY-SEPARATE",  # the backup vault is encrypted with the data key
    "backup-key-on-trail": "BACKUP-KEY-SEPARATE",  # the backup key also encrypts CloudTrail
    "plan-weekly": "BACKUP-DAILY-35D",  # the backup plan runs weekly
    "retention-7d": "BACKUP-DAILY-35D",  # recovery points deleted after 7 days
    "replica-unlocked": "BACKUP-DAILY-35D",  # the backups' copy has no Object Lock
    "backup-key-single-region": "RPO-RTO",  # the backup key is not multi-Region
    "replica-key-no-region": "RPO-RTO",  # the key's replica names no region: the primary's
    "no-replication": "RPO-RTO",  # the backup bucket is not replicated anywhere
    "plan-no-copy": "RPO-RTO",  # recovery points are not copied to the recovery region
    "iam-user": "STAFF-ACCESS",  # a (shared) IAM user
    "oncall-no-mfa": "STAFF-ACCESS",  # the on-call role can be assumed without MFA
    "trail-single-region": "ACCESS-LOGGED",  # CloudTrail in one region only
    "trail-no-data-events": "ACCESS-LOGGED",  # CloudTrail records no S3 object reads
    "subnet-public-ip": "PRIVATE-NETWORK",  # the private subnet hands out public IPs
    "no-s3-endpoint": "PRIVATE-NETWORK",  # the VPC has no S3 endpoint
    "sg-ssh-open": "PRIVATE-NETWORK",  # a rule opens SSH (22) to 0.0.0.0/0: admin, not DB
    "public-rds": "NO-PUBLIC-DB",  # an RDS instance that is publicly accessible
    "sg-postgres-open": "NO-PUBLIC-DB",  # a security group opens 5432 to 0.0.0.0/0
    "waf-no-owasp": "WAF",  # the OWASP Core Ruleset is not deployed
    "waf-log-only": "WAF",  # the managed rulesets only log
    "rate-limit-100": "AUTH-RATE-LIMIT",  # lockout after 100 attempts, not 10
    "rate-limit-disabled": "AUTH-RATE-LIMIT",  # the login rate-limit rule is disabled
    "csp-no-script-src": "CSP-SRI",  # the CSP has no script-src directive
    "no-csp-rule": "CSP-SRI",  # no response-header rule at all
    "github-any-repository": "STAFF-ACCESS",  # the job role's trust has no subject condition
    "github-any-branch": "STAFF-ACCESS",  # subject repo:claver/trustctl:* (any branch or PR)
    "github-wildcard-subject": "STAFF-ACCESS",  # subject repo:* (any repository)
    "audit-job-writes": "STAFF-ACCESS",  # the audit job's policy can put objects
    "audit-job-inline-policy": "STAFF-ACCESS",  # an inline policy beside the audit's own
    "backup-job-deletes": "BACKUP-DAILY-35D",  # the backup job can delete what it writes
    "supabase-open": "NO-PUBLIC-DB",  # the Supabase project admits 0.0.0.0/0
}

config = pulumi.Config()
BREAK = config.get("break") or "none"
if BREAK not in MUTATIONS:
    raise ValueError(f"unknown mutation {BREAK!r}")

ZONE_ID = "0123456789abcdef0123456789abcdef"
ACCOUNT_ID = "fedcba9876543210fedcba9876543210"
ONCALL = "arn:aws:iam::123456789012:role/oncall-alice"
RECOVERY_REGION = "us-west-2"  # the stack's aws:region is eu-west-1


def broken(name: str) -> bool:
    return name == BREAK


# keys: one for data, one only for backups
data_key = aws.kms.Key(
    "data-key", enable_key_rotation=not broken("kms-no-rotation"), deletion_window_in_days=30,
    tags={"trustctl:purpose": "data"},
)
backup_key = aws.kms.Key(
    "backup-key", enable_key_rotation=True, deletion_window_in_days=30,
    multi_region=not broken("backup-key-single-region"), tags={"trustctl:purpose": "backup"},
)
backup_key_replica = aws.kms.ReplicaKey(
    "backup-key-replica", primary_key_arn=backup_key.arn, tags={"trustctl:purpose": "backup"},
    region=None if broken("replica-key-no-region") else RECOVERY_REGION,
)


def encrypted_bucket(name: str, key: aws.kms.Key | aws.kms.ReplicaKey | None,
                     **bucket_args) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, **bucket_args)
    default = {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key else {
        "sse_algorithm": "AES256"}
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}],
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-private", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True,
    )
    return bucket


files = encrypted_bucket("files", None if broken("bucket-sse-s3") else data_key,
                         tags={"trustctl:role": "data"})
trail_logs = encrypted_bucket("trail-logs", data_key, tags={"trustctl:role": "audit"})


def backup_bucket(name: str, key: aws.kms.Key | aws.kms.ReplicaKey, role: str,
                  locked: bool = True) -> aws.s3.Bucket:
    """Versioned, Object Lock COMPLIANCE 35 days (unless not `locked`), expired at 35 days."""
    bucket = encrypted_bucket(name, key, object_lock_enabled=locked, tags={"trustctl:role": role})
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                            versioning_configuration={"status": "Enabled"})
    if locked:
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-lock", bucket=bucket.id,
            rule={"default_retention": {"mode": "COMPLIANCE", "days": 35}},
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-expiry", bucket=bucket.id,
            rules=[{"id": "expire-after-35-days", "status": "Enabled", "expiration": {"days": 35}}],
        )
    return bucket


backups = backup_bucket("backups", backup_key, "backup")
# the backups' copy in the recovery region, filled by replication
replica = backup_bucket("backups-replica", backup_key_replica, "backup-replica",
                        locked=not broken("replica-unlocked"))
if not broken("no-replication"):
    aws.s3.BucketReplicationConfig(
        "backups-replication", bucket=backups.id,
        role="arn:aws:iam::123456789012:role/backup-replication",
        rules=[{
            "id": "all", "status": "Enabled", "filter": {},
            "delete_marker_replication": {"status": "Disabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": replica.arn,
                "encryption_configuration": {"replica_kms_key_id": backup_key_replica.arn},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
        }],
    )

# AWS Backup: daily, 35 days, locked vault under the backup key
vault = aws.backup.Vault(
    "vault", name="gate-backups",
    kms_key_arn=(data_key if broken("vault-data-key") else backup_key).arn,
)
aws.backup.VaultLockConfiguration(
    "vault-lock", backup_vault_name=vault.name, min_retention_days=35, max_retention_days=365,
    changeable_for_days=3,
)
recovery_vault = aws.backup.Vault(
    "recovery-vault", name="gate-backups-recovery", kms_key_arn=backup_key_replica.arn,
    region=RECOVERY_REGION,
)
aws.backup.VaultLockConfiguration(
    "recovery-vault-lock", backup_vault_name=recovery_vault.name, min_retention_days=35,
    max_retention_days=365, changeable_for_days=3, region=RECOVERY_REGION,
)
copies = [] if broken("plan-no-copy") else [
    {"destination_vault_arn": recovery_vault.arn, "lifecycle": {"delete_after": 35}}]
aws.backup.Plan("daily", rules=[{
    "rule_name": "daily",
    "target_vault_name": vault.name,
    "schedule": "cron(0 3 ? * SUN *)" if broken("plan-weekly") else "cron(0 3 * * ? *)",
    "lifecycle": {"delete_after": 7 if broken("retention-7d") else 35},
    "copy_actions": copies,
}])

# audit trail: every region, validated, encrypted, S3 object reads recorded
aws.cloudtrail.Trail(
    "trail", s3_bucket_name=trail_logs.id, is_multi_region_trail=not broken("trail-single-region"),
    enable_log_file_validation=True, include_global_service_events=True, enable_logging=True,
    kms_key_id=(backup_key if broken("backup-key-on-trail") else data_key).arn,
    event_selectors=[{
        "read_write_type": "All", "include_management_events": True,
        "data_resources": [] if broken("trail-no-data-events") else [
            {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
    }],
)

# staff access: no IAM users, the on-call role needs MFA
mfa = {} if broken("oncall-no-mfa") else {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
aws.iam.Role("oncall", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NamedOnCall", "Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"AWS": [ONCALL]}, **({"Condition": mfa} if mfa else {})}],
}))
if broken("iam-user"):
    aws.iam.User("ops-shared")

# scheduled jobs: GitHub OIDC roles for this repository's production environment only
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{GITHUB}"
subject = {
    "github-any-repository": {},
    "github-any-branch": {"StringLike": {f"{GITHUB}:sub": "repo:claver/trustctl:*"}},
    "github-wildcard-subject": {"StringLike": {f"{GITHUB}:sub": "repo:*"}},
}.get(BREAK, {"StringEquals": {f"{GITHUB}:sub": "repo:claver/trustctl:environment:production"}})
audience = {f"{GITHUB}:aud": "sts.amazonaws.com"}
trust = {**subject, "StringEquals": {**audience, **subject.get("StringEquals", {})}}
job_roles = {
    job: aws.iam.Role(
        f"{job}-job", tags={"trustctl:access": "workload", "trustctl:job": job},
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": GITHUB_PROVIDER}, "Condition": trust}]}))
    for job in ("backup", "audit")
}
backups_arn = "arn:aws:s3:::gate-database-backups"
aws.iam.Policy("backup-job", tags={"trustctl:job": "backup"}, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": f"{backups_arn}/*", "Action": ["s3:PutObject"] + (
            ["s3:DeleteObjectVersion"] if broken("backup-job-deletes") else [])}],
}))
aws.iam.Policy("audit-job", tags={"trustctl:job": "audit"}, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": "*", "Action": ["kms:DescribeKey", "ec2:Describe*"] + (
            ["s3:PutObject"] if broken("audit-job-writes") else [])}],
}))
if broken("audit-job-inline-policy"):
    aws.iam.RolePolicy("audit-job-more", role=job_roles["audit"].id, policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}))


class _NoApi(pulumi.dynamic.ResourceProvider):
    """Planned offline only: never applied."""


class SupabaseProjectSettings(pulumi.dynamic.Resource, module="supabase", name="ProjectSettings"):
    def __init__(self, name: str, props: dict) -> None:
        super().__init__(_NoApi(), name, props)


SupabaseProjectSettings("supabase", {
    "project_ref": "abcdefghijklmnopqrst", "ssl_enforced": True,
    "allowed_cidrs": ["10.20.0.0/16", *(["0.0.0.0/0"] if broken("supabase-open") else [])]})

# network: private subnets only, S3 through an endpoint, flow logs, closed default SG
vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True)
aws.ec2.DefaultSecurityGroup("vpc-default-sg", vpc_id=vpc.id)
flow_logs = aws.cloudwatch.LogGroup("flow-logs", retention_in_days=365, kms_key_id=data_key.arn)
flow_role = aws.iam.Role("flow-logs", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}],
}))
aws.ec2.FlowLog("vpc-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination=flow_logs.arn,
                iam_role_arn=flow_role.arn)
private_routes = aws.ec2.RouteTable("private-routes", vpc_id=vpc.id,
                                    tags={"trustctl:tier": "private"})
subnets = []
for index, zone in enumerate(("eu-west-1a", "eu-west-1b")):
    subnet = aws.ec2.Subnet(
        f"private-{zone}", vpc_id=vpc.id, cidr_block=f"10.20.{index}.0/24", availability_zone=zone,
        map_public_ip_on_launch=broken("subnet-public-ip") and index == 0,
        tags={"trustctl:tier": "private"},
    )
    aws.ec2.RouteTableAssociation(f"private-{zone}", subnet_id=subnet.id,
                                  route_table_id=private_routes.id)
    subnets.append(subnet)
if not broken("no-s3-endpoint"):
    aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3",
                        vpc_endpoint_type="Gateway", route_table_ids=[private_routes.id])
app_sg = aws.ec2.SecurityGroup(
    "app", vpc_id=vpc.id, description="app servers",
    ingress=[{
        "description": "postgres from anywhere" if broken("sg-postgres-open") else "https in VPC",
        "protocol": "tcp",
        "from_port": 5432 if broken("sg-postgres-open") else 443,
        "to_port": 5432 if broken("sg-postgres-open") else 443,
        "cidr_blocks": ["0.0.0.0/0"] if broken("sg-postgres-open") else ["10.20.0.0/16"],
    }],
)
if broken("sg-ssh-open"):
    aws.vpc.SecurityGroupIngressRule(
        "ssh-from-anywhere", security_group_id=app_sg.id, ip_protocol="tcp", from_port=22,
        to_port=22, cidr_ipv4="0.0.0.0/0",
    )
if broken("public-rds"):
    db_subnets = aws.rds.SubnetGroup("db", subnet_ids=[s.id for s in subnets])
    aws.rds.Instance(
        "reporting-db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
        username="reporting", manage_master_user_password=True, publicly_accessible=True,
        storage_encrypted=True, kms_key_id=data_key.arn, backup_retention_period=35,
        db_subnet_group_name=db_subnets.name, vpc_security_group_ids=[app_sg.id],
        skip_final_snapshot=True,
    )

# Cloudflare edge: TLS, HSTS, CT alerts, WAF, auth rate limits, CSP
ZONE_SETTINGS = {
    "min_tls_version": "1.0" if broken("tls-min-1.0") else "1.2",
    "tls_1_3": "on",
    "ssl": "strict",
    "always_use_https": None if broken("no-always-https") else "on",
    "security_header": {"strict_transport_security": {
        "enabled": True, "include_subdomains": True, "nosniff": True,
        "max_age": 86400 if broken("hsts-short-max-age") else 63072000,
        "preload": not broken("hsts-no-preload"),
    }},
}
for setting_id, value in ZONE_SETTINGS.items():
    if value is not None:
        cloudflare.ZoneSetting(f"zone-{setting_id}", zone_id=ZONE_ID, setting_id=setting_id,
                               value=value)
if not broken("no-ct-alert"):
    cloudflare.NotificationPolicy(
        "ct-alerts", account_id=ACCOUNT_ID, name="certificate transparency",
        alert_type="ct_alert", enabled=not broken("ct-alert-disabled"),
        mechanisms={"emails": [{"id": "security@claver.example"}]},
    )
MANAGED = {"cloudflare-managed": "efb7b8c949ac4650a09736fc376e9aee",
           "owasp-core": "4814384a9e5d4991b9815dcfc25d2f1f"}
if broken("waf-no-owasp"):
    del MANAGED["owasp-core"]
overrides = {"action": "log"} if broken("waf-log-only") else None
cloudflare.Ruleset("waf", zone_id=ZONE_ID, name="managed WAF", kind="zone",
                   phase="http_request_firewall_managed", rules=[
                       {"ref": ref, "action": "execute", "expression": "true", "enabled": True,
                        "action_parameters": {"id": ruleset_id,
                                              **({"overrides": overrides} if overrides else {})}}
                       for ref, ruleset_id in MANAGED.items()])
cloudflare.Ruleset("auth-rate-limit", zone_id=ZONE_ID, name="auth lockout", kind="zone",
                   phase="http_ratelimit", rules=[{
                       "ref": "login-lockout", "action": "block",
                       "enabled": not broken("rate-limit-disabled"),
                       "expression": '(http.request.uri.path eq "/login")',
                       "ratelimit": {
                           "characteristics": ["ip.src", "cf.colo.id"], "period": 60,
                           "requests_per_period": 100 if broken("rate-limit-100") else 10,
                           "mitigation_timeout": 600,
                           "counting_expression": "(http.response.code eq 401)",
                       }}])
if not broken("no-csp-rule"):
    policy = "default-src 'self'" if broken("csp-no-script-src") else (
        "default-src 'self'; script-src 'self' https://cdn.claver.example")
    cloudflare.Ruleset("security-headers", zone_id=ZONE_ID, name="CSP", kind="zone",
                       phase="http_response_headers_transform", rules=[{
                           "ref": "csp", "action": "rewrite", "expression": "true", "enabled": True,
                           "action_parameters": {"headers": {
                               "Content-Security-Policy": {"operation": "set", "value": policy}}},
                       }])
