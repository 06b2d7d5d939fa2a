"""Stack configuration, read once and validated before anything is declared.

Every per-environment value the program uses comes from here. A value that would break a
promise of the security page (retention, HSTS max-age, lockout, RTO: the figures of
policies/controls.yaml, read through trustctl.catalog) is refused with one line naming the key,
so `pulumi up` stops before declaring anything.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi

from trustctl.catalog import page_figures

# Evidence outlives a 12-month SOC 2 Type II observation period by a year.
EVIDENCE_RETENTION_DAYS = 365 + 365
# Where backups survive a regional outage of aws:region (RPO-RTO): a copy and a key replica.
DEFAULT_RECOVERY_REGION = "us-west-2"
# CloudWatch Logs accepts only these retention periods; audit logs are kept at least a year.
LOG_RETENTION_DAYS = (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
# Cloudflare rate-limit rules accept only these periods and mitigation timeouts (seconds).
RATE_LIMIT_PERIODS = (10, 60, 120, 300, 600, 3600)
LOCKOUT_SECONDS = (600, 3600, 86400)

_REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_CLOUDFLARE_ID = re.compile(r"^[0-9a-f]{32}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[a-z]{2,63}$")
_AUTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*\*?$")
# Named humans or workloads only: an IAM role or an assumed-role session, never an IAM user,
# an account root or a wildcard (STAFF-ACCESS: no shared accounts, access is named).
_PRINCIPAL_ARN = re.compile(r"^arn:aws:(iam::\d{12}:role/|sts::\d{12}:assumed-role/)[\w+=,.@/-]+$")
# GitHub's owner/name: the OIDC subject of the scheduled jobs names exactly this repository.
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_SUPABASE_REF = re.compile(r"^[a-z]{20}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")


class StackConfigError(pulumi.RunError):
    """A stack configuration value is missing or would break a promise (one line, names the key)."""


@dataclass(frozen=True)
class PrivateSubnet:
    availability_zone: str
    cidr_block: str


@dataclass(frozen=True)
class StackConfig:
    """Everything per-environment the program needs, already checked against the promises."""

    environment: str
    aws_account_id: str
    aws_region: str
    recovery_region: str
    kms_deletion_window_days: int
    backup_retention_days: int
    restore_time_target_minutes: int
    audit_log_retention_days: int
    evidence_retention_days: int
    vpc_cidr: str
    private_subnets: tuple[PrivateSubnet, ...]
    on_call_principal_arns: tuple[str, ...]
    on_call_max_session_seconds: int
    github_repository: str
    supabase_project_ref: str
    supabase_allowed_cidrs: tuple[str, ...]
    cloudflare_zone_id: str
    domain: str
    security_contact_email: str
    hsts_max_age_seconds: int
    auth_paths: tuple[str, ...]
    failed_attempt_threshold: int
    rate_limit_period_seconds: int
    lockout_seconds: int
    content_security_policy: str

    @property
    def name_prefix(self) -> str:
        """Prefix of physical names, so two environments never collide in one account."""
        return f"claver-{self.environment}"


class _Reader:
    """Reads typed values from one config namespace; every failure names the full key."""

    def __init__(self, config: pulumi.Config) -> None:
        self._config = config

    def key(self, name: str) -> str:
        return f"{self._config.name}:{name}"

    def fail(self, name: str, why: str) -> StackConfigError:
        return StackConfigError(f"config {self.key(name)}: {why}")

    def text(self, name: str, pattern: re.Pattern[str] | None = None,
             default: str | None = None) -> str:
        value = self._config.get(name) or default
        if value is None or not value.strip():
            raise self.fail(name, "is missing; set it in Pulumi.<stack>.yaml")
        if pattern is not None and not pattern.match(value):
            raise self.fail(name, f"{value!r} is not valid (expected {pattern.pattern})")
        return value

    def integer(
        self, name: str, low: int | None = None, high: int | None = None, promise: str = ""
    ) -> int:
        raw = self.text(name)
        try:
            value = int(raw)
        except ValueError:
            raise self.fail(name, f"{raw!r} is not an integer") from None
        because = f" ({promise})" if promise else ""
        if low is not None and value < low:
            raise self.fail(name, f"{value} is below the minimum {low}{because}")
        if high is not None and value > high:
            raise self.fail(name, f"{value} is above the maximum {high}{because}")
        return value

    def one_of(self, name: str, allowed: tuple[int, ...]) -> int:
        value = self.integer(name)
        if value not in allowed:
            raise self.fail(name, f"{value} is not one of {list(allowed)}")
        return value

    def strings(self, name: str, pattern: re.Pattern[str], min_items: int = 1) -> tuple[str, ...]:
        raw = self._config.get(name)
        if raw is None:
            raise self.fail(name, "is missing; set it in Pulumi.<stack>.yaml")
        try:
            items: Any = json.loads(raw)  # the CLI passes lists as JSON
        except json.JSONDecodeError:
            raise self.fail(name, "is not a list") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise self.fail(name, "is not a list of strings")
        if len(items) < min_items:
            raise self.fail(name, f"needs at least {min_items} item(s), got {len(items)}")
        if len(set(items)) != len(items):
            raise self.fail(name, "lists the same value twice")
        for item in items:
            if not pattern.match(item):
                raise self.fail(name, f"{item!r} is not valid (expected {pattern.pattern})")
        return tuple(items)


def _private_subnets(
    read: _Reader, vpc_cidr: str, region: str
) -> tuple[PrivateSubnet, ...]:
    """Private subnets in at least two AZs of the region, each inside the VPC, none overlapping."""
    zones = read.strings("availabilityZones", re.compile(rf"^{re.escape(region)}[a-z]$"), 2)
    cidrs = read.strings("privateSubnetCidrs", re.compile(r"^[\d./]+$"), 2)
    if len(zones) != len(cidrs):
        raise read.fail("privateSubnetCidrs", "needs exactly one CIDR per availability zone")
    vpc = ipaddress.IPv4Network(vpc_cidr)
    networks: list[ipaddress.IPv4Network] = []
    for cidr in cidrs:
        try:
            net = ipaddress.IPv4Network(cidr)
        except ValueError:
            raise read.fail("privateSubnetCidrs", f"{cidr!r} is not an IPv4 CIDR block") from None
        if not net.subnet_of(vpc):
            raise read.fail("privateSubnetCidrs", f"{cidr} is outside the VPC {vpc_cidr}")
        if any(net.overlaps(other) for other in networks):
            raise read.fail("privateSubnetCidrs", f"{cidr} overlaps another subnet")
        networks.append(net)
    return tuple(PrivateSubnet(z, c) for z, c in zip(zones, cidrs, strict=True))


def _vpc_cidr(read: _Reader) -> str:
    cidr = read.text("vpcCidr")
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError:
        raise read.fail("vpcCidr", f"{cidr!r} is not an IPv4 CIDR block") from None
    if not net.is_private:
        raise read.fail("vpcCidr", f"{cidr} is not a private range")
    return cidr


def _supabase_allowed_cidrs(read: _Reader) -> tuple[str, ...]:
    """Who may connect to the database (NO-PUBLIC-DB): named networks, never the internet.

    Supabase reads an empty list as "allow everyone", so at least one range is required.
    """
    key = "supabaseAllowedCidrs"
    cidrs = read.strings(key, re.compile(r"^[0-9a-fA-F:./]+$"))
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr)
        except ValueError:
            raise read.fail(key, f"{cidr!r} is not a CIDR block (host bits set?)") from None
        if net.prefixlen == 0:
            raise read.fail(key, f"{cidr} admits the whole internet (NO-PUBLIC-DB)")
    return cidrs


def _recovery_region(read: _Reader, primary: str) -> str:
    """The second region backups are copied to; the same region would fail with it."""
    region = read.text("recoveryRegion", _REGION, default=DEFAULT_RECOVERY_REGION)
    if region == primary:
        raise read.fail("recoveryRegion", f"{region} is aws:region itself: a regional outage "
                        "would take the backups and their copy down together")
    return region


def _content_security_policy(read: _Reader) -> str:
    """CSP must restrict scripts: a script-src without 'unsafe-inline' or a wildcard."""
    csp = read.text("contentSecurityPolicy")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src")
    if script_src is None:
        raise read.fail("contentSecurityPolicy", "has no script-src directive")
    if "'unsafe-inline'" in script_src or " * " in f"{script_src} ":
        raise read.fail("contentSecurityPolicy", "script-src allows inline or any-origin scripts")
    return csp


def load(
    config: pulumi.Config | None = None, aws_config: pulumi.Config | None = None
) -> StackConfig:
    """Read and validate the whole stack configuration once."""
    read = _Reader(config or pulumi.Config())
    promised = page_figures()
    aws = _Reader(aws_config or pulumi.Config("aws"))
    vpc_cidr = _vpc_cidr(read)
    region = aws.text("region", _REGION)
    return StackConfig(
        environment=read.text("environment", _NAME),
        aws_account_id=read.text("awsAccountId", _ACCOUNT_ID),
        aws_region=region,
        recovery_region=_recovery_region(read, region),
        kms_deletion_window_days=read.integer("kmsDeletionWindowDays", 7, 30),
        backup_retention_days=read.integer(
            "backupRetentionDays", promised.backup_retention_days, 36500,
            f"backups are kept {promised.backup_retention_days} days"
        ),
        restore_time_target_minutes=read.integer(
            "restoreTimeTargetMinutes", 1, int(promised.rto.total_seconds() // 60),
            f"RTO is {promised.rto_hours:g} hours"
        ),
        audit_log_retention_days=read.one_of("auditLogRetentionDays", LOG_RETENTION_DAYS),
        evidence_retention_days=read.integer(
            "evidenceRetentionDays", EVIDENCE_RETENTION_DAYS, 36500,
            "evidence is kept for the audit period plus a year"
        ),
        vpc_cidr=vpc_cidr,
        private_subnets=_private_subnets(read, vpc_cidr, region),
        on_call_principal_arns=read.strings("onCallPrincipalArns", _PRINCIPAL_ARN),
        on_call_max_session_seconds=read.integer("onCallMaxSessionSeconds", 900, 3600),
        github_repository=read.text("githubRepository", _GITHUB_REPOSITORY),
        supabase_project_ref=read.text("supabaseProjectRef", _SUPABASE_REF),
        supabase_allowed_cidrs=_supabase_allowed_cidrs(read),
        cloudflare_zone_id=read.text("cloudflareZoneId", _CLOUDFLARE_ID),
        domain=read.text("domain", _DOMAIN),
        security_contact_email=read.text("securityContactEmail", _EMAIL),
        hsts_max_age_seconds=read.integer(
            "hstsMaxAgeSeconds", promised.hsts_max_age_seconds, None,
            f"HSTS max-age is {promised.hsts_max_age_seconds} s"
        ),
        auth_paths=read.strings("authPaths", _AUTH_PATH),
        failed_attempt_threshold=read.integer(
            "failedAttemptThreshold", 1, promised.lockout_after_attempts,
            f"lockout after {promised.lockout_after_attempts} failures"
        ),
        rate_limit_period_seconds=read.one_of("rateLimitPeriodSeconds", RATE_LIMIT_PERIODS),
        lockout_seconds=read.one_of("lockoutSeconds", LOCKOUT_SECONDS),
        content_security_policy=_content_security_policy(read),
    )
