"""aws.client reaches the local moto server with dummy credentials; real AWS otherwise. Local S3
requests leave their body out of the signature; other endpoints keep botocore's signing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from trustctl.aws import AwsTarget, client


def test_local_target_reaches_moto(aws: AwsTarget) -> None:
    s3 = client("s3", aws)
    s3.create_bucket(Bucket="probe", CreateBucketConfiguration={"LocationConstraint": aws.region})
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["probe"]
    assert s3.meta.endpoint_url == aws.endpoint_url


def test_only_loopback_endpoints_count_as_local() -> None:
    assert AwsTarget("eu-west-2", "http://127.0.0.1:5000").is_local
    assert AwsTarget("eu-west-2", "http://localhost:5000").is_local
    assert not AwsTarget("eu-west-2", "https://s3.eu-west-2.amazonaws.com").is_local
    assert not AwsTarget("eu-west-2").is_local


class _Sent(Exception):
    """Stops a request at the moment it would be sent, with its body's signature header."""


def _signed_body_header(s3: Any) -> str:
    def stop(request: Any, **_: Any) -> None:
        raise _Sent(request.headers["X-Amz-Content-SHA256"].decode())

    s3.meta.events.register("before-send.s3.PutObject", stop)
    with pytest.raises(_Sent) as sent:
        s3.put_object(Bucket="b", Key="k", Body=b"body", ChecksumAlgorithm="CRC32")
    return str(sent.value)


def test_local_s3_bodies_are_not_hashed_into_the_signature(aws: AwsTarget) -> None:
    assert _signed_body_header(client("s3", aws)) == "UNSIGNED-PAYLOAD"
    s3 = client("s3", aws)
    s3.create_bucket(Bucket="unsigned",
                     CreateBucketConfiguration={"LocationConstraint": aws.region})
    s3.put_object(Bucket="unsigned", Key="k", Body=b"body", ChecksumAlgorithm="CRC32")
    assert s3.get_object(Bucket="unsigned", Key="k")["Body"].read() == b"body"  # moto takes it


def test_remote_plain_http_endpoints_keep_the_body_signed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # stopped before it is sent anyway
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    remote = client("s3", AwsTarget("eu-west-2", "http://backups.example.net:9000"))
    assert _signed_body_header(remote) == hashlib.sha256(b"body").hexdigest()
