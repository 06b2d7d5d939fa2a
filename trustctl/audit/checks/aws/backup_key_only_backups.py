"""BACKUP-KEY-SEPARATE: the backup key encrypts backups and nothing else.

A bucket under a backup key stays what it is (sharing a key never makes customer files a
backup): the finding is at the bucket, and names the key's backup use too.
"""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import BACKUP, BACKUP_REPLICA, PURPOSE, ROLE


@live_check(
    id="AUD_AWS_5", area="aws",
    name="No bucket but the backup buckets uses the backup key",
    risk="Data encrypted under the backup key defeats the separation of keys.",
    remediation="Re-encrypt every bucket that is not a backup bucket under a data key (or, "
                "when the backup vault uses the data key, give the backups a key of their own).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    backup_keys = aws.backup_key_arns()
    by_id = {arn: arn for arn in backup_keys} | {arn.rsplit("/", 1)[-1]: arn
                                                 for arn in backup_keys}
    for bucket in aws.buckets():
        role = aws.role_of(bucket.name, ROLE)
        if role is not None and role.value in (BACKUP, BACKUP_REPLICA):
            continue
        with out.reading():
            rules = (bucket.get("encryption") or {}).get("Rules", [])
            used = {by_id.get(r.get("ApplyServerSideEncryptionByDefault", {}).get(
                "KMSMasterKeyID")) for r in rules} - {None}
            for key in sorted(used):
                out.fail(bucket.name, f"encrypted with the backup key {key} "
                                      f"[{aws.role_of(key, PURPOSE).describe()}]")
    out.facts["backup_keys"] = sorted(backup_keys)
