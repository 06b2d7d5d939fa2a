"""Where a command's targets come from: production (its flags and environment), or a local
stand-in chosen once at the command line (`--sandbox`: trustctl/sandbox/provider.py).

A flow is handed a Provider and never asks which one it got, as Prowler's checks never ask
which cloud they run against: the provider yields the backup Location, the database backups
are taken from, the databases a drill must never restore into, the recovery site, the audit's
and the access review's targets, and "make sure there is a backup to rehearse". Its
`environment` is what a record says it came from (production, or the sandbox and its profile).
Nothing here imports the sandbox; trustctl/options.py picks the provider.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from trustctl.archive.location import Location, location
from trustctl.archive.recovery import RecoverySite, recovery_site
from trustctl.dsn import Dsn
from trustctl.environment import PRODUCTION, Environment
from trustctl.errors import InputError

if TYPE_CHECKING:
    from trustctl.access_review.prepare import Sources
    from trustctl.access_review.roster import Roster
    from trustctl.archive.store import BackupStore
    from trustctl.audit.targets import Targets
    from trustctl.records import RecordStore


@dataclass(frozen=True)
class LocationFlags:
    """Where backups live, as the flags and environment name it (see trustctl/options.py)."""

    bucket: str | None
    prefix: str
    region: str | None
    endpoint_url: str | None
    kms_key: str | None = None


@dataclass(frozen=True)
class RecoveryFlags:
    """The recovery region's replica, as `drill --region-outage`'s flags name it."""

    region: str | None
    bucket: str | None
    endpoint_url: str | None


class Provider(Protocol):
    """What a flow asks of where it runs."""

    @property
    def environment(self) -> Environment: ...

    def backups(self, flags: LocationFlags) -> Location:
        """The backup bucket, its region and endpoint, and the backup key."""

    def source(self, dsn_env: str) -> Dsn:
        """The database a backup is taken from."""

    def protected(self, dsn_env: str) -> list[Dsn]:
        """The databases a drill refuses to restore into."""

    def recovery(self, primary: Location, flags: RecoveryFlags) -> RecoverySite:
        """Where backups are recovered from when `primary`'s region is gone."""

    def tenancy(self) -> Path | None:
        """The tenancy declaration a drill uses when none is given."""

    def notes(self) -> tuple[str, ...]:
        """What this provider does differently from AWS (printed beside a backup)."""

    def ensure_backup(self, primary: Location, store: BackupStore,
                      records: RecordStore) -> None:
        """Make sure `store` holds a backup for a drill to rehearse."""

    def audit_targets(self, targets: Targets) -> contextlib.AbstractContextManager[Targets]:
        """The audit's targets (resolved from flags) with this provider's in their place,
        for as long as the audit runs."""

    def review_sources(self, sources: Sources) -> Sources:
        """The access review's sources (resolved from flags) with this provider's in place."""

    def roster(self, roster: Roster) -> Roster:
        """The on-call roster, with whatever this provider runs itself accounted for."""


class ProductionProvider:
    """Production: every target from the command's flags and the environment."""

    environment = PRODUCTION

    def backups(self, flags: LocationFlags) -> Location:
        return location(flags.bucket, flags.prefix, flags.region, flags.endpoint_url,
                        flags.kms_key)

    def source(self, dsn_env: str) -> Dsn:
        return source_dsn(dsn_env)

    def protected(self, dsn_env: str) -> list[Dsn]:
        return [source_dsn(dsn_env)] if os.environ.get(dsn_env, "").strip() else []

    def recovery(self, primary: Location, flags: RecoveryFlags) -> RecoverySite:
        return recovery_site(primary, flags.region, flags.bucket, flags.endpoint_url)

    def tenancy(self) -> Path | None:
        return None

    def notes(self) -> tuple[str, ...]:
        return ()

    def ensure_backup(self, primary: Location, store: BackupStore,
                      records: RecordStore) -> None:
        """Nothing: production's backups come from the daily job; a drill rehearses what is
        there, and says so when there is none."""

    @contextlib.contextmanager
    def audit_targets(self, targets: Targets) -> Iterator[Targets]:
        yield targets

    def review_sources(self, sources: Sources) -> Sources:
        return sources

    def roster(self, roster: Roster) -> Roster:
        return roster


def source_dsn(env_name: str) -> Dsn:
    """The production database whose DSN is in `env_name` (never on the command line)."""
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise InputError(f"no source database: set {env_name} to its DSN (or use --sandbox)")
    return Dsn.parse(value, env_name)
