"""BACKUP-DAILY-35D: the backup bucket's Object Lock keeps every backup 35 days (COMPLIANCE)."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.promises import BACKUP_LOCK_MODE, BACKUP_RETENTION_DAYS


@live_check(
    id="AUD_AWS_6", area="aws",
    name="The backup bucket has Object Lock COMPLIANCE for at least 35 days",
    risk="Backups can be deleted (by mistake or by an attacker) before 35 days.",
    remediation="Set the backup bucket's default retention to COMPLIANCE, 35 days "
                "(aws s3api put-object-lock-configuration).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    buckets = aws.buckets_with_role("backup")
    if not buckets:
        out.fail(None, "no bucket is tagged trustctl:role=backup")
    for bucket in buckets:
        with out.reading():
            lock = bucket.get("object_lock") or {}
            retention = lock.get("Rule", {}).get("DefaultRetention", {})
            days = retention.get("Days") or 365 * (retention.get("Years") or 0)
            out.facts[bucket.name] = lock
            if lock.get("ObjectLockEnabled") != "Enabled":
                out.fail(bucket.name, "Object Lock is not enabled")
            elif retention.get("Mode") != BACKUP_LOCK_MODE or days < BACKUP_RETENTION_DAYS:
                out.fail(bucket.name, f"default retention is {retention.get('Mode', 'none')} "
                                      f"{days} days, not COMPLIANCE >= {BACKUP_RETENTION_DAYS}")
