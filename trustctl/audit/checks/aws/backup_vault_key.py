"""BACKUP-KEY-SEPARATE: every AWS Backup vault is encrypted with the backup key."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_4", area="aws",
    name="AWS Backup vaults use the backup key, not a data key",
    risk="Recovery points share the data key: one key compromise reaches both copies.",
    remediation="Recreate the vault with --encryption-key-arn of the backup key, a key that "
                "encrypts nothing else (a vault's key cannot be changed).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    backup_keys = aws.backup_key_arns()
    vaults = [v for v in aws.backup_vaults() if v.get("VaultType", "BACKUP_VAULT") ==
              "BACKUP_VAULT"]
    out.facts["vaults"] = {v["BackupVaultName"]: v.get("EncryptionKeyArn") for v in vaults}
    if not vaults:
        out.fail(None, "no AWS Backup vault")
    for vault in vaults:
        if vault.get("EncryptionKeyArn") not in backup_keys:
            out.fail(vault["BackupVaultName"], f"encrypted with {vault.get('EncryptionKeyArn')}, "
                                               "not the backup key")
