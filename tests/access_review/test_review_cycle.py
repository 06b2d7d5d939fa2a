"""A quarter's review end to end: prepare, decide, record, then the next prepare sees what was
(and was not) carried out, and what changed."""

from __future__ import annotations

import hashlib
import json
import stat

import psycopg
import pytest

from access_review.cli_support import Review
from access_review.cloudflare_api import ACCOUNT as CLOUDFLARE_ACCOUNT
from access_review.cloudflare_api import TOKEN, member, token
from access_review.support import ACCOUNT, policy, trust_policy
from trustctl.access_review import database, live_check
from trustctl.access_review.inventory import Inventory
from trustctl.access_review.progress import QUIET
from trustctl.aws import client
from trustctl.dsn import Dsn
from trustctl.records import open_store
from trustctl.report.results import Status

ALICE = f"arn:aws:iam::{ACCOUNT}:role/oncall-alice"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
DB_PASSWORD = "db-pw-7c1e2a"


@pytest.fixture
def review(tmp_path, roster_file, aws, postgres_factory, cloudflare_api):
    iam = client("iam", aws)
    iam.create_role(RoleName="backup-writer",
                    AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    iam.put_role_policy(RoleName="backup-writer", PolicyName="write", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::backups/*"}))
    iam.create_role(RoleName="oncall-alice",
                    AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    client("s3", aws).create_bucket(Bucket="logs", CreateBucketConfiguration={
        "LocationConstraint": aws.region})
    cloudtrail = client("cloudtrail", aws)
    cloudtrail.create_trail(Name="trail", S3BucketName="logs")
    cloudtrail.put_event_selectors(TrailName="trail", EventSelectors=[{
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::backups/"]}]}])
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    cloudflare_api.tokens = [token("pulumi-edge", "Zone WAF Write",
                                   expires_on="2027-03-01T00:00:00Z")]
    pg = postgres_factory("review-cycle")
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (tenant_id uuid, id int);"
                     "CREATE ROLE alice LOGIN; GRANT SELECT ON jobs TO alice;"
                     f"CREATE ROLE auditor LOGIN PASSWORD '{DB_PASSWORD}' NOSUPERUSER;"
                     "GRANT pg_read_all_stats TO auditor;")
    with open(roster_file, "a") as out:
        out.write("  - name: auditor\n    owner: alice@claver.app\n"
                  "    principals: [postgres:auditor, postgres:postgres]\n")
    yield Review(tmp_path, roster_file, aws,
                 pg.dsn(user="auditor", password=DB_PASSWORD, dbname="postgres"),
                 cloudflare_api), pg
    pg.destroy()


def live_inventory(dsn: str) -> Inventory:
    inventory = Inventory()
    database.collect(Dsn.parse(dsn, "test"), database.TenantTables(), inventory, QUIET)
    return inventory


def test_prepare_decide_record_and_the_next_review(review):
    review, pg = review
    first = review.prepare()
    assert first.exit_code == 0, first.output
    rows = {row["id"]: row for row in review.document()["rows"]}
    assert set(rows) == {
        "aws:role/backup-writer -> s3:backups", f"aws:role/oncall-alice -> aws:account/{ACCOUNT}",
        f"cloudflare:member/alice@claver.app -> cloudflare:account/{CLOUDFLARE_ACCOUNT}",
        f"cloudflare:token/pulumi-edge -> cloudflare:account/{CLOUDFLARE_ACCOUNT}",
        "postgres:alice -> postgres:postgres/public",
        "postgres:postgres -> postgres:postgres/public",
        "postgres:auditor -> postgres:postgres"}
    assert all(row["decision"] == "" for row in rows.values())
    assert (review.directory / "review.md").read_text().startswith("# Access review ")
    assert (review.directory / "review.html").read_text().startswith("<!DOCTYPE html>")

    review.decide({"postgres:alice": "remove"})
    recorded = review.record()
    assert recorded.exit_code == 0, recorded.output
    [path] = review.evidence.glob("access-review-*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    record = json.loads(path.read_text())
    assert record["kind"] == "access-review" and record["facts"]["reviewers"] == [
        "carol@claver.app"]
    assert record["facts"]["counts"] == {"keep": 6, "remove": 1}
    assert record["facts"]["inputs"]["review"]["sha256"] == hashlib.sha256(
        review.file.read_bytes()).hexdigest()
    assert record["controls"] == [{"id": "ACCESS-REVIEW", "status": "pass",
                                   "checks": ["access-review:recorded"], "findings": []}]
    records = open_store(review.evidence)
    assert [r.to_json() for r in records.read("access-review")] == [record]  # hash verifies
    assert record["targets"]["database"].startswith("postgresql://auditor@127.0.0.1:")
    assert record["targets"]["cloudflare"]["account"] == CLOUDFLARE_ACCOUNT

    # the removal was not carried out: the next prepare and the live check both say so
    again = review.prepare()
    assert again.exit_code == 1
    assert "postgres:alice -> postgres:postgres/public was to be removed" in again.output
    shown = {row["principal"]: row for row in review.document()["rows"]}["postgres:alice"]
    assert (shown["decision"], shown["last_decision"]) == (
        "", "remove by carol@claver.app: quarterly review: remove")
    assert live_check.check(records, live_inventory(review.dsn)).status is Status.FAIL

    # carried out, and a principal added: no finding, and the changes show both
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("DROP OWNED BY alice; DROP ROLE alice")
    client("iam", review.aws).create_role(
        RoleName="oncall-alice-2", AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    third = review.prepare()
    print(third.output)
    changes = review.document()["changes"]
    assert changes["added"] == [f"aws:role/oncall-alice-2 -> aws:account/{ACCOUNT} (none)"]
    assert changes["removed"] == ["postgres:alice -> postgres:postgres/public (read)"]
    assert "removal-not-done" not in third.output
    assert live_check.check(records, live_inventory(review.dsn)).status is Status.PASS

    texts = [first.output, recorded.output, again.output, third.output, path.read_text(),
             review.file.read_text(), (review.directory / "review.md").read_text(),
             (review.directory / "review.html").read_text()]
    assert not [t for t in texts if DB_PASSWORD in t or TOKEN in t]


def test_a_reduction_not_made_is_outstanding_on_the_next_prepare(review):
    review, pg = review
    assert review.prepare().exit_code == 0
    review.decide({"postgres:alice": "reduce"})
    assert review.record().exit_code == 0

    again = review.prepare()
    assert again.exit_code == 1
    assert ("ACCESS-REVIEW: postgres:alice -> postgres:postgres/public was to be reduced "
            in again.output and "is unchanged (read)" in again.output)
    alice = {row["principal"]: row for row in review.document()["rows"]}["postgres:alice"]
    assert alice["flags"] == ["reduction-not-done"]
    assert alice["last_decision"] == "reduce by carol@claver.app: quarterly review: reduce"

    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("REVOKE SELECT ON jobs FROM alice")
    reduced = review.prepare()
    assert reduced.exit_code == 0, reduced.output
    changes = review.document()["changes"]
    assert changes["removed"] == ["postgres:alice -> postgres:postgres/public (read)"]
    assert changes["widened"] == []  # alice's login alone (level none) is not a widening
