"""The evidence store: the bucket every flow's records go to, and the key that signs reports."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, account_root, allow, deny, document
from stack_config import StackConfig

from components.hardened_bucket import HardenedBucket, Retention
from components.keys import KEY_ADMIN_ACTIONS, PURPOSE_TAG
from components.scheduled_jobs import RECORDS_PREFIX

SIGNING_KEY_SPEC = "ECC_NIST_P256"
SIGNING_ALGORITHM = "ECDSA_SHA_256"  # what trustctl/evidence/package.py signs with


class EvidenceStore(pulumi.ComponentResource):
    """Append-only evidence for the SOC 2 Type II auditor (DESIGN.md, Records).

    The bucket keeps every record under Object Lock COMPLIANCE for `evidenceRetentionDays`
    (an audit period plus a year: nobody, root included, can delete or shorten it).
    Implements ENC-AT-REST (SSE-KMS under the audit-log key) and ACCESS-LOGGED (S3 server
    access logs, so every read of the evidence is on record too). The signing key is an
    asymmetric SIGN_VERIFY key: it cannot encrypt anything, and its policy lets it sign only
    ECDSA_SHA_256 (raw messages: the manifest's statement and each record's hash; the DSSE
    envelope of a large package as its digest);
    anyone in the account may verify and read its public key.

    Object Lock keeps every version but lets a plain PutObject add a newer one and a
    DeleteObject add a delete marker: the bucket policy denies both under `records/`, so a
    record is written once (`If-None-Match: *`, trustctl/records/s3.py) and never hidden.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        *,
        audit_key_arn: pulumi.Input[str],
        access_log_bucket: aws.s3.Bucket,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:evidence:EvidenceStore", name, None, opts)
        account = account_root(config.aws_account_id)
        self.records = HardenedBucket(
            f"{config.name_prefix}-evidence",
            role="evidence",
            kms_key_arn=audit_key_arn,
            access_log_bucket=access_log_bucket,
            retention=Retention(days=config.evidence_retention_days, locked=True),
            extra_statements=_records_written_once,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.signing_key = aws.kms.Key(
            f"{name}-signing",
            description=f"{config.name_prefix}: signs evidence report manifests, nothing else.",
            customer_master_key_spec=SIGNING_KEY_SPEC,
            key_usage="SIGN_VERIFY",
            deletion_window_in_days=config.kms_deletion_window_days,
            tags={PURPOSE_TAG: "evidence-signing"},
            policy=document(
                allow("AccountAdministersWithoutUse", KEY_ADMIN_ACTIONS,
                      Principal={"AWS": account}),
                allow("SignEvidenceManifestsOnly", ["kms:Sign"], Principal={"AWS": account},
                      # RAW up to 4 KiB; the DSSE envelope of a large package as its DIGEST
                      Condition={"StringEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM,
                                                  "kms:MessageType": ["RAW", "DIGEST"]}}),
                allow("AnyoneInTheAccountVerifies", ["kms:Verify", "kms:GetPublicKey",
                                                     "kms:DescribeKey"],
                      Principal={"AWS": account}),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-signing-alias",
            name=f"alias/{config.name_prefix}-evidence-signing",
            target_key_id=self.signing_key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"bucketName": self.records.bucket.id,
                               "signingKeyArn": self.signing_key.arn})


def _records_written_once(bucket_arn: pulumi.Output[str]) -> list[Statement]:
    records = pulumi.Output.concat(bucket_arn, f"/{RECORDS_PREFIX}/*")
    return [
        deny("DenyRecordWritesThatCouldOverwrite", ["s3:PutObject"], records, Principal="*",
             Condition={"Null": {"s3:if-none-match": "true"}}),
        deny("DenyRecordDeletes", ["s3:DeleteObject", "s3:DeleteObjectVersion"], records,
             Principal="*"),
    ]
