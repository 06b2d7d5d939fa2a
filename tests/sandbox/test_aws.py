"""aws.client reaches the local moto server with dummy credentials; real AWS otherwise."""

from __future__ import annotations

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
