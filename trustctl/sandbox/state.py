"""Where the sandbox keeps its state, and what it tells callers about itself.

Everything lives in one directory, `$TRUSTCTL_HOME/sandbox` (default `<repo>/.trustctl/sandbox`):
`state.json` (mode 0600: it holds the passwords; once the sandbox was ready it keeps `info`
until `down`, so a sandbox whose daemon died can be brought back), `daemon.log` (progress,
never secrets), `moto.url` and `pgdata/` (the server's data). `down` removes the directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from trustctl.aws import AwsTarget
from trustctl.dsn import Dsn
from trustctl.paths import state_home
from trustctl.sandbox.recovery import DeclaredRecovery

STATE_FILE = "state.json"
LOG_FILE = "daemon.log"
MOTO_URL_FILE = "moto.url"
PGDATA = "pgdata"
READY = "ready"


def sandbox_dir() -> Path:
    """The sandbox's directory: $TRUSTCTL_HOME/sandbox, else <repo root>/.trustctl/sandbox."""
    return state_home() / "sandbox"


@dataclass(frozen=True)
class SandboxInfo:
    """Where the sandbox's parts are. `dsn` and `app_dsn` hold passwords: never print them.

    dsn: `pg_user` on `pg_database`, what backup reads with pg_dump (the superuser; with the
    `supabase` profile, the non-superuser BYPASSRLS backup role);
    app_dsn: the role the application logs in as (`app_role`, or Supabase's authenticator),
    subject to row-level security.
    """

    aws_endpoint: str
    region: str
    backup_bucket: str
    kms_key_id: str
    kms_key_arn: str
    pg_host: str
    pg_port: int
    pg_database: str
    pg_user: str
    app_role: str
    tenants: int
    size_mb: int
    started_at: str
    dsn: str = field(repr=False)
    app_dsn: str = field(repr=False)
    profile: str = "default"
    recovery_region: str = ""
    replica_bucket: str = ""
    stand_in_key_arn: str = ""

    def database(self, app: bool = False) -> Dsn:
        """The sandbox database as the role backups read it with (the superuser; the backup role
        with the supabase profile; the drill refuses it as a scratch target),
        or as the application role."""
        return Dsn.parse(self.app_dsn if app else self.dsn, "the sandbox's state")

    @property
    def aws_target(self) -> AwsTarget:
        return AwsTarget(region=self.region, endpoint_url=self.aws_endpoint)

    def recovery(self) -> DeclaredRecovery:
        """The recovery region's parts (replica bucket and key, the stand-in key)."""
        return DeclaredRecovery(self.recovery_region, self.replica_bucket, self.stand_in_key_arn)

    def public(self) -> dict[str, Any]:
        """Every field but the password-bearing DSNs, and how replication is stood in for:
        safe to print."""
        shown = {k: v for k, v in asdict(self).items() if k not in ("dsn", "app_dsn")}
        return {**shown, "replication": list(self.recovery().notes(self.backup_bucket))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxInfo:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def read_state(directory: Path) -> dict[str, Any] | None:
    """The state document, or None when there is none (or it is half written)."""
    try:
        return json.loads((directory / STATE_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_state(directory: Path, state: dict[str, Any]) -> None:
    """Replace the state document atomically; created 0600 before any secret is written."""
    partial = directory / f".{STATE_FILE}.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(state, out, indent=2)
    os.replace(partial, directory / STATE_FILE)
