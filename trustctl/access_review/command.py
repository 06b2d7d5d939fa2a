"""`trustctl access-review prepare | record`: the quarterly access review, from the CLI.

Exit codes: 0 nothing found and every source read; 1 a finding (whatever else could not be
read); 2 nothing found but something could not be read, or the command could not run;
130 interrupted. Progress goes to stderr; no password or token is ever printed.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from trustctl import options, redaction
from trustctl.access_review import database_reads, review_file, roster, summary
from trustctl.access_review import prepare as preparing
from trustctl.access_review import record as recording
from trustctl.access_review.cloudflare_access import CloudflareTarget
from trustctl.access_review.data_reads import Period
from trustctl.access_review.database import TenantTables
from trustctl.access_review.progress import Progress
from trustctl.aws import AwsTarget
from trustctl.catalog import page_figures
from trustctl.errors import InputError
from trustctl.provider import source_dsn
from trustctl.records.facts import AccessReviewFacts
from trustctl.records.options import EvidenceDirOption, EvidenceOption, record_store
from trustctl.report.results import ControlResult, Status

DEFAULT_DSN_ENV = "TRUSTCTL_DATABASE_DSN"
TOKEN_ENV = "CLOUDFLARE_API_TOKEN"

access_review = typer.Typer(
    name="access-review",
    no_args_is_help=True,
    help=(
        "The quarterly access review: `prepare` lists every principal that can reach "
        "production data (AWS IAM and Identity Center, the database, Cloudflare), compares "
        "it with the on-call roster (policies/oncall.yaml) and the last review, and writes a "
        "review file; a reviewer decides keep/remove/reduce on each row; `record` turns the "
        "completed file into the ACCESS-REVIEW record.\n\n"
        "Typical use: `trustctl access-review prepare --sandbox`, edit "
        "access-review/review.yaml, `trustctl access-review record access-review/review.yaml`."
    ),
)

@access_review.command("prepare")
def prepare_command(
    context: typer.Context,
    sandbox: Annotated[bool, typer.Option(
        "--sandbox", help="Review the local sandbox (`trustctl sandbox up`): its moto AWS and "
        "its database, its own logins on the roster; Cloudflare is skipped (the sandbox has "
        "none).")] = False,
    sandbox_profile: options.SandboxProfileOption = None,
    out: Annotated[Path, typer.Option(
        "--out", help="The review file to write (YAML; a Markdown and an HTML summary go "
        "beside it). "
        "Keep it at one path in the repository so each quarter's pull request shows the "
        "diff.")] = Path("access-review/review.yaml"),
    roster_path: Annotated[Path, typer.Option(
        "--roster", help="The on-call roster.")] = roster.DEFAULT_ROSTER,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="The last review file to compare with (default: the latest "
        "ACCESS-REVIEW record in --evidence-dir or --evidence).")] = None,
    evidence_dir: EvidenceDirOption = Path("evidence"),
    evidence: EvidenceOption = None,
    period_days: Annotated[int | None, typer.Option(
        "--period-days", min=1, show_default=False, help="Reads of customer data over this "
        "many days (default: the review's cadence, ACCESS-REVIEW every_days in the catalog).")
    ] = None,
    region: Annotated[str | None, typer.Option(
        "--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"], help="AWS region.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", envvar=["TRUSTCTL_AWS_ENDPOINT", "AWS_ENDPOINT_URL"],
        help="AWS endpoint override (a local moto server).")] = None,
    dsn_env: Annotated[str, typer.Option(
        "--dsn-env", help="Env var holding the production database DSN (read-only session; "
        "never pass a DSN on the command line).")] = DEFAULT_DSN_ENV,
    tenant_schema: Annotated[list[str] | None, typer.Option(
        "--tenant-schema", help="Schema of tenant tables (repeatable; default public).")] = None,
    tenant_column: Annotated[str, typer.Option(
        "--tenant-column", help="Column naming a row's tenant.")] = "tenant_id",
    cloudflare_account: Annotated[str | None, typer.Option(
        "--cloudflare-account", envvar="CLOUDFLARE_ACCOUNT_ID",
        help=f"Cloudflare account id (its API token comes from {TOKEN_ENV}).")] = None,
    cloudflare_base_url: Annotated[str | None, typer.Option(
        "--cloudflare-base-url", envvar="CLOUDFLARE_BASE_URL",
        help="Cloudflare API base URL override.")] = None,
    database_log: Annotated[list[Path] | None, typer.Option(
        "--database-log", help="The database's own log, csvlog (.csv) or jsonlog (.json) "
        "(repeatable, e.g. each rotated file of the period): who read tenant tables, from "
        "pgaudit READ lines or, with log_statement = 'all', reading statements.")] = None,
    skip: Annotated[list[str] | None, typer.Option(
        "--skip", help=f"Leave a source out on purpose ({', '.join(preparing.SOURCES)}); the "
        "review says so. A source neither configured nor skipped is an error.")] = None,
    output: options.FormatOption = "text",
) -> None:
    """Prepare the review: who can reach production data, and what changed since the last one.

    Reads AWS (IAM users and roles with who may assume them, Identity Center assignments,
    CloudTrail log files for reads of customer data), the database (login roles, what they
    can become, grants on tenant tables; with --database-log, who read tenant tables) and
    Cloudflare (members, API tokens). Writes the review file (--out) and a Markdown and an
    HTML summary beside it (review.md, review.html). Findings: IAM users, principals not on
    the roster, shared names, roles any principal of an account may assume, tokens that never
    expire, removals and reductions of the last review not carried out, reads not logged.

    Environment: AWS credentials by boto3's usual chain; the DSN in $TRUSTCTL_DATABASE_DSN
    (or --dsn-env); CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.

    Exit codes: 0 no finding and every source read (or skipped with --skip); 1 a finding,
    whatever could not be read; 2 a source could not be read, or bad input; 130 interrupted.

    \b
    Examples:
      trustctl access-review prepare --sandbox
      trustctl access-review prepare --sandbox --database-log pg_log/postgresql-12.json
      AWS_REGION=us-east-1 TRUSTCTL_DATABASE_DSN=postgresql://audit@db/claver \\
        CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=... trustctl access-review prepare
    """
    output = options.check_format(output)
    provider = options.choose_provider(context, sandbox, sandbox_profile)
    unknown = sorted(set(skip or ()) - set(preparing.SOURCES))
    if unknown:
        raise InputError(f"--skip takes {', '.join(preparing.SOURCES)}, not {', '.join(unknown)}")
    database_reads.check_files(tuple(database_log or ()))
    sources = preparing.Sources(
        tenant_tables=TenantTables(tuple(tenant_schema or ("public",)), tenant_column),
        database_logs=tuple(database_log or ()),
        skipped={name: "left out with --skip" for name in skip or ()})
    _configured_sources(sources, region, endpoint_url, dsn_env, cloudflare_account,
                        cloudflare_base_url)
    sources = provider.review_sources(sources)
    the_roster = provider.roster(roster.load(roster_path))
    last = preparing.Previous.find(previous, record_store(evidence_dir, evidence,
                                                                  provider.environment))
    period = Period.last_days(period_days or page_figures().review_every_days)
    document = preparing.prepare(sources, the_roster, last, period, Progress())
    document["environment"] = provider.environment.to_json()  # the record says it again
    summaries = review_file.write(document, out, {".md": summary.markdown(document),
                                                  ".html": summary.html(document)})
    results = preparing.control_results(document)
    if output == "json":
        typer.echo(json.dumps({"controls": [r.to_json() for r in results],
                               "review": str(out), "summaries": [str(p) for p in summaries],
                               "review_id": document["review_id"],
                               "changes": document["changes"], "errors": document["errors"]},
                              indent=2))
    else:
        typer.echo(_text(document, out, summaries, results))
    code = exit_code(results)
    if code:
        raise typer.Exit(code)


@access_review.command("record")
def record_command(
    review: Annotated[Path, typer.Argument(help="The completed review file.")],
    evidence_dir: EvidenceDirOption = Path("evidence"),
    evidence: EvidenceOption = None,
    output: options.FormatOption = "text",
) -> None:
    """Record a completed review as the ACCESS-REVIEW record (JSON, mode 0640).

    Refuses (exit 2, one line) a review where a row has no decision (keep/remove/reduce), no
    reviewer, or a remove/reduce without a reason. The record holds who reviewed, when, every
    decision, the findings and changes shown, and the SHA-256 of the review file and roster.
    Each `remove` is checked on the next prepare and by the audit.

    \b
    Example:
      trustctl access-review record access-review/review.yaml --evidence-dir evidence
    """
    output = options.check_format(output)
    record = recording.build(review, datetime.now(UTC))
    store = record_store(evidence_dir, evidence, recording.environment_of(
        record.provenance, f"access review {record.id}"))
    path = store.write(record)
    control = record.controls[0]
    if output == "json":
        typer.echo(json.dumps({"controls": record.controls, "record": path}, indent=2))
    else:
        facts = record.facts_as(AccessReviewFacts)
        counts = ", ".join(f"{n} {d}" for d, n in sorted(facts.counts.items()))
        typer.echo(f"Access review {record.id} recorded: {counts}; reviewers "
                   f"{', '.join(facts.reviewers)}\n"
                   f"  ACCESS-REVIEW {control['status']}\n  record  {path}")
    if control["status"] != "pass":
        typer.echo("trustctl: access-review: the review did not read every source; it does not "
                   "count as the quarter's review", err=True)
        raise typer.Exit(2)


def _configured_sources(sources: preparing.Sources, region: str | None, endpoint: str | None,
                        dsn_env: str, account: str | None, base_url: str | None) -> None:
    if region:
        sources.aws = AwsTarget(region, endpoint)
    else:
        sources.missing["aws"] = "set AWS_REGION (or --region), or --skip aws"
    if os.environ.get(dsn_env, "").strip():
        sources.dsn = source_dsn(dsn_env)
    else:
        sources.missing["database"] = f"set {dsn_env} to the DSN, or --skip database"
    token = os.environ.get(TOKEN_ENV, "").strip()
    redaction.remember(token)
    if token and account:
        sources.cloudflare = CloudflareTarget(account, token, base_url)
    else:
        sources.missing["cloudflare"] = (f"set {TOKEN_ENV} and CLOUDFLARE_ACCOUNT_ID, or "
                                         "--skip cloudflare")


def _text(document: dict[str, Any], out: Path, summaries: list[Path], results: list) -> str:
    changes = document["changes"]
    lines = [f"Access review {document['review_id']}: {len(document['rows'])} accesses, "
             f"{len(document['findings'])} findings, {len(document['errors'])} not read",
             f"  review   {out} (fill in decision, reason, reviewer on each row)",
             f"  summary  {', '.join(str(p) for p in summaries)}"]
    if changes["since"]:
        lines.append(f"  changes since {changes['since']}: " + ", ".join(
            f"{len(changes[k])} {k}" for k in ("added", "removed", "widened", "reduced")))
        lines += [f"    {kind:<8} {item}" for kind in ("added", "removed", "widened", "reduced")
                  for item in changes[kind]]
    else:
        lines.append("  changes  no previous review")
    lines += [f"  finding  {f['control']}: {f['message']}" for f in document["findings"]]
    lines += [f"  NOT READ {e['source']}: {e['what']}: {e['message']}" for e in document["errors"]]
    lines.append("  controls " + ", ".join(
        f"{r.id} awaiting decisions (then `{r.owned_by}`)" if r.owned_by else f"{r.id} {r.status}"
        for r in results))
    return "\n".join(lines)


def exit_code(results: list[ControlResult]) -> int:
    """1 when anything failed (whatever could not be read), else 2 when something could not
    be read, else 0. (trustctl.results.exit_code puts error first until issue 9 fixes it.)"""
    statuses = {r.status for r in results}
    return 1 if Status.FAIL in statuses else 2 if Status.ERROR in statuses else 0


def register(app: typer.Typer) -> None:
    """Attach `trustctl access-review ...` to the top-level app."""
    app.add_typer(access_review)
