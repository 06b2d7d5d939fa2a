"""ACCESS-LOGGED: a logging trail records S3 object reads on the customer and backup buckets.

Basic selectors (ReadWriteType All or ReadOnly, DataResources AWS::S3::Object) or advanced
ones (eventCategory Data, resources.type AWS::S3::Object, reads not excluded by readOnly or
eventName, the bucket not excluded by resources.ARN) both count; a selector that logs only
writes, only management events or other buckets does not.
"""

from typing import Any

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import BACKUP, ROLE

S3_OBJECT = "AWS::S3::Object"
DATA_ROLES = ("customer-data", BACKUP)


@live_check(
    id="AUD_AWS_15", area="aws",
    name="CloudTrail records S3 object reads on the customer and backup buckets",
    risk="Reads of customer files leave no trail: management events do not include GetObject.",
    remediation="Add S3 data events for reads on every customer-data and backup bucket to a "
                "logging trail (basic: ReadWriteType All; advanced: eventCategory=Data, "
                "resources.type=AWS::S3::Object, no readOnly=false).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    buckets = [b.name for role in DATA_ROLES for b in aws.buckets_with_role(role)]
    trails = [t for t in aws.trails() if t.get("IsLogging")]
    out.facts.update(buckets=buckets, logging_trails=[t["Name"] for t in trails])
    if not buckets:
        out.fail(None, f"no bucket has {ROLE}=customer-data or {ROLE}=backup (tagged, or "
                       "inferred for a backup bucket)")
    for bucket in buckets:
        if not any(_logs_reads(t, bucket) for t in trails):
            out.fail(bucket, "no logging trail records its S3 object reads (GetObject)")


def _logs_reads(trail: dict[str, Any], bucket: str) -> bool:
    return (any(_basic(s, bucket) for s in trail.get("EventSelectors", []))
            or any(_advanced(s, bucket) for s in trail.get("AdvancedEventSelectors", [])))


def _basic(selector: dict[str, Any], bucket: str) -> bool:
    if selector.get("ReadWriteType", "All") not in ("All", "ReadOnly"):
        return False
    arns = (f"arn:aws:s3:::{bucket}/", f"arn:aws:s3:::{bucket}")
    return any(r.get("Type") == S3_OBJECT and any(
        v in ("arn:aws:s3", "arn:aws:s3:::") or v in arns for v in r.get("Values", []))
        for r in selector.get("DataResources", []))


def _advanced(selector: dict[str, Any], bucket: str) -> bool:
    fields = {f["Field"]: f for f in selector.get("FieldSelectors", [])}

    def values(field: str, op: str) -> list[str]:
        return list(fields.get(field, {}).get(op) or [])

    if values("eventCategory", "Equals") != ["Data"]:
        return False
    if S3_OBJECT not in values("resources.type", "Equals"):
        return False
    read_only = [v.lower() for v in values("readOnly", "Equals")]
    if (read_only and "true" not in read_only) or "true" in [
            v.lower() for v in values("readOnly", "NotEquals")]:
        return False
    names = values("eventName", "Equals")
    if (names and "GetObject" not in names) or "GetObject" in values("eventName", "NotEquals"):
        return False
    return _arn_covered(fields.get("resources.ARN"), f"arn:aws:s3:::{bucket}/")


def _arn_covered(arn_field: dict[str, Any] | None, object_arn: str) -> bool:
    if arn_field is None:
        return True
    if any(object_arn.startswith(p) for p in arn_field.get("NotStartsWith") or []):
        return False
    included = [*(arn_field.get("StartsWith") or []), *(arn_field.get("Equals") or [])]
    return not included or any(object_arn.startswith(p) for p in included)
