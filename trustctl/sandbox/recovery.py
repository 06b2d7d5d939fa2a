"""The sandbox's recovery region, on the same moto (which serves every region on one endpoint):
the replica backup bucket as infra/ declares it (components/backup_replica.py), its replication
rule, and two stand-ins for what moto lacks:

- moto does not replicate S3 objects: `replication.Replication` copies them as S3 replication
  would (the sandbox daemon runs it every second);
- moto cannot decrypt with a multi-Region key (it cuts their 40-character ids to 36 inside its
  ciphertexts, so Decrypt refuses, in the key's own region as in its replica's). So the
  sandbox's backup key is single-Region, and its "replica" is a stand-in key of the recovery
  region: the copy carries the data key re-wrapped under it (an object beside the dump, only in
  the sandbox), and the sandbox's drill unwraps with it where AWS uses the multi-Region
  replica (`StandInReplicaKey`). Both stand-ins are written in every record that relies on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustctl.archive.location import Location
from trustctl.archive.recovery import REPLICA_ROLE, RecoverySite
from trustctl.aws import AwsTarget, client
from trustctl.sandbox.account import ACCOUNT, hardened_bucket
from trustctl.sandbox.backup_target import NAME_PREFIX, locked_bucket

if TYPE_CHECKING:
    from trustctl.archive.manifest import Manifest

RECOVERY_REGION = "us-west-2"  # trustctl:recoveryRegion of Pulumi.prod.yaml
REPLICA_BUCKET = f"{NAME_PREFIX}-backups-replica"
RECOVERY_LOG_BUCKET = f"{NAME_PREFIX}-recovery-logs"  # S3 logs only to a bucket of its region
STAND_IN_KEY_ALIAS = f"alias/{NAME_PREFIX}-keys-backups-replica-stand-in"
STAND_IN_WRAPPED_KEY = "sandbox-stand-in-wrapped-key"  # beside dump.enc, in the replica only
REPLICATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{NAME_PREFIX}-backup-replication"


@dataclass(frozen=True)
class DeclaredRecovery:
    """The recovery region's parts in moto: the replica bucket and the stand-in replica key."""

    region: str
    bucket: str
    stand_in_key_arn: str

    def notes(self, source_bucket: str) -> tuple[str, ...]:
        """What the sandbox does differently from AWS, for output and records."""
        return (
            f"sandbox: moto does not replicate S3 objects: the sandbox copies every new object "
            f"of s3://{source_bucket} to s3://{self.bucket} ({self.region}) within a second, as "
            "S3 replication would (the copies get new version ids there)",
            "sandbox: moto cannot decrypt with multi-Region KMS keys: the backup key is "
            f"single-Region and the copy's data key is re-wrapped under a stand-in key of "
            f"{self.region} ({STAND_IN_KEY_ALIAS}); on AWS the backup key's multi-Region "
            "replica there unwraps the backup's own blob",
        )


def declare_recovery(primary: AwsTarget, source_bucket: str,
                     region: str = RECOVERY_REGION) -> DeclaredRecovery:
    """The stand-in replica key, the replica bucket and its access-log bucket in `region`, and
    the backup bucket's replication rule (stored by moto, acted on by `replication.Replication`)."""
    recovery = AwsTarget(region, primary.endpoint_url)
    kms = client("kms", recovery)
    stand_in = kms.create_key(Description=f"{NAME_PREFIX}: sandbox stand-in for the backup "
                              "key's multi-Region replica", Tags=[
                                  {"TagKey": "trustctl:purpose", "TagValue": "backup"}],
                              )["KeyMetadata"]
    kms.create_alias(AliasName=STAND_IN_KEY_ALIAS, TargetKeyId=stand_in["KeyId"])
    replica_arn = stand_in["Arn"]
    locked_bucket(recovery, REPLICA_BUCKET, replica_arn)
    s3 = client("s3", recovery)
    hardened_bucket(s3, recovery, RECOVERY_LOG_BUCKET, "access-logs", None, log_to=None)
    s3.put_bucket_tagging(Bucket=REPLICA_BUCKET, Tagging={"TagSet": [
        {"Key": "trustctl:role", "Value": REPLICA_ROLE}]})
    s3.put_bucket_logging(Bucket=REPLICA_BUCKET, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": RECOVERY_LOG_BUCKET, "TargetPrefix": f"{REPLICA_BUCKET}/"}})
    client("s3", primary).put_bucket_replication(Bucket=source_bucket, ReplicationConfiguration={
        "Role": REPLICATION_ROLE, "Rules": [{
            "ID": "every-backup-to-the-recovery-region", "Status": "Enabled", "Priority": 1,
            "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"},
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA_BUCKET}",
                            "EncryptionConfiguration": {"ReplicaKmsKeyID": replica_arn}}}]})
    return DeclaredRecovery(region, REPLICA_BUCKET, replica_arn)


def stand_in_wrapped_key_name(object_key: str) -> str:
    """Where the copy's stand-in-wrapped data key lies: beside the dump it opens."""
    return f"{object_key.rsplit('/', 1)[0]}/{STAND_IN_WRAPPED_KEY}"


class StandInReplicaKey:
    """Unwraps a copy in the recovery region with the stand-in key and the re-wrapped blob
    (where AWS uses `archive.keys.ReplicaKey`: the backup key's replica and the same blob)."""

    def __init__(self, replica: Location, stand_in_key_arn: str) -> None:
        self._replica = replica
        self._stand_in = stand_in_key_arn

    def key_id(self, manifest: Manifest) -> str:
        return self._stand_in

    def wrapped(self, manifest: Manifest, header_wrapped: bytes) -> bytes:
        s3 = client("s3", self._replica.target)
        return s3.get_object(Bucket=self._replica.bucket,
                             Key=stand_in_wrapped_key_name(manifest.object_key))["Body"].read()


def recovery_site(endpoint_url: str, primary_region: str, source_bucket: str, prefix: str,
                  declared: DeclaredRecovery) -> RecoverySite:
    """The sandbox's recovery site for `drill --sandbox --region-outage`."""
    where = Location(AwsTarget(declared.region, endpoint_url), declared.bucket, prefix, None,
                     pins_versions=False)
    return RecoverySite(where, StandInReplicaKey(where, declared.stand_in_key_arn),
                        primary_region, source_bucket, declared.notes(source_bucket))
