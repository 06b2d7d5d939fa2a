"""BACKUP-DAILY-35D: backups expire after exactly 35 days ("kept 35 days", both ways)."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures
from trustctl.roles.rules import BACKUP, ROLE, none_decided

_DAYS = page_figures().backup_retention_days  # in the words below; the check reads it anew


@live_check(
    id="AUD_AWS_7", area="aws",
    name=f"The backup bucket expires backups after {_DAYS} days",
    risk=f"Backups are kept longer or shorter than the {_DAYS} days the page promises.",
    remediation=f"Add an Enabled lifecycle rule with Expiration Days {_DAYS} (and "
                f"NoncurrentVersionExpiration {_DAYS}) to the backup bucket.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    wanted = page_figures().backup_retention_days
    buckets = aws.buckets_with_role(BACKUP)
    if not buckets:
        out.fail(None, none_decided("bucket", ROLE, BACKUP))
    for bucket in buckets:
        with out.reading():
            rules = [r for r in bucket.get("lifecycle") or [] if r.get("Status") == "Enabled"]
            days = sorted({r["Expiration"]["Days"] for r in rules
                           if r.get("Expiration", {}).get("Days")})
            out.facts[bucket.name] = days
            if days != [wanted]:
                out.fail(bucket.name, f"enabled expiry rules say {days or 'never'} days, "
                                      f"not {wanted}")
