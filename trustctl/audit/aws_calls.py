"""How the audit calls AWS: one account's clients, one call or every page, bounded parallelism.

boto3's usual credential chain (or --profile, or an assumed --role-arn), adaptive retries, and
AWS_ENDPOINT_URL honoured by boto3 itself (a local moto server gets dummy credentials, never
real ones). A configuration that does not exist (no bucket policy, no lifecycle) is a fact
(`None`); anything refused, throttled beyond the retries or unreachable raises CouldNotRead
naming the API and resource.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trustctl import redaction
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo
from trustctl.aws import LOCAL_CREDENTIALS, LOCAL_HOSTS, reach_local_s3control

# Codes that mean "this configuration does not exist": a fact, not a failure to read.
ABSENT = frozenset({
    "NoSuchBucketPolicy", "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration", "ObjectLockConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration", "NoSuchTagSet", "NoSuchTagSetError",
    "NoSuchObjectLockConfiguration", "ReplicationConfigurationNotFoundError",
})


@dataclass(frozen=True)
class AwsSettings:
    """Where to audit: region, profile, endpoint (moto), and how many calls in flight."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    parallel: int = 32
    on_call_principals: tuple[str, ...] = ()
    role_arn: str | None = None  # audit another account: assume this (read-only) role first

    @property
    def is_local(self) -> bool:
        endpoint = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        return endpoint is not None and urlsplit(endpoint).hostname in LOCAL_HOSTS

    def describe(self) -> dict[str, Any]:
        return {"region": self.region, "profile": self.profile,
                "endpoint_url": self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL"),
                "on_call_principals": list(self.on_call_principals), "role_arn": self.role_arn}

    def with_role(self, role_arn: str) -> AwsSettings:
        return dataclasses.replace(self, role_arn=role_arn)


class AwsCalls:
    """One account's AWS calls, each fact read once (`_memo`); methods may raise CouldNotRead."""

    def __init__(self, settings: AwsSettings) -> None:
        self.settings = settings
        self._memo = Memo()
        self._clients_lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._session: Any = None
        self._pool = ThreadPoolExecutor(max_workers=settings.parallel,
                                        thread_name_prefix="audit-aws")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def describe(self) -> dict[str, Any]:
        return self.settings.describe()

    def client(self, service: str, region: str | None = None) -> Any:
        """A client in the audited region, or in `region` (the recovery region's KMS).

        Made once, one at a time (a boto3 session is not thread-safe), but a client already
        made is handed out without the lock: the calls in flight do not wait while another
        service's client is made (loading its model takes up to a second)."""
        made = self._clients.get((service, region))
        if made is not None:
            return made
        with self._clients_lock:
            if (service, region) not in self._clients:
                self._clients[service, region] = self._make_client(service, region)
            return self._clients[service, region]

    @property
    def label(self) -> str:
        """The account this reader audits, for findings when several accounts are audited."""
        role = self.settings.role_arn
        return role.split(":")[4] if role else "this account"

    def _base_session(self) -> Any:
        """The caller's session (credential chain or --profile), or the assumed role's."""
        import boto3

        s = self.settings
        credentials = LOCAL_CREDENTIALS if s.is_local else {}
        session = boto3.session.Session(profile_name=s.profile, region_name=s.region,
                                        **credentials)
        if s.role_arn is None:
            return session
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            assumed = session.client("sts", endpoint_url=s.endpoint_url).assume_role(
                RoleArn=s.role_arn, RoleSessionName="trustctl-audit")["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            raise CouldNotRead(f"sts:assume_role {s.role_arn}: {exc}") from None
        redaction.remember(assumed["SecretAccessKey"])
        redaction.remember(assumed["SessionToken"])
        return boto3.session.Session(
            aws_access_key_id=assumed["AccessKeyId"],
            aws_secret_access_key=assumed["SecretAccessKey"],
            aws_session_token=assumed["SessionToken"], region_name=s.region)

    def _make_client(self, service: str, region: str | None = None) -> Any:
        from botocore.config import Config

        s = self.settings
        try:
            if self._session is None:
                self._session = self._base_session()
            made = self._session.client(service, region_name=region, endpoint_url=s.endpoint_url,
                                        config=Config(
                retries={"mode": "adaptive", "max_attempts": 8},
                max_pool_connections=s.parallel, connect_timeout=10, read_timeout=30))
            return reach_local_s3control(made) if service == "s3control" and s.is_local else made
        except CouldNotRead:
            raise
        except Exception as exc:  # a missing profile, a malformed region or endpoint
            raise CouldNotRead(f"cannot make an AWS {service} client: {exc}") from None

    def call(self, service: str, api: str, what: str, region: str | None = None,
             **kwargs: Any) -> dict | None:
        """One API call (in `region` when given); None when the configuration does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client(service, region), api)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ABSENT:
                return None
            raise CouldNotRead(f"{service}:{api} on {what}: {code or 'error'}") from None
        except BotoCoreError as exc:
            raise CouldNotRead(f"{service}:{api} on {what}: {type(exc).__name__}") from None

    def pages(self, service: str, api: str, key: str, what: str, **kwargs: Any) -> list[Any]:
        """Every page's items under `key`."""
        return self.paged(service, api, (key,), what, **kwargs)[key]

    def paged(self, service: str, api: str, keys: tuple[str, ...], what: str,
              **kwargs: Any) -> dict[str, list[Any]]:
        """Every page's items under each of `keys` (one pass, however many lists a page holds)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            pages = list(self.client(service).get_paginator(api).paginate(**kwargs))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise CouldNotRead(f"{service}:{api} on {what}: {code or 'error'}") from None
        except BotoCoreError as exc:
            raise CouldNotRead(f"{service}:{api} on {what}: {type(exc).__name__}") from None
        return {key: [item for page in pages for item in page.get(key, [])] for key in keys}

    def in_parallel(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self._pool.map(fn, items))
