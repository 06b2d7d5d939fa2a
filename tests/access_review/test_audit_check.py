"""ACCESS-REVIEW in `trustctl audit`: the audit's own AWS, database and Cloudflare settings become
the review's sources (moto, a real Postgres, a Cloudflare-like API), and the check passes only
on a fresh recorded review whose removals were carried out."""

from __future__ import annotations

import json
from datetime import timedelta

import psycopg
import pytest
from typer.testing import CliRunner

from access_review.cli_support import Review
from access_review.cloudflare_api import TOKEN, ZONE, member
from access_review.support import ACCOUNT, trust_policy
from trustctl.audit.access_reader import AccessReader
from trustctl.audit.expectations import Expectations
from trustctl.audit.registry import all_checks
from trustctl.audit.targets import Targets, access_sources
from trustctl.aws import client
from trustctl.cli import app
from trustctl.records import open_store
from trustctl.report.results import Status

ALICE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/oncall-alice"
REVIEWED = {"aws:role/oncall-alice", "postgres:alice", "cloudflare:member/alice@claver.app"}
ONLY_ACCESS_AND_DATABASE = [x for area in ("aws", "cloudflare", "site", "supabase", "records")
                            for x in ("--skip", area)]


@pytest.fixture
def world(tmp_path, roster_file, aws, postgres_factory, cloudflare_api, monkeypatch):
    """A role, a database login and a Cloudflare member, each reviewed, and the audit's view."""
    client("iam", aws).create_role(RoleName="oncall-alice",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": ALICE_ROLE}))
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    pg = postgres_factory("audit-access")
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (tenant_id uuid, id int);"
                     "CREATE ROLE alice LOGIN; GRANT SELECT ON jobs TO alice")
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    review = Review(tmp_path, roster_file, aws, pg.dsn(), cloudflare_api)
    targets = Targets(expected=Expectations(), region=aws.region, database=pg.dsn(),
                      cloudflare_zone=ZONE, cloudflare_base_url=cloudflare_api.url,
                      records=open_store(review.evidence))
    yield review, pg, targets
    pg.destroy()


def recorded(review: Review, decisions: dict[str, str]) -> None:
    prepared = review.prepare()
    assert prepared.exit_code in (0, 1), prepared.output
    review.decide(decisions)
    assert review.record().exit_code == 0


def judged(targets: Targets, later: timedelta = timedelta()):
    reader = AccessReader(targets.records, access_sources(targets))
    reader.now += later
    return next(c for c in all_checks() if c.id == "AUD_ACCESS_REVIEW_1").run(reader)


def test_a_fresh_review_whose_removals_were_done_passes(world):
    review, pg, targets = world
    recorded(review, {"postgres:alice": "remove"})
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("DROP OWNED BY alice; DROP ROLE alice")
    outcome = judged(targets)
    assert (outcome.status, outcome.findings, outcome.unreadable) == (Status.PASS, [], [])
    assert outcome.facts["cloudflare"]["zone"] == ZONE
    assert outcome.facts["aws"]["endpoint"] == review.aws.endpoint_url


def test_removals_still_in_force_fail_in_every_source(world):
    review, _pg, targets = world
    recorded(review, dict.fromkeys(REVIEWED, "remove"))
    outcome = judged(targets)
    assert outcome.status is Status.FAIL
    # Cloudflare: the review named the account; the audit finds it through its zone
    assert {f.resource for f in outcome.findings} == REVIEWED
    assert all("was to be removed" in f.message for f in outcome.findings)


def test_a_review_older_than_92_days_fails(world):
    review, _pg, targets = world
    recorded(review, {})
    assert judged(targets, timedelta(days=91, hours=23)).status is Status.PASS
    stale = judged(targets, timedelta(days=93))
    assert stale.status is Status.FAIL
    assert "recorded 93 days ago, more than 92" in stale.findings[0].message


def test_no_review_recorded_fails(world):
    _review, _pg, targets = world
    outcome = judged(targets)
    assert outcome.status is Status.FAIL
    assert outcome.findings[0].message.startswith("no completed access review recorded in")


def test_a_source_the_audit_lacks_leaves_removals_unverified(world):
    review, _pg, targets = world
    recorded(review, {"postgres:alice": "remove"})
    outcome = judged(Targets(expected=Expectations(), region=targets.region,
                             records=targets.records))
    assert outcome.status is Status.ERROR
    assert any("database: configuration: not configured: no database: set TRUSTCTL_AUDIT_DSN"
               in u for u in outcome.unreadable)
    assert any("cloudflare: configuration: not configured" in u for u in outcome.unreadable)


def audit(review: Review, dsn: str, *args: str):
    return CliRunner().invoke(app, ["audit", *ONLY_ACCESS_AND_DATABASE, "--evidence-dir",
                                    str(review.evidence), "--format", "json", *args],
                              env={"TRUSTCTL_AUDIT_DSN": dsn})


def test_cli_unreachable_database_is_error_exit_2_but_a_missing_review_fails(world):
    review, _pg, _targets = world
    unreachable = "postgresql://auditor:pw-5d1c@127.0.0.1:9/claver"
    missing = audit(review, unreachable)
    assert missing.exit_code == 1, missing.output  # no review at all: a finding, exit 1
    assert status_of(missing, "ACCESS-REVIEW") == "fail"

    recorded(review, {"postgres:alice": "remove"})
    result = audit(review, unreachable)
    assert result.exit_code == 2, result.output
    access = next(c for c in json.loads(result.stdout)["controls"] if c["id"] == "ACCESS-REVIEW")
    assert access["status"] == "error"
    assert any("could not check: not read, so removals and reductions there are unverified: "
               "database: roles and grants of postgresql://auditor@127.0.0.1:9/claver"
               in f["message"]
               for f in access["findings"])
    assert "pw-5d1c" not in result.output
    assert all("pw-5d1c" not in p.read_text() for p in review.evidence.glob("audit-*.json"))


def status_of(result, control: str) -> str:
    return next(c["status"] for c in json.loads(result.stdout)["controls"] if c["id"] == control)
