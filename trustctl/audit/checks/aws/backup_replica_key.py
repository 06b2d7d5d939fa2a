"""RPO-RTO: the key of the backup replica, in the recovery region, is enabled."""

from trustctl.archive.recovery import REPLICA_ROLE
from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import ROLE, none_decided


@live_check(
    id="AUD_AWS_25", area="aws",
    name="The backup replica's KMS key (in the recovery region) is enabled",
    risk="The copies in the recovery region cannot be decrypted there: a regional outage "
         "leaves backups nobody can read.",
    remediation="Enable the backup key's replica in the recovery region (aws kms enable-key "
                "--region <recovery region>), or cancel its deletion (cancel-key-deletion).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    replicas = aws.buckets_with_role(REPLICA_ROLE)
    if not replicas:
        out.fail(None, none_decided("bucket", ROLE, REPLICA_ROLE))
    for bucket in replicas:
        with out.reading():
            rules = (bucket.get("encryption") or {}).get("Rules") or [{}]
            default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
            key_arn = default.get("KMSMasterKeyID")
            if default.get("SSEAlgorithm") != "aws:kms" or not key_arn:
                out.fail(bucket.name, "is not encrypted with a KMS key by default")
                continue
            meta = aws.key_in_its_region(key_arn)
            out.facts[bucket.name] = {"key": key_arn, "state": meta.get("KeyState"),
                                      "multi_region": meta.get("MultiRegionConfiguration")}
            if meta.get("KeyState") != "Enabled":
                out.fail(bucket.name, f"its key {key_arn} is {meta.get('KeyState')}: the "
                                      "copies cannot be decrypted in the recovery region")
