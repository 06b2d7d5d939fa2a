"""BACKUP-KEY-SEPARATE: the backup key encrypts backups and nothing else."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_5", area="aws",
    name="No bucket but the backup bucket uses the backup key",
    risk="Data encrypted under the backup key defeats the separation of keys.",
    remediation="Re-encrypt buckets other than trustctl:role=backup under a data key.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    backup_keys = aws.backup_key_arns()
    ids = backup_keys | {arn.rsplit("/", 1)[-1] for arn in backup_keys}
    for bucket in aws.buckets():
        if bucket.tag("trustctl:role") == "backup":
            continue
        with out.reading():
            rules = (bucket.get("encryption") or {}).get("Rules", [])
            used = {r.get("ApplyServerSideEncryptionByDefault", {}).get("KMSMasterKeyID")
                    for r in rules}
            if used & ids:
                out.fail(bucket.name, "encrypted with the backup key")
    out.facts["backup_keys"] = sorted(backup_keys)
