"""Whoever writes objects to a bucket cannot delete them, shorten their
retention or switch off what keeps them.

The software this program runs writes to write-once stores only (the database backups, the
evidence records): a stolen backup session must not be able to destroy the backups it writes.
Object Lock stops deletion for 35 days; this check keeps the permission away as well, so a
mistake in one of the two is not enough. A role that genuinely deletes what it writes (an
application's own files) carries an exception naming it.
"""

from typing import Any

from checkov.common.models.enums import CheckCategories
from iam_policy_support import POLICY_FIELDS, bucket_of, documents, grants, overlapping
from trust_check_support import Metadata, TrustCheck

METADATA = Metadata(
    severity="CRITICAL",
    risk="One leaked credential of the backup writer deletes or expires the backups it wrote.",
    remediation=(
        "Give the writer s3:PutObject only; grant no s3:DeleteObject*, "
        "s3:BypassGovernanceRetention, s3:PutLifecycleConfiguration, s3:PutBucketVersioning, "
        "s3:PutBucketObjectLockConfiguration or s3:DeleteBucket (nor s3:* or *) on a bucket "
        "it writes to."
    ),
)

WRITE = "s3:PutObject"
DESTROY = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:BypassGovernanceRetention",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutBucketObjectLockConfiguration",
    "s3:DeleteBucket",
)


class NoPolicyWritesAndDeletesObjects(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_34",
            name="Ensure no IAM policy can both write objects to a bucket and delete them "
            "(backups are write-once)",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_iam_role", *POLICY_FIELDS],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        found = documents(self.entity_type, conf)
        if found is None:
            return None
        return [problem for document in found for problem in _write_and_destroy(document)]


def _buckets(resources: tuple[str, ...]) -> list[str]:
    return [b for b in (bucket_of(r) for r in resources) if b is not None]


def _write_and_destroy(document: dict[str, Any]) -> list[str]:
    allowed = grants(document)
    written = [b for g in allowed if g.allows(WRITE) for b in _buckets(g.resources)]
    found = []
    for grant in allowed:
        destroys = [action for action in DESTROY if grant.allows(action)]
        both = overlapping(_buckets(grant.resources), written)
        if destroys and both:
            found.append(f"statement {grant.sid} lets the writer of {', '.join(sorted(both))} "
                         f"also {', '.join(destroys)}")
    return found


check = NoPolicyWritesAndDeletesObjects()
