"""BACKUP-DAILY-35D: recovery points are encrypted with the backup key, the newest is recent."""

from datetime import UTC, datetime, timedelta

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

RPO = timedelta(hours=24)


@live_check(
    id="AUD_AWS_23", area="aws",
    name="Recovery points are encrypted with the backup key; the newest is younger than 24 h",
    risk="Backups run unencrypted or stopped running: the last restorable point is too old.",
    remediation="Check the plan's last jobs (aws backup list-backup-jobs) and the vault's key; "
                "fix the failing job or the selection.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    backup_keys = aws.backup_key_arns()
    newest = None
    for vault in aws.backup_vaults():
        name = vault["BackupVaultName"]
        points = [p for p in aws.recovery_points(name) if p.get("Status") == "COMPLETED"]
        for point in points:
            if not point.get("IsEncrypted") or point.get("EncryptionKeyArn") not in backup_keys:
                out.fail(point.get("RecoveryPointArn"), "not encrypted with the backup key")
            created = point.get("CreationDate")
            newest = created if newest is None or (created and created > newest) else newest
    now = datetime.now(UTC)
    out.facts["newest"] = newest.isoformat() if newest else None
    if newest is None:
        out.fail(None, "no completed recovery point in any vault")
    elif now - newest > RPO:
        out.fail(None, f"newest recovery point is {(now - newest).total_seconds() / 3600:.0f} "
                       "h old: RPO of 24 h exceeded")
