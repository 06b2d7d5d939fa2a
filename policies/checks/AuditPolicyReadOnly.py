"""The live audit's policy (an aws_iam_policy tagged trustctl:job=audit) reads
configuration and metadata, and nothing else.

The audit runs every week with standing access to every account; it must not be a way to
change production or to read customer data. It may read object data only where that data is
metadata (backup manifests, evidence records), and decrypt only through S3 for those. It
may sign with one named key (kms:Sign on a key ARN, never "*"): the audit signs the records it
writes with the evidence key, which changes nothing in production.
"""

import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from iam_policy_support import Grant, documents, grants
from trust_check_support import Metadata, TrustCheck, tag

METADATA = Metadata(
    severity="HIGH",
    risk="A credential of the weekly audit changes production or reads customer data.",
    remediation=(
        "Allow only Describe*, Get* and List* actions (and iam:GenerateCredentialReport); "
        "object reads only on */manifest.json and records/*, kms:Decrypt only with "
        "kms:ViaService s3.*; no Put, Create, Delete, Update or wildcard service actions."
    ),
)

JOB_TAG = "trustctl:job"
READ_VERB = re.compile(r"^(Describe|Get|List)[A-Za-z0-9*]*$")
READ_EXTRA = {"iam:generatecredentialreport"}
# Reads that return data, not configuration; each allowed only on metadata, as below.
DATA_READS = (
    "s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "secretsmanager:GetSecretValue",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "dynamodb:GetItem",
    "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "logs:GetLogEvents",
    "logs:FilterLogEvents", "lambda:GetFunction", "ec2:GetPasswordData",
    "ecr:GetDownloadUrlForLayer", "athena:GetQueryResults", "rds-db:connect",
)
METADATA_OBJECTS = re.compile(r"^arn:aws:s3:::[^*/]+/(.*/)?(manifest\.json|records/.*)$")


class AuditPolicyReadOnly(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_35",
            name="Ensure the audit job's policy is read-only and reads no customer data",
            category=CheckCategories.IAM,
            resources=["aws_iam_policy"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if tag(conf, JOB_TAG) != "audit":
            return None
        found = documents(self.entity_type, conf)
        if found is None:
            return ["the audit policy document is not known before apply"]
        return [p for document in found for grant in grants(document) for p in _judge(grant)]


def _judge(grant: Grant) -> list[str]:
    found = []
    for action in grant.actions:
        reads_data = [d for d in DATA_READS if Grant("", (action,), (), {}).allows(d)]
        if reads_data:
            found += [f"statement {grant.sid}: {why}" for why in _data_read(grant, reads_data)]
        elif _signs_with_named_keys(action, grant):
            continue
        elif not _read_only(action):
            found.append(f"statement {grant.sid} allows {action}, which is not read-only")
    return found


def _signs_with_named_keys(action: str, grant: Grant) -> bool:
    return action.lower() == "kms:sign" and bool(grant.resources) and all(
        "*" not in r for r in grant.resources)


def _read_only(action: str) -> bool:
    service, _, verb = action.partition(":")
    return action.lower() in READ_EXTRA or (service != "*" and bool(READ_VERB.match(verb)))


def _data_read(grant: Grant, reads: list[str]) -> list[str]:
    found = []
    for read in reads:
        if read.startswith("s3:GetObject"):
            wide = [r for r in grant.resources if not METADATA_OBJECTS.match(r)]
            if wide:
                found.append(f"{read} on {', '.join(wide)}: not backup manifests or records")
        elif read == "kms:Decrypt":
            if not _through_s3(grant.conditions):
                found.append("kms:Decrypt without kms:ViaService s3.*: decrypts any data")
        else:
            found.append(f"{read} reads data, not configuration")
    return found


def _through_s3(conditions: dict[str, Any]) -> bool:
    for operator, tests in conditions.items():
        if operator.lower() in ("stringequals", "stringlike") and isinstance(tests, dict):
            for key, value in tests.items():
                values = value if isinstance(value, list) else [value]
                if key.lower() == "kms:viaservice" and values and all(
                        str(v).startswith("s3.") for v in values):
                    return True
    return False


check = AuditPolicyReadOnly()
