"""`trustctl evidence build | verify`: the auditor's report over a period, and its check."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated

import typer

from trustctl import aws
from trustctl.catalog import load_catalog
from trustctl.environment import PRODUCTION
from trustctl.errors import InputError
from trustctl.evidence.assess import Inputs
from trustctl.evidence.attestations import ATTESTATIONS_DIR, load_attestations
from trustctl.evidence.history import PINNED_KEY, Estate, load_history, trusted_keys
from trustctl.evidence.html import counted, render_html
from trustctl.evidence.intoto import write_envelope
from trustctl.evidence.package import (
    MANIFEST,
    Anchor,
    ManifestAltered,
    sign_manifest,
    verify_package,
    write_manifest,
)
from trustctl.evidence.report import build_report, exit_status
from trustctl.gate.exceptions import load_exceptions
from trustctl.paths import EXCEPTIONS_PATH, REPO_ROOT
from trustctl.plan.project import project_name
from trustctl.records import Period
from trustctl.records.options import (
    DEFAULT_EVIDENCE_DIR,
    EvidenceDirOption,
    EvidenceOption,
    record_store,
)
from trustctl.records.signing import KmsSigner, fingerprint, load_public_key
from trustctl.records.store import encode
from trustctl.redaction import write_file

evidence_app = typer.Typer(
    name="evidence", no_args_is_help=True,
    help="What a SOC 2 Type II auditor reads: a report over a period built from the records "
         "every flow leaves, and its verification. Exit codes (build): 0 every control "
         "verified, excepted or attested; 1 a control failed (a gap); 2 something not "
         "checked or could not run. (verify): 0 valid; 1 a file does not match; 2 could not "
         "run or unsigned.")
SIGNING_KEY_ENV = "TRUSTCTL_EVIDENCE_SIGNING_KEY"
ENVIRONMENTS = ("production", "sandbox")


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
    app.add_typer(evidence_app)


@evidence_app.command("build")
def build_command(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", help="New (or empty) directory to write.")],
    evidence_dir: EvidenceDirOption = DEFAULT_EVIDENCE_DIR,
    evidence: EvidenceOption = None,
    exceptions: Annotated[Path, typer.Option(help="Reviewed exceptions file.")] = EXCEPTIONS_PATH,
    attestations: Annotated[Path, typer.Option(
        help="Directory of attestation YAML files.")] = ATTESTATIONS_DIR,
    signing_key: Annotated[str | None, typer.Option(
        "--signing-key", envvar=SIGNING_KEY_ENV,
        help="KMS key (SIGN_VERIFY, ECC_NIST_P256) that signs the manifest; AWS_REGION and "
             "AWS_ENDPOINT_URL apply.")] = None,
    environment: Annotated[str, typer.Option(
        "--environment", help="The environment the report is for: production, or sandbox "
        "(the demo; every page says so). Records from another environment are left out, "
        "and listed.")] = "production",
    record_keys: Annotated[list[Path] | None, typer.Option(
        "--record-key", help="A public key (PEM) whose signatures on records count, besides "
        "policies/evidence-signing-key.pem and --signing-key's. Repeatable.")] = None,
    trust_local_key: Annotated[bool, typer.Option(
        "--trust-local-key", help="Count records signed by this machine's record key "
        "(TRUSTCTL_RECORD_KEY): always for --environment sandbox; for production only when "
        "given, since whoever builds the report holds that key.")] = False,
    estate_program: Annotated[str, typer.Option(
        help="The estate's Pulumi program, relative to its repository: only gate records "
        "over it count.")] = ".",
    estate_stack: Annotated[str, typer.Option(
        help="The estate's stack: only gate records over it count.")] = "prod",
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Build the report for --from..--to from the records in --evidence-dir (or --evidence).

    Writes to --out: report.html (self-contained, prints on A4/Letter), report.json, the same
    as OSCAL assessment-results (assessment-results.json), a copy of every record used
    (records/), and manifest.json with every file's SHA-256, signed with --signing-key
    (manifest.sig.json, public-key.pem) when given.

    \b
    Examples:
      trustctl evidence build --from 2026-07-01 --to 2026-09-30 --out soc2-q3
      TRUSTCTL_EVIDENCE_SIGNING_KEY=alias/claver-prod-evidence-signing \\
        trustctl evidence build --evidence s3://claver-evidence/records \\
        --from 2026-07-01 --to 2026-09-30 --out soc2-q3
    """
    if output not in ("text", "json"):
        raise InputError(f"--format {output!r}: expected text or json")
    period = Period(_date("--from", start), _date("--to", end))
    if period.end < period.start:
        raise InputError("--to is before --from")
    _check_fresh(out)
    catalog = load_catalog()
    exceptions_found = load_exceptions(exceptions, frozenset(c.id for c in catalog))
    attested = load_attestations(attestations)
    if environment not in ENVIRONMENTS:
        raise InputError(f"--environment {environment!r}: expected production or sandbox")
    kms = aws.client("kms", aws.from_environment()) if signing_key else None
    signer = KmsSigner(kms, signing_key) if kms and signing_key else None
    store = record_store(evidence_dir, evidence, PRODUCTION)
    trusted = trusted_keys(record_keys or (), signer.public_key if signer else None,
                           local=trust_local_key or environment == "sandbox")
    found = load_history(store, trusted, Estate(environment, estate_program, estate_stack,
                                                _estate_project(estate_program)))
    typer.echo(f"trustctl: evidence: {len(found.records)} records of {environment} read from "
               f"{store} ({len(found.left_out)} left out, {len(found.problems)} not whole)",
               err=True)
    for problem in found.problems:
        typer.echo(f"trustctl: evidence: RECORD {problem}", err=True)
    for problem in found.outcome_problems:
        typer.echo(f"trustctl: evidence: JOB OUTCOME {problem}", err=True)
    inputs = Inputs(period=period, catalog=catalog, history=found.records,
                    records=[r for r in found.records if r.started_at in period],
                    exceptions=exceptions_found, attestations=attested,
                    environment=environment, problems=found.problems,
                    left_out=found.left_out, signing=_signing(signing_key, signer),
                    outcomes=[o for o in found.outcomes if o.started in period],
                    outcome_problems=found.outcome_problems)
    report = build_report(inputs, dt.datetime.now(dt.UTC).replace(microsecond=0))
    _write_package(out, report, inputs, kms, signing_key)
    if output == "json":
        typer.echo(json.dumps({"controls": [
            {"id": c["id"], "status": c["contract_status"], "findings": c["findings"]}
            for c in report["controls"]], "summary": report["summary"], "out": str(out)},
            indent=2))
    else:
        typer.echo(summary(report, out, signing_key))
    raise typer.Exit(exit_status(report))


def _signing(key_id: str | None, signer: KmsSigner | None) -> dict[str, object]:
    """What the report's first screen says about its signature (known before it is made)."""
    if signer is None:
        return {"signed": False}
    return {"signed": True, "key_id": key_id, "fingerprint": fingerprint(signer.public_key)}


def _write_package(out: Path, report: dict, inputs: Inputs, kms: object,
                   signing_key: str | None) -> None:
    try:
        (out / "records").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot create ({exc.strerror})") from None
    for record in inputs.records:
        write_file(out / "records" / record.name, encode(record).decode())
    write_file(out / "report.json", json.dumps(report, indent=2) + "\n")
    write_file(out / "report.html", render_html(report))
    # compliance-trestle's OSCAL models cost ~0.4 s to import: only `evidence build` pays it,
    # not every trustctl command (the gate's start-up is on every pull request's path).
    from trustctl.evidence.oscal import to_oscal

    write_file(out / "assessment-results.json",
               to_oscal(report).oscal_serialize_json(pretty=True, wrapped=True))
    write_manifest(out)
    if kms is not None and signing_key:
        fingerprint_hex = sign_manifest(out, kms, signing_key)
        predicate = {k: report[k] for k in ("period", "environment", "generated_at",
                                            "code_version", "catalog_version", "summary")}
        write_envelope(out, json.loads((out / MANIFEST).read_text()), predicate, kms,
                       signing_key, f"sha256:{fingerprint_hex}")


def summary(report: dict, out: Path, signing_key: str | None) -> str:
    s, p = report["summary"], report["period"]
    lines = [
        f"Evidence {p['from']} to {p['to']} ({counted(p['days'], 'day')}, "
        f"{counted(s['records'], 'record')}): "
        f"{s['controls']} controls: {s['verified']} verified, {s['failed']} failed, "
        f"{s['excepted']} excepted, {s['attested']} attested (not verified), "
        f"{s['not_checked']} not checked; {s['gaps']} gap(s); "
        f"{s['record_problems']} record(s) not whole; {s['left_out']} left out as "
        f"not {report['environment']}",
        f"  backups  {s['backup_days_complete']} of {s['backup_days_expected']} days complete",
        f"  drills   {s['drills']}, {s['drills_passed']} passed",
        f"  audits   {s['audits']}, {s['audits_failed']} failed",
        f"  jobs     {s['job_outcomes']} scheduled job outcome(s), "
        f"{s['job_outcomes_failed']} not successful, {s['job_outcomes_unreadable']} unreadable "
        "(unsigned: a success proves nothing)",
    ]
    lines += [f"  {c['id']:<20} {c['status']}" for c in report["controls"]]
    lines += [f"  GAP {g['control']}: {g['what']}" for g in report["gaps"]]
    lines += [f"  RECORD {p['where']}: {p['what']}" for p in report["record_problems"]]
    lines += [f"  LEFT OUT {o['record']}: {o['why']}" for o in report["left_out"]]
    lines += [f"  JOB OUTCOME {p['where']}: {p['what']}"
              for p in report["job_outcomes"]["unreadable"]]
    signed = f"signed with {signing_key}" if signing_key else "NOT signed (no --signing-key)"
    lines.append(f"  report   {out / 'report.html'} ({signed})")
    return "\n".join(lines)


@evidence_app.command("verify")
def verify_command(
    directory: Annotated[Path, typer.Argument(help="An evidence directory (evidence build).")],
    public_key: Annotated[Path | None, typer.Option(
        "--public-key", help="The signing key's public half (PEM), got apart from the "
        f"package. Default: {PINNED_KEY.relative_to(REPO_ROOT)} when it exists.")] = None,
    fingerprint_pin: Annotated[str | None, typer.Option(
        "--fingerprint", help="sha256:<hex> of the signing key's public half (DER), as "
        "published: the package's public-key.pem must be that key.")] = None,
    kms_key_id: Annotated[str | None, typer.Option(
        "--kms-key-id", help="Verify the signature through KMS with this key instead "
        "(AWS_REGION, AWS_ENDPOINT_URL apply).")] = None,
    allow_unsigned: Annotated[bool, typer.Option(
        "--allow-unsigned", help="Exit 0 for an unsigned directory whose hashes match.")] = False,
) -> None:
    """Check every file's SHA-256 against manifest.json, and the manifest's signature against
    a key pinned apart from the package.

    Names each file that does not match. Exit 0 valid; 1 a file does not match, or the
    signature does not verify with the pinned key; 2 could not run, unsigned without
    --allow-unsigned, or valid only for the unpinned key shipped in the directory (anyone
    who rewrites the files can ship a new key: pin one).

    \b
    Examples:
      trustctl evidence verify soc2-q3 --public-key policies/evidence-signing-key.pem
      trustctl evidence verify soc2-q3 --fingerprint sha256:3f1a...
      trustctl evidence verify soc2-q3 --kms-key-id alias/claver-prod-evidence-signing
    """
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    anchor = _anchor(public_key, fingerprint_pin, kms_key_id)
    try:
        result = verify_package(directory, anchor)
    except ManifestAltered as exc:
        typer.echo(f"MISMATCH {exc}")
        raise typer.Exit(1) from None
    for reason in result.reasons:
        typer.echo(f"MISMATCH {reason}")
    if result.mismatched:
        typer.echo(f"{directory}: INVALID: {len(result.mismatched)} file(s) do not match: "
                   f"{', '.join(result.mismatched)}")
        raise typer.Exit(1)
    typer.echo(f"{directory}: {result.checked} files match manifest.json; signature: "
               f"{result.signature}")
    if result.signature == "unsigned":
        if not allow_unsigned:
            typer.echo("trustctl: evidence verify: the manifest is not signed: hashes match, "
                       "but nothing proves who wrote them (--allow-unsigned to accept)",
                       err=True)
            raise typer.Exit(2)
    elif not anchor.pinned:
        typer.echo("trustctl: evidence verify: signature valid for an unpinned key (the one "
                   "shipped in the directory): pin it with --public-key, --fingerprint or "
                   "--kms-key-id", err=True)
        raise typer.Exit(2)


def _anchor(public_key: Path | None, fingerprint_pin: str | None,
            kms_key_id: str | None) -> Anchor:
    """The trust anchor the options name; the committed pinned key when none does."""
    if sum(x is not None for x in (public_key, fingerprint_pin, kms_key_id)) > 1:
        raise InputError("give one of --public-key, --fingerprint, --kms-key-id")
    if kms_key_id:
        return Anchor(kms=aws.client("kms", aws.from_environment()), kms_key_id=kms_key_id)
    if fingerprint_pin is not None:
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint_pin):
            raise InputError(f"--fingerprint {fingerprint_pin!r}: expected sha256:<64 hex>")
        return Anchor(fingerprint=fingerprint_pin)
    path = public_key or (PINNED_KEY if PINNED_KEY.is_file() else None)
    if path is None:
        return Anchor()
    try:
        return Anchor(public_key=load_public_key(path.read_bytes(), str(path)))
    except OSError as exc:
        raise InputError(f"--public-key {path}: {exc.strerror}") from None


def _estate_project(program: str) -> str | None:
    """The estate program's Pulumi project name (policy-pack records name it), if it has one."""
    project_file = Path(program) / "Pulumi.yaml"
    return project_name(project_file) if project_file.is_file() else None


def _date(flag: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag}: expected a YYYY-MM-DD date") from None


def _check_fresh(out: Path) -> None:
    """Never mix two reports: --out must be new or empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out}: exists and is not an empty directory")





