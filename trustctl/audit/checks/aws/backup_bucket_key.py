"""BACKUP-KEY-SEPARATE: the backup bucket is encrypted with the backup key."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import BACKUP, PURPOSE, ROLE, none_decided


@live_check(
    id="AUD_AWS_3", area="aws",
    name="The backup bucket is encrypted with the dedicated backup key",
    risk="Backups share the data key: one compromised or deleted key loses data and backups.",
    remediation="Encrypt the backup bucket (tagged trustctl:role=backup, or written by the "
                "backup writer) with SSE-KMS under the backup key (tagged "
                "trustctl:purpose=backup, or the AWS Backup vault's key).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    backup_keys = aws.backup_key_arns()
    by_id = {arn.rsplit("/", 1)[-1]: arn for arn in backup_keys}
    buckets = aws.buckets_with_role(BACKUP)
    out.facts.update(backup_keys=sorted(backup_keys), backup_buckets=[b.name for b in buckets])
    if not backup_keys:
        out.fail(None, none_decided("KMS key", PURPOSE, BACKUP))
    if not buckets:
        out.fail(None, none_decided("bucket", ROLE, BACKUP))
    for bucket in buckets:
        with out.reading():
            rules = (bucket.get("encryption") or {}).get("Rules", [])
            keys = {r.get("ApplyServerSideEncryptionByDefault", {}).get("KMSMasterKeyID")
                    for r in rules}
            if not any(k in backup_keys or k in by_id for k in keys):
                out.fail(bucket.name, "not encrypted with the backup key "
                                      f"(uses {', '.join(sorted(filter(None, keys))) or 'none'})")
