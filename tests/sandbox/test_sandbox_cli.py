"""`trustctl sandbox up | status | down` through the real CLI, with a real background process."""

from __future__ import annotations

import json
import stat
import time

import psutil
import psycopg
import pytest
from sandbox_harness import Cli, RunningSandbox, gone

from trustctl.aws import AwsTarget, client
from trustctl.pg.server import running_pid
from trustctl.sandbox.seed import tenant_id

pytestmark = pytest.mark.slow

PUBLIC_FIELDS = {"aws_endpoint", "region", "backup_bucket", "kms_key_id", "kms_key_arn",
                 "pg_host", "pg_port", "pg_database", "pg_user", "app_role", "tenants",
                 "size_mb", "started_at", "profile", "recovery_region", "replica_bucket",
                 "stand_in_key_arn", "replication"}


def test_up_prints_where_everything_is_and_status_agrees(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    status = sandbox_cli("sandbox", "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    public = json.loads(status.stdout)
    assert public == running_sandbox.public
    assert set(public) == PUBLIC_FIELDS
    assert public["pg_host"] == "127.0.0.1" and public["aws_endpoint"].startswith("http://127.0.0.1:")
    assert (public["pg_database"], public["app_role"]) == ("claver", "claver_app")
    assert "sandbox ready" in running_sandbox.up.stderr  # progress went to stderr


def test_no_password_reaches_output_or_log_and_state_is_private(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    text = sandbox_cli("sandbox", "status")
    log = (running_sandbox.directory / "daemon.log").read_text()
    passwords = running_sandbox.passwords
    assert all(len(p) >= 16 for p in passwords)
    for output in (running_sandbox.up.stdout, running_sandbox.up.stderr, text.stdout,
                   text.stderr, log):
        assert not [p for p in passwords if p in output]
    mode = stat.S_IMODE((running_sandbox.directory / "state.json").stat().st_mode)
    assert mode == 0o600


def test_second_up_returns_the_running_sandbox(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    again = sandbox_cli("sandbox", "up", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == running_sandbox.public


@pytest.mark.parametrize(("flags", "started_with"), [
    (["--size", "medium"], "16 MB"), (["--size-mb", "9"], "16 MB"),
    (["--sandbox-profile", "supabase"], "profile default")])
def test_up_refuses_a_size_or_profile_other_than_the_running_sandboxs(
    running_sandbox: RunningSandbox, sandbox_cli: Cli, flags: list[str], started_with: str,
) -> None:
    result = sandbox_cli("sandbox", "up", *flags)
    flag = " ".join(flags)
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (2, "", [
        f"trustctl: error: {flag}: the sandbox was started with {started_with}; to change it, "
        f"`trustctl sandbox down` (deletes its data), then `trustctl sandbox up {flag}`"])


def test_up_with_the_running_sandboxs_own_size_and_profile_only_prints(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    same = sandbox_cli("sandbox", "up", "--size", "small", "--size-mb", "16",
                       "--sandbox-profile", "default", "--format", "json")
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == running_sandbox.public


def test_backup_bucket_and_key_are_declared_as_infra_declares_them(
    running_sandbox: RunningSandbox,
) -> None:
    info = running_sandbox.public
    target = AwsTarget(info["region"], info["aws_endpoint"])
    s3, kms = client("s3", target), client("kms", target)
    bucket = info["backup_bucket"]
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock["Rule"]["DefaultRetention"]["Days"] == 35
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert any(r["Status"] == "Enabled" and r.get("Expiration", {}).get("Days") == 35
               for r in rules)
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": info["kms_key_arn"]}
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    key = kms.describe_key(KeyId=info["kms_key_id"])["KeyMetadata"]
    assert (key["KeySpec"], key["Arn"]) == ("SYMMETRIC_DEFAULT", info["kms_key_arn"])
    assert kms.get_key_rotation_status(KeyId=info["kms_key_id"])["KeyRotationEnabled"]


def test_the_recovery_region_holds_a_locked_replica_filled_by_the_sandbox(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    """moto does not replicate: the sandbox copies a new backup to the replica within seconds,
    manifest last, under the stand-in key, and says so in `status` and the backup's output."""
    info = running_sandbox.public
    assert info["recovery_region"] == "us-west-2" != info["region"]
    assert any("moto does not replicate" in note for note in info["replication"])
    recovery = AwsTarget(info["recovery_region"], info["aws_endpoint"])
    s3 = client("s3", recovery)
    replica = info["replica_bucket"]
    lock = s3.get_object_lock_configuration(Bucket=replica)["ObjectLockConfiguration"]
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("COMPLIANCE", 35)
    assert s3.get_bucket_location(Bucket=replica)["LocationConstraint"] == "us-west-2"
    assert client("kms", recovery).describe_key(
        KeyId=info["stand_in_key_arn"])["KeyMetadata"]["KeyState"] == "Enabled"

    backup = sandbox_cli("backup", "run", "--sandbox", "--format", "json",
                         "--evidence-dir", str(running_sandbox.directory.parent / "evidence"))
    assert backup.returncode == 0, backup.stderr
    assert "moto does not replicate" in backup.stderr
    object_key = json.loads(backup.stdout)["object_key"]
    manifest_key = object_key.rsplit("/", 1)[0] + "/manifest.json"
    deadline = time.monotonic() + 30
    while not _listed(s3, replica, manifest_key) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _listed(s3, replica, manifest_key), "the sandbox did not copy the backup"
    copy = s3.head_object(Bucket=replica, Key=object_key)
    source = client("s3", AwsTarget(info["region"], info["aws_endpoint"])).head_object(
        Bucket=info["backup_bucket"], Key=object_key)
    assert copy["ContentLength"] == source["ContentLength"]
    assert copy["ObjectLockMode"] == "COMPLIANCE"
    assert copy["ObjectLockRetainUntilDate"] == source["ObjectLockRetainUntilDate"]
    assert "replicated " + manifest_key in (running_sandbox.directory / "daemon.log").read_text()


def _listed(s3: object, bucket: str, key: str) -> bool:
    return s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 1


def test_app_dsn_logs_in_as_claver_app_and_sees_one_tenant(
    running_sandbox: RunningSandbox,
) -> None:
    with psycopg.connect(running_sandbox.state["info"]["app_dsn"]) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id(1)),))
        seen = conn.execute("SELECT current_user, count(DISTINCT tenant_id), count(*) "
                            "FROM invoices").fetchone()
    assert seen[:2] == ("claver_app", 1) and seen[2] > 0


def test_psql_connects_without_showing_the_password(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    query = ("-Atc", "SELECT current_user, count(*) FROM customers")
    superuser = sandbox_cli("sandbox", "psql", "--", *query)
    app = sandbox_cli("sandbox", "psql", "--app", "--", *query)
    assert superuser.returncode == 0, superuser.stderr
    user, rows = superuser.stdout.strip().split("|")
    assert user == "postgres" and int(rows) > 0
    assert app.stdout.strip() == "claver_app|0"  # no tenant named: RLS shows nothing
    for output in (superuser.stdout, superuser.stderr, app.stdout, app.stderr):
        assert not [p for p in running_sandbox.passwords if p in output]


def test_down_stops_every_process_and_removes_the_data(
    running_sandbox: RunningSandbox, sandbox_cli: Cli,
) -> None:
    directory = running_sandbox.directory
    daemon = running_sandbox.state["daemon_pid"]
    moto = running_sandbox.state["moto"]["pid"]
    postmaster = running_pid(directory / "pgdata")
    assert postmaster is not None and psutil.pid_exists(daemon) and psutil.pid_exists(moto)

    result = sandbox_cli("sandbox", "down")

    assert result.returncode == 0, result.stderr
    assert gone(postmaster) and gone(daemon) and gone(moto)
    assert not directory.exists()
    after = sandbox_cli("sandbox", "status", "--format", "json")
    assert after.returncode == 2 and "not up" in after.stderr
    assert json.loads(after.stdout)["status"] == "error"  # the JSON contract, saying why


def test_bad_size_exits_2_with_one_line(sandbox_cli: Cli) -> None:
    result = sandbox_cli("sandbox", "up", "--size", "huge")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trustctl: error: --size must be one of small, medium, large, not 'huge'"]
