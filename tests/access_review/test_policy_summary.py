"""IAM policy documents summarized to data stores and levels."""

from __future__ import annotations

import json
from urllib.parse import quote

from trustctl.access_review.policy_summary import parse_document, summarize


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_the_widest_level_per_store_wins_across_statements_and_documents():
    assert summarize([
        doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::files"}),
        doc({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::files/*"}),
    ]) == [("s3:files", "read")]


def test_a_wildcard_action_on_every_resource_administers_every_store():
    assert summarize([doc({"Effect": "Allow", "Action": "*", "Resource": "*"})]) == [
        ("backup:*", "admin"), ("kms:*", "admin"), ("s3:*", "admin")]


def test_not_action_counts_as_the_widest():
    assert ("s3:files", "admin") in summarize([doc(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::files/*"})])


def test_deny_statements_and_other_services_are_not_data_access():
    assert summarize([doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                          {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})]) == []


def test_actions_only_reach_resources_of_their_own_service():
    assert summarize([doc({"Effect": "Allow", "Action": ["kms:Decrypt", "s3:PutObject"],
                           "Resource": ["arn:aws:s3:::backups/*",
                                        "arn:aws:kms:us-east-1:123456789012:key/k"]})]) == [
        ("kms:key/k", "read"), ("s3:backups", "write")]


def test_documents_come_as_dicts_json_or_url_encoded_json():
    document = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert parse_document(document) == parse_document(json.dumps(document)) == \
        parse_document(quote(json.dumps(document)))
