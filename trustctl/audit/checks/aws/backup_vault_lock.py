"""BACKUP-DAILY-35D: the AWS Backup vault is locked in compliance mode for >= 35 days."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures

_DAYS = page_figures().backup_retention_days  # in the words below; the check reads it anew


@live_check(
    id="AUD_AWS_8", area="aws",
    name=f"AWS Backup vaults are locked (compliance mode, minimum retention {_DAYS} days)",
    risk="Recovery points can be deleted early by anyone with vault permissions.",
    remediation=f"aws backup put-backup-vault-lock-configuration --min-retention-days {_DAYS} "
                "--changeable-for-days 3 (compliance mode once the grace time ends).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    days = page_figures().backup_retention_days
    vaults = [v for v in aws.backup_vaults() if v.get("VaultType", "BACKUP_VAULT") ==
              "BACKUP_VAULT"]
    if not vaults:
        out.fail(None, "no AWS Backup vault")
    for vault in vaults:
        name = vault["BackupVaultName"]
        out.facts[name] = {k: vault.get(k) for k in ("Locked", "MinRetentionDays", "LockDate")}
        if not vault.get("Locked"):
            out.fail(name, "vault lock is off")
        elif vault.get("LockDate") is None:
            out.fail(name, "vault lock is in governance mode (no lock date): it can be removed")
        elif (vault.get("MinRetentionDays") or 0) < days:
            out.fail(name, f"minimum retention is {vault.get('MinRetentionDays')} days, "
                           f"below {days}")
