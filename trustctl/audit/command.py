"""`trustctl audit`: check every control live, against what is deployed, in the gate's shapes.

Exit 0 every control checked passed; 1 a control failed (even if something else could not be
checked); 2 nothing failed but something could not be checked, or the audit could not run.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from trustctl import options
from trustctl.audit import accounts, expectations
from trustctl.audit.live_check import Outcome
from trustctl.audit.progress import audit_progress
from trustctl.audit.registry import all_checks
from trustctl.audit.run import by_control, run_checks
from trustctl.audit.targets import Targets, open_readers
from trustctl.catalog import Control, load_catalog
from trustctl.errors import InputError
from trustctl.paths import PRODUCTION_STACK_CONFIG
from trustctl.pg.tenancy import Tenancy, load, override
from trustctl.records import Record
from trustctl.records.facts import AuditFacts
from trustctl.records.options import EvidenceDirOption, EvidenceOption, record_store
from trustctl.records.store import S3_SCHEME
from trustctl.report.formats import FormatOption, OutputOption, report_outputs, write_reports
from trustctl.report.model import ControlReport
from trustctl.report.results import exit_code

AREAS_HELP = "aws, cloudflare, site, database, supabase, records, access"


def audit(
    context: typer.Context,
    sandbox: Annotated[bool, typer.Option(
        "--sandbox", help="Audit the local sandbox (`trustctl sandbox up`): its moto account, "
        "a local HTTPS site and its database. Cloudflare and Supabase are skipped (the sandbox "
        "has neither); checks moto cannot serve are named in the report.")
    ] = False,
    sandbox_profile: options.SandboxProfileOption = None,
    skip: Annotated[list[str] | None, typer.Option(
        "--skip", help=f"Area not to audit (repeatable): {AREAS_HELP}. Its controls are "
        "not_applicable unless another area checks them.")] = None,
    region: Annotated[str | None, typer.Option(
        "--region", envvar="AWS_REGION", help="AWS region.")] = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", envvar="AWS_PROFILE", help="AWS profile (else boto3's usual chain).")
    ] = None,
    parallel: Annotated[int, typer.Option(
        "--parallel", min=1, max=256, help="AWS calls in flight at once (per account).")] = 32,
    role_arn: Annotated[list[str] | None, typer.Option(
        "--role-arn", help="Audit this account through this read-only role (repeatable).")
    ] = None,
    organization_role: Annotated[str | None, typer.Option(
        "--organization-role", help="Audit every active account of the AWS Organization "
        "through the role of this name in each (e.g. trustctl-audit).")] = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="K/N: audit only the K-th of N slices of the accounts (a CI matrix); "
        "each shard writes its own record.")] = None,
    stack_config: Annotated[Path, typer.Option(
        "--stack-config", help="Pulumi stack config with the expected values (on-call "
        "principals, zone, domain, security contact, auth paths).")
    ] = PRODUCTION_STACK_CONFIG,
    cloudflare_zone: Annotated[str | None, typer.Option(
        "--cloudflare-zone", envvar="CLOUDFLARE_ZONE_ID",
        help="Cloudflare zone id (default: the stack config's).")] = None,
    cloudflare_base_url: Annotated[str | None, typer.Option(
        "--cloudflare-base-url", envvar="CLOUDFLARE_BASE_URL",
        help="Cloudflare API base URL (tests point it at a local server).")] = None,
    site: Annotated[str | None, typer.Option(
        "--site", envvar="TRUSTCTL_AUDIT_SITE",
        help="The public site, e.g. https://claver.app (default: https://<stack domain>).")
    ] = None,
    ca_bundle: Annotated[Path | None, typer.Option(
        "--ca-bundle", help="CA certificates to verify the site with (default: the system's).")
    ] = None,
    database: Annotated[str | None, typer.Option(
        "--database", envvar="TRUSTCTL_AUDIT_DSN", show_default=False,
        help="DSN of the database, read in a read-only transaction. Prefer the env var: argv "
        "is visible to other local users.")] = None,
    supabase_project: Annotated[str | None, typer.Option(
        "--supabase-project", envvar="SUPABASE_PROJECT_REF",
        help="Supabase project ref, audited through the Management API with the token in "
        "SUPABASE_ACCESS_TOKEN.")] = None,
    supabase_base_url: Annotated[str | None, typer.Option(
        "--supabase-base-url", envvar="SUPABASE_API_URL",
        help="Management API base URL (tests point it at a local server).")] = None,
    tenancy_file: Annotated[Path | None, typer.Option(
        "--tenancy", envvar="TRUSTCTL_TENANCY",
        help="Tenancy declaration, the drill's (e.g. policies/tenancy.yaml): the database is "
        "judged by the same rule. Default: found in the database; with --sandbox, its "
        "profile's.")] = None,
    app_role: Annotated[list[str] | None, typer.Option(
        "--app-role", help="Application role(s) tenant traffic uses (repeatable; overrides "
        "the tenancy file).")] = None,
    tenant_schema: Annotated[list[str] | None, typer.Option(
        "--tenant-schema", help="Schema whose tables are tenant tables (repeatable).")] = None,
    tenant_column: Annotated[str | None, typer.Option(
        "--tenant-column", help="Column naming a row's tenant (default tenant_id).")] = None,
    backup_prefix: Annotated[str, typer.Option(
        "--backup-prefix", envvar="TRUSTCTL_BACKUP_PREFIX",
        help="Key prefix of backups in the backup bucket.")] = "backups",
    rpo_hours: Annotated[float | None, typer.Option(
        "--rpo-hours", min=0.01, show_default=False,
        help="Recovery point objective the newest backup is judged by (default: the "
        "catalog's, RPO-RTO rpo_hours).")] = None,
    evidence_dir: EvidenceDirOption = Path("evidence"),
    evidence: EvidenceOption = None,
    output_format: FormatOption = "text",
    output: OutputOption = None,
) -> None:
    """Check the security page's promises live: AWS, Cloudflare, the site, the database, the
    Supabase project, the records (latest backup age, last restore drill) and the access
    review (a review recorded within 92 days, none of its removals or reductions left
    undone), by control, like the gate.

    AWS credentials come from boto3's chain (--profile, AWS_PROFILE, roles, env);
    AWS_ENDPOINT_URL points every client elsewhere (a moto server). Cloudflare's token comes
    from CLOUDFLARE_API_TOKEN only, Supabase's from SUPABASE_ACCESS_TOKEN only. Nothing is
    written to any API. An area that is asked for but not configured is reported as
    `error`: pass --skip AREA to leave it out on purpose.
    A record of the run (audit-<id>.json, mode 0640) is written to --evidence-dir (or the
    --evidence bucket), where the drill records RESTORE-DRILL and RPO-RTO rest on, and the
    access-review records ACCESS-REVIEW rests on, are read. The access area reads who holds
    production access with the AWS, database and Cloudflare settings above (the Cloudflare
    account is the zone's).

    \b
    Examples:
      trustctl drill --sandbox && trustctl audit --sandbox
      CLOUDFLARE_API_TOKEN=... TRUSTCTL_AUDIT_DSN=postgresql://auditor@db/postgres \\
        trustctl audit --profile prod-audit --region us-east-1 --site https://claver.app
      trustctl audit --skip database --format sarif --output audit.sarif
      trustctl audit --organization-role trustctl-audit --shard 2/4 --skip site
    """
    outputs = report_outputs(output_format, output)
    unknown = sorted(set(skip or ()) - set(AREAS_HELP.split(", ")))
    if unknown:
        raise InputError(f"--skip {', '.join(unknown)}: not an area ({AREAS_HELP})")
    provider = options.choose_provider(context, sandbox, sandbox_profile)
    store = record_store(evidence_dir, evidence, provider.environment)
    store.check_writable()
    expected = expectations.load(stack_config)
    targets = Targets(
        expected=expected, skip=frozenset(skip or ()), region=region,
        profile=profile, parallel=parallel, cloudflare_zone=cloudflare_zone,
        cloudflare_base_url=cloudflare_base_url, site=site, ca_bundle=ca_bundle,
        database=database, supabase_project=supabase_project,
        supabase_base_url=supabase_base_url,
        tenancy=override(load(path) if (path := tenancy_file or provider.tenancy()) else
                         Tenancy(), app_roles=app_role, tenant_schemas=tenant_schema,
                         tenant_column=tenant_column),
        backup_prefix=backup_prefix, rpo_hours=rpo_hours, records=store,
        role_arns=tuple(role_arn or ()), organization_role=organization_role,
        shard=accounts.parse_shard(shard))
    started = datetime.now(UTC)
    catalog = load_catalog()
    with provider.audit_targets(targets) as resolved, open_readers(resolved) as opened:
        total = sum(c.metadata.area in opened.readers and c.id not in opened.skip_checks
                    for c in all_checks())
        with audit_progress(total) as on_done:
            outcomes = run_checks(all_checks(), opened.readers, opened.not_configured,
                                  skip_checks=opened.skip_checks, on_done=on_done)
    controls = by_control(catalog, outcomes)
    code = exit_code(controls)
    facts = AuditFacts.from_json({"exit_code": code,
                                  "checks": _json_native([o.to_json() for o in outcomes])})
    path = store.write(Record.new(facts, started, datetime.now(UTC), targets=opened.describe(),
                                  controls=[c.to_json() for c in controls]))
    report = ControlReport("trustctl audit", opened.origin(), controls, checked=len(outcomes),
                           checked_what="live checks",
                           remediation=_remediation(catalog, outcomes))
    uri = path if path.startswith(S3_SCHEME) else os.path.relpath(path)
    write_reports(report, outputs, uri)
    typer.echo(f"audit record: {path}", err=True)
    raise typer.Exit(code)


def _json_native(facts: list[dict]) -> list[dict]:
    """Raw facts as JSON has them (AWS's datetimes as text): the record's hash is over JSON."""
    return json.loads(json.dumps(facts, default=str))


def _remediation(catalog: tuple[Control, ...], outcomes: list[Outcome]) -> dict[str, str]:
    """Per control: the remediation of each failing check, else the control's own."""
    checks = {c.id: c for c in all_checks()}
    failing = {o.check_id for o in outcomes if o.findings}
    out = {}
    for control in catalog:
        fixes = [f"[{i}] {checks[i].metadata.remediation}" for i in control.verification.live
                 if i in failing and i in checks]
        out[control.id] = " ".join(fixes) or control.remediation
    return out


def register(app: typer.Typer) -> None:
    """Attach `trustctl audit` to the top-level app."""
    app.command(name="audit")(audit)

