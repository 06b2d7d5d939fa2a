"""`trustctl access-review` exit codes and fail-closed behaviour: nothing silently left out."""

from __future__ import annotations

import json

import pytest

from access_review.cli_support import Review, run
from access_review.cloudflare_api import member
from access_review.support import refusing_aws
from trustctl.aws import AwsTarget, client
from trustctl.records import open_store


@pytest.fixture
def review(tmp_path, roster_file) -> Review:
    return Review(tmp_path, roster_file)


def test_a_source_neither_configured_nor_skipped_is_an_error_not_an_omission(review):
    result = review.prepare()
    assert result.exit_code == 2
    errors = {e["source"]: e["message"] for e in review.document()["errors"]}
    assert errors == {
        "aws": "not configured: set AWS_REGION (or --region), or --skip aws",
        "database": "not configured: set TRUSTCTL_DATABASE_DSN to the DSN, or --skip database",
        "cloudflare": "not configured: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID, or "
                      "--skip cloudflare",
        "cloudtrail": "not configured: reads are read from AWS"}
    assert "NOT READ aws: configuration" in result.output
    assert "controls STAFF-ACCESS error, ACCESS-LOGGED error, ACCESS-REVIEW error" in \
        result.output


def test_sources_skipped_on_purpose_are_said_so_and_pass(review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    result = review.prepare("--skip", "aws", "--skip", "database")
    assert result.exit_code == 0, result.output
    sources = review.document()["sources"]
    assert sources == {"aws": "skipped: left out with --skip", "cloudflare": "read",
                       "cloudtrail": "skipped: AWS left out",
                       "database": "skipped: left out with --skip",
                       "database-log": "skipped: the database left out"}
    assert ("controls STAFF-ACCESS pass, ACCESS-LOGGED not_applicable, ACCESS-REVIEW awaiting "
            "decisions (then `trustctl access-review record`)") in result.output


def test_a_prepared_review_is_no_pass_of_access_review(review, cloudflare_api):
    """Nobody has decided anything yet: ACCESS-REVIEW is left to `record`, never `pass`."""
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    result = review.prepare("--skip", "aws", "--skip", "database", "--format", "json")
    assert result.exit_code == 0, result.output
    controls = {c["id"]: c for c in json.loads(result.stdout)["controls"]}
    assert controls["STAFF-ACCESS"]["status"] == "pass"  # what prepare does judge
    assert controls["ACCESS-REVIEW"] == {
        "id": "ACCESS-REVIEW", "status": "not_applicable", "findings": [],
        "checks": ["access-review:reduction-not-done", "access-review:removal-not-done"],
        "owned_by": "trustctl access-review record"}


def test_nothing_read_at_all_passes_nothing(review):
    result = review.prepare("--skip", "aws", "--skip", "database", "--skip", "cloudflare",
                            "--format", "json")
    assert result.exit_code == 0
    assert {c["status"] for c in json.loads(result.stdout)["controls"]} == {"not_applicable"}


def test_access_denied_makes_the_review_incomplete_exit_2(review):
    with refusing_aws() as url:
        review.aws = AwsTarget("eu-west-2", url)
        result = review.prepare("--skip", "database", "--skip", "cloudflare", "--format",
                                "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    status = {c["id"]: c["status"] for c in report["controls"]}
    assert status == {"STAFF-ACCESS": "error", "ACCESS-LOGGED": "error",
                      "ACCESS-REVIEW": "error"}
    assert {"IAM users", "IAM roles", "trails"} <= {e["what"] for e in report["errors"]}


def test_a_finding_is_not_hidden_behind_what_could_not_be_read(review, cloudflare_api):
    cloudflare_api.members = [member("ops@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    with refusing_aws() as url:
        review.aws = AwsTarget("eu-west-2", url)
        result = review.prepare("--skip", "database", "--format", "json")
    assert result.exit_code == 1
    staff = next(c for c in json.loads(result.stdout)["controls"] if c["id"] == "STAFF-ACCESS")
    assert staff["status"] == "fail"
    assert {f["check_id"] for f in staff["findings"]} == {"access-review:shared-principal",
                                                         "access-review:not-on-roster"}


def test_an_unknown_skip_is_bad_input(review):
    result = review.prepare("--skip", "github")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "trustctl: error: --skip takes aws, database, cloudflare, not github")


def test_an_incomplete_review_is_refused_and_nothing_is_recorded(review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator"),
                              member("bob@claver.app", "Analytics Read")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws", "--skip", "database")
    review.decide({"cloudflare:member/bob@claver.app": "remove"})
    document = review.document()
    document["rows"][1]["reason"] = ""
    document["rows"][0]["reviewer"] = " "
    review.file.write_text(json.dumps(document))  # JSON is YAML too
    result = review.record()
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"trustctl: error: {review.file}: the review is not complete: row 1 ")
    assert "no reviewer" in line and "row 2" in line and "a remove needs a reason" in line
    assert not review.evidence.exists()


@pytest.mark.parametrize(("text", "says"), [
    ("hello: world\n", "not a trustctl-access-review/1 review"),
    ("format: trustctl-access-review/1\nrows: []\n", "the review lacks review_id"),
    ("rows: [", "notes.yaml:2: not valid YAML (did not find expected node content)"),
])
def test_recording_a_file_that_is_not_a_review_is_bad_input(tmp_path, text, says):
    path = tmp_path / "notes.yaml"
    path.write_text(text)
    result = run("record", str(path), "--evidence-dir", str(tmp_path / "evidence"))
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert says in line


def test_a_row_stripped_of_its_facts_is_bad_input(review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws", "--skip", "database")
    review.decide({})
    document = review.document()
    del document["rows"][0]["principal"]
    review.file.write_text(json.dumps(document))
    result = review.record()
    assert result.exit_code == 2
    assert "row 1 lacks one of id, principal, resource, level" in result.output


def test_a_review_that_names_no_environment_is_refused_never_taken_for_production(
        review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws", "--skip", "database")
    review.decide({})
    document = review.document()
    assert document.pop("environment") == {"name": "production"}
    review.file.write_text(json.dumps(document))
    result = review.record()
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line == (f"trustctl: error: {review.file}: names no environment (production or "
                    "sandbox); record the file `trustctl access-review prepare` wrote")
    assert not review.evidence.exists()


def test_a_sandbox_review_is_recorded_as_the_sandbox_s(review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws", "--skip", "database")
    review.decide({})
    document = review.document()
    document["environment"] = {"name": "sandbox", "profile": "supabase"}
    review.file.write_text(json.dumps(document))
    assert review.record().exit_code == 0
    [path] = review.evidence.glob("access-review-*.json")
    provenance = json.loads(path.read_text())["provenance"]
    assert provenance["environment"] == {"name": "sandbox", "profile": "supabase"}


def test_a_review_that_missed_a_source_is_recorded_but_does_not_count(review, cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws")  # the database is neither configured nor skipped
    review.decide({})
    result = review.record()
    assert result.exit_code == 2
    assert "does not count as the quarter's review" in result.output
    [path] = review.evidence.glob("access-review-*.json")
    control = json.loads(path.read_text())["controls"][0]
    assert control["status"] == "error"
    assert control["findings"] == [{"message": "not read when the review was prepared: "
                                               "database: configuration"}]


def test_an_unwritable_review_path_is_one_line(review, tmp_path):
    (tmp_path / "taken").write_text("a file, not a directory")
    review.directory = tmp_path / "taken"
    result = review.prepare("--skip", "aws", "--skip", "database", "--skip", "cloudflare")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(
        f"trustctl: error: cannot write the review to {tmp_path / 'taken'}")


def test_a_review_is_recorded_to_the_evidence_bucket(review, cloudflare_api, aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    client("s3", aws).create_bucket(
        Bucket="review-evidence", ObjectLockEnabledForBucket=True,
        CreateBucketConfiguration={"LocationConstraint": aws.region})
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    review.cloudflare = cloudflare_api
    review.prepare("--skip", "aws", "--skip", "database")
    review.decide({})
    result = review.record("--evidence", "s3://review-evidence/records")
    assert result.exit_code == 0, result.output
    assert "record  s3://review-evidence/records/access-review-" in result.output
    assert not review.evidence.exists()  # the bucket, not the directory
    [stored] = open_store("s3://review-evidence/records").read("access-review")
    assert stored.status_of("ACCESS-REVIEW") == "pass"
    assert stored.facts.reviewers == ["carol@claver.app"]
