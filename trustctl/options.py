"""Command options shared by the flows: where backups live (written once, for every command
that reads or writes them), where the source database's DSN comes from, the output format.

The source DSN is read from an environment variable (named by --dsn-env), never from the
command line, where any local user could read its password in the process list.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from trustctl.archive.location import DEFAULT_PREFIX, Location, StandIn, location, stand_in
from trustctl.dsn import Dsn
from trustctl.errors import InputError

DsnEnvOption = Annotated[str, typer.Option(
    "--dsn-env", help="Name of the environment variable holding the source database DSN.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="text or json.", case_sensitive=False)]

DEFAULT_DSN_ENV = "TRUSTCTL_BACKUP_DSN"
FORMATS = ("text", "json")

_LOCATION = {
    "sandbox": (Annotated[bool, typer.Option(
        "--sandbox", help="Use the local sandbox (started if needed) for everything.")], False),
    "bucket": (Annotated[str | None, typer.Option(
        "--bucket", envvar="TRUSTCTL_BACKUP_BUCKET", help="Backup bucket.")], None),
    "prefix": (Annotated[str, typer.Option(
        "--prefix", envvar="TRUSTCTL_BACKUP_PREFIX",
        help="Key prefix of backups in the bucket.")], DEFAULT_PREFIX),
    "region": (Annotated[str | None, typer.Option(
        "--region", envvar="AWS_REGION", help="AWS region of the bucket and the KMS key.")], None),
    "endpoint_url": (Annotated[str | None, typer.Option(
        "--endpoint-url", envvar=["TRUSTCTL_AWS_ENDPOINT", "AWS_ENDPOINT_URL"],
        help="AWS endpoint override (a local moto server); boto3's own AWS_ENDPOINT_URL works "
        "too.")], None),
    "profile": (Annotated[str | None, typer.Option(
        "--profile", help="With --sandbox: the sandbox profile to start if it is not up "
        "(default, or supabase: a Supabase-shaped database); a running sandbox must match.")],
        None),
}
_KMS_KEY = (Annotated[str | None, typer.Option(
    "--kms-key", envvar="TRUSTCTL_BACKUP_KMS_KEY", help="Backup KMS key id, ARN or alias.")], None)

F = TypeVar("F", bound=Callable[..., Any])


def with_location(*, kms_key: bool = False) -> Callable[[F], F]:
    """Gives a command the location options (and --kms-key when it writes backups) and calls it
    with `where`, the resolved Location, and, if it has that parameter, `stand_in` (the sandbox
    with --sandbox, else None).
    """
    extra = {**_LOCATION, **({"kms_key": _KMS_KEY} if kms_key else {})}

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for name, p in signature.parameters.items() if name not in ("where", "stand_in")]
        wants_stand_in = "stand_in" in signature.parameters
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                   annotation=annotation)
                 for name, (annotation, default) in extra.items()]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in extra}
            where, local = resolve(**given)
            if wants_stand_in:
                kwargs["stand_in"] = local
            return command(**kwargs, where=where)

        wrapper.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
        del wrapper.__wrapped__  # typer reads the signature above, not the command's
        return wrapper  # type: ignore[return-value]

    return decorate


def resolve(sandbox: bool, bucket: str | None, prefix: str, region: str | None,
            endpoint_url: str | None, profile: str | None = None,
            kms_key: str | None = None) -> tuple[Location, StandIn | None]:
    """The Location the flags and environment name; with --sandbox, the sandbox's."""
    if profile is not None and not sandbox:
        raise InputError("--profile needs --sandbox")
    if sandbox:
        local = stand_in(prefix, profile)
        return local.location, local
    return location(bucket, prefix, region, endpoint_url, kms_key), None


def source_dsn(env_name: str) -> Dsn:
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise InputError(f"no source database: set {env_name} to its DSN (or use --sandbox)")
    return Dsn.parse(value, env_name)


def check_format(output: str) -> str:
    if output.lower() not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    return output.lower()
