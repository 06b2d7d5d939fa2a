"""Who read customer data: S3 data events from the CloudTrail log files the trails deliver to S3.

moto serves no CloudTrail LookupEvents, and LookupEvents returns management events only
anyway: S3 object reads exist only in the delivered log files (gzip JSON under
`<prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`). Those of the period are
read, and every read of an object in a watched bucket (customer files, backups) is counted per
principal: how many reads, of how many objects, in which buckets, by which sessions, first and
last, and how many were denied. Why each read happened is the application's log to keep (the
"with reason" half of ACCESS-LOGGED is attested, issue 14's attestation files).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trustctl.access_review.aws_pages import pages
from trustctl.access_review.inventory import Inventory
from trustctl.access_review.progress import QUIET, Progress
from trustctl.access_review.roster import principal_name
from trustctl.aws import AwsTarget, client

SOURCE = "cloudtrail"
READ_EVENTS = frozenset({"GetObject", "GetObjectVersion", "SelectObjectContent",
                         "RestoreObject", "GetObjectTorrent"})
S3_OBJECT = "AWS::S3::Object"


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> Period:
        end = now or datetime.now(UTC)
        return cls(end - timedelta(days=days), end)

    def days(self) -> Iterator[date]:
        day = self.start.date()
        while day <= self.end.date():
            yield day
            day += timedelta(days=1)


@dataclass
class Reads:
    """One principal's reads of customer data in the period, and where: buckets (CloudTrail)
    or tenant tables (the database's log)."""

    principal: str
    reads: int = 0
    denied: int = 0
    objects: set[str] = field(default_factory=set)
    places: dict[str, int] = field(default_factory=dict)
    sessions: set[str] = field(default_factory=set)
    first: str | None = None
    last: str | None = None

    def read(self, place: str, what: str, when: str | None, session: str | None) -> None:
        """One read of `what` in `place` at `when` (ISO 8601, UTC) by `session`."""
        self.reads += 1
        self.objects.add(what)
        self.places[place] = self.places.get(place, 0) + 1
        if session:
            self.sessions.add(session)
        self.first = min(filter(None, [self.first, when]), default=None)
        self.last = max(filter(None, [self.last, when]), default=None)

    def to_json(self, places: str = "buckets") -> dict[str, Any]:
        return {"principal": self.principal, "reads": self.reads, "denied": self.denied,
                "objects": len(self.objects), places: dict(sorted(self.places.items())),
                "sessions": sorted(self.sessions), "first": self.first, "last": self.last}


class NotLogged(Exception):
    """Reads of customer data are not logged at all (a finding, not an unreadable source)."""


@dataclass
class ReadsSummary:
    """Per principal reads in the period, and why reads are not logged where they are not."""

    reads: list[Reads] = field(default_factory=list)
    not_logged: list[str] = field(default_factory=list)


def collect(target: AwsTarget, period: Period, inventory: Inventory,
            progress: Progress = QUIET) -> ReadsSummary:
    """Per principal, the reads of watched buckets logged by every trail in the period."""
    by_principal: dict[str, Reads] = {}
    summary = ReadsSummary()
    trails: list[dict] = []
    with inventory.reading(SOURCE, "trails"):
        trails = client("cloudtrail", target).describe_trails()["trailList"]
        if not trails:
            summary.not_logged.append("no CloudTrail trail: reads of customer data are not "
                                      "logged")
    s3 = client("s3", target)
    for trail in trails:
        with inventory.reading(SOURCE, f"S3 data events of trail {trail['Name']}"):
            try:
                watched = _watched_buckets(target, trail)
            except NotLogged as exc:
                summary.not_logged.append(str(exc))
                continue
            files = _log_files(s3, trail, period)
            progress.say(f"CloudTrail: trail {trail['Name']}: {len(files)} log files in the period")
            with progress.counting("CloudTrail log files read", len(files)) as advance:
                for key in files:
                    _count(s3, trail["S3BucketName"], key, watched, period, by_principal)
                    advance()
    inventory.sources.setdefault(SOURCE, "read")
    summary.reads = [by_principal[p] for p in sorted(by_principal)]
    return summary


def _watched_buckets(target: AwsTarget, trail: dict) -> set[str] | None:
    """Buckets whose object reads the trail logs; None for all buckets; error if none."""
    selectors = client("cloudtrail", target).get_event_selectors(TrailName=trail["TrailARN"])
    values = [value for selector in selectors.get("EventSelectors") or []
              if selector.get("ReadWriteType", "All") in ("All", "ReadOnly")
              for resource in selector.get("DataResources") or []
              if resource.get("Type") == S3_OBJECT for value in resource.get("Values") or []]
    values += [value for selector in selectors.get("AdvancedEventSelectors") or []
               for f in selector.get("FieldSelectors") or []
               if f.get("Field") == "resources.ARN" for value in f.get("StartsWith") or []]
    if not values:
        raise NotLogged(f"trail {trail['Name']} logs no S3 data events: reads of customer "
                          "data are not logged")
    buckets = {value.removeprefix("arn:aws:s3:::").split("/", 1)[0] for value in values}
    return None if "" in buckets or "arn:aws:s3" in buckets else buckets


def _log_files(s3: Any, trail: dict, period: Period) -> list[str]:
    root = f"{trail['S3KeyPrefix'].rstrip('/')}/AWSLogs/" if trail.get("S3KeyPrefix") \
        else "AWSLogs/"
    bucket = trail["S3BucketName"]
    keys = []
    for account in _folders(s3, bucket, root):
        for region in _folders(s3, bucket, f"{account}CloudTrail/"):
            for day in period.days():
                prefix = f"{region}{day:%Y/%m/%d}/"
                keys += [o["Key"] for o in pages(s3, "list_objects_v2", "Contents",
                                                 Bucket=bucket, Prefix=prefix)]
    return sorted(keys)


def _folders(s3: Any, bucket: str, prefix: str) -> list[str]:
    return [p["Prefix"] for p in pages(s3, "list_objects_v2", "CommonPrefixes", Bucket=bucket,
                                       Prefix=prefix, Delimiter="/")]


def _count(s3: Any, bucket: str, key: str, watched: set[str] | None, period: Period,
           by_principal: dict[str, Reads]) -> None:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    records = json.loads(gzip.decompress(body) if key.endswith(".gz") else body)["Records"]
    for event in records:
        if event.get("eventSource") != "s3.amazonaws.com" or \
                event.get("eventName") not in READ_EVENTS:
            continue
        params = event.get("requestParameters") or {}
        read_bucket, read_key = params.get("bucketName"), params.get("key", "")
        when = _parse_time(event.get("eventTime"))
        if not read_bucket or (watched is not None and read_bucket not in watched) or \
                when is None or not period.start <= when <= period.end:
            continue
        who = _principal(event.get("userIdentity") or {})
        reads = by_principal.setdefault(who, Reads(who))
        if event.get("errorCode"):
            reads.denied += 1
        else:
            session = (event.get("userIdentity") or {}).get("arn", "").rsplit("/", 1)[-1]
            reads.read(read_bucket, f"{read_bucket}/{read_key}", event.get("eventTime"), session)


def _principal(identity: dict) -> str:
    """The review's name of who read: the role (not the session), the user, or the service."""
    issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
    if issuer:
        return principal_name(issuer)
    if identity.get("arn"):
        return principal_name(identity["arn"])
    if identity.get("invokedBy"):
        return f"aws:service/{identity['invokedBy']}"
    return f"aws:{identity.get('type', 'unknown')}"


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
