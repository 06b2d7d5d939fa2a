"""What one audit looks at, and the reader of each area (opened, then closed, once per run).

An area is audited when its target is configured, reported `error` when it is asked for but not
configured (the reason names the missing flag or variable), and left out only by --skip.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustctl.access_review.cloudflare_access import CloudflareTarget
from trustctl.access_review.database import TenantTables
from trustctl.access_review.prepare import SOURCES, Sources
from trustctl.audit import accounts
from trustctl.audit.access_reader import AccessReader
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.expectations import Expectations
from trustctl.audit.records_reader import RecordsReader
from trustctl.aws import AwsTarget
from trustctl.dsn import Dsn
from trustctl.records import RecordStore, open_store

CLOUDFLARE_TOKEN_ENV = "CLOUDFLARE_API_TOKEN"
SUPABASE_TOKEN_ENV = "SUPABASE_ACCESS_TOKEN"
# What moto cannot represent is not a finding about the sandbox's declarations: --sandbox
# leaves these checks out, and the report and record say so.
SANDBOX_SKIPPED_CHECKS = {
    "AUD_AWS_17": "moto cannot represent root-user MFA (its account summary always says 0)",
    "AUD_AWS_11": "moto applies a TLS-only Deny without its condition, so the sandbox's "
                  "backup bucket (reached over plain HTTP) cannot carry one",
    **dict.fromkeys(("AUD_AWS_22", "AUD_AWS_23", "AUD_AWS_24"),
                    "moto does not implement AWS Backup selections, recovery points or "
                    "restore testing"),
}


@dataclass(frozen=True)
class Targets:
    expected: Expectations
    skip: frozenset[str] = frozenset()
    sandbox: bool = False
    region: str | None = None
    profile: str | None = None
    parallel: int = 32
    cloudflare_zone: str | None = None
    cloudflare_base_url: str | None = None
    site: str | None = None
    ca_bundle: Path | None = None
    database: str | None = field(default=None, repr=False)
    supabase_project: str | None = None
    supabase_base_url: str | None = None
    app_roles: tuple[str, ...] = ()
    tenant_schemas: tuple[str, ...] = ("public",)
    tenant_column: str = "tenant_id"
    backup_prefix: str = "backups"
    rpo_hours: float | None = None  # None: the catalog's RPO
    records: RecordStore | None = None  # where drill records are read (the audit's store)
    role_arns: tuple[str, ...] = ()
    organization_role: str | None = None
    shard: tuple[int, int] | None = None  # (K, N): this machine audits accounts K of N


@dataclass
class Opened:
    """The readers of the areas being audited, and why the others are not."""

    readers: dict[str, Any] = field(default_factory=dict)
    not_configured: dict[str, str] = field(default_factory=dict)
    skip_checks: dict[str, str] = field(default_factory=dict)
    skipped_areas: list[str] = field(default_factory=list)
    shard: dict[str, Any] | None = None

    def describe(self) -> dict[str, Any]:
        """The targets, for the record: no token, no password."""
        return {"areas": {area: [r.describe() for r in reader] if isinstance(reader, list)
                          else reader.describe() for area, reader in self.readers.items()},
                "not_configured": self.not_configured, "skipped_areas": self.skipped_areas,
                "skipped_checks": self.skip_checks, "accounts": self.shard}

    def origin(self) -> str:
        audited = ", ".join(sorted(self.readers)) or "nothing"
        skipped = [*self.skipped_areas, *(f"check {c} ({why})"
                                          for c, why in sorted(self.skip_checks.items()))]
        return f"live: {audited}" + (f" (skipped: {'; '.join(skipped)})" if skipped else "")


@contextlib.contextmanager
def open_readers(targets: Targets) -> Iterator[Opened]:
    opened = Opened(skipped_areas=sorted(targets.skip))
    with contextlib.ExitStack() as stack:
        sandbox = _sandbox(targets, stack) if targets.sandbox else None
        aws = _aws(targets, opened, sandbox)
        for reader in aws:
            stack.callback(reader.close)
        _cloudflare(targets, opened, sandbox)
        _site(targets, opened, sandbox)
        _database(targets, opened, sandbox)
        _supabase(targets, opened, sandbox)
        if "database" in opened.readers:
            stack.callback(opened.readers["database"].close)
        store = targets.records or open_store(Path("evidence"))
        if "records" not in targets.skip:
            opened.readers["records"] = RecordsReader(aws, store, targets.backup_prefix,
                                                      targets.rpo_hours)
        if "access" not in targets.skip:
            opened.readers["access"] = AccessReader(store, access_sources(targets, sandbox))
        if sandbox is not None:
            opened.skip_checks.update(SANDBOX_SKIPPED_CHECKS)
        yield opened


def _aws(targets: Targets, opened: Opened, sandbox: Any) -> list[AwsReader]:
    """One reader, or one per account (--role-arn, --organization-role), this shard's."""
    if "aws" in targets.skip:
        return []
    if sandbox is not None:
        settings = AwsSettings(region=sandbox.info.region, endpoint_url=sandbox.info.aws_endpoint,
                               parallel=targets.parallel,
                               on_call_principals=sandbox.on_call_principals)
    elif not targets.region:
        opened.not_configured["aws"] = "no AWS region: pass --region or set AWS_REGION"
        return []
    else:
        settings = AwsSettings(region=targets.region, profile=targets.profile,
                               parallel=targets.parallel,
                               on_call_principals=targets.expected.on_call_principals)
    if not targets.role_arns and not targets.organization_role:
        reader = AwsReader(settings)
        opened.readers["aws"] = reader
        return [reader]
    roles = accounts.role_arns(settings, targets.role_arns, targets.organization_role)
    mine = accounts.shard(roles, targets.shard)
    opened.shard = {"shard": list(targets.shard) if targets.shard else None,
                    "accounts_total": len(roles), "role_arns": mine}
    readers = [AwsReader(settings.with_role(arn)) for arn in mine]
    opened.readers["aws"] = readers
    return readers


def _cloudflare(targets: Targets, opened: Opened, sandbox: Any) -> None:
    if "cloudflare" in targets.skip:
        return
    if sandbox is not None:
        opened.skipped_areas.append("cloudflare")
        return
    from trustctl.audit.cloudflare_reader import CloudflareReader

    token = os.environ.get(CLOUDFLARE_TOKEN_ENV, "").strip()
    zone = targets.cloudflare_zone or targets.expected.cloudflare_zone_id
    if not token:
        opened.not_configured["cloudflare"] = f"no Cloudflare token: set {CLOUDFLARE_TOKEN_ENV}"
    elif not zone:
        opened.not_configured["cloudflare"] = "no Cloudflare zone: pass --cloudflare-zone"
    else:
        opened.readers["cloudflare"] = CloudflareReader(
            token, zone, targets.cloudflare_base_url, targets.expected)


def _site(targets: Targets, opened: Opened, sandbox: Any) -> None:
    if "site" in targets.skip:
        return
    from trustctl.audit.site_reader import SiteReader

    http_port = 80
    if sandbox is not None:
        url, ca_bundle, http_port = sandbox.site_url, sandbox.ca_bundle, sandbox.site_http_port
    else:
        url = targets.site or (f"https://{targets.expected.domain}"
                               if targets.expected.domain else None)
        ca_bundle = targets.ca_bundle
    if not url:
        opened.not_configured["site"] = "no site: pass --site URL"
        return
    opened.readers["site"] = SiteReader(url, ca_bundle, targets.expected.security_contact,
                                        http_port)


def _database(targets: Targets, opened: Opened, sandbox: Any) -> None:
    if "database" in targets.skip:
        return
    from trustctl.audit.database_reader import DatabaseReader

    if sandbox is not None:
        dsn = sandbox.info.database()
    elif targets.database:
        dsn = Dsn.parse(targets.database, "--database / TRUSTCTL_AUDIT_DSN")
    else:
        opened.not_configured["database"] = ("no database: set TRUSTCTL_AUDIT_DSN "
                                             "(or --database)")
        return
    roles = targets.app_roles or ((sandbox.info.app_role,) if sandbox is not None
                                  else ("authenticated", "anon"))
    opened.readers["database"] = DatabaseReader(dsn, roles, targets.tenant_schemas,
                                                targets.tenant_column)


def _supabase(targets: Targets, opened: Opened, sandbox: Any) -> None:
    if "supabase" in targets.skip:
        return
    if sandbox is not None:
        opened.skipped_areas.append("supabase")
        return
    from trustctl.audit.supabase_reader import SupabaseReader

    token = os.environ.get(SUPABASE_TOKEN_ENV, "").strip()
    if not token:
        opened.not_configured["supabase"] = f"no Supabase token: set {SUPABASE_TOKEN_ENV}"
    elif not targets.supabase_project:
        opened.not_configured["supabase"] = "no Supabase project: pass --supabase-project"
    else:
        opened.readers["supabase"] = SupabaseReader(token, targets.supabase_project,
                                                    targets.supabase_base_url,
                                                    targets.expected)


def access_sources(targets: Targets, sandbox: Any) -> Sources:
    """The access review's sources from the audit's own settings: what the audit skips is
    skipped, what it lacks is missing (an error), the Cloudflare account is the zone's."""
    sources = Sources(tenant_tables=TenantTables(targets.tenant_schemas, targets.tenant_column),
                      skipped={area: "the audit skips it (--skip)" for area in SOURCES
                               if area in targets.skip})
    if sandbox is not None:
        sources.aws = AwsTarget(sandbox.info.region, sandbox.info.aws_endpoint)
        sources.dsn = sandbox.info.database()
        sources.skipped.setdefault("cloudflare", "the sandbox has no Cloudflare account")
        return sources
    if targets.region:
        sources.aws = AwsTarget(targets.region, os.environ.get("AWS_ENDPOINT_URL") or None,
                                targets.profile)
    else:
        sources.missing["aws"] = "no AWS region: pass --region or set AWS_REGION"
    if targets.database:
        sources.dsn = Dsn.parse(targets.database, "--database / TRUSTCTL_AUDIT_DSN")
    else:
        sources.missing["database"] = "no database: set TRUSTCTL_AUDIT_DSN (or --database)"
    token = os.environ.get(CLOUDFLARE_TOKEN_ENV, "").strip()
    zone = targets.cloudflare_zone or targets.expected.cloudflare_zone_id
    if token and zone:
        sources.cloudflare = CloudflareTarget("", token, targets.cloudflare_base_url, zone)
    else:
        sources.missing["cloudflare"] = (f"no Cloudflare token and zone: set "
                                         f"{CLOUDFLARE_TOKEN_ENV} and --cloudflare-zone")
    return sources


def _sandbox(targets: Targets, stack: contextlib.ExitStack) -> Any:
    from trustctl.audit.sandbox_targets import SandboxTargets

    return stack.enter_context(SandboxTargets.start(targets.expected))
