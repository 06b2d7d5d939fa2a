"""What one audit looks at, and the reader of each area (opened, then closed, once per run).

An area is audited when its target is configured, reported `error` when it is asked for but not
configured (the reason names the missing flag or variable), and left out only by --skip or
when the environment has none (`absent`: the sandbox has no Cloudflare zone). The targets come
resolved from the command's provider (trustctl/provider.py): nothing here asks which.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
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
from trustctl.pg.tenancy import Tenancy
from trustctl.records import RecordStore, open_store

CLOUDFLARE_TOKEN_ENV = "CLOUDFLARE_API_TOKEN"
SUPABASE_TOKEN_ENV = "SUPABASE_ACCESS_TOKEN"
DATABASE_ORIGIN = "--database / TRUSTCTL_AUDIT_DSN"


@dataclass(frozen=True)
class Targets:
    """What to audit. `absent` names the areas the environment does not have (and why),
    `skip_checks` the checks it cannot serve (and why): both are left out and reported."""

    expected: Expectations
    skip: frozenset[str] = frozenset()
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    parallel: int = 32
    cloudflare_zone: str | None = None
    cloudflare_base_url: str | None = None
    site: str | None = None
    ca_bundle: Path | None = None
    site_http_port: int = 80
    database: str | None = field(default=None, repr=False)
    supabase_project: str | None = None
    supabase_base_url: str | None = None
    app_roles: tuple[str, ...] = ()  # a provider's default when the tenancy names none
    tenancy: Tenancy = field(default_factory=Tenancy)
    backup_prefix: str = "backups"
    rpo_hours: float | None = None  # None: the catalog's RPO
    records: RecordStore | None = None  # where drill records are read (the audit's store)
    role_arns: tuple[str, ...] = ()
    organization_role: str | None = None
    shard: tuple[int, int] | None = None  # (K, N): this machine audits accounts K of N
    absent: Mapping[str, str] = field(default_factory=dict)
    skip_checks: Mapping[str, str] = field(default_factory=dict)

    @property
    def left_out(self) -> frozenset[str]:
        """The areas not audited: skipped on purpose, or absent from the environment."""
        return self.skip | frozenset(self.absent)


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
    opened = Opened(skipped_areas=sorted(targets.left_out), skip_checks=dict(targets.skip_checks))
    with contextlib.ExitStack() as stack:
        aws = _aws(targets, opened)
        for reader in aws:
            stack.callback(reader.close)
        _cloudflare(targets, opened)
        _site(targets, opened)
        _database(targets, opened)
        _supabase(targets, opened)
        if "database" in opened.readers:
            stack.callback(opened.readers["database"].close)
        store = targets.records or open_store(Path("evidence"))
        if "records" not in targets.left_out:
            opened.readers["records"] = RecordsReader(aws, store, targets.backup_prefix,
                                                      targets.rpo_hours)
        if "access" not in targets.left_out:
            opened.readers["access"] = AccessReader(store, access_sources(targets))
        yield opened


def _aws(targets: Targets, opened: Opened) -> list[AwsReader]:
    """One reader, or one per account (--role-arn, --organization-role), this shard's."""
    if "aws" in targets.left_out:
        return []
    if not targets.region:
        opened.not_configured["aws"] = "no AWS region: pass --region or set AWS_REGION"
        return []
    settings = AwsSettings(region=targets.region, profile=targets.profile,
                           endpoint_url=targets.endpoint_url, parallel=targets.parallel,
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


def _cloudflare(targets: Targets, opened: Opened) -> None:
    if "cloudflare" in targets.left_out:
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


def _site(targets: Targets, opened: Opened) -> None:
    if "site" in targets.left_out:
        return
    from trustctl.audit.site_reader import SiteReader

    url = targets.site or (f"https://{targets.expected.domain}"
                           if targets.expected.domain else None)
    if not url:
        opened.not_configured["site"] = "no site: pass --site URL"
        return
    opened.readers["site"] = SiteReader(url, targets.ca_bundle, targets.expected.security_contact,
                                        targets.site_http_port)


def _database(targets: Targets, opened: Opened) -> None:
    if "database" in targets.left_out:
        return
    from trustctl.audit.database_reader import DatabaseReader

    if not targets.database:
        opened.not_configured["database"] = ("no database: set TRUSTCTL_AUDIT_DSN "
                                             "(or --database)")
        return
    dsn = Dsn.parse(targets.database, DATABASE_ORIGIN)
    tenancy = targets.tenancy
    if targets.app_roles and not tenancy.app_roles:
        tenancy = replace(tenancy, app_roles=targets.app_roles)
    opened.readers["database"] = DatabaseReader(dsn, tenancy)


def _supabase(targets: Targets, opened: Opened) -> None:
    if "supabase" in targets.left_out:
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


def access_sources(targets: Targets) -> Sources:
    """The access review's sources from the audit's own settings: what the audit leaves out is
    skipped, what it lacks is missing (an error), the Cloudflare account is the zone's."""
    skipped = {**{area: "the audit skips it (--skip)" for area in SOURCES
                  if area in targets.skip},
               **{area: why for area, why in targets.absent.items() if area in SOURCES}}
    sources = Sources(tenant_tables=TenantTables(targets.tenancy.tenant_schemas,
                                                   targets.tenancy.tenant_column),
                      skipped=skipped)
    if targets.region:
        sources.aws = AwsTarget(targets.region, targets.endpoint_url
                                or os.environ.get("AWS_ENDPOINT_URL") or None, targets.profile)
    else:
        sources.missing["aws"] = "no AWS region: pass --region or set AWS_REGION"
    if targets.database:
        sources.dsn = Dsn.parse(targets.database, DATABASE_ORIGIN)
    else:
        sources.missing["database"] = "no database: set TRUSTCTL_AUDIT_DSN (or --database)"
    if "cloudflare" in targets.absent:
        return sources
    token = os.environ.get(CLOUDFLARE_TOKEN_ENV, "").strip()
    zone = targets.cloudflare_zone or targets.expected.cloudflare_zone_id
    if token and zone:
        sources.cloudflare = CloudflareTarget("", token, targets.cloudflare_base_url, zone)
    else:
        sources.missing["cloudflare"] = (f"no Cloudflare token and zone: set "
                                         f"{CLOUDFLARE_TOKEN_ENV} and --cloudflare-zone")
    return sources
