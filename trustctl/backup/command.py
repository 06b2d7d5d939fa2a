"""`trustctl backup run | list | verify`: encrypted logical backups of the production database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trustctl import options
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest, ManifestError
from trustctl.archive.verify import verify_backup
from trustctl.aws import aws_errors
from trustctl.backup.exclusions import SUPABASE_INTERNAL_SCHEMAS, excluded_schemas
from trustctl.backup.record import backup_record, lock_findings
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.errors import InputError
from trustctl.provider import Provider
from trustctl.records.options import (
    DEFAULT_EVIDENCE_DIR,
    EvidenceDirOption,
    EvidenceOption,
    record_store,
)
from trustctl.report.results import ControlResult, Finding, Status, exit_code

# backup ids are 23 characters, finish times 32 (microseconds and offset)
LIST_ROW = "{:<23}  {:<10}  {:<32}  {:>14}  {:>6}"
CONTROL = "BACKUP-DAILY-35D"
# One backup shows itself taken, sealed (and locked, in a bucket with Object Lock) or intact:
# never that backups are daily and kept 35 days. Those are judged where many are seen.
DECIDED_BY = ("trustctl evidence build (a complete backup every day of the period) and trustctl "
              "audit (the backup plan, vault lock, bucket lock and latest backup, live)")

backup_app = typer.Typer(
    name="backup", no_args_is_help=True,
    help="Back up the database (pg_dump -> zstd -> AES-256-GCM envelope -> S3), list and "
         "verify backups. Where: --bucket and --region (TRUSTCTL_BACKUP_BUCKET, AWS_REGION), "
         "or --sandbox for the local sandbox. Exit codes: 0 ok; 1 a backup failed "
         "verification or is not locked as long as promised; 2 could not run.",
)


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
    app.add_typer(backup_app)


@backup_app.command("run")
@options.with_location(kms_key=True)
def run_command(
    where: Location,
    provider: Provider,
    dsn_env: options.DsnEnvOption = options.DEFAULT_DSN_ENV,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=1, help="Parallel dump (pg_dump -Fd -j N). Costs: the whole uncompressed "
        "dump is written in plaintext to --work-dir before it streams.")] = 1,
    work_dir: Annotated[Path | None, typer.Option(
        "--work-dir", help="Where a parallel dump is written (an encrypted volume with room "
        "for the dump).")] = None,
    dump_format: Annotated[str | None, typer.Option(
        "--dump-format", help="custom (one stream; the default with one job), directory-tar "
        "(the default with --jobs > 1: pg_dump -Fd as one tar object) or directory (pg_dump -Fd, "
        "one object per table, all bound into the manifest). The drill reads it from the "
        "manifest; restore a directory backup with `drill --jobs N`.")] = None,
    evidence_dir: EvidenceDirOption = DEFAULT_EVIDENCE_DIR,
    evidence: EvidenceOption = None,
    exclude_schema: Annotated[list[str] | None, typer.Option(
        "--exclude-schema", help="Leave this schema out of the dump and the counts "
        "(repeatable; recorded in the manifest).")] = None,
    exclude_supabase_internal: Annotated[bool, typer.Option(
        "--exclude-supabase-internal", help="Leave out Supabase's managed internal schemas: "
        f"{', '.join(SUPABASE_INTERNAL_SCHEMAS)} (auth and storage stay in).")] = False,
    output: options.FormatOption = "text",
) -> None:
    """Take one backup now; the manifest is written last (no manifest = incomplete backup).

    pg_dump of the database whose DSN is in $TRUSTCTL_BACKUP_DSN (never on the command line)
    streams through zstd and AES-256-GCM (a fresh KMS data key per backup, bound to it by an
    encryption context) into one multipart S3 object; then the manifest with row counts,
    checksums and the object's SHA-256 is written, and recorded (backup-<id>.json) in
    --evidence-dir or the --evidence bucket. With --format json, BACKUP-DAILY-35D reads
    `not_applicable`: one backup is not daily backups kept 35 days; `trustctl evidence build`
    counts the recorded backups day by day, and `trustctl audit` checks the schedule and locks.
    But a backup whose object S3 would let anyone delete early (no COMPLIANCE Object Lock for
    the catalog's days) fails it: stored all the same, recorded as failed, exit 1.

    \b
    Examples:
      trustctl backup run --sandbox
      TRUSTCTL_BACKUP_DSN=postgresql://backup@db:5432/claver \\
        trustctl backup run --bucket claver-backups --region eu-west-2 --kms-key alias/backup
      TRUSTCTL_BACKUP_DSN='postgresql://postgres@db.REF.supabase.co/postgres?sslmode=require' \\
        trustctl backup run --exclude-supabase-internal --bucket claver-backups --region us-east-1
    """
    output = options.check_format(output)
    dsn = provider.source(dsn_env)
    if not where.kms_key_id:
        raise InputError("no backup KMS key: pass --kms-key (or TRUSTCTL_BACKUP_KMS_KEY)")
    records = record_store(evidence_dir, evidence, provider.environment)
    records.check_writable()
    store = where.store()
    with aws_errors("backup"):
        manifest = run_backup(dsn, BackupTarget(store, where.kms(), where.kms_key_id),
                              jobs=jobs, work_dir=work_dir, dump_format=dump_format,
                              excluded=excluded_schemas(exclude_schema, exclude_supabase_internal))
        findings = lock_findings(manifest, store)
    records.write(backup_record(manifest, where.bucket, findings))
    # one backup decides none of the contract's controls, unless it is not kept as promised
    control = (ControlResult(CONTROL, Status.FAIL, findings, checks=["backup-run"]) if findings
               else ControlResult(CONTROL, Status.NOT_APPLICABLE, [], checks=["backup-run"],
                                  owned_by=DECIDED_BY))
    summary = _summary(manifest)
    if output == "json":
        typer.echo(json.dumps({**summary, "controls": [control.to_json()]}, indent=2))
    else:
        typer.echo(f"backup {manifest.backup_id} complete: {summary['tables']} tables, "
                   f"{summary['rows']:,} rows, {manifest.object_bytes:,} bytes encrypted at "
                   f"s3://{where.bucket}/{manifest.object_key}"
                   + (f" (version {manifest.object_version})" if manifest.object_version else ""))
    for note in provider.notes():
        typer.echo(f"trustctl: backup: {note}", err=True)
    if findings:
        for finding in findings:
            typer.echo(f"trustctl: backup: {CONTROL} fail: {finding.message}", err=True)
        raise typer.Exit(exit_code([control]))


@backup_app.command("list")
@options.with_location()
def list_command(
    where: Location,
    output: options.FormatOption = "text",
) -> None:
    """List backups, newest first; incomplete ones (no manifest) are shown as such.

    \b
    Example:
      trustctl backup list --bucket claver-backups --region eu-west-2 --format json
    """
    output = options.check_format(output)
    with aws_errors("backup list"):
        entries = list(reversed(where.store().entries()))
    rows = [_summary(e.manifest) if e.manifest else
            {"backup_id": e.backup_id, "complete": False,
             "problem": e.manifest_error or "no manifest"} for e in entries]
    if output == "json":
        typer.echo(json.dumps({"backups": rows}, indent=2))
        return
    if not rows:
        typer.echo(f"no backups under s3://{where.bucket}/{where.prefix}/")
        return
    typer.echo(LIST_ROW.format("BACKUP", "STATUS", "FINISHED", "BYTES", "TABLES").rstrip())
    for row in rows:
        if row["complete"]:
            typer.echo(LIST_ROW.format(row["backup_id"], "complete", row["finished_at"],
                                       f"{row['object_bytes']:,}", row["tables"]))
        else:
            typer.echo(f"{row['backup_id']:<23}  INCOMPLETE  {row['problem']}")


@backup_app.command("verify")
@options.with_location()
def verify_command(
    backup_id: Annotated[str, typer.Argument(help="Backup id (see `backup list`).")],
    where: Location,
    output: options.FormatOption = "text",
) -> None:
    """Check a backup's authenticity, integrity and decryptability, without restoring it.

    The manifest found at BACKUP_ID must be that backup's (id, object, start time), its data
    key must unwrap under that backup's encryption context, every field's MAC must verify, and
    its times must agree with S3's. Then the whole object is read: every chunk authenticated,
    size and SHA-256 against the manifest, the archive parsed to its end, and the object must be
    under COMPLIANCE Object Lock for the promised days. A backup that fails fails
    BACKUP-DAILY-35D; one that passes leaves it `not_applicable` (one backup intact says
    nothing of the others). Exit 1 when it fails
    (one line naming what was forged, or the manifest is missing or of the old, unauthenticated
    format), 2 when the id is unknown or AWS cannot be reached.

    \b
    Example:
      trustctl backup verify 20260101T020000Z-1a2b3c --sandbox
    """
    output = options.check_format(output)
    store = where.store()
    with aws_errors("backup verify"):
        try:
            manifest, problem = store.get_manifest(backup_id), None
        except ManifestError as exc:  # unreadable, or of a format without authentication
            manifest, problem = None, str(exc)
        if manifest is None and problem is None and not store.exists(backup_id):
            raise InputError(f"no backup {backup_id} in s3://{where.bucket}/{where.prefix}/ "
                             "(see `trustctl backup list`)")
        if manifest is None:
            problems = [problem or f"backup {backup_id} has no manifest: incomplete or missing"]
            report = {"backup_id": backup_id, "ok": False, "problems": problems}
        else:
            report = verify_backup(store, where.kms(), backup_id, manifest).to_json()
    # a backup that fails verification fails the control; one that passes shows only itself
    control = ControlResult(CONTROL, Status.NOT_APPLICABLE if report["ok"] else Status.FAIL,
                            [Finding(p, resource=backup_id) for p in report["problems"]],
                            checks=["backup-verify"],
                            owned_by=DECIDED_BY if report["ok"] else None)
    if output == "json":
        typer.echo(json.dumps({**report, "controls": [control.to_json()]}, indent=2))
    elif report["ok"]:
        typer.echo(f"backup {backup_id} verified: {report['authenticated']}; "
                   f"{report['object_bytes']:,} bytes read, SHA-256 {report['sha256']} matches, "
                   "decrypts and parses to the end")
    else:
        typer.echo(f"backup {backup_id} FAILED verification: {report['problems'][0]}")
    if not report["ok"]:
        typer.echo(f"trustctl: backup verify: {report['problems'][0]}", err=True)
        raise typer.Exit(exit_code([control]))


def _summary(manifest: Manifest) -> dict:
    return {
        "backup_id": manifest.backup_id, "complete": True, "finished_at": manifest.finished_at,
        "source": manifest.source, "object_key": manifest.object_key,
        "object_version": manifest.object_version, "object_bytes": manifest.object_bytes,
        "object_sha256": manifest.object_sha256, "kms_key_id": manifest.kms_key_id,
        "retain_until": manifest.retain_until, "tables": len(manifest.tables),
        "rows": sum(t.rows for t in manifest.tables),
    }
