"""`trustctl drill`: rehearse a restore of the latest backup and record the evidence.

Exit 0 when every step passed, 1 when the drill ran and something failed (integrity, RPO, RTO,
verification, isolation), 2 when it could not run, 130 when interrupted (Ctrl-C or SIGTERM).
Progress goes to stderr. Once the drill has started, its record is written whatever the
outcome, so failed, unrunnable and interrupted drills leave evidence too.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from trustctl import options, signals
from trustctl.archive.location import Location
from trustctl.aws import aws_errors
from trustctl.catalog import page_figures
from trustctl.drill.record import DrillResult
from trustctl.drill.run import DrillOptions, run_drill
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.roles import RoleAllowlist
from trustctl.pg.tenancy import RECIPES, Tenancy, load, override
from trustctl.provider import Provider, RecoveryFlags
from trustctl.records.options import EvidenceDirOption, EvidenceOption, record_store

SCRATCH_DSN_ORIGIN = "--scratch-dsn / TRUSTCTL_SCRATCH_DSN"


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
    app.command("drill")(drill_command)


@options.with_location(start=True)
def drill_command(
    where: Location,
    provider: Provider,
    backup_id: Annotated[str | None, typer.Option(
        "--backup", help="Backup id to rehearse (default: the latest complete one).")] = None,
    scratch_dsn: Annotated[str | None, typer.Option(
        "--scratch-dsn", envvar="TRUSTCTL_SCRATCH_DSN",
        help="Scratch server to restore into (a fresh database is created and dropped); "
        "default: a fresh embedded PostgreSQL on this host. Prefer the env var: argv is "
        "visible to other local users.")] = None,
    scratch_dir: Annotated[Path | None, typer.Option(
        "--scratch-dir", help="Where the embedded scratch server's data goes (needs room for "
        "the restored database).")] = None,
    evidence_dir: EvidenceDirOption = Path("evidence"),
    evidence: EvidenceOption = None,
    tenancy_file: Annotated[Path | None, typer.Option(
        "--tenancy", envvar="TRUSTCTL_TENANCY",
        help="Tenancy declaration (application roles, tenant tables and columns, global "
        "tables, tenant-session recipe), e.g. policies/tenancy.yaml. Default: found in the "
        "database (Supabase's auth.jwt()/auth.uid() or a current_setting in the policies); "
        "with --sandbox, its profile's.")] = None,
    app_role: Annotated[list[str] | None, typer.Option(
        "--app-role", help="Role serving tenant traffic (repeatable; overrides the tenancy "
        "file; default: anon+authenticated on Supabase, else claver_app).")] = None,
    tenant_schema: Annotated[list[str] | None, typer.Option(
        "--tenant-schema", help="Schema whose tables are tenant tables (repeatable).")] = None,
    tenant_column: Annotated[str | None, typer.Option(
        "--tenant-column", help="Column naming a row's tenant, required on every tenant "
        "table that is not declared global (default tenant_id).")] = None,
    tenant_recipe: Annotated[str | None, typer.Option(
        "--tenant-recipe", help="How to act as one tenant: setting, jwt-claims or membership "
        "(default: found in the policies).")] = None,
    tenant_setting: Annotated[str | None, typer.Option(
        "--tenant-setting", help="`setting` recipe: the setting the policies read the tenant "
        "from (default: found in the policies).")] = None,
    tenant_claims: Annotated[str | None, typer.Option(
        "--tenant-claims", help="`jwt-claims` recipe: request.jwt.claims template with "
        "{tenant}, {user} and {role} (default: Supabase's, tenant in app_metadata).")] = None,
    membership_query: Annotated[str | None, typer.Option(
        "--membership-query", help="`membership` recipe: SQL yielding (tenant, user) rows, "
        "the member to act as listed first for each tenant.")] = None,
    allow_role_attribute: Annotated[list[str] | None, typer.Option(
        "--allow-role-attribute", metavar="ROLE=ATTRIBUTE",
        help="Let the restore recreate ROLE with ATTRIBUTE (superuser, bypassrls or createrole) "
        "when the backup's authenticated manifest says production has it (repeatable). "
        "Default: Supabase's own roles, and the role that took the backup. A power production "
        "has that is not allowed is a finding.")] = None,
    skip_extension: Annotated[list[str] | None, typer.Option(
        "--skip-extension", help="Restore without this extension when the scratch server lacks "
        "it (repeatable; recorded; what depends on it is not restored or verified).")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=1, help="Parallel restore (pg_restore -j N). Costs: the decrypted dump "
        "is written in plaintext to the scratch directory first.")] = 1,
    rpo_hours: Annotated[float | None, typer.Option(
        "--rpo-hours", show_default=False, help="Recovery point objective: the backup may be "
        "at most this old (default: the catalog's, RPO-RTO rpo_hours).")] = None,
    rto_hours: Annotated[float | None, typer.Option(
        "--rto-hours", show_default=False, help="Recovery time objective: restore and "
        "verification must finish within it (default: the catalog's, RPO-RTO rto_hours).")
    ] = None,
    region_outage: Annotated[bool, typer.Option(
        "--region-outage", help="Rehearse a regional outage: --region (the primary) is treated "
        "as gone and never contacted; the latest backup is found, verified, decrypted and "
        "restored from the replica bucket in --recovery-region with the backup key's replica "
        "there.")] = False,
    recovery_region: Annotated[str | None, typer.Option(
        "--recovery-region", envvar="TRUSTCTL_RECOVERY_REGION",
        help="With --region-outage: the region holding the backup replica (default: "
        "trustctl:recoveryRegion of Pulumi.prod.yaml, else us-west-2).")] = None,
    recovery_bucket: Annotated[str | None, typer.Option(
        "--recovery-bucket", envvar="TRUSTCTL_RECOVERY_BUCKET",
        help="With --region-outage: the replica bucket (stack output replicaBackupBucket).")
    ] = None,
    recovery_endpoint_url: Annotated[str | None, typer.Option(
        "--recovery-endpoint-url", envvar="TRUSTCTL_RECOVERY_AWS_ENDPOINT",
        help="With --region-outage: AWS endpoint override for the recovery region (a local "
        "moto server).")] = None,
    production_dsn_env: Annotated[str, typer.Option(
        "--production-dsn-env", help="Env var with the production DSN, refused as a scratch "
        "target (the backup's recorded source is always refused).")] = options.DEFAULT_DSN_ENV,
    output: options.FormatOption = "text",
) -> None:
    """Restore the latest backup into a scratch database and prove it: integrity, row counts,
    checksums, the RLS posture rule, no cross-tenant read, a tenant's CSV export, RPO and RTO.

    Tenancy (application roles, tenant tables, global tables, how to act as one tenant) comes
    from --tenancy (production's: policies/tenancy.yaml), else from the database: policies
    calling auth.jwt()/auth.uid() mean Supabase (anon + authenticated, request.jwt.claims), a
    current_setting('x') in the policies means a `setting` session as claver_app.

    With --region-outage the primary region is treated as gone: nothing in it is contacted
    (not even --bucket, named only for the record); the backup comes from the replica bucket
    (--recovery-bucket) in --recovery-region, its data key is unwrapped by the backup key's
    multi-Region replica there, RPO is the age of the newest backup in the replica (a backup
    still replicating does not count, so the lag is in it), RTO runs from the start, and the
    record names the region that served each step. The sandbox has a recovery region
    (us-west-2) of its own.

    With --sandbox (the main job in one command) a sandbox is started when there is none at
    all, and a backup is taken, and recorded like any other, when it holds none; a sandbox
    that is down is never rebuilt here (`trustctl sandbox up` brings it back with its data).
    Options the sandbox sets itself (--bucket, --region, --recovery-*, ...) are refused.

    The latest complete backup (one with a manifest; --backup picks another) is read once:
    decrypted and verified as it streams into pg_restore. The scratch database is a fresh
    embedded PostgreSQL on this host unless TRUSTCTL_SCRATCH_DSN (or --scratch-dsn) names a
    scratch server, where it restores into a new empty database; a server holding the production
    database is refused (reached at the host of TRUSTCTL_BACKUP_DSN or of the backup's recorded
    source, or with the source's system identifier, whatever its name). Nothing of the backup is
    believed before its manifest is authenticated: a replayed, swapped or edited backup fails,
    naming what was forged. The manifest's roles are created only where absent, unable to log
    in, with no more power than --allow-role-attribute allows; existing roles are never altered.
    The scratch is torn down whatever happens, Ctrl-C included, and a JSON record
    (drill-<id>.json) is written to --evidence-dir (or the --evidence bucket) for every drill
    that started: passed, failed, unrunnable or interrupted.

    Exit codes: 0 every step passed; 1 a finding; 2 could not run; 130 interrupted (Ctrl-C or
    SIGTERM: the scratch is torn down and the record written first).

    \b
    Examples:
      trustctl drill --sandbox
      trustctl drill --sandbox --sandbox-profile supabase
      trustctl drill --sandbox --region-outage
      trustctl drill --region-outage --region us-east-1 --bucket claver-backups \\
        --recovery-region us-west-2 --recovery-bucket claver-prod-backups-replica-1a2b3c
      trustctl drill --tenancy policies/tenancy.yaml --bucket claver-backups --region us-east-1
      TRUSTCTL_SCRATCH_DSN=postgresql://drill@scratch-db:5432/postgres \\
        trustctl drill --bucket claver-backups --region eu-west-2 --format json
    """
    output = options.check_format(output)
    records = record_store(evidence_dir, evidence, provider.environment)
    records.check_writable()
    scratch = Dsn.parse(scratch_dsn, SCRATCH_DSN_ORIGIN) if scratch_dsn else None
    drill_options = DrillOptions(
        backup_id=backup_id, scratch_dsn=scratch, scratch_parent=scratch_dir,
        production_dsns=provider.protected(production_dsn_env),
        tenancy=_tenancy(tenancy_file or provider.tenancy(), app_roles=app_role,
                         tenant_schemas=tenant_schema, tenant_column=tenant_column,
                         recipe=tenant_recipe,
                         setting=tenant_setting, claims=tenant_claims,
                         membership_query=membership_query),
        rpo=_positive_hours(rpo_hours, "--rpo-hours", page_figures().rpo),
        rto=_positive_hours(rto_hours, "--rto-hours", page_figures().rto), jobs=jobs,
        skip_extensions=tuple(skip_extension or ()),
        role_allowlist=RoleAllowlist.default().extended(
            _role_attribute(text) for text in allow_role_attribute or ()),
    )
    site = (provider.recovery(where, RecoveryFlags(recovery_region, recovery_bucket,
                                                   recovery_endpoint_url))
            if region_outage else None)
    for note in site.notes if site else ():
        typer.echo(f"trustctl: drill: {note}", err=True)
    source = site.location if site else where
    store, kms = source.store(), source.kms()
    with aws_errors("drill"):
        if backup_id is None:
            provider.ensure_backup(where, store, records)
        result = run_drill(store, kms, drill_options, site)
    with signals.shielded():  # the drill ran: its record and summary are not cut short
        path = records.write(result.as_record())
        if output == "json":
            typer.echo(json.dumps(result.to_json(), indent=2))
        else:
            typer.echo(summary(result, path))
    drill = result.facts
    if drill.exit_code:
        typer.echo(f"trustctl: drill {drill.status}: {drill.reason}", err=True)
        raise typer.Exit(drill.exit_code)


def summary(result: DrillResult, path: str) -> str:
    """The human summary: verdict, backup, each step, objectives, controls, where the record is."""
    drill = result.facts
    verdict = {"pass": "PASSED", "fail": "FAILED", "error": "COULD NOT RUN",
               "interrupted": "INTERRUPTED"}[drill.status]
    lines = [f"Restore drill {drill.drill_id}: {verdict}"]
    if drill.backup:
        backup = drill.backup
        lines.append(f"  backup  {backup.backup_id} from {backup.source}")
        lines.append(f"  object  s3://{backup.bucket}/{backup.object_key}"
                     + (f" (version {backup.object_version})" if backup.object_version
                        else ""))
    outage = drill.region_outage
    if outage:
        lines.append(f"  outage  {outage.primary_region} treated as gone (not contacted); "
                     f"restored from the copy in {outage.recovery_region}")
    for step in drill.steps:
        served = f"[{step.served_by}] " if outage and step.served_by else ""
        lines.append(f"  {step.status:<8}{step.name:<18}{step.seconds:>8.1f} s  "
                     f"{served}{step.detail}")
        lines.extend(f"{'':<36}- {finding}" for finding in step.findings)
    for name, objective in (("rpo", drill.rpo), ("rto", drill.rto)):
        measured = objective.measured_seconds
        state = "not measured" if measured is None else ("met" if objective.met else "MISSED")
        shown = "-" if measured is None else _duration(measured)
        lines.append(f"  {name.upper()}     {shown} (objective "
                     f"{objective.objective_seconds / 3600:g} h): {state}")
    lines.append("  controls " + ", ".join(f"{c.id} {c.status}" for c in result.controls))
    lines.append(f"  record  {path}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _tenancy(path: Path | None, **flags: Any) -> Tenancy:
    if flags.get("recipe") is not None and flags["recipe"] not in RECIPES:
        raise InputError(f"--tenant-recipe must be one of {', '.join(RECIPES)}")
    return override(load(path) if path is not None else Tenancy(), **flags)


def _role_attribute(text: str) -> tuple[str, str]:
    role, equals, attribute = (part.strip() for part in text.partition("="))
    if not (role and equals and attribute):
        raise InputError(f"--allow-role-attribute {text!r}: expected ROLE=ATTRIBUTE, e.g. "
                         "claver_migrator=createrole")
    return role, attribute.lower()


def _positive_hours(hours: float | None, flag: str, promised: timedelta) -> timedelta:
    """The flag's hours, or the page's objective when it is not given."""
    if hours is None:
        return promised
    if hours <= 0:
        raise InputError(f"{flag} must be positive")
    return timedelta(hours=hours)
