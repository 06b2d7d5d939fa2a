"""Where AWS calls go: real AWS through boto3's usual credential chain, or a local moto server.

A target with an endpoint on 127.0.0.1/localhost is a local stand-in (moto): its clients get
fixed dummy credentials, so the sandbox and the tests need no AWS account and real credentials
are never sent to a local process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trustctl.errors import InputError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True)
class AwsTarget:
    """An AWS region, and an endpoint override when the target is a local stand-in."""

    region: str
    endpoint_url: str | None = None

    @property
    def is_local(self) -> bool:
        """True when the endpoint is on this machine (moto), never real AWS."""
        return self.endpoint_url is not None and urlsplit(self.endpoint_url).hostname in LOCAL_HOSTS


def client(service: str, target: AwsTarget) -> Any:
    """A boto3 client for `service` at `target` (endpoint and dummy credentials when local)."""
    import boto3  # here, not at the top: commands that never call AWS start a second sooner
    from botocore.exceptions import BotoCoreError

    if target.is_local:
        session = boto3.session.Session(region_name=target.region, **LOCAL_CREDENTIALS)
    else:
        session = boto3.session.Session(region_name=target.region)
    try:
        return session.client(service, endpoint_url=target.endpoint_url)
    except BotoCoreError as exc:  # e.g. a malformed region
        raise InputError(f"cannot make an AWS {service} client: {exc}") from None
    except ValueError:  # botocore's "Invalid endpoint": bad input, not an internal error
        raise InputError(f"not a valid AWS endpoint URL: {target.endpoint_url}") from None


class MotoServer:
    """moto in server mode on 127.0.0.1, on a free port, in a thread of this process.

    The sandbox's background process runs it this way (the process itself is the detached
    part), and so do the tests. State lives in memory: it is gone after `stop()`.
    """

    def __init__(self) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        # one line per HTTP request on stderr helps nobody; errors still get through
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def target(self, region: str) -> AwsTarget:
        """An AwsTarget that reaches this server."""
        return AwsTarget(region=region, endpoint_url=self.url)

    def stop(self) -> None:
        """Shut the HTTP server down and join its thread."""
        self._server.stop()

    def __enter__(self) -> MotoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
