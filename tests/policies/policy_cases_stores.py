"""ENC-AT-REST beyond buckets and databases: every other place that can hold customer data
(instance disks, queues, topics, streams, log groups, image repositories, file systems)."""

from __future__ import annotations

from typing import Any

from policy_plan_builder import Resource
from policy_scenario import FAILED, PASSED, Scenario

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001"


def instance(name: str, **values: Any) -> Resource:
    return Resource("aws_instance", name, {"ami": "ami-0abc", "instance_type": "t3.micro",
                                           **values})


def launch_template(name: str, *encrypted: str) -> Resource:
    mappings = [{"device_name": f"/dev/xvd{chr(97 + i)}", "ebs": [{"encrypted": flag}]}
                for i, flag in enumerate(encrypted)]
    return Resource("aws_launch_template", name, {"name": name, "block_device_mappings": mappings})


def instance_disk_scenario() -> Scenario:
    s = Scenario()
    encrypted_root = [{"encrypted": True, "kms_key_id": KEY_ARN}]
    s.expect(PASSED, "CKV_TRUST_45", instance(
        "app_encrypted", root_block_device=encrypted_root,
        ebs_block_device=[{"device_name": "/dev/sdf", "encrypted": True}]))
    s.expect(FAILED, "CKV_TRUST_45", instance("app_unencrypted_root",
                                              root_block_device=[{"encrypted": False}]))
    # `encrypted` omitted: AWS creates the volume unencrypted; CKV_AWS_8 records nothing
    s.expect(FAILED, "CKV_TRUST_45", instance("app_root_flag_omitted",
                                              root_block_device=[{"volume_size": 20}]))
    s.expect(FAILED, "CKV_TRUST_45", instance("app_no_root_block"))
    s.expect(FAILED, "CKV_TRUST_45", instance(
        "app_unencrypted_data_volume", root_block_device=encrypted_root,
        ebs_block_device=[{"device_name": "/dev/sdf", "encrypted": False}]))
    s.expect(PASSED, "CKV_TRUST_45", launch_template("workers", "true", "true"))
    s.expect(FAILED, "CKV_TRUST_45", launch_template("workers_plain", "true", "false"))
    s.expect(FAILED, "CKV_TRUST_45", launch_template("workers_ami_disks"))
    return s


def message_store_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_AWS_27", Resource("aws_sqs_queue", "stores_jobs",
                                            {"name": "jobs", "kms_master_key_id": KEY_ARN}))
    s.expect(FAILED, "CKV_AWS_27", Resource("aws_sqs_queue", "stores_jobs_plain",
                                            {"name": "plain", "sqs_managed_sse_enabled": False}))
    s.expect(PASSED, "CKV_AWS_26", Resource("aws_sns_topic", "stores_events",
                                            {"name": "events", "kms_master_key_id": KEY_ARN}))
    s.expect(FAILED, "CKV_AWS_26", Resource("aws_sns_topic", "stores_events_plain",
                                            {"name": "plain"}))
    s.expect(PASSED, "CKV_AWS_43", Resource("aws_kinesis_stream", "stores_clicks", {
        "name": "clicks", "shard_count": 1, "encryption_type": "KMS", "kms_key_id": KEY_ARN}))
    s.expect(FAILED, "CKV_AWS_43", Resource("aws_kinesis_stream", "stores_clicks_plain", {
        "name": "plain", "shard_count": 1, "encryption_type": "NONE"}))
    return s


def file_store_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_AWS_158", Resource("aws_cloudwatch_log_group", "stores_app_logs",
                                             {"name": "app", "kms_key_id": KEY_ARN}))
    s.expect(FAILED, "CKV_AWS_158", Resource("aws_cloudwatch_log_group", "stores_app_logs_plain",
                                             {"name": "plain", "retention_in_days": 365}))
    kms = [{"encryption_type": "KMS", "kms_key": KEY_ARN}]
    s.expect(PASSED, "CKV_AWS_136", Resource("aws_ecr_repository", "stores_images",
                                             {"name": "images", "encryption_configuration": kms}))
    s.expect(FAILED, "CKV_AWS_136", Resource("aws_ecr_repository", "stores_images_aes", {
        "name": "aes", "encryption_configuration": [{"encryption_type": "AES256"}]}))
    s.expect(PASSED, "CKV_AWS_42", Resource("aws_efs_file_system", "stores_shared",
                                            {"encrypted": True, "kms_key_id": KEY_ARN}))
    s.expect(FAILED, "CKV_AWS_42", Resource("aws_efs_file_system", "stores_shared_plain",
                                            {"encrypted": False}))
    return s


def stores_scenario() -> Scenario:
    return instance_disk_scenario().merge(message_store_scenario()).merge(file_store_scenario())
