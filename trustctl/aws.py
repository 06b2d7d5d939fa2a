"""Where AWS calls go: real AWS through boto3's usual credential chain, or a local moto server.

A target with an endpoint on 127.0.0.1/localhost is a local stand-in (moto): its clients get
fixed dummy credentials, so the sandbox and the tests need no AWS account and real credentials
are never sent to a local process. Its S3 requests leave the body out of the SigV4 signature
(UNSIGNED-PAYLOAD): over plain HTTP botocore would otherwise SHA-256 every uploaded byte, yet on
loopback nothing sits between client and server to alter them, and over HTTPS (real S3) botocore
already sends streamed bodies unsigned, with their checksum. What a backup's integrity rests on is
the envelope's AES-GCM and the MAC'd manifest, never SigV4's body hash. Remote plain-HTTP
endpoints keep botocore's signing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trustctl.errors import DependencyError, InputError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True)
class AwsTarget:
    """An AWS region, an endpoint override when the target is a local stand-in, and a named
    profile of the credential chain when one is chosen (--profile)."""

    region: str
    endpoint_url: str | None = None
    profile: str | None = None

    @property
    def is_local(self) -> bool:
        """True when the endpoint is on this machine (moto), never real AWS."""
        return self.endpoint_url is not None and urlsplit(self.endpoint_url).hostname in LOCAL_HOSTS


def from_environment() -> AwsTarget:
    """The target named by AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return AwsTarget(region, os.environ.get("AWS_ENDPOINT_URL") or None)


def client(service: str, target: AwsTarget) -> Any:
    """A boto3 client for `service` at `target` (endpoint and dummy credentials when local)."""
    import boto3  # here, not at the top: commands that never call AWS start a second sooner
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = None
    if target.is_local:
        session = boto3.session.Session(region_name=target.region, **LOCAL_CREDENTIALS)
        config = Config(s3={"payload_signing_enabled": False}) if service == "s3" else None
    else:
        session = boto3.session.Session(region_name=target.region, profile_name=target.profile)
    try:
        return session.client(service, endpoint_url=target.endpoint_url, config=config)
    except BotoCoreError as exc:  # e.g. a malformed region
        raise InputError(f"cannot make an AWS {service} client: {exc}") from None
    except ValueError:  # botocore's "Invalid endpoint": bad input, not an internal error
        raise InputError(f"not a valid AWS endpoint URL: {target.endpoint_url}") from None


@contextlib.contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """AWS could not be reached or refused: exit 2 with one line, no stack trace."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DependencyError(f"{what}: AWS said {error.get('Code')}: "
                              f"{error.get('Message', '')}".rstrip(": ")) from None
    except BotoCoreError as exc:
        raise DependencyError(f"{what}: {type(exc).__name__}: {exc}") from None


def reach_local_s3control(s3control: Any) -> Any:
    """Let an s3control client reach a local endpoint: S3 Control puts the account id in front
    of the host (123456789012.127.0.0.1), which does not resolve; drop it before sending."""

    def drop_account_prefix(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        first, _, rest = host.partition(".")
        if first.isdigit() and rest in LOCAL_HOSTS:
            request.url = parts._replace(netloc=parts.netloc.replace(f"{first}.", "", 1)).geturl()

    s3control.meta.events.register_first("before-send.s3-control", drop_account_prefix)
    return s3control
