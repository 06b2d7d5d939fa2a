"""BACKUP-DAILY-35D: the backup bucket's Object Lock keeps every backup 35 days (COMPLIANCE)."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures
from trustctl.roles.rules import BACKUP, ROLE, none_decided

_DAYS = page_figures().backup_retention_days  # in the words below; the check reads it anew


@live_check(
    id="AUD_AWS_6", area="aws",
    name=f"The backup bucket has Object Lock COMPLIANCE for at least {_DAYS} days",
    risk=f"Backups can be deleted (by mistake or by an attacker) before {_DAYS} days.",
    remediation=f"Set the backup bucket's default retention to COMPLIANCE, {_DAYS} days "
                "(aws s3api put-object-lock-configuration).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    figures = page_figures()
    buckets = aws.buckets_with_role(BACKUP)
    if not buckets:
        out.fail(None, none_decided("bucket", ROLE, BACKUP))
    for bucket in buckets:
        with out.reading():
            lock = bucket.get("object_lock") or {}
            retention = lock.get("Rule", {}).get("DefaultRetention", {})
            days = retention.get("Days") or 365 * (retention.get("Years") or 0)
            out.facts[bucket.name] = lock
            if lock.get("ObjectLockEnabled") != "Enabled":
                out.fail(bucket.name, "Object Lock is not enabled")
            elif (retention.get("Mode") != figures.backup_lock_mode
                  or days < figures.backup_retention_days):
                out.fail(bucket.name, f"default retention is {retention.get('Mode', 'none')} "
                                      f"{days} days, not {figures.backup_lock_mode} >= "
                                      f"{figures.backup_retention_days}")
