"""A regional outage (RPO-RTO, and BACKUP-DAILY-35D for the copies): the backup key replicated,
the backup bucket replicated to an equally protected bucket, recovery points copied."""

from __future__ import annotations

from typing import Any

from policy_cases_data import (
    BACKUP_KEY_TAGS,
    backup_plan,
    bucket,
    bucket_encryption,
    kms_key,
    lifecycle,
    object_lock,
)
from policy_plan_builder import Resource
from policy_scenario import FAILED, NOT_APPLICABLE, PASSED, Scenario

REPLICA_BUCKET_TAGS = {"trustctl:role": "backup-replica"}
PRIMARY_ARN = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd"


def replica_key(name: str, tags: dict[str, str] | None = None, **values: Any) -> Resource:
    key = {"primary_key_arn": PRIMARY_ARN, "region": "us-west-2", "enabled": True,
           "tags": BACKUP_KEY_TAGS if tags is None else tags}
    return Resource("aws_kms_replica_key", name, {**key, **values})


def replication(name: str, **rule_changes: Any) -> Resource:
    rule = {
        "id": "all", "status": "Enabled", "filter": [{}],
        "source_selection_criteria": [{"sse_kms_encrypted_objects": [{"status": "Enabled"}]}],
        "delete_marker_replication": [{"status": "Disabled"}],
        "destination": [{
            "bucket": "arn:aws:s3:::claver-backups-replica",
            "encryption_configuration": [{"replica_kms_key_id": "arn:aws:kms:us-west-2:1:key/r"}],
            "replication_time": [{"status": "Enabled", "time": [{"minutes": 15}]}],
        }],
    }
    return Resource("aws_s3_bucket_replication_configuration", name,
                    {"role": "arn:aws:iam::123456789012:role/replication",
                     "rule": [{**rule, **rule_changes}]})


def key_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_40", kms_key("backup_mrk", BACKUP_KEY_TAGS, multi_region=True))
    s.expect(FAILED, "CKV_TRUST_40", kms_key("backup_single_region", BACKUP_KEY_TAGS))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_40", kms_key("data_single_region"))
    s.expect(PASSED, "CKV_TRUST_41", replica_key("backup_replica"))
    s.expect(FAILED, "CKV_TRUST_41", replica_key("replica_same_region", region="us-east-1"))
    no_region = replica_key("replica_no_region")
    del no_region.values["region"]
    s.expect(FAILED, "CKV_TRUST_41", no_region)
    s.expect(FAILED, "CKV_TRUST_41", replica_key("replica_disabled", enabled=False))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_41",
             replica_key("data_replica", {"trustctl:purpose": "data"}, region="us-east-1"))
    return s


def replication_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_42", replication("copies_everything"))
    s.expect(FAILED, "CKV_TRUST_42", replication("skips_kms_objects", source_selection_criteria=[
        {"sse_kms_encrypted_objects": [{"status": "Disabled"}]}]))
    s.expect(FAILED, "CKV_TRUST_42", replication("no_time_control", destination=[{
        "bucket": "arn:aws:s3:::claver-backups-replica",
        "encryption_configuration": [{"replica_kms_key_id": "arn:aws:kms:us-west-2:1:key/r"}]}]))
    s.expect(FAILED, "CKV_TRUST_42", replication("deletes_follow", delete_marker_replication=[
        {"status": "Enabled"}]))
    s.expect(FAILED, "CKV_TRUST_42", replication("disabled", status="Disabled"))
    return s


def replica_bucket_scenario() -> Scenario:
    s = Scenario()
    s.add(replica_key("recovery"), kms_key("primary_backup", BACKUP_KEY_TAGS, multi_region=True))
    s.add(replica_key("data_recovery", {"trustctl:purpose": "data"}))

    def replica_bucket(name: str, key_ref: str | None, lock: bool = True) -> tuple[Resource, ...]:
        b = s.add(bucket(name, REPLICA_BUCKET_TAGS, object_lock_enabled=lock))
        sse = bucket_encryption(name, name, None, "aws:kms")
        if key_ref:
            sse.refs[("rule", "apply_server_side_encryption_by_default",
                      "kms_master_key_id")] = key_ref
        s.add(sse)
        if lock:
            s.add(object_lock(name, "COMPLIANCE", 35), lifecycle(name, 35))
        return b, sse

    good, good_sse = replica_bucket("replica", "aws_kms_replica_key.recovery.arn")
    s.expect(PASSED, "CKV_TRUST_43 CKV_TRUST_10", good_sse)
    s.expect(PASSED, "CKV_TRUST_7 CKV_TRUST_15 CKV_TRUST_16", good)
    _, primary_key = replica_bucket("replica_primary_key", "aws_kms_key.primary_backup.arn")
    s.expect(FAILED, "CKV_TRUST_43 CKV_TRUST_10", primary_key)
    _, data_key = replica_bucket("replica_data_key", "aws_kms_replica_key.data_recovery.arn")
    s.expect(FAILED, "CKV_TRUST_43", data_key)
    unlocked, _ = replica_bucket("replica_unlocked", "aws_kms_replica_key.recovery.arn",
                                 lock=False)
    s.expect(FAILED, "CKV_TRUST_15 CKV_TRUST_16", unlocked)
    vault = Resource("aws_backup_vault", "recovery", {"name": "recovery"},
                     {("kms_key_arn",): "aws_kms_replica_key.recovery.arn"})
    s.expect(PASSED, "CKV_TRUST_9", vault)
    return s


def copy_scenario() -> Scenario:
    s = Scenario()

    def with_copy(name: str, copy: dict[str, Any] | None) -> Resource:
        plan = backup_plan(name, "cron(0 5 * * ? *)", 35)
        if copy is not None:
            plan.values["rule"][0]["copy_action"] = [copy]
        return plan

    vault = "arn:aws:backup:us-west-2:123456789012:backup-vault:recovery"
    s.expect(PASSED, "CKV_TRUST_44 CKV_TRUST_12", with_copy(
        "copied", {"destination_vault_arn": vault, "lifecycle": [{"delete_after": 35}]}))
    s.expect(FAILED, "CKV_TRUST_44", with_copy("not_copied", None))
    s.expect(FAILED, "CKV_TRUST_44", with_copy(
        "copies_short_lived", {"destination_vault_arn": vault, "lifecycle": [{"delete_after": 7}]}))
    return s


def recovery_scenario() -> Scenario:
    s = key_scenario()
    for part in (replication_scenario, replica_bucket_scenario, copy_scenario):
        s.merge(part())
    return s
