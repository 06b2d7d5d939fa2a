"""CloudTrail records S3 object reads (data events), not only management calls."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, items, strings

METADATA = Metadata(
    severity="HIGH",
    risk="Reads of customer files leave no trail: management events do not include GetObject.",
    remediation=(
        "Add an event_selector (read_write_type All or ReadOnly) with data_resource type "
        "AWS::S3::Object, or an advanced_event_selector with eventCategory = Data and "
        "resources.type = AWS::S3::Object that does not exclude reads."
    ),
)

S3_OBJECT = "AWS::S3::Object"


class CloudTrailS3DataReads(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_20",
            name="Ensure CloudTrail logs S3 object read data events",
            category=CheckCategories.LOGGING,
            resources=["aws_cloudtrail"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if any(_basic_selector_logs_reads(s) for s in items(conf, "event_selector")):
            return []
        if any(_advanced_selector_logs_reads(s) for s in items(conf, "advanced_event_selector")):
            return []
        return ["no event selector records S3 object reads"]


def _basic_selector_logs_reads(selector: dict[str, Any]) -> bool:
    if (attr(selector, "read_write_type") or "All") not in ("All", "ReadOnly"):
        return False
    return any(attr(r, "type") == S3_OBJECT for r in items(selector, "data_resource"))


def _advanced_selector_logs_reads(selector: dict[str, Any]) -> bool:
    fields = {attr(f, "field"): f for f in items(selector, "field_selector")}

    def equals(field: str) -> list[str]:
        return strings(attr(fields.get(field), "equals")) if field in fields else []

    excludes_reads = "false" in [v.lower() for v in equals("readOnly")]
    return (
        equals("eventCategory") == ["Data"]
        and S3_OBJECT in equals("resources.type")
        and not excludes_reads
    )


check = CloudTrailS3DataReads()
