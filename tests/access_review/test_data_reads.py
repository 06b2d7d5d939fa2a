"""Who read customer data: CloudTrail log files as delivered to S3, read from moto."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from access_review.support import ACCOUNT, refusing_aws
from trustctl.access_review import data_reads, findings
from trustctl.access_review.data_reads import Period
from trustctl.access_review.inventory import Inventory
from trustctl.aws import AwsTarget, client

LOGS = "claver-audit-logs"
PERIOD = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
ON_CALL = f"arn:aws:iam::{ACCOUNT}:role/claver-prod-on-call"


def bucket(aws: AwsTarget, name: str) -> None:
    client("s3", aws).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": aws.region})


def trail(aws: AwsTarget, *watched: str, prefix: str = "org") -> None:
    bucket(aws, LOGS)
    cloudtrail = client("cloudtrail", aws)
    cloudtrail.create_trail(Name="claver-trail", S3BucketName=LOGS, S3KeyPrefix=prefix)
    if watched:
        cloudtrail.put_event_selectors(TrailName="claver-trail", EventSelectors=[{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object",
                               "Values": [f"arn:aws:s3:::{b}/" for b in watched]}]}])


def event(role_arn: str, session: str, name: str, read_bucket: str, key: str, when: str,
          error: str | None = None) -> dict:
    role = role_arn.rsplit("/", 1)[-1]
    return {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": name,
            "eventTime": when, "awsRegion": "eu-west-2", "eventCategory": "Data",
            "userIdentity": {
                "type": "AssumedRole", "accountId": ACCOUNT,
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role_arn,
                                                     "userName": role}}},
            "requestParameters": {"bucketName": read_bucket, "key": key},
            **({"errorCode": error} if error else {})}


def deliver(aws: AwsTarget, day: str, records: list[dict], prefix: str = "org") -> None:
    key = (f"{prefix}/AWSLogs/{ACCOUNT}/CloudTrail/eu-west-2/{day}/"
           f"{ACCOUNT}_CloudTrail_eu-west-2_{day.replace('/', '')}T1000Z_x.json.gz")
    client("s3", aws).put_object(Bucket=LOGS, Key=key,
                                 Body=gzip.compress(json.dumps({"Records": records}).encode()))


def collected(aws: AwsTarget) -> tuple[data_reads.ReadsSummary, Inventory]:
    inventory = Inventory()
    return data_reads.collect(aws, PERIOD, inventory), inventory


def test_reads_of_watched_buckets_are_summarized_per_principal(aws):
    trail(aws, "customer-files", "backups")
    writer = f"arn:aws:iam::{ACCOUNT}:role/backup-writer"
    deliver(aws, "2026/11/30", [
        event(ON_CALL, "alice@claver.app", "GetObject", "customer-files", "t1/a.pdf",
              "2026-11-30T10:00:00Z"),
        event(ON_CALL, "bob@claver.app", "GetObject", "customer-files", "t1/a.pdf",
              "2026-11-30T11:00:00Z"),
        event(ON_CALL, "alice@claver.app", "GetObject", "backups", "db/1.dump",
              "2026-11-30T12:00:00Z"),
        event(ON_CALL, "alice@claver.app", "GetObject", "scratch", "x", "2026-11-30T12:00:00Z"),
        event(writer, "runner", "PutObject", "backups", "db/2.dump", "2026-11-30T13:00:00Z"),
        event(writer, "runner", "GetObject", "backups", "db/1.dump", "2026-11-30T14:00:00Z",
              error="AccessDenied"),
    ])
    deliver(aws, "2026/10/02", [event(ON_CALL, "eve", "GetObject", "customer-files", "old",
                                      "2026-10-02T10:00:00Z")])
    summary, inventory = collected(aws)
    assert inventory.errors == [] and summary.not_logged == []
    assert [r.to_json() for r in summary.reads] == [
        {"principal": "aws:role/backup-writer", "reads": 0, "denied": 1, "objects": 0,
         "buckets": {}, "sessions": [], "first": None, "last": None},
        {"principal": "aws:role/claver-prod-on-call", "reads": 3, "denied": 0, "objects": 2,
         "buckets": {"backups": 1, "customer-files": 2},
         "sessions": ["alice@claver.app", "bob@claver.app"],
         "first": "2026-11-30T10:00:00Z", "last": "2026-11-30T12:00:00Z"},
    ]


def test_no_read_in_the_period_is_an_empty_summary(aws):
    trail(aws, "customer-files")
    summary, inventory = collected(aws)
    assert summary.reads == [] and summary.not_logged == [] and inventory.errors == []


def test_a_trail_without_s3_data_events_means_reads_are_not_logged(aws, the_roster):
    trail(aws)
    summary, _inventory = collected(aws)
    assert summary.not_logged == ["trail claver-trail logs no S3 data events: reads of "
                                  "customer data are not logged"]
    flags = findings.flags([], the_roster, not_logged=summary.not_logged)
    assert [(f.check, f.control) for f in flags] == [("reads-not-logged", "ACCESS-LOGGED")]


def test_no_trail_at_all_means_reads_are_not_logged(aws):
    summary, inventory = collected(aws)
    assert summary.not_logged == ["no CloudTrail trail: reads of customer data are not logged"]
    assert inventory.errors == []


def test_a_refused_trail_listing_is_an_error_entry_not_a_clean_bill():
    inventory = Inventory()
    with refusing_aws() as url:
        summary = data_reads.collect(AwsTarget("eu-west-2", url), PERIOD, inventory)
    assert summary.reads == [] and summary.not_logged == []
    assert [(e.source, e.what) for e in inventory.errors] == [("cloudtrail", "trails")]
