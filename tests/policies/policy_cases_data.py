"""AWS data at rest (hashicorp/aws v6 shapes): ENC-AT-REST, BACKUP-KEY-SEPARATE, BACKUP-DAILY-35D,
and the database guards of NO-PUBLIC-DB."""

from __future__ import annotations

from typing import Any

from policy_plan_builder import Resource
from policy_scenario import FAILED, NOT_APPLICABLE, PASSED, Scenario

BACKUP_KEY_TAGS = {"trustctl:purpose": "backup"}
BACKUP_BUCKET_TAGS = {"trustctl:role": "backup"}
SSE_KEY_PATH = ("rule", "apply_server_side_encryption_by_default", "kms_master_key_id")


def kms_key(name: str, tags: dict[str, str] | None = None, **values: Any) -> Resource:
    key = {
        "description": name,
        "enable_key_rotation": True,
        "deletion_window_in_days": 30,
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "tags": tags or {"trustctl:purpose": "data"},
    }
    return Resource("aws_kms_key", name, {**key, **values})


def bucket(name: str, tags: dict[str, str] | None = None, **values: Any) -> Resource:
    return Resource(
        "aws_s3_bucket", name, {"bucket": f"claver-{name}", "tags": tags or {}, **values}
    )


def bucket_encryption(name: str, bucket_name: str, key: str | None, algorithm: str) -> Resource:
    refs = {("bucket",): f"aws_s3_bucket.{bucket_name}.id"}
    if key:
        refs[SSE_KEY_PATH] = f"aws_kms_key.{key}.arn"
    rule = {"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}
    return Resource(
        "aws_s3_bucket_server_side_encryption_configuration",
        name,
        {"rule": [{**rule, "bucket_key_enabled": True}]},
        refs,
    )


def encrypted_bucket(
    s: Scenario,
    name: str,
    key: str | None,
    algorithm: str = "aws:kms",
    tags: dict[str, str] | None = None,
) -> tuple[Resource, Resource]:
    """A bucket and its encryption configuration, both added to the scenario."""
    b = s.add(bucket(name, tags))
    return b, s.add(bucket_encryption(name, name, key, algorithm))


def encryption_scenario() -> Scenario:
    s = Scenario()
    s.add(kms_key("data"))
    s.expect(PASSED, "CKV_TRUST_8 CKV_AWS_7", s.resources[0])
    s.expect(FAILED, "CKV_TRUST_8 CKV_AWS_7", kms_key("no_rotation", enable_key_rotation=False))
    s.expect(FAILED, "CKV_TRUST_8", kms_key("rsa", customer_master_key_spec="RSA_4096"))
    s.expect(FAILED, "CKV_TRUST_8", kms_key("hasty", deletion_window_in_days=5))
    signing = {"customer_master_key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY",
               "enable_key_rotation": False}  # signs, encrypts nothing: AWS cannot rotate it
    s.expect(PASSED, "CKV_TRUST_8", kms_key("signing", **signing))
    s.expect(FAILED, "CKV_TRUST_8", kms_key("signing_hasty", deletion_window_in_days=5,
                                            **signing))
    s.expect(FAILED, "CKV_TRUST_8", kms_key("symmetric_signing", key_usage="SIGN_VERIFY",
                                            enable_key_rotation=False))
    good, _ = encrypted_bucket(s, "files", "data")
    s.expect(PASSED, "CKV_TRUST_7", good)
    aes, _ = encrypted_bucket(s, "files_sse_s3", None, algorithm="AES256")
    s.expect(FAILED, "CKV_TRUST_7", aes)
    aws_managed, _ = encrypted_bucket(s, "files_aws_managed_key", None)
    s.expect(FAILED, "CKV_TRUST_7", aws_managed)
    s.expect(FAILED, "CKV_TRUST_7", bucket("files_unencrypted"))
    access_logs = {"trustctl:role": "access-logs"}
    log_bucket, _ = encrypted_bucket(s, "access_logs", None, algorithm="AES256", tags=access_logs)
    s.expect(PASSED, "CKV_TRUST_7", log_bucket)
    log_bucket_no_sse = bucket("access_logs_unencrypted", access_logs)
    s.expect(FAILED, "CKV_TRUST_7", log_bucket_no_sse)
    return s


def key_separation_scenario() -> Scenario:
    s = Scenario()
    backup_key = s.add(kms_key("backup", BACKUP_KEY_TAGS))
    s.add(kms_key("app"))
    vault = Resource(
        "aws_backup_vault",
        "vault",
        {"name": "claver"},
        {("kms_key_arn",): "aws_kms_key.backup.arn"},
    )
    s.expect(PASSED, "CKV_TRUST_9 CKV_AWS_166", vault)
    s.expect(
        FAILED,
        "CKV_TRUST_9",
        Resource(
            "aws_backup_vault",
            "vault_data_key",
            {"name": "x"},
            {("kms_key_arn",): "aws_kms_key.app.arn"},
        ),
    )
    s.expect(
        FAILED,
        "CKV_TRUST_9 CKV_AWS_166",
        Resource("aws_backup_vault", "vault_default_key", {"name": "y"}),
    )
    _, good = encrypted_bucket(s, "backups", "backup", tags=BACKUP_BUCKET_TAGS)
    s.expect(PASSED, "CKV_TRUST_10", good)
    _, data_ok = encrypted_bucket(s, "uploads", "app")
    s.expect(PASSED, "CKV_TRUST_10", data_ok)
    _, backups_on_data_key = encrypted_bucket(s, "backups_data_key", "app", tags=BACKUP_BUCKET_TAGS)
    s.expect(FAILED, "CKV_TRUST_10", backups_on_data_key)
    _, data_on_backup_key = encrypted_bucket(s, "uploads_backup_key", "backup")
    s.expect(FAILED, "CKV_TRUST_10", data_on_backup_key)
    _, logs_sse_s3 = encrypted_bucket(s, "logs_sse_s3", None, algorithm="AES256")
    s.expect(PASSED, "CKV_TRUST_10", logs_sse_s3)
    _, backups_sse_s3 = encrypted_bucket(
        s, "backups_sse_s3", None, algorithm="AES256", tags=BACKUP_BUCKET_TAGS
    )
    s.expect(FAILED, "CKV_TRUST_10", backups_sse_s3)
    s.expect(PASSED, "CKV_TRUST_11", backup_key)
    shared = s.add(kms_key("backup_shared", BACKUP_KEY_TAGS))
    s.add(
        Resource(
            "aws_sqs_queue",
            "jobs",
            {"name": "jobs"},
            {("kms_master_key_id",): "aws_kms_key.backup_shared.arn"},
        )
    )
    s.expect(FAILED, "CKV_TRUST_11", shared)
    return s


def backup_plan(name: str, schedule: str, delete_after: int) -> Resource:
    rule = {
        "rule_name": "daily",
        "target_vault_name": "claver",
        "schedule": schedule,
        "lifecycle": [{"delete_after": delete_after}],
    }
    return Resource("aws_backup_plan", name, {"name": name, "rule": [rule]})


def vault_lock(name: str, vault: str, **values: Any) -> Resource:
    lock = {"min_retention_days": 35, "max_retention_days": 365, "changeable_for_days": 3}
    return Resource(
        "aws_backup_vault_lock_configuration",
        name,
        {**lock, **values},
        {("backup_vault_name",): f"aws_backup_vault.{vault}.name"},
    )


def object_lock(bucket_name: str, mode: str, days: int) -> Resource:
    retention = {"mode": mode, "days": days}
    return Resource(
        "aws_s3_bucket_object_lock_configuration",
        bucket_name,
        {"rule": [{"default_retention": [retention]}]},
        {("bucket",): f"aws_s3_bucket.{bucket_name}.id"},
    )


def lifecycle(bucket_name: str, days: int, status: str = "Enabled") -> Resource:
    rule = {"id": "expire", "status": status, "expiration": [{"days": days}], "filter": [{}]}
    return Resource(
        "aws_s3_bucket_lifecycle_configuration",
        bucket_name,
        {"rule": [rule]},
        {("bucket",): f"aws_s3_bucket.{bucket_name}.id"},
    )


def retention_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_12", backup_plan("daily", "cron(0 3 * * ? *)", 35))
    s.expect(PASSED, "CKV_TRUST_12", backup_plan("every_12h", "rate(12 hours)", 40))
    s.expect(FAILED, "CKV_TRUST_12", backup_plan("weekly", "cron(0 3 ? * SUN *)", 35))
    s.expect(FAILED, "CKV_TRUST_12", backup_plan("short", "cron(0 3 * * ? *)", 7))
    locked, unlocked = (
        Resource(
            "aws_backup_vault", name, {"name": name}, {("kms_key_arn",): "aws_kms_key.backup.arn"}
        )
        for name in ("locked", "unlocked")
    )
    s.expect(PASSED, "CKV_TRUST_14", locked)
    s.expect(FAILED, "CKV_TRUST_14", unlocked)
    s.expect(PASSED, "CKV_TRUST_13", vault_lock("locked", "locked"))
    s.expect(FAILED, "CKV_TRUST_13", vault_lock("short", "locked", min_retention_days=7))
    governance = vault_lock("governance", "locked")
    del governance.values["changeable_for_days"]
    s.expect(FAILED, "CKV_TRUST_13", governance)

    def backup_bucket(name: str, lock: tuple[str, int] | None, expire: int | None) -> Resource:
        b = s.add(bucket(name, BACKUP_BUCKET_TAGS, object_lock_enabled=True))
        if lock:
            s.add(object_lock(name, *lock))
        if expire:
            s.add(lifecycle(name, expire))
        return b

    s.expect(
        PASSED, "CKV_TRUST_15 CKV_TRUST_16", backup_bucket("vault_files", ("COMPLIANCE", 35), 35)
    )
    s.expect(FAILED, "CKV_TRUST_15", backup_bucket("governance_lock", ("GOVERNANCE", 35), 35))
    s.expect(FAILED, "CKV_TRUST_15", backup_bucket("short_lock", ("COMPLIANCE", 7), 35))
    s.expect(FAILED, "CKV_TRUST_15 CKV_TRUST_16", backup_bucket("no_lock", None, None))
    s.expect(FAILED, "CKV_TRUST_16", backup_bucket("expires_early", ("COMPLIANCE", 35), 7))
    s.expect(PASSED, "CKV_TRUST_15 CKV_TRUST_16", bucket("plain_files"))
    return s


DATABASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    # type: (good values, bad values, built-in encryption check that must fail on the bad one)
    "aws_db_instance": (
        {
            "engine": "postgres",
            "storage_encrypted": True,
            "publicly_accessible": False,
            "backup_retention_period": 35,
        },
        {
            "engine": "postgres",
            "storage_encrypted": False,
            "publicly_accessible": True,
            "backup_retention_period": 7,
        },
        "CKV_AWS_16",
    ),
    "aws_rds_cluster": (
        {"engine": "aurora-postgresql", "storage_encrypted": True, "backup_retention_period": 35},
        {"engine": "aurora-postgresql", "storage_encrypted": False, "backup_retention_period": 1},
        "CKV_AWS_96",
    ),
    "aws_redshift_cluster": (
        {
            "cluster_identifier": "dw",
            "node_type": "ra3.xlplus",
            "encrypted": True,
            "publicly_accessible": False,
            "automated_snapshot_retention_period": 35,
        },
        {
            "cluster_identifier": "dw",
            "node_type": "ra3.xlplus",
            "encrypted": False,
            "publicly_accessible": True,
            "automated_snapshot_retention_period": 1,
        },
        "CKV_AWS_64",
    ),
    "aws_docdb_cluster": (
        {"engine": "docdb", "storage_encrypted": True, "backup_retention_period": 35},
        {"engine": "docdb", "storage_encrypted": False, "backup_retention_period": 1},
        "CKV_AWS_74",
    ),
    "aws_neptune_cluster": (
        {"engine": "neptune", "storage_encrypted": True, "backup_retention_period": 35},
        {"engine": "neptune", "storage_encrypted": False, "backup_retention_period": 1},
        "CKV_AWS_44",
    ),
    "aws_elasticache_replication_group": (
        {
            "description": "cache",
            "engine": "redis",
            "at_rest_encryption_enabled": True,
            "snapshot_retention_limit": 35,
        },
        {
            "description": "cache",
            "engine": "redis",
            "at_rest_encryption_enabled": False,
            "snapshot_retention_limit": 0,
        },
        "CKV_AWS_29",
    ),
    "aws_dynamodb_table": (
        {
            "name": "t",
            "hash_key": "id",
            "point_in_time_recovery": [{"enabled": True}],
            "server_side_encryption": [{"enabled": True}],
        },
        {"name": "t", "hash_key": "id", "point_in_time_recovery": [{"enabled": False}]},
        "CKV_AWS_119",
    ),
}
NOT_PUBLIC = {"aws_db_instance": "CKV_AWS_17", "aws_redshift_cluster": "CKV_AWS_87"}


def database_scenario() -> Scenario:
    s = Scenario()
    for db_type, (good, bad, builtin) in DATABASES.items():
        key_ref = {("kms_key_id",): "aws_kms_key.data.arn"}
        if db_type == "aws_dynamodb_table":
            key_ref = {("server_side_encryption", "kms_key_arn"): "aws_kms_key.data.arn"}
        ok = Resource(db_type, "good", good, key_ref)
        broken = Resource(db_type, "bad", bad)
        s.expect(PASSED, f"CKV_TRUST_17 {builtin}", ok)
        s.expect(FAILED, f"CKV_TRUST_17 {builtin}", broken)
        if db_type in NOT_PUBLIC:
            s.expect(PASSED, f"CKV_TRUST_24 {NOT_PUBLIC[db_type]}", ok)
            s.expect(FAILED, f"CKV_TRUST_24 {NOT_PUBLIC[db_type]}", broken)
    s.merge(subnet_group_placement_scenario())
    s.expect(
        NOT_APPLICABLE,
        "CKV_TRUST_17",
        Resource(
            "aws_elasticache_cluster", "memcached", {"engine": "memcached", "num_cache_nodes": 1}
        ),
    )
    s.expect(
        FAILED,
        "CKV_TRUST_17",
        Resource(
            "aws_elasticache_cluster", "redis", {"engine": "redis", "snapshot_retention_limit": 1}
        ),
    )
    s.expect(
        FAILED, "CKV_AWS_3", Resource("aws_ebs_volume", "bad", {"encrypted": False, "size": 8})
    )
    search = {"domain_name": "search", "encrypt_at_rest": [{"enabled": False}]}
    s.expect(FAILED, "CKV_AWS_5 CKV_TRUST_24", Resource("aws_opensearch_domain", "bad", search))
    private_search = {
        **search,
        "encrypt_at_rest": [{"enabled": True}],
        "vpc_options": [{"subnet_ids": ["subnet-0a1b2c"]}],
    }
    s.expect(
        PASSED, "CKV_AWS_5 CKV_TRUST_24", Resource("aws_opensearch_domain", "good", private_search)
    )
    for db_type, builtin in (
        ("aws_dms_replication_instance", "CKV_AWS_89"),
        ("aws_neptune_cluster_instance", "CKV_AWS_102"),
        ("aws_rds_cluster_instance", "CKV_AWS_17"),
    ):
        s.expect(
            FAILED,
            f"{builtin} CKV_TRUST_24",
            Resource(db_type, "public", {"publicly_accessible": True}),
        )
    return s


def subnet_group_placement_scenario() -> Scenario:
    s = Scenario()
    for db_type, group_attribute in (
        ("aws_db_instance", "db_subnet_group_name"),
        ("aws_redshift_cluster", "cluster_subnet_group_name"),
    ):
        group = {(group_attribute,): "aws_db_subnet_group.private.name"}
        s.expect(PASSED, "CKV_TRUST_32", Resource(db_type, "placed", {}, group))
        s.expect(FAILED, "CKV_TRUST_32", Resource(db_type, "default_vpc", {}))
    named = Resource("aws_elasticache_replication_group", "named", {"subnet_group_name": "private"})
    s.expect(PASSED, "CKV_TRUST_32", named)
    return s


def data_scenario() -> Scenario:
    s = encryption_scenario()
    for part in (key_separation_scenario, retention_scenario, database_scenario):
        s.merge(part())
    return s
