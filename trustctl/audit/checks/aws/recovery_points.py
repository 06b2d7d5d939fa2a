"""BACKUP-DAILY-35D: recovery points are encrypted with the backup key, the newest is recent."""

from datetime import UTC, datetime

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures


@live_check(
    id="AUD_AWS_23", area="aws",
    name="Recovery points are encrypted with the backup key; the newest is younger than "
         f"{page_figures().rpo_hours:g} h (the RPO)",
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
    now, rpo = datetime.now(UTC), page_figures().rpo
    out.facts["newest"] = newest.isoformat() if newest else None
    if newest is None:
        out.fail(None, "no completed recovery point in any vault")
    elif now - newest > rpo:
        out.fail(None, f"newest recovery point is {(now - newest).total_seconds() / 3600:.0f} "
                       f"h old: RPO of {rpo.total_seconds() / 3600:g} h exceeded")
