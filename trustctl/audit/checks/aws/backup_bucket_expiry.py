"""BACKUP-DAILY-35D: backups expire after exactly 35 days ("kept 35 days", both ways)."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.promises import BACKUP_RETENTION_DAYS


@live_check(
    id="AUD_AWS_7", area="aws",
    name="The backup bucket expires backups after 35 days",
    risk="Backups are kept longer or shorter than the 35 days the page promises.",
    remediation="Add an Enabled lifecycle rule with Expiration Days 35 (and "
                "NoncurrentVersionExpiration 35) to the backup bucket.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    buckets = aws.buckets_with_role("backup")
    if not buckets:
        out.fail(None, "no bucket is tagged trustctl:role=backup")
    for bucket in buckets:
        with out.reading():
            rules = [r for r in bucket.get("lifecycle") or [] if r.get("Status") == "Enabled"]
            days = sorted({r["Expiration"]["Days"] for r in rules
                           if r.get("Expiration", {}).get("Days")})
            out.facts[bucket.name] = days
            if days != [BACKUP_RETENTION_DAYS]:
                out.fail(bucket.name, f"enabled expiry rules say {days or 'never'} days, "
                                      f"not {BACKUP_RETENTION_DAYS}")
