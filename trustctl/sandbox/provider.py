"""The sandbox as a provider (`--sandbox`, chosen by trustctl/options.py): the values production
resolves from flags and environment, from the running sandbox instead.

Its backup bucket, key and database, its recovery region, a local HTTPS site for the audit,
its own service roles on the roster, the checks moto cannot serve, and a backup taken (and
recorded, like any other) when a drill finds none. The options it sets itself (`OVERRIDES`)
are refused on the command line. The flows never ask which provider they got.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from trustctl.archive.location import Location
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError, InputError
from trustctl.provider import Environment, LocationFlags, ProductionProvider, RecoveryFlags
from trustctl.sandbox import lifecycle, recovery, supabase
from trustctl.sandbox.account import ON_CALL_PRINCIPALS
from trustctl.sandbox.state import SandboxInfo

if TYPE_CHECKING:  # each flow's own types: a command loads only its own flow
    from trustctl.access_review.prepare import Sources
    from trustctl.access_review.roster import Roster
    from trustctl.archive.recovery import RecoverySite
    from trustctl.archive.store import BackupStore
    from trustctl.audit.targets import Targets
    from trustctl.records import RecordStore

REPLICA_WAIT_SECONDS = 60
_AWS = "the sandbox's moto (us-east-1, and us-west-2 for its recovery region)"
_NO_CLOUDFLARE = "the sandbox has no Cloudflare account or zone"
_NO_SUPABASE = "the sandbox is not a Supabase project"
# option (its parameter name, in any command) -> what --sandbox uses in its place
OVERRIDES: Mapping[str, str] = {
    "bucket": "it uses the sandbox's own backup bucket",
    "region": f"it uses {_AWS}",
    "endpoint_url": f"it uses {_AWS}",
    "profile": f"it uses {_AWS}, no AWS profile",
    "kms_key": "it uses the sandbox's own backup key",
    "dsn_env": "it reads the sandbox's own database",
    "database": "it reads the sandbox's own database",
    "recovery_region": "it uses the sandbox's own recovery region (us-west-2)",
    "recovery_bucket": "it uses the sandbox's own replica bucket",
    "recovery_endpoint_url": f"it uses {_AWS}",
    "site": "it audits a local HTTPS site it starts",
    "ca_bundle": "it audits a local HTTPS site with its own CA",
    "cloudflare_zone": _NO_CLOUDFLARE,
    "cloudflare_account": _NO_CLOUDFLARE,
    "cloudflare_base_url": _NO_CLOUDFLARE,
    "supabase_project": _NO_SUPABASE,
    "supabase_base_url": _NO_SUPABASE,
}
# What moto cannot represent is not a finding about the sandbox's declarations: the audit
# leaves these checks out, and the report and record say so.
SKIPPED_CHECKS = {
    "AUD_AWS_17": "moto cannot represent root-user MFA (its account summary always says 0)",
    "AUD_AWS_11": "moto applies a TLS-only Deny without its condition, so the sandbox's "
                  "backup bucket (reached over plain HTTP) cannot carry one",
    **dict.fromkeys(("AUD_AWS_22", "AUD_AWS_23", "AUD_AWS_24"),
                    "moto does not implement AWS Backup selections, recovery points or "
                    "restore testing"),
}
ABSENT_AREAS = {"cloudflare": _NO_CLOUDFLARE, "supabase": _NO_SUPABASE}
OWNER = "trustctl sandbox"


@dataclass(frozen=True)
class SandboxProvider:
    """The running sandbox `info` describes, as every flow's targets."""

    info: SandboxInfo

    @classmethod
    def connect(cls, profile: str | None, *, start: bool = False) -> SandboxProvider:
        """The running sandbox (see lifecycle.attach: a down one is never rebuilt here)."""
        return cls(lifecycle.attach(profile, start=start))

    @property
    def environment(self) -> Environment:
        return Environment("sandbox", self.info.profile)

    def backups(self, flags: LocationFlags) -> Location:
        return Location(self.info.aws_target, self.info.backup_bucket, flags.prefix,
                        self.info.kms_key_arn)

    def source(self, dsn_env: str) -> Dsn:
        return self.info.database()

    def protected(self, dsn_env: str) -> list[Dsn]:
        """The sandbox's database, and production's when its variable is set."""
        return [self.info.database(), *ProductionProvider().protected(dsn_env)]

    def recovery(self, primary: Location, flags: RecoveryFlags) -> RecoverySite:
        if not self.info.recovery_region:
            raise InputError("--region-outage: this sandbox has no recovery region: "
                             "`trustctl sandbox down`, then `trustctl sandbox up`")
        return recovery.recovery_site(self.info.aws_endpoint, self.info.region,
                                      self.info.backup_bucket, primary.prefix,
                                      self.info.recovery())

    def tenancy(self) -> Path | None:
        """The supabase profile is shaped after production's tenancy declaration."""
        return supabase.TENANCY if self.info.profile == "supabase" else None

    def notes(self) -> tuple[str, ...]:
        return self.info.recovery().notes(self.info.backup_bucket)

    def ensure_backup(self, primary: Location, store: BackupStore,
                      records: RecordStore) -> None:
        """A backup taken into `primary` (and recorded) when `store` holds none; for a drill
        from the recovery region, once the sandbox has copied it there."""
        from trustctl.backup.record import backup_record, lock_findings
        from trustctl.backup.run import BackupTarget, run_backup

        if store.latest_complete() is not None:
            return
        _say("the sandbox holds no backup to rehearse: taking one")
        taken_into = primary.store()
        manifest = run_backup(self.info.database(), BackupTarget(
            taken_into, primary.kms(), primary.kms_key_id))
        records.write(backup_record(manifest, primary.bucket, lock_findings(manifest, taken_into)))
        if store.bucket != primary.bucket:
            _wait_for_copy(store)

    @contextlib.contextmanager
    def audit_targets(self, targets: Targets) -> Iterator[Targets]:
        """The sandbox's moto account and database, and a local HTTPS site that keeps the
        page's promises, for as long as the audit runs."""
        from trustctl.sandbox.site import LocalSite, SiteConfig

        contact = targets.expected.security_contact or SiteConfig.contact
        with (tempfile.TemporaryDirectory(prefix="trustctl-site-") as directory,
              LocalSite(Path(directory), SiteConfig(contact=contact)) as site):
            yield replace(
                targets, region=self.info.region, endpoint_url=self.info.aws_endpoint, profile=None,
                expected=replace(targets.expected, on_call_principals=ON_CALL_PRINCIPALS),
                site=site.url, ca_bundle=site.ca_bundle, site_http_port=site.http_port,
                database=self.info.dsn, app_roles=targets.app_roles or (self.info.app_role,),
                absent=ABSENT_AREAS, skip_checks=SKIPPED_CHECKS)

    def review_sources(self, sources: Sources) -> Sources:
        return replace(sources, aws=self.info.aws_target, dsn=self.info.database(),
                       cloudflare=None, missing={},
                       skipped={"cloudflare": _NO_CLOUDFLARE, **sources.skipped})

    def roster(self, roster: Roster) -> Roster:
        """The roster, and the sandbox's own logins: the role backups read with and the
        application's login (claver_app, or Supabase's authenticator)."""
        from trustctl.access_review.roster import Entry

        app_login = self.info.database(app=True).user
        own = (Entry("the sandbox's backup login", "service",
                     (f"postgres:{self.info.pg_user}",), OWNER),
               Entry("the sandbox's application login", "service", (f"postgres:{app_login}",),
                     OWNER))
        return replace(roster, entries=roster.entries + own,
                       path=f"{roster.path} + the sandbox's own logins")


def _wait_for_copy(store: BackupStore) -> None:
    _say(f"waiting for the sandbox to copy it to s3://{store.bucket}")
    deadline = time.monotonic() + REPLICA_WAIT_SECONDS
    while store.latest_complete() is None:
        if time.monotonic() > deadline:
            raise DependencyError(f"the sandbox did not copy the backup to s3://{store.bucket} "
                                  f"within {REPLICA_WAIT_SECONDS} s (see its daemon.log)")
        time.sleep(1)


def _say(line: str) -> None:
    print(f"trustctl: sandbox: {line}", file=sys.stderr, flush=True)
