"""Command options shared by the flows: which provider a command runs against (chosen here,
once: production, or the sandbox with --sandbox), where backups live (written once, for every
command that reads or writes them), where the source database's DSN comes from, the output
format.

The source DSN is read from an environment variable (named by --dsn-env), never from the
command line, where any local user could read its password in the process list. An option the
chosen provider sets itself is refused when given on the command line, never silently ignored
(an environment variable of production's is left unused: it is ambient, not asked for).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

import typer

from trustctl.archive.location import DEFAULT_PREFIX
from trustctl.errors import InputError
from trustctl.provider import LocationFlags, ProductionProvider, Provider

DsnEnvOption = Annotated[str, typer.Option(
    "--dsn-env", help="Name of the environment variable holding the source database DSN.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="text or json.", case_sensitive=False)]

DEFAULT_DSN_ENV = "TRUSTCTL_BACKUP_DSN"
FORMATS = ("text", "json")

SandboxOption = Annotated[bool, typer.Option(
    "--sandbox", help="Run against the local sandbox (`trustctl sandbox up`): its moto AWS, "
    "database and backups, in place of production's flags and environment.")]
SandboxProfileOption = Annotated[str | None, typer.Option(
    "--sandbox-profile", help="With --sandbox: the profile the sandbox must be up with "
    "(default, or supabase: a Supabase-shaped database).")]

_PROVIDER = {"sandbox": (SandboxOption, False), "sandbox_profile": (SandboxProfileOption, None)}
_LOCATION = {
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
}
_KMS_KEY = (Annotated[str | None, typer.Option(
    "--kms-key", envvar="TRUSTCTL_BACKUP_KMS_KEY", help="Backup KMS key id, ARN or alias.")], None)

F = TypeVar("F", bound=Callable[..., Any])


def with_location(*, kms_key: bool = False, start: bool = False) -> Callable[[F], F]:
    """Gives a command the provider and location options (and --kms-key when it writes
    backups) and calls it with `where`, the resolved Location, and, if it has that parameter,
    `provider` (see `choose_provider`; `start` as there).
    """
    extra = {**_PROVIDER, **_LOCATION, **({"kms_key": _KMS_KEY} if kms_key else {})}

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for name, p in signature.parameters.items() if name not in ("where", "provider")]
        wants_provider = "provider" in signature.parameters
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                   annotation=annotation)
                 for name, (annotation, default) in extra.items()]
        context = inspect.Parameter("_context", inspect.Parameter.KEYWORD_ONLY,
                                    annotation=typer.Context)

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in extra}
            provider = choose_provider(kwargs.pop("_context"), given.pop("sandbox"),
                                       given.pop("sandbox_profile"), start=start)
            if wants_provider:
                kwargs["provider"] = provider
            return command(**kwargs, where=provider.backups(LocationFlags(**given)))

        parameters = [*own, *added, context]
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        del wrapper.__wrapped__  # typer reads the signature above, not the command's
        return wrapper  # type: ignore[return-value]

    return decorate


def choose_provider(context: typer.Context, sandbox: bool, sandbox_profile: str | None, *,
                    start: bool = False) -> Provider:
    """The one place a command's provider is chosen: production, or with --sandbox the running
    sandbox (started first only when `start` and there is none at all: `drill --sandbox`).

    With --sandbox, an option of `context`'s command that the sandbox sets itself and the
    command line gave is refused before the sandbox is looked at.
    """
    if sandbox_profile is not None and not sandbox:
        raise InputError("--sandbox-profile needs --sandbox")
    if not sandbox:
        return ProductionProvider()
    from trustctl.sandbox.provider import OVERRIDES, SandboxProvider

    refuse_given(context, OVERRIDES)
    return SandboxProvider.connect(sandbox_profile, start=start)


def refuse_given(context: typer.Context, overrides: Mapping[str, str]) -> None:
    """One line for the first option in `overrides` given on `context`'s command line."""
    for param in context.command.params:
        # typer ships its own copy of click: its ParameterSource is compared by name
        source = context.get_parameter_source(param.name) if param.name else None
        if param.name in overrides and param.opts and getattr(source, "name", "") == "COMMANDLINE":
            flag = param.opts[0]
            raise InputError(f"{flag} cannot be used with --sandbox: {overrides[param.name]}; "
                             f"drop {flag} (or --sandbox)")


def check_format(output: str) -> str:
    if output.lower() not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    return output.lower()
