"""Where backups live and where they come from, as command options shared by backup and drill.

The source DSN is read from an environment variable (named by --dsn-env), never from the
command line, where any local user could read its password in the process list.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import typer
from botocore.exceptions import BotoCoreError, ClientError

from trustctl import aws
from trustctl.backup.store import BackupStore
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError, InputError
from trustctl.sandbox import SandboxInfo, ensure_up

BucketOption = Annotated[str | None, typer.Option(
    "--bucket", envvar="TRUSTCTL_BACKUP_BUCKET", help="Backup bucket.")]
PrefixOption = Annotated[str, typer.Option(
    "--prefix", envvar="TRUSTCTL_BACKUP_PREFIX", help="Key prefix of backups in the bucket.")]
RegionOption = Annotated[str | None, typer.Option(
    "--region", envvar="AWS_REGION", help="AWS region of the bucket and the KMS key.")]
EndpointOption = Annotated[str | None, typer.Option(
    "--endpoint-url", envvar="TRUSTCTL_AWS_ENDPOINT",
    help="AWS endpoint override (a local moto server).")]
KmsKeyOption = Annotated[str | None, typer.Option(
    "--kms-key", envvar="TRUSTCTL_BACKUP_KMS_KEY", help="Backup KMS key id, ARN or alias.")]
DsnEnvOption = Annotated[str, typer.Option(
    "--dsn-env", help="Name of the environment variable holding the source database DSN.")]
SandboxOption = Annotated[bool, typer.Option(
    "--sandbox", help="Use the local sandbox (started if needed) for everything.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="text or json.", case_sensitive=False)]

DEFAULT_PREFIX = "backups"
DEFAULT_DSN_ENV = "TRUSTCTL_BACKUP_DSN"
FORMATS = ("text", "json")


@dataclass(frozen=True)
class Location:
    """The bucket, its AWS target and the backup KMS key."""

    target: aws.AwsTarget
    bucket: str
    prefix: str
    kms_key_id: str | None

    def store(self) -> BackupStore:
        return BackupStore(aws.client("s3", self.target), self.bucket, self.prefix)

    def kms(self) -> object:
        return aws.client("kms", self.target)


def location(bucket: str | None, prefix: str, region: str | None, endpoint: str | None,
             kms_key: str | None) -> Location:
    if not bucket:
        raise InputError("no backup bucket: pass --bucket (or TRUSTCTL_BACKUP_BUCKET), "
                         "or --sandbox")
    if not region:
        raise InputError("no AWS region: pass --region (or AWS_REGION)")
    return Location(aws.AwsTarget(region, endpoint), bucket, prefix, kms_key)


def sandbox_location(prefix: str = DEFAULT_PREFIX) -> tuple[Location, SandboxInfo]:
    """The local sandbox's bucket and key (the sandbox is started first if it is not up)."""
    info = ensure_up()
    return Location(info.aws_target, info.backup_bucket, prefix, info.kms_key_arn), info


def source_dsn(env_name: str) -> Dsn:
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise InputError(f"no source database: set {env_name} to its DSN (or use --sandbox)")
    return Dsn.parse(value, env_name)


def check_format(output: str) -> str:
    if output.lower() not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    return output.lower()


@contextlib.contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """AWS could not be reached or refused: exit 2 with one line, no stack trace."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DependencyError(f"{what}: AWS said {error.get('Code')}: "
                              f"{error.get('Message', '')}".rstrip(": ")) from None
    except BotoCoreError as exc:
        raise DependencyError(f"{what}: {type(exc).__name__}: {exc}") from None
